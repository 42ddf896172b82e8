/**
 * Splits a plain-text session's byte stream into command lines.
 *
 * Three kinds of text client exist: netcat users and load generators end every line with `\n`
 * or `\r\n` (lines may split across reads); the seed 000 client sends each command as one write
 * with no terminator; a telnet client in character mode (Windows `telnet`) sends one keystroke
 * per segment and CR LF on Enter. The framer decides per session:
 *
 * - a newline, whenever it comes, means strict lines from then on;
 * - an unterminated command that arrived in one read is one command per read burst, taken as
 *   complete after `idleMs` without more bytes (seed 000); a lone character waits
 *   `keystrokeMs` instead, since it may be the first key of someone typing;
 * - held bytes that grow by a second read before any newline are keystrokes: strict lines.
 *
 * Telnet's in-band commands (IAC, 0xFF, a byte UTF-8 never contains) are removed, and a line's
 * backspaces (BS, DEL) erase the character before them, as a terminal would have shown it.
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
/** Telnet's "interpret as command" byte. */
const IAC = 0xff;
/** Telnet SB (subnegotiation begin) and SE (end); WILL, WONT, DO, DONT take one option byte. */
const SB = 0xfa;
const SE = 0xf0;
const WILL = 0xfb;
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
  /** Reads that added to the held bytes since the last complete line. */
  #heldReads = 0;
  /** True while the held bytes are one lone character (maybe a first keystroke). */
  #heldLone = false;
  /** Where a telnet command cut by a read boundary stands (see {@link stripTelnet}). */
  #iac: TelnetState = TelnetState.Data;

  /**
   * `maxLine` bounds one line in bytes; `idleMs` ends a burst in "bursts" mode; a lone held
   * character waits `keystrokeMs` before it counts as a command.
   */
  constructor(maxLine: number, readonly idleMs = 40, readonly keystrokeMs = 1000) {
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
  push(input: Uint8Array, now: number): FramedInput {
    this.#lastInput = now;
    const lines: string[] = [];
    let overlong = 0;
    let start = 0;
    // Both checks are native scans: text without telnet commands costs one indexOf.
    const chunk = this.#iac !== TelnetState.Data || input.indexOf(IAC) >= 0
      ? this.#stripTelnet(input)
      : input;
    // indexOf is native: it finds the next newline far faster than a loop over every byte.
    for (let i = chunk.indexOf(NL); i >= 0; i = chunk.indexOf(NL, start)) {
      this.#mode = "lines";
      this.#heldReads = 0;
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
        const rest = chunk.subarray(start);
        this.#heldLone = this.#len === 0 && isOneCharacter(rest);
        this.#append(rest);
        // A second read before any newline: someone typing, one key at a time.
        if (++this.#heldReads > 1) this.#mode = "lines";
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
    if (now - this.#lastInput < this.#idleWait()) return undefined;
    if (this.#discarding) {
      this.#discarding = false;
      return undefined;
    }
    if (this.#len === 0) return undefined;
    if (this.#mode === "undecided") this.#mode = "bursts";
    return this.#take(EMPTY);
  }

  /** When an idle flush could next produce a line, or `undefined`. */
  nextFlushAt(): number | undefined {
    if (this.#mode === "lines" || (this.#len === 0 && !this.#discarding)) return undefined;
    return this.#lastInput + this.#idleWait();
  }

  /** End of stream: whatever is held, in any mode, as a last line (or `undefined`). */
  flushEnd(): string | undefined {
    if (this.#discarding || this.#len === 0) return undefined;
    return this.#take(EMPTY);
  }

  #idleWait(): number {
    return this.#heldLone ? this.keystrokeMs : this.idleMs;
  }

  /** `input` without telnet commands; the state carries a command cut by the read's end. */
  #stripTelnet(input: Uint8Array): Uint8Array {
    const out = new Uint8Array(input.length);
    let n = 0;
    let st: TelnetState = this.#iac;
    for (const b of input) {
      switch (st) {
        case TelnetState.Data:
          if (b === IAC) st = TelnetState.Command;
          else out[n++] = b;
          break;
        case TelnetState.Command:
          if (b === IAC) {
            st = TelnetState.Data; // IAC IAC: a literal 0xFF, which no UTF-8 text holds
          } else if (b === SB) st = TelnetState.Sub;
          else if (b >= WILL) st = TelnetState.Option;
          else st = TelnetState.Data; // a two-byte command (NOP, AYT, GA, ...)
          break;
        case TelnetState.Option:
          st = TelnetState.Data;
          break;
        case TelnetState.Sub:
          if (b === IAC) st = TelnetState.SubIac;
          break;
        case TelnetState.SubIac:
          st = b === SE ? TelnetState.Data : TelnetState.Sub;
          break;
      }
    }
    this.#iac = st;
    return out.subarray(0, n);
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
    this.#heldReads = 0;
    this.#heldLone = false;
    if (end > this.#maxLine) return undefined;
    const line = decoder.decode(bytes.subarray(0, end));
    if (this.#pending.length > 4096) this.#pending = EMPTY;
    return BACKSPACE.test(line) ? applyBackspaces(line) : line;
  }
}

/** Where the telnet command filter stands between two bytes. */
const TelnetState = {
  Data: 0,
  /** After IAC. */
  Command: 1,
  /** After IAC WILL/WONT/DO/DONT: the option byte comes next. */
  Option: 2,
  /** Inside IAC SB ... IAC SE. */
  Sub: 3,
  /** After an IAC inside a subnegotiation. */
  SubIac: 4,
} as const;
type TelnetState = typeof TelnetState[keyof typeof TelnetState];

const BACKSPACE = /[\b\x7f]/;

/** `line` as typed: each BS or DEL erases the character (code point) before it. */
export function applyBackspaces(line: string): string {
  const kept: string[] = [];
  for (const ch of line) {
    if (ch === "\b" || ch === "\x7f") kept.pop();
    else kept.push(ch);
  }
  return kept.join("");
}

/** True when `bytes` is exactly one UTF-8 encoded character. */
function isOneCharacter(bytes: Uint8Array): boolean {
  const b = bytes[0];
  if (b === undefined) return false;
  const len = b < 0x80 ? 1 : b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 0;
  return len === bytes.length;
}
