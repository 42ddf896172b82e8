/**
 * What one tester client received, as text, read the lenient way a conformance tester must:
 *
 * - a leading `NICK` (the text prompt) is taken off and remembered, whatever follows it;
 * - a status line is three digits followed by a space or line end at the start of a line, where
 *   a line starts at the start of the stream, after `\n`, or at the start of a read (a binary
 *   message): the seed 000 server ends its replies without a newline (`200 OK\nBem-vindo(a)`),
 *   so its next reply starts mid-line, at the start of the next `send`; when two such sends
 *   arrive in one read, a code glued to the end of a sentence (`chat!200 OK`) also counts;
 * - codes are judged by number only, never by their reason phrase (a server may answer in
 *   Portuguese).
 *
 * Strictness (newline-terminated lines, the exact status line) is checked by the tests that
 * state those rules, not here, so one framing mistake fails one test instead of all of them.
 * @module
 */

/** A status line found in the stream. */
export interface StatusLine {
  /** The three-digit code. */
  readonly code: number;
  /** Offset of the line in {@link ReceivedText.text}. */
  readonly offset: number;
}

const PROMPT = "NICK";
/** A reply glued to an unterminated sentence: `...no chat!200 OK - Disconnecting`. */
const GLUED = /[.!?]([1-5]\d\d) [A-Z]/g;
const DIGIT = /[0-9]/;
const AFTER_CODE = /[ \t\r\n]/;

/** The text one client received, with its status lines indexed as they arrive. */
export class ReceivedText {
  #text = "";
  #decoder = new TextDecoder();
  #promptPending: boolean;
  #held = "";
  #prompt = false;
  #ended = false;
  readonly #statuses: StatusLine[] = [];
  /** Line starts too close to the end to decide yet. */
  #undecided: number[] = [];
  #changed = Promise.withResolvers<void>();

  /** `prompt`: the stream may start with the `NICK` text prompt (text sessions). */
  constructor(options: { prompt?: boolean } = {}) {
    this.#promptPending = options.prompt ?? false;
  }

  /** Everything received so far, prompt removed. */
  get text(): string {
    return this.#text;
  }

  /** True when the stream started with the `NICK` prompt. */
  get prompted(): boolean {
    return this.#prompt;
  }

  /** True once the stream ended. */
  get ended(): boolean {
    return this.#ended;
  }

  /** Adds one read (text stream) or one message (binary session). */
  append(chunk: Uint8Array | string): void {
    let piece = typeof chunk === "string" ? chunk : this.#decoder.decode(chunk, { stream: true });
    if (this.#promptPending) {
      piece = this.#held + piece;
      this.#held = "";
      if (piece.length < PROMPT.length && PROMPT.startsWith(piece)) {
        this.#held = piece;
        return;
      }
      this.#promptPending = false;
      if (piece.startsWith(PROMPT)) {
        this.#prompt = true;
        piece = piece.slice(PROMPT.length);
      }
    }
    if (piece === "") {
      this.#notify();
      return;
    }
    const base = this.#text.length;
    this.#text += piece;
    // A read starts a line unless the previous one ended with a newline (already counted).
    if (base === 0 || this.#text[base - 1] !== "\n") this.#undecided.push(base);
    for (let i = piece.indexOf("\n"); i >= 0; i = piece.indexOf("\n", i + 1)) {
      this.#undecided.push(base + i + 1);
    }
    this.#decide();
    this.#findGlued(base);
    this.#notify();
  }

  /** The stream ended: held bytes count as text, waiters are released. */
  end(): void {
    if (this.#ended) return;
    const rest = this.#held + this.#decoder.decode();
    this.#held = "";
    this.#promptPending = false;
    if (rest !== "") this.append(rest);
    this.#ended = true;
    this.#decide(true);
    this.#notify();
  }

  /** Status lines from offset `from` on, in order. */
  statuses(from = 0): StatusLine[] {
    return this.#statuses.filter((s) => s.offset >= from);
  }

  /** The status line itself (without its terminator). */
  lineAt(offset: number): string {
    const end = this.#text.indexOf("\n", offset);
    return stripCr(this.#text.slice(offset, end < 0 ? undefined : end));
  }

  /**
   * The line after the status line at `offset` (its body), cut where the next status line
   * starts; `undefined` while nothing of it arrived.
   */
  bodyOf(status: StatusLine): string | undefined {
    const nl = this.#text.indexOf("\n", status.offset);
    if (nl < 0) return undefined;
    const start = nl + 1;
    let end = this.#text.indexOf("\n", start);
    if (end < 0) end = this.#text.length;
    const next = this.#statuses.find((s) => s.offset > status.offset);
    if (next && next.offset < end) end = next.offset;
    if (start === this.#text.length) return undefined;
    return stripCr(this.#text.slice(start, end));
  }

  /** How many times `needle` occurs from offset `from` on. */
  count(needle: string, from = 0): number {
    let n = 0;
    for (let i = this.#text.indexOf(needle, from); i >= 0; i = this.#text.indexOf(needle, i + 1)) {
      n++;
    }
    return n;
  }

  /**
   * Resolves with the first defined value of `check`, evaluated now and after every arrival;
   * `undefined` when `timeoutMs` passes, the stream ends or `signal` aborts first.
   */
  async wait<T>(
    check: () => T | undefined,
    timeoutMs: number,
    signal?: AbortSignal,
  ): Promise<T | undefined> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const expired = new Promise<"timeout">((r) =>
      timer = setTimeout(() => r("timeout"), timeoutMs)
    );
    const aborted = signal ? abortPromise(signal) : undefined;
    try {
      for (;;) {
        const v = check();
        if (v !== undefined) return v;
        if (this.#ended || signal?.aborted) return undefined;
        const raced = [this.#changed.promise, expired, ...(aborted ? [aborted.promise] : [])];
        if (await Promise.race(raced) === "timeout") return check();
      }
    } finally {
      clearTimeout(timer);
      aborted?.dispose();
    }
  }

  /** Decides the line starts that have enough text after them (all of them at the end). */
  #decide(final = false): void {
    const keep: number[] = [];
    for (const start of this.#undecided) {
      const head = this.#text.slice(start, start + 4);
      let digits = 0;
      while (digits < 3 && digits < head.length && DIGIT.test(head[digits]!)) digits++;
      if (digits < 3) {
        // All digits so far: the rest has not arrived yet.
        if (digits === head.length && !final) keep.push(start);
        continue;
      }
      if (head.length === 3) {
        if (final) this.#record(start, head);
        else keep.push(start);
      } else if (AFTER_CODE.test(head[3]!)) this.#record(start, head);
    }
    this.#undecided = keep;
  }

  /** Codes glued to a sentence end, in the text from a little before `base` on. */
  #findGlued(base: number): void {
    GLUED.lastIndex = Math.max(0, base - 5);
    for (let m = GLUED.exec(this.#text); m; m = GLUED.exec(this.#text)) {
      const at = m.index + 1;
      if (!this.#statuses.some((s) => s.offset === at)) this.#record(at, m[1]!);
    }
  }

  #record(offset: number, head: string): void {
    this.#statuses.push({ code: Number(head.slice(0, 3)), offset });
    this.#statuses.sort((a, b) => a.offset - b.offset);
  }

  #notify(): void {
    const c = this.#changed;
    this.#changed = Promise.withResolvers<void>();
    c.resolve();
  }
}

function stripCr(line: string): string {
  return line.endsWith("\r") ? line.slice(0, -1) : line;
}

/** A promise settled when `signal` aborts, with a way to drop the listener. */
export function abortPromise(signal: AbortSignal): { promise: Promise<"abort">; dispose(): void } {
  let onAbort: (() => void) | undefined;
  const promise = new Promise<"abort">((r) => {
    if (signal.aborted) return r("abort");
    onAbort = () => r("abort");
    signal.addEventListener("abort", onAbort, { once: true });
  });
  return {
    promise,
    dispose: () => {
      if (onAbort) signal.removeEventListener("abort", onAbort);
    },
  };
}
