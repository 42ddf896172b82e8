/**
 * Broadcast lines encoded once, one after another, into shared append-only blocks. Bytes in a
 * block never change after they are written, so connections may queue views of them instead
 * of copies; and because consecutive lines sit side by side, a connection that receives every
 * broadcast of a turn sends them with one write straight from the block (see
 * `Outbox.appendShared`). Pure-ASCII text (most lines) is copied by a plain loop, several
 * times cheaper than a `TextEncoder` call for strings this short.
 * @module
 */

const encoder = new TextEncoder();

/** Default block size: big enough for many turns of chat lines. */
export const LINE_LOG_BLOCK = 64 * 1024;

/** An append-only log of encoded lines in shared blocks. */
export class LineLog {
  readonly #blockSize: number;
  #block: Uint8Array<ArrayBuffer>;
  #at = 0;

  /** Creates a log whose blocks hold `blockSize` bytes (longer lines get a block of their own). */
  constructor(blockSize = LINE_LOG_BLOCK) {
    this.#blockSize = blockSize;
    this.#block = new Uint8Array(blockSize);
  }

  /**
   * Encodes `text` as UTF-8 right after the previous line and returns a view of its bytes.
   * The view stays valid and unchanged for as long as anyone holds it.
   */
  encode(text: string): Uint8Array {
    const n = text.length;
    // UTF-16 code units encode to at most 3 bytes each.
    if (this.#at + n * 3 > this.#block.length) this.#newBlock(n * 3);
    const block = this.#block;
    const start = this.#at;
    let i = 0;
    for (; i < n; i++) {
      const c = text.charCodeAt(i);
      if (c > 0x7f) break;
      block[start + i] = c;
    }
    let end = start + i;
    if (i < n) end += encoder.encodeInto(text.slice(i), block.subarray(end)).written;
    this.#at = end;
    return block.subarray(start, end);
  }

  #newBlock(need: number): void {
    this.#block = new Uint8Array(Math.max(this.#blockSize, need));
    this.#at = 0;
  }
}
