import assert from "node:assert/strict";
import { kernelUdpDelta, parseSnmpUdp, readKernelUdp } from "../lib/bench/kernel_udp.ts";

const SAMPLE =
  `Ip: Forwarding DefaultTTL InReceives InHdrErrors InAddrErrors ForwDatagrams InUnknownProtos InDiscards InDelivers OutRequests OutDiscards OutNoRoutes ReasmTimeout ReasmReqds ReasmOKs ReasmFails FragOKs FragFails FragCreates OutTransmits
Ip: 2 64 631 0 0 0 0 0 560 1150 0 2 0 0 0 0 0 0 0 1150
Udp: InDatagrams NoPorts InErrors OutDatagrams RcvbufErrors SndbufErrors InCsumErrors IgnoredMulti MemErrors
Udp: 556 0 7 1150 5 0 0 0 0
UdpLite: InDatagrams NoPorts InErrors OutDatagrams RcvbufErrors SndbufErrors InCsumErrors IgnoredMulti MemErrors
UdpLite: 0 0 0 0 0 0 0 0 0
`;

Deno.test("parseSnmpUdp reads UDP's errors and the IP packets not delivered", () => {
  assert.deepEqual(parseSnmpUdp(SAMPLE), {
    inErrors: 7,
    rcvbufErrors: 5,
    inDatagrams: 556,
    ipUndelivered: 71,
  });
  assert.equal(parseSnmpUdp("Tcp: A B\nTcp: 1 2\n"), undefined);
  assert.equal(parseSnmpUdp(""), undefined);
});

Deno.test("kernelUdpDelta subtracts, and is unknown when either side is", () => {
  const a = parseSnmpUdp(SAMPLE)!;
  const b = { inErrors: 9, rcvbufErrors: 5, inDatagrams: 600, ipUndelivered: 80 };
  assert.deepEqual(kernelUdpDelta(a, b), {
    inErrors: 2,
    rcvbufErrors: 0,
    inDatagrams: 44,
    ipUndelivered: 9,
  });
  assert.equal(kernelUdpDelta(undefined, b), undefined);
  assert.equal(kernelUdpDelta(a, undefined), undefined);
});

Deno.test({
  name: "readKernelUdp reads this machine's counters (Linux)",
  ignore: Deno.build.os !== "linux",
  async fn() {
    const c = await readKernelUdp();
    assert.ok(c && c.inDatagrams >= 0 && c.inErrors >= 0);
    assert.equal(await readKernelUdp("/nonexistent/snmp"), undefined);
  },
});
