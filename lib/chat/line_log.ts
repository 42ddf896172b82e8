/**
 * Broadcast lines encoded once, one after another, into shared append-only blocks. Bytes in a
 * block never change after they are written, so connections may queue views of them instead
 * of copies; and because consecutive lines sit side by side, a connection that receives every
 * broadcast of a turn sends them with one write straight from the block (see
 * `Outbox.appendShared`). A {@link LogCursor} lets a reader take everything broadcast since it
 * last looked in one step, instead of being handed each line. Pure-ASCII text (most lines) is
 * copied by a plain loop, several times cheaper than a `TextEncoder` call for strings this short.
 * @module
 */

const encoder = new TextEncoder();

/** Default block size: big enough for many turns of chat lines. */
export const LINE_LOG_BLOCK = 64 * 1024;

/** One block of the log; the log keeps only the newest, cursors keep older ones alive. */
export interface LogBlock {
  readonly bytes: Uint8Array<ArrayBuffer>;
  /** Bytes written so far. */
  used: number;
  /** The block after this one, once there is one. */
  next: LogBlock | undefined;
}

/** An append-only log of encoded lines in shared blocks. */
export class LineLog {
  readonly #blockSize: number;
  #block: LogBlock;

  /** Creates a log whose blocks hold `blockSize` bytes (longer lines get a block of their own). */
  constructor(blockSize = LINE_LOG_BLOCK) {
    this.#blockSize = blockSize;
    this.#block = { bytes: new Uint8Array(blockSize), used: 0, next: undefined };
  }

  /** The block being written (for cursors). */
  get head(): LogBlock {
    return this.#block;
  }

  /**
   * Encodes `text` as UTF-8 right after the previous line and returns a view of its bytes.
   * The view stays valid and unchanged for as long as anyone holds it.
   */
  encode(text: string): Uint8Array {
    const n = text.length;
    // UTF-16 code units encode to at most 3 bytes each.
    if (this.#block.used + n * 3 > this.#block.bytes.length) this.#newBlock(n * 3);
    const block = this.#block.bytes;
    const start = this.#block.used;
    let i = 0;
    for (; i < n; i++) {
      const c = text.charCodeAt(i);
      if (c > 0x7f) break;
      block[start + i] = c;
    }
    let end = start + i;
    if (i < n) end += encoder.encodeInto(text.slice(i), block.subarray(end)).written;
    this.#block.used = end;
    return block.subarray(start, end);
  }

  #newBlock(need: number): void {
    const next = {
      bytes: new Uint8Array(Math.max(this.#blockSize, need)),
      used: 0,
      next: undefined,
    };
    this.#block.next = next;
    this.#block = next;
  }
}

/** A reader's position in a {@link LineLog}: everything before it was taken or skipped. */
export class LogCursor {
  readonly #log: LineLog;
  #block: LogBlock;
  #at: number;

  /** A cursor at the end of `log`: it will see only lines encoded from now on. */
  constructor(log: LineLog) {
    this.#log = log;
    this.#block = log.head;
    this.#at = this.#block.used;
  }

  /** Hands every byte written since the cursor's position to `take` (one view per block). */
  take(take: (view: Uint8Array) => void): void {
    this.#takeTo(this.#log.head.used, take);
  }

  /**
   * Like {@link take} for everything before `line`, then steps over `line`, which must be the
   * line the log encoded last (a sender's own line, which it does not get back).
   */
  takeAllBut(line: Uint8Array, take: (view: Uint8Array) => void): void {
    const head = this.#log.head;
    if (line.buffer !== head.bytes.buffer || line.byteOffset + line.length !== head.used) {
      throw new RangeError("takeAllBut: not the last line of the log");
    }
    this.#takeTo(line.byteOffset, take);
    this.#at = head.used;
  }

  /** Hands over the bytes up to offset `end` of the head block; the cursor ends there. */
  #takeTo(end: number, take: (view: Uint8Array) => void): void {
    const head = this.#log.head;
    let b = this.#block;
    let at = this.#at;
    while (b !== head) {
      if (b.used > at) take(b.bytes.subarray(at, b.used));
      b = b.next!;
      at = 0;
    }
    if (end > at) take(b.bytes.subarray(at, end));
    this.#block = head;
    this.#at = end;
  }
}
