/**
 * Splits a plain-text session's byte stream into command lines.
 *
 * Two kinds of text client exist: netcat users and load generators end every line with `\n` or
 * `\r\n` (lines may split across reads), while the seed 000 client sends each command as one
 * write with no terminator. The framer decides per session from the nickname reply: a nickname
 * that ends in a newline means strict lines; one without means one command per read burst,
 * taken as complete after `idleMs` without more bytes.
 * @module
 */

/** How a session's commands are delimited. */
export type FramingMode = "undecided" | "lines" | "bursts";

/** What the framer found in the input. */
export interface FramedInput {
  /** Complete command lines, terminators removed. */
  readonly lines: string[];
  /** Set when a line exceeded the limit; its bytes were discarded up to the next terminator. */
  readonly overlong: number;
}

/** The empty buffer idle framers share. */
const EMPTY = new Uint8Array(0);
const NL = 0x0a;
/** Stateless decoding (whole lines only), so one decoder serves every session. */
const decoder = new TextDecoder();
const CR = 0x0d;

/** Streaming line splitter with the two framing modes. */
export class LineFramer {
  readonly #maxLine: number;
  #mode: FramingMode = "undecided";
  #pending: Uint8Array = EMPTY;
  #len = 0;
  #discarding = false;
  #lastInput = 0;

  /** `maxLine` bounds one line in bytes; `idleMs` ends a burst in "bursts" mode. */
  constructor(maxLine: number, readonly idleMs = 40) {
    this.#maxLine = maxLine;
  }

  /** The framing mode, decided by the first line. */
  get mode(): FramingMode {
    return this.#mode;
  }

  /** Bytes held for an unfinished line. */
  get buffered(): number {
    return this.#len;
  }

  /** Feeds bytes received at `now`; returns the lines completed by them. */
  push(chunk: Uint8Array, now: number): FramedInput {
    this.#lastInput = now;
    const lines: string[] = [];
    let overlong = 0;
    let start = 0;
    // indexOf is native: it finds the next newline far faster than a loop over every byte.
    for (let i = chunk.indexOf(NL); i >= 0; i = chunk.indexOf(NL, start)) {
      if (this.#mode === "undecided") this.#mode = "lines";
      if (this.#discarding) {
        this.#discarding = false;
        this.#len = 0;
      } else {
        const line = this.#take(chunk.subarray(start, i));
        if (line === undefined) overlong++;
        else lines.push(line);
      }
      start = i + 1;
    }
    if (start < chunk.length && !this.#discarding) {
      if (this.#len + chunk.length - start > this.#maxLine) {
        this.#discarding = true;
        this.#len = 0;
        overlong++;
      } else {
        this.#append(chunk.subarray(start));
      }
    }
    return { lines, overlong };
  }

  /**
   * In "bursts" mode (or while undecided), returns the held bytes as one line once `idleMs`
   * passed without input; otherwise `undefined`.
   */
  flushIdle(now: number): string | undefined {
    if (this.#mode === "lines") return undefined;
    if (now - this.#lastInput < this.idleMs) return undefined;
    if (this.#discarding) {
      this.#discarding = false;
      return undefined;
    }
    if (this.#len === 0) return undefined;
    if (this.#mode === "undecided") this.#mode = "bursts";
    const line = this.#take(EMPTY);
    return line;
  }

  /** When an idle flush could next produce a line, or `undefined`. */
  nextFlushAt(): number | undefined {
    if (this.#mode === "lines" || (this.#len === 0 && !this.#discarding)) return undefined;
    return this.#lastInput + this.idleMs;
  }

  #append(bytes: Uint8Array): void {
    const need = this.#len + bytes.length;
    if (need > this.#pending.length) {
      const grown = new Uint8Array(Math.max(need, this.#pending.length * 2, 256));
      grown.set(this.#pending.subarray(0, this.#len));
      this.#pending = grown;
    }
    this.#pending.set(bytes, this.#len);
    this.#len = need;
  }

  /** Completes a line from held bytes plus `tail`; `undefined` when it is over the limit. */
  #take(tail: Uint8Array): string | undefined {
    let bytes = tail;
    if (this.#len > 0) {
      this.#append(tail);
      bytes = this.#pending.subarray(0, this.#len);
    }
    this.#len = 0;
    let end = bytes.length;
    if (end > 0 && bytes[end - 1] === CR) end--;
    if (end > this.#maxLine) return undefined;
    const line = decoder.decode(bytes.subarray(0, end));
    if (this.#pending.length > 4096) this.#pending = EMPTY;
    return line;
  }
}
