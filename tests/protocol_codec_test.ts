/** Encoder and streaming decoder: round trips, any chunking, every bad-input class. */

import assert from "node:assert/strict";
import fc from "fast-check";
import {
  BadMagicError,
  ChecksumError,
  decodeSack,
  decodeSyn,
  decodeSynAck,
  encodeFrame,
  encodeFrameInto,
  encodeSack,
  encodeSyn,
  encodeSynAck,
  type Frame,
  frame,
  FrameDecoder,
  type FrameError,
  FrameType,
  HEADER_SIZE,
  internetChecksum,
  MAX_PAYLOAD,
  onesSum,
  OversizeFrameError,
  seqAdd,
  seqDiff,
  seqLt,
  seqLte,
  TruncatedFrameError,
  UnknownTypeError,
} from "../lib/protocol/mod.ts";
import { encodeWithType } from "./support/frames.ts";

/** A straightforward RFC 1071 checksum, independent of the code under test. */
function rfc1071(bytes: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < bytes.length; i += 2) {
    sum += (bytes[i]! << 8) + (i + 1 < bytes.length ? bytes[i + 1]! : 0);
  }
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return ~sum & 0xffff;
}

interface Seen {
  frames: Frame[];
  corrupt: number;
}

function decodeAll(chunks: Uint8Array[]): Seen & { error: FrameError | undefined } {
  const d = new FrameDecoder();
  const seen: Seen = { frames: [], corrupt: 0 };
  let error: FrameError | undefined;
  for (const c of chunks) {
    error = d.push(c, {
      frame: (f) => seen.frames.push({ ...f, payload: f.payload.slice() }),
      corrupt: () => seen.corrupt++,
    }) ?? error;
    assert.ok(d.buffered <= HEADER_SIZE + MAX_PAYLOAD);
  }
  return { ...seen, error };
}

const frameArb = fc.record({
  type: fc.integer({ min: 1, max: 10 }),
  seq: fc.integer({ min: 0, max: 0xffffffff }),
  flags: fc.integer({ min: 0, max: 1 }),
  payload: fc.uint8Array({ maxLength: 200 }),
});

Deno.test("encodeFrame round-trips every frame type, empty and maximum payloads", () => {
  for (let type = 1; type <= 10; type++) {
    for (const size of [0, 1, 2, 63, MAX_PAYLOAD]) {
      const payload = Uint8Array.from({ length: size }, (_, i) => (i * 7 + type) & 0xff);
      const f = frame(type as FrameType, 0xfffffff0 + size, size % 2, payload);
      const out = decodeAll([encodeFrame(f)]);
      assert.equal(out.error, undefined);
      assert.deepEqual(out.frames, [f]);
    }
  }
});

Deno.test("the checksum equals an independent RFC 1071 implementation, with and without payloadSum", () => {
  fc.assert(
    fc.property(frameArb, (f) => {
      const bytes = encodeFrame(f as Frame);
      const zeroed = bytes.slice();
      zeroed[8] = 0;
      zeroed[9] = 0;
      const expected = rfc1071(zeroed);
      assert.equal((bytes[8]! << 8) | bytes[9]!, expected);
      assert.equal(internetChecksum(zeroed), expected);
      const out = new Uint8Array(bytes.length + 3);
      encodeFrameInto(out, 3, f.type as FrameType, f.seq, f.flags, f.payload, onesSum(f.payload));
      assert.deepEqual(out.subarray(3), bytes);
    }),
    { numRuns: 300 },
  );
});

Deno.test("FrameDecoder yields the same frames byte by byte, in random splits and at once", () => {
  fc.assert(
    fc.property(
      fc.array(frameArb, { minLength: 1, maxLength: 8 }),
      fc.array(fc.nat(300)),
      (fs, cuts) => {
        const stream = new Uint8Array(fs.flatMap((f) => [...encodeFrame(f as Frame)]));
        const whole = decodeAll([stream]);
        const bytewise = decodeAll(Array.from(stream, (b) => Uint8Array.of(b)));
        const points = [...new Set(cuts.map((c) => c % (stream.length + 1)))].sort((a, b) => a - b);
        const pieces: Uint8Array[] = [];
        let last = 0;
        for (const p of [...points, stream.length]) {
          pieces.push(stream.subarray(last, p));
          last = p;
        }
        const split = decodeAll(pieces);
        assert.equal(whole.frames.length, fs.length);
        assert.deepEqual(bytewise.frames, whole.frames);
        assert.deepEqual(split.frames, whole.frames);
      },
    ),
    { numRuns: 200 },
  );
});

Deno.test("FrameDecoder reports a bad checksum and decodes the next frame", () => {
  const bad = encodeFrame(frame(FrameType.DATA, 1, 1, new TextEncoder().encode("hello")));
  bad[HEADER_SIZE + 1]! ^= 0x10;
  const good = encodeFrame(frame(FrameType.ACK, 2));
  const errors: ChecksumError[] = [];
  const frames: number[] = [];
  const err = new FrameDecoder().push(new Uint8Array([...bad, ...good]), {
    frame: (f) => frames.push(f.seq),
    corrupt: (e) => errors.push(e),
  });
  assert.equal(err, undefined);
  assert.equal(errors.length, 1);
  assert.ok(errors[0] instanceof ChecksumError);
  assert.deepEqual(frames, [2]);
});

Deno.test("FrameDecoder stops with a typed error on framing damage, and keeps returning it", () => {
  const sink = { frame: () => {}, corrupt: () => {} };
  const good = encodeFrame(frame(FrameType.ACK, 1));
  const d1 = new FrameDecoder();
  const e1 = d1.push(new Uint8Array([...good, 0x41, 0x42, 0x43]), sink);
  assert.ok(e1 instanceof BadMagicError);
  assert.equal(d1.push(good, sink), e1);
  const d2 = new FrameDecoder();
  assert.ok(d2.push(Uint8Array.of(0xc1, 0x04, 0x01), sink) instanceof OversizeFrameError);
  // Good checksum, unknown type 99.
  const unknown = encodeWithType(99, 1);
  assert.ok(new FrameDecoder().push(unknown, sink) instanceof UnknownTypeError);
  const d3 = new FrameDecoder();
  assert.equal(d3.push(good.subarray(0, 5), sink), undefined);
  assert.ok(d3.end() instanceof TruncatedFrameError);
});

Deno.test("FrameDecoder never throws on random bytes", () => {
  fc.assert(
    fc.property(fc.array(fc.uint8Array({ maxLength: 64 }), { maxLength: 10 }), (chunks) => {
      const d = new FrameDecoder();
      for (const c of chunks) d.push(c, { frame: () => {}, corrupt: () => {} });
      d.end();
    }),
    { numRuns: 500 },
  );
});

Deno.test("sequence helpers compare across the 2^32 wrap", () => {
  assert.ok(seqLt(0xffffffff, 0));
  assert.ok(!seqLt(0, 0xffffffff));
  assert.ok(seqLte(5, 5));
  assert.equal(seqDiff(2, 0xfffffffe), 4);
  assert.equal(seqAdd(0xffffffff, 2), 1);
});

Deno.test("control payloads round-trip and reject bad values", () => {
  const p = { mode: "sr", window: 32, ackPolicy: "sack", maxPayload: 512 } as const;
  assert.deepEqual(decodeSyn(encodeSyn(p)), p);
  assert.deepEqual(decodeSynAck(encodeSynAck(p, 0xfffffff0)), { params: p, ackedIsn: 0xfffffff0 });
  const ranges = [{ start: 5, end: 7 }, { start: 0xfffffffe, end: 2 }];
  assert.deepEqual(decodeSack(encodeSack(ranges)), ranges);
  const syn = encodeSyn(p);
  assert.throws(() => decodeSyn(syn.subarray(0, 6)), /7 bytes/);
  const v2 = syn.slice();
  v2[0] = 2;
  assert.throws(() => decodeSyn(v2), /version 2/);
  const mode = syn.slice();
  mode[1] = 9;
  assert.throws(() => decodeSyn(mode), /unknown ARQ mode/);
  const w0 = syn.slice();
  w0[2] = 0;
  w0[3] = 0;
  assert.throws(() => decodeSyn(w0), /Window out of range/);
  assert.throws(() => decodeSack(Uint8Array.of(2, 0, 0)), /bad SACK block/);
});
