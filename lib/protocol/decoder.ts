/**
 * Streaming frame decoder: accepts the byte stream in chunks of any size (one byte at a time or
 * many frames at once), keeps at most one partial frame, and reports each complete frame or
 * error to a sink.
 *
 * Recovery rule: only the magic and the length are read before the checksum is verified. A bad
 * magic or a length over the maximum is framing damage ({@link BadMagicError},
 * {@link OversizeFrameError}): the decoder stops and the session must end. A complete frame
 * whose checksum fails is reported as a {@link ChecksumError} and skipped, the stream stays in
 * step because the length was intact. A frame with a good checksum and an unknown type is a
 * protocol error ({@link UnknownTypeError}) and also stops the decoder.
 * @module
 */

import { addSums, onesSum } from "./checksum.ts";
import {
  BadMagicError,
  ChecksumError,
  type FrameError,
  OversizeFrameError,
  TruncatedFrameError,
  UnknownTypeError,
} from "./errors.ts";
import type { Frame } from "./frame.ts";
import { HEADER_SIZE, isFrameType, MAGIC, MAX_PAYLOAD, Offset } from "./header.ts";

/** Receives what the decoder finds, in stream order. */
export interface FrameSink {
  /** A frame with a valid checksum. Its payload is a view valid only during this call. */
  frame(frame: Frame): void;
  /** A complete frame whose checksum failed; the stream goes on after it. */
  corrupt(error: ChecksumError): void;
}

/** Streaming decoder of the binary frame format. */
export class FrameDecoder {
  readonly #maxPayload: number;
  #partial: Uint8Array | undefined;
  #have = 0;
  #failed: FrameError | undefined;

  /** `maxPayload` bounds the length field (default {@link MAX_PAYLOAD}). */
  constructor(maxPayload: number = MAX_PAYLOAD) {
    this.#maxPayload = maxPayload;
  }

  /** Bytes of an unfinished frame held between pushes. */
  get buffered(): number {
    return this.#have;
  }

  /** The fatal error that stopped the decoder, if any. */
  get error(): FrameError | undefined {
    return this.#failed;
  }

  /**
   * Feeds a chunk. Complete frames and checksum failures go to `sink`; a fatal error is
   * returned (and returned again by every later call), otherwise `undefined`.
   */
  push(chunk: Uint8Array, sink: FrameSink): FrameError | undefined {
    if (this.#failed) return this.#failed;
    let pos = 0;
    const n = chunk.length;
    // Finish a frame started in an earlier chunk.
    if (this.#have > 0) {
      const buf = this.#partial!;
      if (this.#have < 3) {
        const take = Math.min(3 - this.#have, n);
        buf.set(chunk.subarray(0, take), this.#have);
        this.#have += take;
        pos = take;
        if (this.#have < 3) return undefined;
        const err = this.#checkPrefix(buf, 0);
        if (err) return err;
      }
      const total = HEADER_SIZE + ((buf[1]! << 8) | buf[2]!);
      const take = Math.min(total - this.#have, n - pos);
      buf.set(chunk.subarray(pos, pos + take), this.#have);
      this.#have += take;
      pos += take;
      if (this.#have < total) return undefined;
      this.#have = 0;
      const err = this.#emit(buf, 0, total, sink);
      if (err) return err;
    }
    // Whole frames directly from the chunk, without copying.
    while (pos < n) {
      if (n - pos < 3) break;
      const err = this.#checkPrefix(chunk, pos);
      if (err) return err;
      const total = HEADER_SIZE + ((chunk[pos + 1]! << 8) | chunk[pos + 2]!);
      if (n - pos < total) break;
      const emitErr = this.#emit(chunk, pos, total, sink);
      if (emitErr) return emitErr;
      pos += total;
    }
    if (pos < n) {
      // Keep the unfinished frame; its magic and length (if present) were already checked.
      if (n - pos >= 1 && chunk[pos] !== MAGIC) return this.#fail(new BadMagicError(chunk[pos]!));
      this.#partial ??= new Uint8Array(HEADER_SIZE + this.#maxPayload);
      this.#partial.set(chunk.subarray(pos), 0);
      this.#have = n - pos;
    }
    return undefined;
  }

  /** Call at end of stream: returns a {@link TruncatedFrameError} when a frame was cut off. */
  end(): FrameError | undefined {
    if (this.#failed) return this.#failed;
    if (this.#have > 0) return this.#fail(new TruncatedFrameError(this.#have));
    return undefined;
  }

  #checkPrefix(bytes: Uint8Array, at: number): FrameError | undefined {
    if (bytes[at] !== MAGIC) return this.#fail(new BadMagicError(bytes[at]!));
    const length = (bytes[at + 1]! << 8) | bytes[at + 2]!;
    if (length > this.#maxPayload) {
      return this.#fail(new OversizeFrameError(length, this.#maxPayload));
    }
    return undefined;
  }

  #emit(bytes: Uint8Array, at: number, total: number, sink: FrameSink): FrameError | undefined {
    const sum = onesSum(bytes, at, at + total);
    if (sum !== 0xffff) {
      const carried = (bytes[at + Offset.checksum]! << 8) | bytes[at + Offset.checksum + 1]!;
      // Sum without the checksum field, to report what the checksum should have been.
      const head = onesSum(bytes, at, at + Offset.checksum);
      const rest = onesSum(bytes, at + Offset.checksum + 2, at + total);
      sink.corrupt(new ChecksumError(total - HEADER_SIZE, carried, ~addSums(head, rest) & 0xffff));
      return undefined;
    }
    const type = bytes[at + Offset.type]!;
    if (!isFrameType(type)) return this.#fail(new UnknownTypeError(type));
    const seq = ((bytes[at + Offset.seq]! << 24) | (bytes[at + Offset.seq + 1]! << 16) |
      (bytes[at + Offset.seq + 2]! << 8) | bytes[at + Offset.seq + 3]!) >>> 0;
    sink.frame({
      type,
      seq,
      flags: bytes[at + Offset.flags]!,
      payload: bytes.subarray(at + HEADER_SIZE, at + total),
    });
    return undefined;
  }

  #fail(error: FrameError): FrameError {
    this.#failed = error;
    this.#have = 0;
    this.#partial = undefined;
    return error;
  }
}
