/**
 * The tester's view of a binary server's byte stream: frames cut by their magic and length,
 * each with its checksum verdict, and the frame kept even when the checksum is wrong. The
 * project's decoder drops such frames (a receiver must); a tester records them instead, so a
 * server whose checksums are wrong fails the checksum test and is still judged on the rest.
 * A leading `NICK` text prompt is skipped, as PROTOCOL.md tells binary clients to.
 * @module
 */

import { addSums, onesSum } from "../protocol/checksum.ts";
import { HEADER_SIZE, isFrameType, MAGIC, MAX_PAYLOAD, Offset } from "../protocol/header.ts";

/** One frame the server sent. */
export interface TapFrame {
  /** `performance.now()` when it arrived. */
  readonly at: number;
  /** Frame type byte. */
  readonly type: number;
  /** Sequence number. */
  readonly seq: number;
  /** Flag bits. */
  readonly flags: number;
  /** The payload (a copy). */
  readonly payload: Uint8Array;
  /** True when the Internet checksum verifies. */
  readonly checksumOk: boolean;
  /** The checksum field as sent. */
  readonly carried: number;
  /** The checksum the frame should have carried. */
  readonly expected: number;
}

/** Why the stream stopped making sense. */
export type TapError =
  | { readonly kind: "not-binary"; readonly text: string }
  | { readonly kind: "bad-magic"; readonly byte: number; readonly offset: number }
  | { readonly kind: "oversize"; readonly length: number }
  | { readonly kind: "unknown-type"; readonly type: number };

const PROMPT = [0x4e, 0x49, 0x43, 0x4b]; // "NICK"

/** Cuts a server's byte stream into frames; stops at the first framing error. */
export class FrameTap {
  #buf: Uint8Array = new Uint8Array(0);
  #offset = 0;
  #head: Uint8Array = new Uint8Array(0);
  #first = true;
  #error: TapError | undefined;

  /** The framing error that stopped the tap, if any. */
  get error(): TapError | undefined {
    return this.#error;
  }

  /** Bytes of an unfinished frame held. */
  get buffered(): number {
    return this.#buf.length;
  }

  /** Feeds bytes; returns the complete frames they finished (none after an error). */
  push(chunk: Uint8Array, at: number): TapFrame[] {
    if (this.#error) return [];
    let bytes = chunk;
    if (this.#first) {
      // Hold the first bytes until they show whether the stream starts with the prompt.
      this.#head = concat(this.#head, bytes);
      const h = this.#head;
      const prefix = PROMPT.every((p, i) => i >= h.length || h[i] === p);
      if (prefix && h.length < PROMPT.length) return [];
      this.#first = false;
      bytes = prefix ? h.subarray(PROMPT.length) : h;
      this.#head = new Uint8Array(0);
      if (bytes.length === 0) return [];
    }
    this.#buf = this.#buf.length === 0 ? bytes.slice() : concat(this.#buf, bytes);
    const frames: TapFrame[] = [];
    let pos = 0;
    const b = this.#buf;
    while (b.length - pos >= 3) {
      if (b[pos] !== MAGIC) {
        this.#error = this.#offset + pos === 0
          ? { kind: "not-binary", text: new TextDecoder().decode(b.subarray(pos, pos + 120)) }
          : { kind: "bad-magic", byte: b[pos]!, offset: this.#offset + pos };
        break;
      }
      const length = (b[pos + 1]! << 8) | b[pos + 2]!;
      if (length > MAX_PAYLOAD) {
        this.#error = { kind: "oversize", length };
        break;
      }
      const total = HEADER_SIZE + length;
      if (b.length - pos < total) break;
      const frame = b.subarray(pos, pos + total);
      const type = frame[Offset.type]!;
      if (!isFrameType(type)) {
        this.#error = { kind: "unknown-type", type };
        break;
      }
      const carried = (frame[Offset.checksum]! << 8) | frame[Offset.checksum + 1]!;
      const head = onesSum(frame, 0, Offset.checksum);
      const rest = onesSum(frame, Offset.checksum + 2, total);
      // The rest starts at an even offset (10): the two sums add without a byte swap.
      const expected = ~addSums(head, rest) & 0xffff;
      frames.push({
        at,
        type,
        seq: ((frame[4]! << 24) | (frame[5]! << 16) | (frame[6]! << 8) | frame[7]!) >>> 0,
        flags: frame[Offset.flags]!,
        payload: frame.slice(HEADER_SIZE),
        checksumOk: onesSum(frame) === 0xffff,
        carried,
        expected,
      });
      pos += total;
    }
    this.#offset += pos;
    this.#buf = this.#error ? new Uint8Array(0) : b.slice(pos);
    return frames;
  }
}

/** One sentence for a {@link TapError}. */
export function describeTapError(e: TapError): string {
  switch (e.kind) {
    case "not-binary":
      return `the server answered with text, not frames: ${JSON.stringify(e.text.slice(0, 60))}`;
    case "bad-magic":
      return `byte ${e.offset} of the stream should start a frame (0xC1) but is 0x${
        e.byte.toString(16).padStart(2, "0")
      }`;
    case "oversize":
      return `a frame announces ${e.length} payload bytes (at most ${MAX_PAYLOAD})`;
    case "unknown-type":
      return `a frame has the unknown type ${e.type}`;
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}
