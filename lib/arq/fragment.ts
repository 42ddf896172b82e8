/**
 * Fragmentation and reassembly of application messages.
 *
 * A message of `n` bytes travels as `max(1, ceil(n / maxPayload))` DATA frames with consecutive
 * sequence numbers; the final one carries flag LAST. An empty message is one empty DATA frame
 * with LAST. A message that fits one fragment is sent as the very same bytes (no copy), other
 * fragments are views (`subarray`) of the message.
 * @module
 */

import { MAX_MESSAGE } from "../protocol/header.ts";

/** Number of DATA frames a message of `length` bytes needs. */
export function fragmentCount(length: number, maxPayload: number): number {
  return length === 0 ? 1 : Math.ceil(length / maxPayload);
}

/**
 * The fragment that starts at byte `offset` of `message`: the message itself when it fits one
 * fragment, otherwise a view of at most `maxPayload` bytes.
 */
export function fragmentAt(message: Uint8Array, offset: number, maxPayload: number): Uint8Array {
  if (offset === 0 && message.length <= maxPayload) return message;
  return message.subarray(offset, Math.min(message.length, offset + maxPayload));
}

/** Splits a message into its fragments (views, no copy). */
export function fragment(message: Uint8Array, maxPayload: number): Uint8Array[] {
  if (!Number.isInteger(maxPayload) || maxPayload < 1) {
    throw new RangeError(`Max payload must be a positive integer: ${maxPayload}`);
  }
  const out: Uint8Array[] = [];
  let offset = 0;
  do {
    const piece = fragmentAt(message, offset, maxPayload);
    out.push(piece);
    offset += piece.length;
  } while (offset < message.length);
  return out;
}

/** A reassembled message would exceed the bound: the peer broke the protocol. */
export class MessageTooLongError extends RangeError {
  /** Bytes the message would have had. */
  readonly length: number;
  /** The bound. */
  readonly max: number;
  constructor(length: number, max: number) {
    super(`Message too long: at least ${length} bytes (max ${max})`);
    this.name = "MessageTooLongError";
    this.length = length;
    this.max = max;
  }
}

/**
 * Joins in-order fragments into whole messages. Fragments must be given in sequence order; the
 * one with `last` set completes the message.
 */
export class Reassembler {
  readonly #max: number;
  #parts: Uint8Array[] = [];
  #length = 0;

  /** `maxMessage` bounds the reassembled size (default {@link MAX_MESSAGE}). */
  constructor(maxMessage: number = MAX_MESSAGE) {
    this.#max = maxMessage;
  }

  /** Bytes held for an unfinished message. */
  get buffered(): number {
    return this.#length;
  }

  /**
   * Adds one fragment. `owned` says the caller hands over `payload` (it will not change);
   * otherwise a fragment kept for later is copied. Returns the whole message when `last` is set,
   * else `undefined`: a message of one fragment is `payload` itself (lent: valid as long as
   * `payload` is), one of several is a new buffer. Throws {@link MessageTooLongError} past the
   * bound (the partial message is dropped).
   */
  push(payload: Uint8Array, last: boolean, owned: boolean): Uint8Array | undefined {
    const length = this.#length + payload.length;
    if (length > this.#max) {
      this.#parts = [];
      this.#length = 0;
      throw new MessageTooLongError(length, this.#max);
    }
    if (last && this.#parts.length === 0) return payload;
    if (payload.length > 0 || last) {
      this.#parts.push(owned ? payload : payload.slice());
    }
    this.#length = length;
    if (!last) return undefined;
    const parts = this.#parts;
    this.#parts = [];
    this.#length = 0;
    if (parts.length === 1) return parts[0]!;
    const out = new Uint8Array(length);
    let at = 0;
    for (const p of parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  }
}
