/**
 * The record of one test: what each tester client sent and received, with times, shown with
 * every failure so a student sees the exchange that went wrong. Entries are bounded (count and
 * length) so a flooding server cannot make a report huge, and text is escaped so control bytes
 * from a server never reach the teacher's terminal raw.
 * @module
 */

/** One line of a transcript. */
export interface TranscriptEntry {
  /** Milliseconds since the test started. */
  readonly at: number;
  /** The tester client, e.g. `ana` or `bin1`; `tester` for notes. */
  readonly who: string;
  /** `send`, `recv`, a `note` of the tester, or `close` (connection ended). */
  readonly dir: "send" | "recv" | "note" | "close";
  /** What was sent or received, already escaped and shortened. */
  readonly text: string;
}

/** Most entries kept per test. */
export const MAX_ENTRIES = 400;
/** Longest text kept per entry (in characters). */
export const MAX_ENTRY_TEXT = 240;

/** Collects the entries of one test. */
export class Transcript {
  readonly #start: number;
  readonly #entries: TranscriptEntry[] = [];
  #dropped = 0;

  constructor(start = performance.now()) {
    this.#start = start;
  }

  /** Entries in order (a last note says how many were left out). */
  get entries(): readonly TranscriptEntry[] {
    if (this.#dropped === 0) return this.#entries;
    return [
      ...this.#entries,
      {
        at: performance.now() - this.#start,
        who: "tester",
        dir: "note",
        text: `... ${this.#dropped} more entries left out`,
      },
    ];
  }

  /** Records bytes or text sent or received by `who` (only the start of a long one is kept). */
  data(who: string, dir: "send" | "recv", data: Uint8Array | string): void {
    if (this.#full()) return;
    const head = typeof data === "string"
      ? data.slice(0, MAX_ENTRY_TEXT)
      : new TextDecoder().decode(data.subarray(0, MAX_ENTRY_TEXT * 2));
    const size = typeof data === "string" ? data.length : data.length;
    const whole = typeof data === "string"
      ? data.length <= MAX_ENTRY_TEXT
      : data.length <= MAX_ENTRY_TEXT * 2;
    this.#add(who, dir, quote(head, whole ? undefined : size, typeof data !== "string"));
  }

  /** Records a line as it is (a frame summary, a note). */
  line(who: string, dir: TranscriptEntry["dir"], text: string): void {
    if (this.#full()) return;
    this.#add(who, dir, shorten(escapeText(text.slice(0, MAX_ENTRY_TEXT * 2))));
  }

  /** Records a note of the tester. */
  note(text: string): void {
    this.line("tester", "note", text);
  }

  #full(): boolean {
    if (this.#entries.length < MAX_ENTRIES) return false;
    this.#dropped++;
    return true;
  }

  #add(who: string, dir: TranscriptEntry["dir"], text: string): void {
    if (this.#full()) return;
    this.#entries.push({ at: performance.now() - this.#start, who, dir, text });
  }
}

const ARROWS: Record<TranscriptEntry["dir"], string> = {
  send: "→",
  recv: "←",
  note: "·",
  close: "×",
};

/** Formats entries as indented lines: `  0.152 ana ← "200 OK\n"`. */
export function formatTranscript(entries: readonly TranscriptEntry[], indent = "    "): string[] {
  const width = Math.max(0, ...entries.map((e) => e.who.length));
  return entries.map((e) =>
    `${indent}${(e.at / 1000).toFixed(3).padStart(7)} ${e.who.padEnd(width)} ${
      ARROWS[e.dir]
    } ${e.text}`
  );
}

/**
 * `text` with control characters escaped (`\n`, `\r`, `\t`, `\xNN`, `\u{NNNN}` for bidi and
 * line separators), so nothing a server sends can move the cursor or reorder a line.
 */
export function escapeText(text: string): string {
  let out = "";
  for (const ch of text) {
    const c = ch.codePointAt(0)!;
    if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (ch === "\t") out += "\\t";
    else if (ch === "\\") out += "\\\\";
    else if (c < 0x20 || (c >= 0x7f && c < 0xa0)) out += `\\x${c.toString(16).padStart(2, "0")}`;
    else if (
      c === 0x2028 || c === 0x2029 || (c >= 0x202a && c <= 0x202e) ||
      (c >= 0x2066 && c <= 0x2069) || c === 0xfeff
    ) {
      out += `\\u{${c.toString(16)}}`;
    } else out += ch;
  }
  return out;
}

function shorten(text: string): string {
  if (text.length <= MAX_ENTRY_TEXT) return text;
  return `${text.slice(0, MAX_ENTRY_TEXT - 40)}... (${text.length} characters)`;
}

/** `text` escaped and quoted; `size` (the whole, when cut) is shown after it. */
function quote(text: string, size: number | undefined, bytes: boolean): string {
  const body = escapeText(text).replace(/"/g, '\\"');
  if (size === undefined && body.length + 2 <= MAX_ENTRY_TEXT) return `"${body}"`;
  const whole = size === undefined ? "" : ` (${size} ${bytes ? "bytes" : "characters"})`;
  return `"${body.slice(0, MAX_ENTRY_TEXT - 60)}"...${whole}`;
}
