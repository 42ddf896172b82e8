import assert from "node:assert/strict";
import {
  BLOCK_EPB,
  BLOCK_IDB,
  BLOCK_SHB,
  BYTE_ORDER_MAGIC,
  DEFAULT_SNAPLEN,
  LINKTYPE_ETHERNET,
  PcapngWriter,
} from "../lib/pcap/pcapng.ts";
import { readBlocks, readOptions, readPackets } from "../lib/pcap/reader.ts";

const le = (b: Uint8Array, at: number) =>
  new DataView(b.buffer, b.byteOffset, b.byteLength).getUint32(at, true);
const le16 = (b: Uint8Array, at: number) =>
  new DataView(b.buffer, b.byteOffset, b.byteLength).getUint16(at, true);

Deno.test("PcapngWriter.header writes a little-endian SHB then an Ethernet IDB", () => {
  const bytes = new PcapngWriter().header();
  assert.equal(le(bytes, 0), BLOCK_SHB);
  assert.equal(le(bytes, 8), BYTE_ORDER_MAGIC);
  assert.deepEqual([...bytes.subarray(8, 12)], [0x4d, 0x3c, 0x2b, 0x1a]);
  assert.equal(le16(bytes, 12), 1); // major version
  assert.equal(le16(bytes, 14), 0); // minor version
  assert.deepEqual([...bytes.subarray(16, 24)], new Array(8).fill(0xff)); // length unknown
  const blocks = readBlocks(bytes);
  assert.deepEqual(blocks.map((b) => b.type), [BLOCK_SHB, BLOCK_IDB]);
  const idb = blocks[1]!.body;
  assert.equal(le16(idb, 0), LINKTYPE_ETHERNET);
  assert.equal(le(idb, 4), DEFAULT_SNAPLEN);
  const options = readOptions(idb, 8);
  assert.deepEqual([...options.get(9)!], [6]); // if_tsresol: microseconds
  assert.equal(new TextDecoder().decode(options.get(2)), "chat"); // if_name
  const shbOptions = readOptions(blocks[0]!.body, 16);
  assert.equal(new TextDecoder().decode(shbOptions.get(4)), "chat"); // shb_userappl
  assert.match(new TextDecoder().decode(shbOptions.get(1)), /synthesized/);
});

Deno.test("PcapngWriter.header records nanosecond resolution, snaplen and names", () => {
  const bytes = new PcapngWriter({
    resolution: "ns",
    snaplen: 1000,
    application: "chat 9.9",
    comment: "",
    interfaceName: "lab",
  }).header();
  const [shb, idb] = readBlocks(bytes);
  assert.equal(le(idb!.body, 4), 1000);
  const options = readOptions(idb!.body, 8);
  assert.deepEqual([...options.get(9)!], [9]);
  assert.equal(new TextDecoder().decode(options.get(2)), "lab");
  const shbOptions = readOptions(shb!.body, 16);
  assert.equal(shbOptions.has(1), false);
  assert.equal(new TextDecoder().decode(shbOptions.get(4)), "chat 9.9");
});

Deno.test("PcapngWriter.packet pads data to 32 bits and stamps microseconds", () => {
  const w = new PcapngWriter();
  const frame = Uint8Array.from({ length: 61 }, (_, i) => i);
  const block = w.packet(frame, 1_700_000_000_123.456, "outbound");
  assert.equal(le(block, 0), BLOCK_EPB);
  const total = le(block, 4);
  assert.equal(total, block.length);
  assert.equal(total % 4, 0);
  assert.equal(le(block, total - 4), total);
  const ticks = (BigInt(le(block, 12)) << 32n) | BigInt(le(block, 16));
  assert.equal(ticks, 1_700_000_000_123_456n);
  assert.equal(le(block, 20), 61); // captured
  assert.equal(le(block, 24), 61); // original
  assert.deepEqual([...block.subarray(28, 28 + 61)], [...frame]);
  assert.deepEqual([...block.subarray(28 + 61, 28 + 64)], [0, 0, 0]); // padding
  const [packet] = readPackets(block);
  assert.equal(packet!.direction, "outbound");
  assert.equal(packet!.timestamp, 1_700_000_000_123_456n);
});

Deno.test("PcapngWriter.packet stamps nanoseconds without losing precision", () => {
  const w = new PcapngWriter({ resolution: "ns" });
  const [packet] = readPackets(w.packet(new Uint8Array(60), 1_700_000_000_123.25));
  assert.equal(packet!.timestamp, 1_700_000_000_123_250_000n);
  assert.equal(packet!.direction, undefined);
});

Deno.test("PcapngWriter.packet marks direction in epb_flags", () => {
  const w = new PcapngWriter();
  const inbound = w.packet(new Uint8Array(60), 1, "inbound");
  const outbound = w.packet(new Uint8Array(60), 1, "outbound");
  // epb_flags option right after the 60 data bytes: code 2, length 4, value.
  for (const [block, bits] of [[inbound, 1], [outbound, 2]] as const) {
    assert.equal(le16(block, 28 + 60), 2);
    assert.equal(le16(block, 28 + 62), 4);
    assert.equal(le(block, 28 + 64), bits);
  }
  assert.deepEqual(readPackets(inbound).map((p) => p.direction), ["inbound"]);
});

Deno.test("PcapngWriter.packet cuts frames longer than the snaplen", () => {
  const w = new PcapngWriter({ snaplen: 100 });
  const [packet] = readPackets(w.packet(new Uint8Array(1514).fill(7), 5));
  assert.equal(packet!.data.length, 100);
  assert.equal(packet!.originalLength, 1514);
});

Deno.test("PcapngWriter.packet maps a negative or invalid time to zero", () => {
  const w = new PcapngWriter();
  assert.equal(readPackets(w.packet(new Uint8Array(60), -5))[0]!.timestamp, 0n);
  assert.equal(readPackets(w.packet(new Uint8Array(60), NaN))[0]!.timestamp, 0n);
});

Deno.test("PcapngWriter rejects a snaplen that is not a positive integer", () => {
  assert.throws(() => new PcapngWriter({ snaplen: 0 }), RangeError);
  assert.throws(() => new PcapngWriter({ snaplen: 1.5 }), RangeError);
});

Deno.test("readBlocks rejects a block whose trailing length differs", () => {
  const bytes = new PcapngWriter().header();
  bytes[bytes.length - 4] = 0;
  assert.throws(() => readBlocks(bytes), /Trailing length/);
});
