/**
 * A room's history: the last chat lines said in it, replayed to whoever joins (ssh-chat keeps
 * 20), each marked with the time it was said so that no client takes it for a new line. Bounded
 * twice: at most `lines` lines and at most `bytes` bytes (the oldest go first), so a room of
 * 32 KB lines keeps a few of them rather than 640 KB.
 *
 * On the wire a history line is the original line after `(HH:MM:SS) ` (the server's local
 * time): `(14:02:11) [ana]: Bom dia!`. It starts with `(`, which no chat line (`[`), notice
 * (`***`), action (`* `) or status line (a digit) does.
 * @module
 */

/** Lines a room replays to a newcomer unless told otherwise (`chat serve --history N`). */
export const DEFAULT_HISTORY_LINES = 20;
/** Bytes of history a room keeps at most. */
export const DEFAULT_HISTORY_BYTES = 64 * 1024;

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

/** The last lines of a room, bounded in count and bytes. */
export class History {
  readonly #maxLines: number;
  readonly #maxBytes: number;
  /** Oldest first; each line ends in `\n` and is the room's own copy. */
  readonly #lines: Uint8Array[] = [];
  readonly #times: number[] = [];
  #bytes = 0;

  /** Keeps at most `maxLines` lines (0: none) and `maxBytes` bytes. */
  constructor(maxLines = DEFAULT_HISTORY_LINES, maxBytes = DEFAULT_HISTORY_BYTES) {
    this.#maxLines = maxLines;
    this.#maxBytes = maxBytes;
  }

  /** Lines kept. */
  get size(): number {
    return this.#lines.length;
  }

  /** Most lines kept (0: history off). */
  get maxLines(): number {
    return this.#maxLines;
  }

  /** Keeps a copy of `line` (whole, ending in `\n`) said at wall-clock time `at` (ms). */
  push(line: Uint8Array, at: number): void {
    if (this.#maxLines === 0 || line.length > this.#maxBytes) return;
    this.#lines.push(line.slice());
    this.#times.push(at);
    this.#bytes += line.length;
    while (this.#lines.length > this.#maxLines || this.#bytes > this.#maxBytes) {
      this.#bytes -= this.#lines.shift()!.length;
      this.#times.shift();
    }
  }

  /**
   * The last `count` lines (all when fewer are kept), each after its `(HH:MM:SS) ` marking, as
   * one run of bytes; empty when there are none.
   */
  replay(count = this.#lines.length): Uint8Array {
    const from = Math.max(0, this.#lines.length - count);
    const parts: Uint8Array[] = [];
    let total = 0;
    for (let i = from; i < this.#lines.length; i++) {
      const prefix = encoder.encode(historyPrefix(this.#times[i]!));
      parts.push(prefix, this.#lines[i]!);
      total += prefix.length + this.#lines[i]!.length;
    }
    const out = new Uint8Array(total);
    let at = 0;
    for (const p of parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  }

  /** Forgets every line. */
  clear(): void {
    this.#lines.length = 0;
    this.#times.length = 0;
    this.#bytes = 0;
  }
}
