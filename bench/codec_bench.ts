/** `deno bench`: encoding and decoding frames (one core). */

import {
  encodeFrameInto,
  FrameDecoder,
  FrameType,
  HEADER_SIZE,
  onesSum,
} from "../lib/protocol/mod.ts";

const sink = { frame: () => {}, corrupt: () => {} };
const small = new Uint8Array(64).fill(0x61);
const large = new Uint8Array(1024).fill(0x62);
const out = new Uint8Array(HEADER_SIZE + 1024);
const smallSum = onesSum(small);

let seq = 0;
Deno.bench("encode+decode one 64-byte frame", { group: "frame", baseline: true }, () => {
  const n = encodeFrameInto(out, 0, FrameType.DATA, seq++, 1, small);
  new FrameDecoder().push(out.subarray(0, n), sink);
});

const decoder = new FrameDecoder();
Deno.bench("encode+decode one 64-byte frame, reused decoder, precomputed payload sum", {
  group: "frame",
}, () => {
  const n = encodeFrameInto(out, 0, FrameType.DATA, seq++, 1, small, smallSum);
  decoder.push(out.subarray(0, n), sink);
});

Deno.bench("encode+decode one 1 KiB frame", { group: "frame" }, () => {
  const n = encodeFrameInto(out, 0, FrameType.DATA, seq++, 1, large);
  decoder.push(out.subarray(0, n), sink);
});

const chunk = new Uint8Array(100 * (HEADER_SIZE + 64));
for (let i = 0; i < 100; i++) {
  encodeFrameInto(chunk, i * (HEADER_SIZE + 64), FrameType.DATA, i, 1, small);
}
Deno.bench("decode a chunk of 100 64-byte frames", () => {
  decoder.push(chunk, sink);
});
