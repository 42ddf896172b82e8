import assert from "node:assert/strict";
import { onesSum } from "../lib/protocol/checksum.ts";
import { parseAddress } from "../lib/pcap/address.ts";
import {
  buildSegment,
  macFor,
  segmentSize,
  type SegmentSpec,
  TcpFlag,
} from "../lib/pcap/packet.ts";
import { parseTcpFrame } from "../lib/pcap/reader.ts";

const spec = (over: Partial<SegmentSpec> = {}): SegmentSpec => ({
  src: parseAddress("192.168.0.20"),
  dst: parseAddress("192.168.0.88"),
  srcPort: 50797,
  dstPort: 55555,
  seq: 0xfffffff0,
  ack: 77,
  flags: TcpFlag.PSH | TcpFlag.ACK,
  window: 65535,
  ipId: 0x1234,
  payload: new TextEncoder().encode("MSG hello"),
  ...over,
});

/** Verifies the TCP checksum with an independently built pseudo-header. */
function tcpSumOk(frame: Uint8Array, v4: boolean): boolean {
  const ip = 14;
  const tcp = v4 ? ip + 20 : ip + 40;
  const length = frame.length - tcp;
  const pseudo: number[] = v4
    ? [...frame.subarray(ip + 12, ip + 20), 0, 6, length >> 8, length & 0xff]
    : [...frame.subarray(ip + 8, ip + 40), 0, 0, length >> 8, length & 0xff, 0, 0, 0, 6];
  const all = new Uint8Array([...pseudo, ...frame.subarray(tcp)]);
  return onesSum(all) === 0xffff;
}

Deno.test("buildSegment writes Ethernet, IPv4 and TCP headers with valid checksums", () => {
  const frame = buildSegment(spec());
  assert.equal(frame.length, 14 + 20 + 20 + 9);
  assert.equal(segmentSize(spec()), frame.length);
  assert.deepEqual([...frame.subarray(0, 6)], [2, 0, 192, 168, 0, 88]); // dst MAC
  assert.deepEqual([...frame.subarray(6, 12)], [2, 0, 192, 168, 0, 20]); // src MAC
  assert.deepEqual([...frame.subarray(12, 14)], [0x08, 0x00]);
  assert.equal(frame[14], 0x45);
  assert.equal((frame[16]! << 8) | frame[17]!, 49); // total length
  assert.equal((frame[18]! << 8) | frame[19]!, 0x1234);
  assert.equal(frame[20], 0x40); // DF
  assert.equal(frame[22], 64); // TTL
  assert.equal(frame[23], 6); // TCP
  assert.equal(onesSum(frame, 14, 34), 0xffff, "IPv4 header checksum");
  assert.ok(tcpSumOk(frame, true), "TCP checksum");
  const tcp = parseTcpFrame(frame)!;
  assert.equal(tcp.srcPort, 50797);
  assert.equal(tcp.dstPort, 55555);
  assert.equal(tcp.seq, 0xfffffff0);
  assert.equal(tcp.ack, 77);
  assert.equal(tcp.flags, TcpFlag.PSH | TcpFlag.ACK);
  assert.equal(new TextDecoder().decode(tcp.payload), "MSG hello");
});

Deno.test("buildSegment adds the MSS option and zeroes ack without the ACK flag", () => {
  const frame = buildSegment(spec({ flags: TcpFlag.SYN, mss: 1460, payload: new Uint8Array(0) }));
  const tcp = 34;
  assert.equal(frame[tcp + 12]! >> 4, 6); // 24-byte header
  assert.deepEqual([...frame.subarray(tcp + 20, tcp + 24)], [2, 4, 0x05, 0xb4]);
  assert.equal(parseTcpFrame(frame)!.ack, 0);
  assert.ok(tcpSumOk(frame, true));
});

Deno.test("buildSegment writes IPv6 with a valid TCP checksum on odd payloads", () => {
  const s = spec({
    src: parseAddress("fe80::1"),
    dst: parseAddress("2001:db8::2"),
    payload: Uint8Array.from({ length: 1001 }, (_, i) => (i * 37) & 0xff),
  });
  const frame = buildSegment(s);
  assert.deepEqual([...frame.subarray(12, 14)], [0x86, 0xdd]);
  assert.equal(frame[14]! >> 4, 6);
  assert.equal(frame[20], 6); // next header
  assert.equal((frame[18]! << 8) | frame[19]!, 20 + 1001);
  assert.ok(tcpSumOk(frame, false));
  assert.equal(parseTcpFrame(frame)!.payload.length, 1001);
});

Deno.test("buildSegment rejects mixed families and oversize payloads", () => {
  assert.throws(() => buildSegment(spec({ dst: parseAddress("::1") })), RangeError);
  assert.throws(() => buildSegment(spec({ payload: new Uint8Array(65535) })), RangeError);
});

Deno.test("macFor is locally administered and follows the address", () => {
  assert.deepEqual([...macFor(parseAddress("10.1.2.3"))], [2, 0, 10, 1, 2, 3]);
  assert.deepEqual([...macFor(parseAddress("::1"))], [2, 0, 0, 0, 0, 1]);
});
