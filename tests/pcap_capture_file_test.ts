import assert from "node:assert/strict";
import { type ByteSink, PcapngFile } from "../lib/pcap/capture_file.ts";
import { BLOCK_IDB, BLOCK_SHB } from "../lib/pcap/pcapng.ts";
import { parseTcpFrame, readBlocks, readPackets } from "../lib/pcap/reader.ts";

const LOCAL = { hostname: "192.168.0.88", port: 55555 };
const REMOTE = { hostname: "192.168.0.20", port: 50797 };

/** An in-memory sink that writes at most `chunk` bytes per call, after a macrotask. */
class MemorySink implements ByteSink {
  readonly parts: Uint8Array[] = [];
  closed = false;
  constructor(readonly chunk = Infinity, readonly failAfter = Infinity) {}
  async write(p: Uint8Array): Promise<number> {
    await Promise.resolve();
    if (this.parts.length >= this.failAfter) throw new Error("disk full");
    const n = Math.min(p.length, this.chunk);
    this.parts.push(p.slice(0, n));
    return n;
  }
  close(): void {
    this.closed = true;
  }
  bytes(): Uint8Array {
    const out = new Uint8Array(this.parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of this.parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  }
}

let clockValue = 1_700_000_000_000;
const clock = () => (clockValue += 1);

Deno.test("PcapngFile records each connection in call order and closes open flows", async () => {
  const sink = new MemorySink(7); // short writes are retried
  const pcap = new PcapngFile(sink, { role: "server", clock });
  const { forConnection } = pcap; // usable unbound
  const a = forConnection(LOCAL, REMOTE);
  a.received(new TextEncoder().encode("MSG hi\n"));
  const b = forConnection(LOCAL, { hostname: "192.168.0.21", port: 53818 });
  a.sent(new TextEncoder().encode("[ana]: hi\n"));
  b.received(new TextEncoder().encode("QUIT\n"));
  a.close("remote");
  await pcap.close();
  assert.ok(sink.closed);
  const bytes = sink.bytes();
  assert.deepEqual(readBlocks(bytes).slice(0, 2).map((b) => b.type), [BLOCK_SHB, BLOCK_IDB]);
  const packets = readPackets(bytes).map((p) => parseTcpFrame(p.data)!);
  const payloads = packets.filter((p) => p.payload.length > 0)
    .map((p) => new TextDecoder().decode(p.payload));
  assert.deepEqual(payloads, ["MSG hi\n", "[ana]: hi\n", "QUIT\n"]);
  // The server role makes the peer send the SYN.
  assert.equal(packets[0]!.srcPort, REMOTE.port);
  // Both flows end with FIN exchanges: `a` closed by the peer, `b` by close().
  const fins = packets.filter((p) => (p.flags & 0x01) !== 0);
  assert.deepEqual(fins.map((p) => p.srcPort), [50797, 55555, 55555, 53818]);
  // Timestamps come from the clock, increasing.
  const times = readPackets(bytes).map((p) => p.timestamp);
  assert.deepEqual(times, [...times].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0)));
});

Deno.test("PcapngFile.close rejects with the first write error and stops recording", async () => {
  const sink = new MemorySink(Infinity, 1);
  const pcap = new PcapngFile(sink, { clock });
  const c = pcap.forConnection(LOCAL, REMOTE);
  await new Promise((resolve) => setTimeout(resolve, 0)); // first batch written
  c.sent(new Uint8Array(10)); // second batch fails
  await assert.rejects(pcap.close(), /Cannot write the capture file: disk full/);
  assert.match(pcap.error!.message, /disk full/);
  assert.ok(sink.closed);
  c.sent(new Uint8Array(10)); // after close: ignored, no throw
  assert.equal(sink.parts.length, 1);
});

Deno.test("PcapngFile.create writes a capture file readable back", async () => {
  const dir = await Deno.makeTempDir({ prefix: "chat-pcap-" });
  try {
    const path = `${dir}/lab.pcapng`;
    const pcap = await PcapngFile.create(path, { clock });
    const c = pcap.forConnection(REMOTE, LOCAL);
    c.sent(new Uint8Array(3000));
    c.close();
    await pcap.close();
    await pcap.close(); // idempotent
    const packets = readPackets(await Deno.readFile(path)).map((p) => parseTcpFrame(p.data)!);
    const data = packets.filter((p) => p.payload.length > 0).map((p) => p.payload.length);
    assert.deepEqual(data, [1460, 1460, 80]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
