/**
 * Broadcast lines encoded once, one after another, into shared append-only blocks. Bytes in a
 * block never change after they are written, so connections may queue views of them instead
 * of copies; and because consecutive lines sit side by side, a connection that receives every
 * broadcast of a turn sends them with one write straight from the block (see
 * `Outbox.appendShared`). A {@link LogCursor} lets a reader take everything broadcast since it
 * last looked in one step, instead of being handed each line.
 *
 * The log also keeps, for every line end, the running RFC 1071 sum of its block, so the
 * one's complement sum of any run of whole lines costs one subtraction: a binary session
 * frames a turn's lines without reading their bytes again for its checksums.
 * @module
 */

import { swap16 } from "../protocol/checksum.ts";

const encoder = new TextEncoder();
const EMPTY = new Uint8Array(0);

/** Default block size: big enough for many turns of chat lines. */
export const LINE_LOG_BLOCK = 64 * 1024;

/** One block of the log; the log keeps only the newest, cursors keep older ones alive. */
export interface LogBlock {
  readonly bytes: Uint8Array<ArrayBuffer>;
  /** Bytes written so far. */
  used: number;
  /** Lines written so far. */
  lines: number;
  /** End offset of each line. */
  ends: Uint32Array;
  /**
   * At each line end, the exact (unfolded) sum of the block's bytes before it taken as
   * big-endian 16-bit words aligned to the block's start, a byte at an even offset as the high
   * byte. Below 2^53 for any block size this log uses.
   */
  sums: Float64Array;
  /** The block after this one, once there is one. */
  next: LogBlock | undefined;
}

/**
 * The one's complement sum (folded to 16 bits, as `onesSum`) of `block.bytes[start..end)` taken
 * on its own, from the running sums at its two ends (`start` and `end` are line ends or 0).
 */
function rangeSum(start: number, startSum: number, endSum: number): number {
  let d = endSum - startSum;
  // Integer folding below 2^32 (every block of chat lines); floating point above.
  while (d > 0xffffffff) d = (d % 0x10000) + Math.floor(d / 0x10000);
  while (d > 0xffff) d = (d & 0xffff) + (d >>> 16);
  // A run that starts at an odd offset of the block has its bytes in the other halves of the
  // block's words: its own sum is the block-aligned one byte-swapped (RFC 1071, 2.B).
  return (start & 1) === 0 ? d : swap16(d);
}

/** How many recent views {@link LineLog.view} remembers (a reader's turn may come in pieces). */
const VIEWS_KEPT = 4;

/** Where line `i` of `b` starts (the end of the line before it; 0 for the first). */
function lineStart(b: LogBlock, i: number): number {
  return i > 0 ? b.ends[i - 1]! : 0;
}

/** The block's running sum where line `i` starts. */
function sumBefore(b: LogBlock, i: number): number {
  return i > 0 ? b.sums[i - 1]! : 0;
}

function newBlock(size: number): LogBlock {
  return {
    bytes: new Uint8Array(size),
    used: 0,
    lines: 0,
    ends: new Uint32Array(16),
    sums: new Float64Array(16),
    next: undefined,
  };
}

/** An append-only log of encoded lines in shared blocks. */
export class LineLog {
  readonly #blockSize: number;
  #block: LogBlock;
  /** The views {@link view} made last, with the block bytes and range each shows. */
  readonly #keptViews: Uint8Array[] = [];
  readonly #keptBytes: Uint8Array[] = [];
  readonly #keptStarts: number[] = [];
  #nextKept = 0;

  /**
   * Creates a log whose blocks hold `blockSize` bytes (longer lines get a block of their own).
   * The first block holds `firstBlock` bytes and each next one twice the one before, up to
   * `blockSize`: a quiet room's log costs little, a busy one's soon has full-size blocks.
   */
  constructor(blockSize = LINE_LOG_BLOCK, firstBlock = blockSize) {
    this.#blockSize = blockSize;
    this.#block = newBlock(Math.min(firstBlock, blockSize));
  }

  /** `onesSum` of the line encoded last (0 before any). */
  get lastSum(): number {
    const b = this.#block;
    const k = b.lines;
    if (k === 0) return 0;
    return rangeSum(lineStart(b, k - 1), sumBefore(b, k - 1), b.sums[k - 1]!);
  }

  /**
   * `bytes.subarray(start, end)` of a block's bytes, the same object as a recent call for the
   * same range: the readers of a room that sent nothing in a turn all take the same lines, and
   * one view serves them all instead of one allocation each (log bytes never change, so sharing
   * is safe).
   */
  view(bytes: Uint8Array, start: number, end: number): Uint8Array {
    const views = this.#keptViews;
    for (let i = 0; i < views.length; i++) {
      const v = views[i]!;
      if (
        this.#keptBytes[i] === bytes && this.#keptStarts[i] === start && v.length === end - start
      ) {
        return v;
      }
    }
    const view = bytes.subarray(start, end);
    const k = this.#nextKept;
    views[k] = view;
    this.#keptBytes[k] = bytes;
    this.#keptStarts[k] = start;
    this.#nextKept = (k + 1) % VIEWS_KEPT;
    return view;
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
    return this.#append(EMPTY, text, false);
  }

  /**
   * Appends one line: the bytes of `prefix` (a sender's `[nick]: `, encoded once), `text` as
   * UTF-8, and a newline. Returns a view of the line, as {@link encode} does.
   */
  encodeLine(prefix: Uint8Array, text: string): Uint8Array {
    return this.#append(prefix, text, true);
  }

  #append(prefix: Uint8Array, text: string, newline: boolean): Uint8Array {
    const p = prefix.length;
    // UTF-16 code units encode to at most 3 bytes each.
    const most = p + text.length * 3 + 1;
    if (this.#block.used + most > this.#block.bytes.length) this.#newBlock(most);
    const b = this.#block;
    const block = b.bytes;
    const start = b.used;
    const k = b.lines;
    for (let i = 0; i < p; i++) block[start + i] = prefix[i]!;
    let end = start + p;
    // encodeInto is native: for chat lines it beats a charCodeAt loop over a sliced string.
    if (text.length > 0) end += encoder.encodeInto(text, block.subarray(end)).written;
    if (newline) block[end++] = 0x0a;
    // The running sum: bytes at even offsets of the block are high bytes of its words.
    let sum = sumBefore(b, k);
    let j = start;
    if ((j & 1) === 1 && j < end) sum += block[j++]!;
    const last = end - 1;
    while (j < last) {
      // At most 16384 words at a time, summed as a small integer.
      const stop = Math.min(last, j + 32768);
      let words = 0;
      for (; j < stop; j += 2) words = (words + ((block[j]! << 8) | block[j + 1]!)) | 0;
      sum += words;
    }
    if (j === last) sum += block[j]! << 8;
    if (k === b.ends.length) {
      const ends = new Uint32Array(k * 2);
      ends.set(b.ends);
      b.ends = ends;
      const sums = new Float64Array(k * 2);
      sums.set(b.sums);
      b.sums = sums;
    }
    b.ends[k] = end;
    b.sums[k] = sum;
    b.lines = k + 1;
    b.used = end;
    return block.subarray(start, end);
  }

  #newBlock(need: number): void {
    const grown = Math.min(this.#blockSize, this.#block.bytes.length * 2);
    const next = newBlock(Math.max(grown, need));
    this.#block.next = next;
    this.#block = next;
  }
}

/**
 * Where a cursor hands its lines: `send` gets a run of whole lines and its one's complement sum
 * (`onesSum` of the view). The view is shared and never changes. A chat client is one, so a
 * room member needs no closure of its own.
 */
export interface LogSink {
  /** Takes a run of whole lines and its one's complement sum. */
  send(view: Uint8Array, sum: number): void;
}

/** A reader's position in a {@link LineLog}: everything before it was taken or skipped. */
export class LogCursor {
  readonly #log: LineLog;
  readonly #maxPiece: number;
  #block: LogBlock;
  /** Lines of `#block` before the cursor. */
  #line: number;

  /**
   * A cursor at the end of `log`: it will see only lines encoded from now on. It hands them
   * over in pieces of at most `maxPiece` bytes, cut at line ends (a longer line comes alone);
   * by default one piece per block.
   */
  constructor(log: LineLog, maxPiece = Infinity) {
    this.#log = log;
    this.#maxPiece = maxPiece;
    this.#block = log.head;
    this.#line = this.#block.lines;
  }

  /** Hands every line written since the cursor's position to `sink`, in pieces. */
  take(sink: LogSink): void {
    this.#takeTo(this.#log.head.lines, sink);
  }

  /**
   * Like {@link take} for everything before `line`, then steps over `line`, which must be the
   * line the log encoded last (a sender's own line, which it does not get back).
   */
  takeAllBut(line: Uint8Array, sink: LogSink): void {
    const head = this.#log.head;
    if (line.buffer !== head.bytes.buffer || line.byteOffset + line.length !== head.used) {
      throw new RangeError("takeAllBut: not the last line of the log");
    }
    this.#takeTo(head.lines - 1, sink);
    this.#line = head.lines;
  }

  /** Hands over the lines before line `end` of the head block; the cursor ends there. */
  #takeTo(end: number, sink: LogSink): void {
    const head = this.#log.head;
    let b = this.#block;
    let from = this.#line;
    while (b !== head) {
      this.#pieces(b, from, b.lines, sink);
      b = b.next!;
      from = 0;
    }
    this.#pieces(b, from, end, sink);
    this.#block = head;
    this.#line = end;
  }

  /** Lines `[from, to)` of `b`, in pieces of at most `#maxPiece` bytes. */
  #pieces(b: LogBlock, from: number, to: number, sink: LogSink): void {
    const ends = b.ends;
    const sums = b.sums;
    while (from < to) {
      const start = lineStart(b, from);
      let last = to - 1;
      if (ends[last]! - start > this.#maxPiece) {
        // The last line that still fits (binary search); the first line alone if none does.
        let hi = last;
        last = from;
        while (last < hi) {
          const mid = (last + hi + 1) >>> 1;
          if (ends[mid]! - start <= this.#maxPiece) last = mid;
          else hi = mid - 1;
        }
      }
      const end = ends[last]!;
      if (end > start) {
        sink.send(
          this.#log.view(b.bytes, start, end),
          rangeSum(start, sumBefore(b, from), sums[last]!),
        );
      }
      from = last + 1;
    }
  }
}
