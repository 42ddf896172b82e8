import assert from "node:assert/strict";
import { TcpFlag } from "../lib/pcap/packet.ts";
import { PcapngWriter } from "../lib/pcap/pcapng.ts";
import { parseTcpFrame, readPackets, type TcpPacket } from "../lib/pcap/reader.ts";
import { type TcpFlowOptions, TcpFlowRecorder } from "../lib/pcap/tcp_flow.ts";

const CLIENT = { hostname: "192.168.0.20", port: 50797 };
const SERVER = { hostname: "192.168.0.88", port: 55555 };
const ISN = { local: 1000, remote: 5000 };

interface Seen extends TcpPacket {
  readonly direction: string | undefined;
  readonly fromLocal: boolean;
}

function decode(bytes: Uint8Array): Seen[] {
  return readPackets(bytes).map((p) => {
    const tcp = parseTcpFrame(p.data)!;
    return { ...tcp, direction: p.direction, fromLocal: tcp.srcPort === CLIENT.port };
  });
}

function flags(p: TcpPacket): string {
  const names: string[] = [];
  if (p.flags & TcpFlag.SYN) names.push("SYN");
  if (p.flags & TcpFlag.FIN) names.push("FIN");
  if (p.flags & TcpFlag.RST) names.push("RST");
  if (p.flags & TcpFlag.PSH) names.push("PSH");
  if (p.flags & TcpFlag.ACK) names.push("ACK");
  return names.join(",");
}

function recorder(options: TcpFlowOptions = {}) {
  return new TcpFlowRecorder(new PcapngWriter(), CLIENT, SERVER, { isn: ISN, ...options });
}

Deno.test("TcpFlowRecorder.open synthesizes the three-way handshake", () => {
  const packets = decode(recorder().open(1));
  assert.deepEqual(packets.map(flags), ["SYN", "SYN,ACK", "ACK"]);
  assert.deepEqual(packets.map((p) => p.fromLocal), [true, false, true]);
  assert.deepEqual(packets.map((p) => p.direction), ["outbound", "inbound", "outbound"]);
  assert.deepEqual(packets.map((p) => [p.seq, p.ack]), [[1000, 0], [5000, 1001], [1001, 5001]]);
});

Deno.test("TcpFlowRecorder.open lets the remote side initiate for a server", () => {
  const packets = decode(recorder({ initiator: "remote" }).open(1));
  assert.deepEqual(packets.map(flags), ["SYN", "SYN,ACK", "ACK"]);
  assert.deepEqual(packets.map((p) => p.fromLocal), [false, true, false]);
});

Deno.test("TcpFlowRecorder.sent splits at the MSS and advances the sequence number", () => {
  const flow = recorder({ mss: 100 });
  flow.open(1);
  const data = Uint8Array.from({ length: 250 }, (_, i) => i & 0xff);
  const packets = decode(flow.sent(data, 2));
  const segments = packets.filter((p) => p.fromLocal);
  assert.deepEqual(segments.map((p) => p.payload.length), [100, 100, 50]);
  assert.deepEqual(segments.map((p) => p.seq), [1001, 1101, 1201]);
  assert.deepEqual(segments.map(flags), ["ACK", "ACK", "PSH,ACK"]);
  assert.deepEqual([...segments.flatMap((p) => [...p.payload])], [...data]);
  // The receiver acknowledges every second segment and the end of the write.
  const acks = packets.filter((p) => !p.fromLocal);
  assert.deepEqual(packets.map((p) => (p.fromLocal ? "d" : "a")).join(""), "ddada");
  assert.deepEqual(acks.map((p) => p.ack), [1201, 1251]);
  assert.ok(acks.every((p) => p.payload.length === 0 && p.direction === "inbound"));
});

Deno.test("TcpFlowRecorder.received records the peer's data and our acknowledgement", () => {
  const flow = recorder();
  flow.open(1);
  flow.sent(new Uint8Array(10), 2);
  const packets = decode(flow.received(new TextEncoder().encode("200 OK\n"), 3));
  assert.deepEqual(packets.map(flags), ["PSH,ACK", "ACK"]);
  assert.equal(packets[0]!.fromLocal, false);
  assert.deepEqual([packets[0]!.seq, packets[0]!.ack], [5001, 1011]);
  assert.deepEqual([packets[1]!.seq, packets[1]!.ack], [1011, 5008]);
});

Deno.test("TcpFlowRecorder without acks records only the data", () => {
  const flow = recorder({ acks: false, mss: 10 });
  flow.open(1);
  assert.equal(decode(flow.sent(new Uint8Array(35), 2)).length, 4);
});

Deno.test("TcpFlowRecorder opens on first data and ignores empty writes", () => {
  const flow = recorder();
  assert.equal(flow.sent(new Uint8Array(0), 1).length, 0);
  const packets = decode(flow.received(new Uint8Array(5), 1));
  assert.deepEqual(packets.map(flags), ["SYN", "SYN,ACK", "ACK", "PSH,ACK", "ACK"]);
  assert.equal(flow.open(2).length, 0);
});

Deno.test("TcpFlowRecorder.close exchanges FINs and then records nothing", () => {
  const flow = recorder();
  flow.open(1);
  flow.sent(new Uint8Array(3), 2);
  const packets = decode(flow.close(3));
  assert.deepEqual(packets.map(flags), ["FIN,ACK", "FIN,ACK", "ACK"]);
  assert.deepEqual(packets.map((p) => p.fromLocal), [true, false, true]);
  assert.deepEqual(packets.map((p) => [p.seq, p.ack]), [[1004, 5001], [5001, 1005], [
    1005,
    5002,
  ]]);
  assert.ok(flow.closed);
  assert.equal(flow.sent(new Uint8Array(3), 4).length, 0);
  assert.equal(flow.close(4).length, 0);
});

Deno.test("TcpFlowRecorder.close by the remote side starts with its FIN", () => {
  const flow = recorder();
  const packets = decode(flow.close(3, "remote"));
  assert.deepEqual(packets.map(flags), ["SYN", "SYN,ACK", "ACK", "FIN,ACK", "FIN,ACK", "ACK"]);
  assert.deepEqual(packets.slice(3).map((p) => p.fromLocal), [false, true, false]);
});

Deno.test("TcpFlowRecorder.abort sends one RST", () => {
  const flow = recorder();
  flow.open(1);
  const packets = decode(flow.abort(2, "remote"));
  assert.deepEqual(packets.map(flags), ["RST,ACK"]);
  assert.equal(packets[0]!.fromLocal, false);
  assert.equal(flow.abort(3).length, 0);
});

Deno.test("TcpFlowRecorder wraps sequence numbers at 2^32", () => {
  const flow = recorder({ isn: { local: 0xffffffff, remote: 7 }, mss: 4 });
  flow.open(1);
  const segments = decode(flow.sent(new Uint8Array(8), 2)).filter((p) => p.fromLocal);
  assert.deepEqual(segments.map((p) => p.seq), [0, 4]);
});

Deno.test("TcpFlowRecorder derives the same ISNs from the same ports", () => {
  const a = new TcpFlowRecorder(new PcapngWriter(), CLIENT, SERVER).open(1);
  const b = new TcpFlowRecorder(new PcapngWriter(), CLIENT, SERVER).open(1);
  assert.deepEqual(a, b);
});

Deno.test("TcpFlowRecorder rejects bad ports and MSS", () => {
  const w = new PcapngWriter();
  assert.throws(() => new TcpFlowRecorder(w, { hostname: "::1", port: 70000 }, SERVER), RangeError);
  assert.throws(() => new TcpFlowRecorder(w, CLIENT, SERVER, { mss: 0 }), RangeError);
});
