/**
 * Frame representation and encoder.
 * @module
 */

import { addSums, onesSum, swap16 } from "./checksum.ts";
import { type FrameType, HEADER_SIZE, MAGIC, MAX_PAYLOAD, Offset } from "./header.ts";

/** A decoded (or to-be-encoded) frame. */
export interface Frame {
  /** Frame type. */
  readonly type: FrameType;
  /** Sequence number (u32). */
  readonly seq: number;
  /** Flag bits (see `Flag`). */
  readonly flags: number;
  /**
   * The payload. From the decoder it is a view into the input: valid only until the next
   * `push`, so copy what must be kept.
   */
  readonly payload: Uint8Array;
}

const EMPTY = new Uint8Array(0);

/** Builds a frame object; `payload` defaults to empty. */
export function frame(type: FrameType, seq: number, flags = 0, payload: Uint8Array = EMPTY): Frame {
  return { type, seq: seq >>> 0, flags, payload };
}

/** Size on the wire of a frame carrying `payloadLength` bytes. */
export function frameSize(payloadLength: number): number {
  return HEADER_SIZE + payloadLength;
}

/**
 * Writes one frame into `out` at `offset` and returns the number of bytes written.
 * `payloadSum` may pass `onesSum(payload)` computed once for a payload sent to many peers, so
 * the checksum costs only the header per copy (the payload starts at an odd offset, so its sum
 * is byte-swapped here). Throws `RangeError` when `out` is too small or the payload too long.
 */
export function encodeFrameInto(
  out: Uint8Array,
  offset: number,
  type: FrameType,
  seq: number,
  flags: number,
  payload: Uint8Array,
  payloadSum: number = onesSum(payload),
): number {
  const length = payload.length;
  if (length > MAX_PAYLOAD) {
    throw new RangeError(`Payload too long: ${length} (max ${MAX_PAYLOAD})`);
  }
  const end = offset + HEADER_SIZE + length;
  if (end > out.length) throw new RangeError(`Buffer too small for a ${end - offset}-byte frame`);
  const o = offset;
  out[o + Offset.magic] = MAGIC;
  out[o + Offset.length] = length >>> 8;
  out[o + Offset.length + 1] = length & 0xff;
  out[o + Offset.type] = type;
  out[o + Offset.seq] = seq >>> 24;
  out[o + Offset.seq + 1] = (seq >>> 16) & 0xff;
  out[o + Offset.seq + 2] = (seq >>> 8) & 0xff;
  out[o + Offset.seq + 3] = seq & 0xff;
  out[o + Offset.checksum] = 0;
  out[o + Offset.checksum + 1] = 0;
  out[o + Offset.flags] = flags;
  const headerSum = onesSum(out, o, o + HEADER_SIZE);
  const checksum = ~addSums(headerSum, swap16(payloadSum)) & 0xffff;
  out[o + Offset.checksum] = checksum >>> 8;
  out[o + Offset.checksum + 1] = checksum & 0xff;
  out.set(payload, o + HEADER_SIZE);
  return HEADER_SIZE + length;
}

/** Encodes one frame into a new buffer of exactly its size. */
export function encodeFrame(f: Frame): Uint8Array {
  const out = new Uint8Array(HEADER_SIZE + f.payload.length);
  encodeFrameInto(out, 0, f.type, f.seq, f.flags, f.payload);
  return out;
}
