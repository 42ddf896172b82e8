/**
 * A room's history: the last chat lines said in it, replayed to whoever joins (ssh-chat keeps
 * 20), each marked with the time it was said so that no client takes it for a new line. Bounded
 * twice: at most `lines` lines and at most `bytes` bytes (the oldest go first), so a room of
 * 32 KB lines keeps none of them rather than 640 KB (a join costs a phone at most 8 KiB).
 *
 * On the wire a history line is the original line after `(HH:MM:SS) ` (the server's local
 * time): `(14:02:11) [ana]: Bom dia!`. It starts with `(`, which no chat line (`[`), notice
 * (`***`), action (`* `) or status line (a digit) does.
 * @module
 */

/** Lines a room replays to a newcomer unless told otherwise (`chat serve --history N`). */
export const DEFAULT_HISTORY_LINES = 20;
/** Bytes of history a room keeps at most. */
export const DEFAULT_HISTORY_BYTES = 8 * 1024;

const encoder = new TextEncoder();

/** `HH:MM:SS` of a wall-clock time in ms, in the local time zone. */
export function clockTime(ms: number): string {
  const d = new Date(ms);
  const two = (n: number) => String(n).padStart(2, "0");
  return `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
}

/** The history marking of one line: `(HH:MM:SS) ` before it. */
export function historyPrefix(ms: number): string {
  return `(${clockTime(ms)}) `;
}

/** First size of a history's byte buffer; it doubles as needed, up to twice the byte bound. */
const FIRST_BUFFER = 1024;

/**
 * The last lines of a room, bounded in count and bytes. The lines are copied one after another
 * into one buffer of the history's own (a copy per line would cost an allocation per chat line
 * on the broadcast path), and their places kept in rings of numbers; when the buffer's end is
 * reached, the lines kept move back to its start. The buffer holds at most twice the byte bound,
 * so that move happens at most once per bound's worth of lines.
 */
export class History {
  readonly #maxLines: number;
  readonly #maxBytes: number;
  #buf = new Uint8Array(0);
  /** Where the next line goes in `#buf`. */
  #end = 0;
  /** Ring of start, length and wall-clock time of each line kept; the oldest at `#first`. */
  readonly #starts: Float64Array;
  readonly #lengths: Float64Array;
  readonly #times: Float64Array;
  #first = 0;
  #count = 0;
  #bytes = 0;

  /** Keeps at most `maxLines` lines (0: none) and `maxBytes` bytes. */
  constructor(maxLines = DEFAULT_HISTORY_LINES, maxBytes = DEFAULT_HISTORY_BYTES) {
    this.#maxLines = maxLines;
    this.#maxBytes = maxBytes;
    this.#starts = new Float64Array(maxLines);
    this.#lengths = new Float64Array(maxLines);
    this.#times = new Float64Array(maxLines);
  }

  /** Lines kept. */
  get size(): number {
    return this.#count;
  }

  /** Bytes kept. */
  get bytes(): number {
    return this.#bytes;
  }

  /** Most lines kept (0: history off). */
  get maxLines(): number {
    return this.#maxLines;
  }

  /** Keeps a copy of `line` (whole, ending in `\n`) said at wall-clock time `at` (ms). */
  push(line: Uint8Array, at: number): void {
    const n = line.length;
    const max = this.#maxLines;
    if (max === 0 || n > this.#maxBytes) return;
    while (this.#count >= max || this.#bytes + n > this.#maxBytes) {
      this.#bytes -= this.#lengths[this.#first]!;
      this.#first = this.#first + 1 === max ? 0 : this.#first + 1;
      this.#count--;
    }
    if (this.#end + n > this.#buf.length) this.#makeRoom(n);
    const buf = this.#buf;
    const end = this.#end;
    if (n <= 64) { for (let i = 0; i < n; i++) buf[end + i] = line[i]!; }
    else buf.set(line, end);
    const slot = (this.#first + this.#count) % max;
    this.#starts[slot] = end;
    this.#lengths[slot] = n;
    this.#times[slot] = at;
    this.#count++;
    this.#end = end + n;
    this.#bytes += n;
  }

  /** Slot of the `i`-th line kept, oldest first. */
  #slot(i: number): number {
    return (this.#first + i) % this.#maxLines;
  }

  /** Moves the lines kept to the start of the buffer (a larger one if `n` more would not fit well). */
  #makeRoom(n: number): void {
    const from = this.#count > 0 ? this.#starts[this.#first]! : this.#end;
    const keep = this.#end - from;
    let size = Math.max(this.#buf.length, FIRST_BUFFER);
    while ((keep + n) * 2 > size && size < this.#maxBytes * 2) size *= 2;
    size = Math.max(size, keep + n);
    if (size !== this.#buf.length) {
      const next = new Uint8Array(size);
      next.set(this.#buf.subarray(from, this.#end));
      this.#buf = next;
    } else {
      this.#buf.copyWithin(0, from, this.#end);
    }
    for (let i = 0; i < this.#count; i++) this.#starts[this.#slot(i)]! -= from;
    this.#end = keep;
  }

  /**
   * The last `count` lines (all when fewer are kept), each after its `(HH:MM:SS) ` marking, as
   * one run of bytes of its own; empty when there are none.
   */
  replay(count = this.#count): Uint8Array {
    const from = Math.max(0, this.#count - count);
    const prefixes: Uint8Array[] = [];
    let total = 0;
    for (let i = from; i < this.#count; i++) {
      const prefix = encoder.encode(historyPrefix(this.#times[this.#slot(i)]!));
      prefixes.push(prefix);
      total += prefix.length + this.#lengths[this.#slot(i)]!;
    }
    const out = new Uint8Array(total);
    let at = 0;
    for (let i = from; i < this.#count; i++) {
      const prefix = prefixes[i - from]!;
      out.set(prefix, at);
      at += prefix.length;
      const slot = this.#slot(i);
      const start = this.#starts[slot]!;
      const length = this.#lengths[slot]!;
      out.set(this.#buf.subarray(start, start + length), at);
      at += length;
    }
    return out;
  }

  /** Forgets every line (and its buffer). */
  clear(): void {
    this.#buf = new Uint8Array(0);
    this.#end = 0;
    this.#first = 0;
    this.#count = 0;
    this.#bytes = 0;
  }
}
