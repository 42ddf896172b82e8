/**
 * Sender-side bookkeeping shared by Go-Back-N and Selective Repeat: the queue of messages not
 * yet fragmented, and the ring of frames in flight indexed by `seq & mask` (typed arrays, no
 * maps, no per-frame objects).
 * @module
 */

import { addSums, swap16 } from "../protocol/checksum.ts";
import { Flag } from "../protocol/header.ts";
import { seqAdd, seqDiff } from "../protocol/seq.ts";

interface QueuedMessage {
  /**
   * The message. For a packed one either its own buffer (`owned`; `size` bytes of it are
   * used) or a view of the first part, followed in the same buffer by the other parts.
   */
  bytes: Uint8Array;
  /** Length of the message (more than `bytes.length` while later parts extend a view). */
  size: number;
  /** `onesSum(bytes)` or -1. */
  sum: number;
  /** Bytes already cut into fragments. */
  offset: number;
  /** True for a packed message (its buffer belongs to the queue). */
  owned: boolean;
  /** Its last byte is LF (0x0A): another message may be packed behind it. */
  lineEnd: boolean;
}

const EMPTY = new Uint8Array(0);

/** True when the last byte of `bytes` is LF. */
function endsInLf(bytes: Uint8Array): boolean {
  return bytes.length > 0 && bytes[bytes.length - 1] === 0x0a;
}

/** Ring capacity a queue drops back to once it empties after a burst. */
const QUEUE_KEEP = 16;

/**
 * Messages waiting to be fragmented, plus the count of messages not yet fully acknowledged.
 * Messages are kept by reference, in a ring of entry objects that are reused: a server sends
 * every client a message or two per turn, and an object plus a new array per client per turn
 * was a fifth of what it allocated at a million deliveries per second.
 */
export class MessageQueue {
  #ring: QueuedMessage[] = [];
  #head = 0;
  #count = 0;
  /** Messages queued or in flight whose last fragment is not acknowledged. */
  pending = 0;

  /** Number of messages not yet completely fragmented. */
  get length(): number {
    return this.#count;
  }

  /** Appends a message; `sum` is its `onesSum` or -1. */
  push(bytes: Uint8Array, sum: number): void {
    if (this.#count === this.#ring.length) this.#grow();
    const m = this.#ring[(this.#head + this.#count) & (this.#ring.length - 1)]!;
    m.bytes = bytes;
    m.size = bytes.length;
    m.sum = sum;
    m.offset = 0;
    m.owned = false;
    m.lineEnd = endsInLf(bytes);
    this.#count++;
    this.pending++;
  }

  /**
   * Appends `bytes` (not empty) to the newest queued message when that message ends in LF, has
   * not started to be sent, and both fit in `max` bytes (one frame); returns false when it
   * cannot (then `push`). A receiver that splits messages at LF sees the same lines either way;
   * a message that does not end in LF (a client's command) is never packed into. `sum` is
   * `onesSum(bytes)` or -1; the packed message keeps a known sum while every part had one.
   */
  pack(bytes: Uint8Array, max: number, sum = -1): boolean {
    if (this.#count === 0 || bytes.length === 0) return false;
    const tail = this.#ring[(this.#head + this.#count - 1) & (this.#ring.length - 1)]!;
    const len = tail.size;
    if (!tail.lineEnd || tail.offset !== 0 || len + bytes.length > max) return false;
    const first = tail.bytes;
    // The next line of a shared log, right after this message, makes the packed message one
    // longer view of that buffer (cut when sent): no copy at all. Anything else is copied.
    const adjacent = !tail.owned && bytes.buffer === first.buffer &&
      first.byteOffset + len === bytes.byteOffset;
    if (!adjacent) {
      if (!tail.owned) {
        const owned = new Uint8Array(max);
        owned.set(
          len === first.length ? first : new Uint8Array(first.buffer, first.byteOffset, len),
        );
        tail.bytes = owned;
        tail.owned = true;
      }
      // No view per packed message: the frame's view is cut once, when it is sent.
      tail.bytes.set(bytes, len);
    }
    tail.size = len + bytes.length;
    tail.lineEnd = endsInLf(bytes);
    // One's complement sums add up; bytes appended at an odd offset have theirs byte-swapped.
    tail.sum = tail.sum >= 0 && sum >= 0
      ? addSums(tail.sum, (len & 1) === 0 ? sum : swap16(sum))
      : -1;
    return true;
  }

  /**
   * The oldest message not completely fragmented. The entry is the queue's own: valid until
   * {@link shift}.
   */
  peek(): QueuedMessage | undefined {
    return this.#count === 0 ? undefined : this.#ring[this.#head];
  }

  /** Drops the oldest message (fully fragmented). */
  shift(): void {
    if (this.#count === 0) return;
    const m = this.#ring[this.#head]!;
    m.bytes = EMPTY; // the message's bytes belong to the frames in flight now
    this.#count--;
    if (this.#count === 0) {
      this.#head = 0;
      if (this.#ring.length > QUEUE_KEEP) this.#ring.length = QUEUE_KEEP;
    } else {
      this.#head = (this.#head + 1) & (this.#ring.length - 1);
    }
  }

  /** Forgets everything (session closed). */
  clear(): void {
    this.#ring = [];
    this.#head = 0;
    this.#count = 0;
  }

  /** Doubles the ring (at least one entry), keeping the queued messages in order. */
  #grow(): void {
    const old = this.#ring;
    const ring: QueuedMessage[] = [];
    for (let i = 0; i < this.#count; i++) ring.push(old[(this.#head + i) & (old.length - 1)]!);
    const cap = Math.max(1, old.length * 2);
    while (ring.length < cap) {
      ring.push({ bytes: EMPTY, size: 0, sum: -1, offset: 0, owned: false, lineEnd: false });
    }
    this.#ring = ring;
    this.#head = 0;
  }
}

/** Smallest power of two that is at least `n`. */
function pow2AtLeast(n: number): number {
  let c = 1;
  while (c < n) c *= 2;
  return c;
}

/**
 * The frames in flight `[base, next)`, at most `size` of them, in a ring of power-of-two
 * capacity. Slot fields are public typed arrays so the GBN and SR senders can read them
 * without calls.
 */
export class SendWindow {
  /** Window size N in frames. */
  readonly size: number;
  /** `seq & mask` is the slot of `seq`. */
  readonly mask: number;
  /** Payload of each slot (undefined when free). */
  readonly payloads: (Uint8Array | undefined)[];
  /** Flags of each slot. */
  readonly flags: Uint8Array;
  /** Payload sum of each slot, or -1. */
  readonly sums: Int32Array;
  /** Time of the last transmission of each slot. */
  readonly sentAt: Float64Array;
  /** Transmissions of each slot (1 = sent once). */
  readonly xmit: Uint32Array;
  /** Time of the first transmission of each slot. */
  readonly firstAt: Float64Array;
  /**
   * Transmission number of the last transmission of each slot: every DATA sent (new or again)
   * gets the next number, so "sent after" is exact even within one millisecond.
   */
  readonly order: Float64Array;
  /** Oldest unacknowledged sequence number. */
  base: number;
  /** Next sequence number to use. */
  next: number;
  /** Most frames allowed in flight now: `size`, or less under congestion control. */
  limit: number;
  /** Transmissions so far (the last `order` given). */
  transmissions = 0;
  readonly #queue: MessageQueue;
  readonly #maxPayload: number;

  /** A window of `size` frames starting at `firstSeq`, fed from `queue`. */
  constructor(size: number, maxPayload: number, firstSeq: number, queue: MessageQueue) {
    this.size = size;
    const cap = pow2AtLeast(size);
    this.mask = cap - 1;
    this.payloads = new Array<Uint8Array | undefined>(cap).fill(undefined);
    this.flags = new Uint8Array(cap);
    this.sums = new Int32Array(cap);
    this.sentAt = new Float64Array(cap);
    this.xmit = new Uint32Array(cap);
    this.firstAt = new Float64Array(cap);
    this.order = new Float64Array(cap);
    this.limit = size;
    this.base = firstSeq >>> 0;
    this.next = firstSeq >>> 0;
    this.#queue = queue;
    this.#maxPayload = maxPayload;
  }

  /** Frames in flight. */
  get inFlight(): number {
    return seqDiff(this.next, this.base);
  }

  /** True when a new fragment may be sent now (queued data and room in the window). */
  get canTake(): boolean {
    return this.#queue.length > 0 && seqDiff(this.next, this.base) < this.limit;
  }

  /** True when `seq` is in flight (`base <= seq < next`). */
  inWindow(seq: number): boolean {
    const d = seqDiff(seq, this.base);
    return d >= 0 && d < seqDiff(this.next, this.base);
  }

  /**
   * Cuts the next fragment into slot `next`, marks it sent once at `now` and returns its
   * sequence number. Only call when {@link canTake}.
   */
  take(now: number): number {
    const m = this.#queue.peek()!;
    const len = m.size;
    const max = this.#maxPayload;
    if (!m.owned && len !== m.bytes.length) {
      // A view extended by the lines packed after it: cut the whole view now.
      m.bytes = new Uint8Array(m.bytes.buffer, m.bytes.byteOffset, len);
    }
    let payload: Uint8Array;
    let sum = -1;
    let flags = 0;
    if (m.offset === 0 && len <= max) {
      payload = m.owned ? m.bytes.subarray(0, len) : m.bytes;
      sum = m.sum;
      flags = Flag.LAST;
      this.#queue.shift();
    } else {
      const end = Math.min(len, m.offset + max);
      payload = m.bytes.subarray(m.offset, end);
      m.offset = end;
      if (end >= len) {
        flags = Flag.LAST;
        this.#queue.shift();
      }
    }
    const seq = this.next;
    const s = seq & this.mask;
    this.payloads[s] = payload;
    this.flags[s] = flags;
    this.sums[s] = sum;
    this.sentAt[s] = now;
    this.firstAt[s] = now;
    this.order[s] = ++this.transmissions;
    this.xmit[s] = 1;
    this.next = seqAdd(seq, 1);
    return seq;
  }

  /** Records one more transmission of `seq` (in flight) at `now`; returns its attempt number. */
  resent(seq: number, now: number): number {
    const s = seq & this.mask;
    this.sentAt[s] = now;
    this.order[s] = ++this.transmissions;
    return ++this.xmit[s]!;
  }

  /** Frees the base slot and advances `base`; counts a message done when it was LAST. */
  release(): void {
    const s = this.base & this.mask;
    if ((this.flags[s]! & Flag.LAST) !== 0) this.#queue.pending--;
    this.payloads[s] = undefined;
    this.base = seqAdd(this.base, 1);
  }
}
