/**
 * The terminal edge of `chat join`: raw mode, bracketed paste, reading keys into a
 * {@link LineEditor} and drawing its {@link ScreenModel} with the {@link repaint} painter,
 * printing lines above the input, and knowing the width from `Deno.consoleSize()` (again on
 * SIGWINCH where there is one, and before each drawing). Raw mode and bracketed paste are turned
 * off by {@link Terminal.close}, which callers run in a `finally`; listeners of `unload`, `error`
 * and `unhandledrejection` do it too if the program ends another way. Nothing else here decides
 * anything: the editor does.
 * @module
 */

import { type EditorAction, LineEditor, MAX_LINE_CELLS } from "./line_editor.ts";
import type { ScreenModel } from "./input_layout.ts";
import {
  clearScreen,
  erase,
  type Painted,
  printAbove,
  reflowed,
  repaint,
} from "./input_painter.ts";

/** Something the person at the terminal did. */
export type TerminalInput =
  | { readonly kind: "line"; readonly text: string }
  | { readonly kind: "leave"; readonly why: "interrupt" | "eof" | "signal" | "closed" };

const encoder = new TextEncoder();
const PASTE_ON = "\x1b[?2004h";
const PASTE_OFF = "\x1b[?2004l";
/** A lone Esc key: an escape sequence not finished after this long is dropped. */
const ESCAPE_WAIT_MS = 60;
const LEAVE_SIGNALS: readonly Deno.Signal[] = ["SIGINT", "SIGTERM", "SIGHUP"];
/** Ways the program ends without {@link Terminal.close}: the terminal is given back then too. */
const EXIT_EVENTS = ["unload", "error", "unhandledrejection"] as const;

/** The interactive terminal: one line editor, lines printed above it. */
export class Terminal {
  readonly #editor: LineEditor;
  readonly #reader: ReadableStreamDefaultReader<Uint8Array>;
  readonly #inputs: TerminalInput[] = [];
  #waiters: ((i: TerminalInput) => void)[] = [];
  #painted: Painted | undefined;
  /** The width the terminal had when {@link Terminal.#painted} was drawn. */
  #paintedWidth = 0;
  #printQueue: string[] = [];
  #flushScheduled = false;
  #editing = true;
  #closed = false;
  #outputBroken = false;
  #commitEmpty = false;
  #truncatedShown = false;
  #escapeTimer: ReturnType<typeof setTimeout> | undefined;
  readonly #onSignal = () => this.#push({ kind: "leave", why: "signal" });
  readonly #onResize = () => this.#paint();
  readonly #onUnload = () => this.#restore();
  readonly #truncatedText: (max: number) => string;
  readonly #basePrompt: string;
  #status: string | undefined;
  #asking = false;

  private constructor(prompt: string, truncatedText: (max: number) => string) {
    this.#basePrompt = prompt;
    this.#editor = new LineEditor({ prompt });
    this.#truncatedText = truncatedText;
    Deno.stdin.setRaw(true);
    this.#reader = Deno.stdin.readable.getReader();
    for (const e of EXIT_EVENTS) globalThis.addEventListener(e, this.#onUnload);
    for (const s of LEAVE_SIGNALS) listen(s, this.#onSignal);
    listen("SIGWINCH", this.#onResize);
    this.#emit(PASTE_ON);
    this.#paint();
    this.#readLoop();
  }

  /**
   * Takes the terminal (stdin and stdout must both be terminals): raw mode on, the prompt drawn.
   * `truncatedText` says that a line was cut at its maximum length.
   */
  static open(prompt: string, truncatedText: (max: number) => string): Terminal {
    return new Terminal(prompt, truncatedText);
  }

  /** The prompt before the input. */
  set prompt(text: string) {
    this.#editor.prompt = text;
    this.#paint();
  }

  /**
   * Shows `text` in brackets before the prompt, as a status line at the input (the link
   * reconnecting); `undefined` takes it away.
   */
  status(text: string | undefined): void {
    this.#status = text;
    if (!this.#asking) this.prompt = this.#statusPrompt();
  }

  #statusPrompt(): string {
    return this.#status === undefined ? this.#basePrompt : `[${this.#status}] ${this.#basePrompt}`;
  }

  /** The next line submitted, or why the person left. After {@link close}: `closed`. */
  next(): Promise<TerminalInput> {
    const ready = this.#inputs.shift();
    if (ready) return Promise.resolve(ready);
    if (this.#closed) return Promise.resolve({ kind: "leave", why: "closed" });
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  /** Shows `question` as the prompt and resolves with the answer; undefined if the person left. */
  async ask(question: string): Promise<string | undefined> {
    this.#commitEmpty = true;
    this.#asking = true;
    this.prompt = question;
    try {
      const input = await this.next();
      return input.kind === "line" ? input.text : undefined;
    } finally {
      this.#commitEmpty = false;
      this.#asking = false;
      this.prompt = this.#statusPrompt();
    }
  }

  /** Prints `text` (one or more lines) above the input; lines printed in one turn are drawn once. */
  print(text: string): void {
    if (this.#closed) {
      console.log(text);
      return;
    }
    this.#printQueue.push(text);
    if (this.#flushScheduled) return;
    this.#flushScheduled = true;
    queueMicrotask(() => this.#flush());
  }

  /** Stops editing: the text typed stays on the screen as it is, and no prompt is drawn any more. */
  stopEditing(): void {
    if (!this.#editing) return;
    this.#flush();
    const text = this.#editor.text;
    this.#model(); // follows a resize not drawn yet
    this.#editing = false;
    this.#emit(printAbove(this.#painted, text === "" ? [] : [this.#editor.prompt + text], NONE));
    this.#painted = undefined;
  }

  /** Gives the terminal back: input erased, bracketed paste and raw mode off. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#flush();
    if (this.#editing) {
      this.#model(); // follows a resize not drawn yet
      this.#emit(erase(this.#painted));
    }
    this.#painted = undefined;
    this.#editing = false;
    this.#closed = true;
    this.#restore();
    for (const e of EXIT_EVENTS) globalThis.removeEventListener(e, this.#onUnload);
    for (const s of LEAVE_SIGNALS) unlisten(s, this.#onSignal);
    unlisten("SIGWINCH", this.#onResize);
    clearTimeout(this.#escapeTimer);
    this.#reader.cancel().catch(() => {});
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const w of waiters) w({ kind: "leave", why: "closed" });
  }

  async #readLoop(): Promise<void> {
    for (;;) {
      let chunk: ReadableStreamReadResult<Uint8Array>;
      try {
        chunk = await this.#reader.read();
      } catch {
        break;
      }
      if (chunk.done || this.#closed) break;
      clearTimeout(this.#escapeTimer);
      const actions = this.#editor.feed(chunk.value);
      for (const a of actions) this.#act(a);
      if (this.#editor.waitingForKeys) {
        this.#escapeTimer = setTimeout(() => this.#editor.flushKeys(), ESCAPE_WAIT_MS);
      }
      // A paste is drawn once, when it is over: drawing costs the whole line.
      if (!this.#editor.pasting) this.#paint();
    }
    this.#push({ kind: "leave", why: "eof" });
  }

  #act(a: EditorAction): void {
    switch (a.kind) {
      case "submit":
        if (!this.#editing) return;
        this.#truncatedShown = false;
        if (a.text !== "" || this.#commitEmpty) {
          const line = this.#editor.prompt + a.text;
          this.#painted = this.#emitAbove([line]);
        }
        this.#push({ kind: "line", text: a.text });
        return;
      case "leave":
        this.#push({ kind: "leave", why: a.key });
        return;
      case "clearScreen":
        if (this.#editing) this.#painted = this.#emitModel(clearScreen(this.#model()));
        return;
      case "truncated":
        if (!this.#truncatedShown) this.print(this.#truncatedText(MAX_LINE_CELLS));
        this.#truncatedShown = true;
        return;
    }
  }

  #push(input: TerminalInput): void {
    const w = this.#waiters.shift();
    if (w) w(input);
    else this.#inputs.push(input);
  }

  #flush(): void {
    this.#flushScheduled = false;
    if (this.#printQueue.length === 0) return;
    const lines = this.#printQueue;
    this.#printQueue = [];
    if (this.#editing) this.#painted = this.#emitAbove(lines);
    else this.#emit(lines.map((l) => l.replaceAll("\n", "\r\n") + "\r\n").join(""));
  }

  #emitAbove(lines: readonly string[]): Painted {
    const model = this.#model();
    this.#emit(printAbove(this.#painted, lines, model));
    return model;
  }

  #emitModel(out: string): Painted {
    const model = this.#model();
    this.#emit(out);
    return model;
  }

  #paint(): void {
    if (!this.#editing || this.#closed) return;
    const model = this.#model();
    this.#emit(repaint(this.#painted, model));
    this.#painted = model;
  }

  /** The input laid out for the terminal's size now (after a resize, `#painted` follows it). */
  #model(): ScreenModel {
    const { columns, rows } = size();
    if (this.#painted && columns !== this.#paintedWidth) {
      this.#painted = reflowed(this.#painted, columns);
    }
    this.#paintedWidth = columns;
    return this.#editor.screen(columns, Math.max(1, rows - 1));
  }

  #emit(text: string): void {
    if (this.#outputBroken || text === "") return;
    const bytes = encoder.encode(text);
    try {
      let off = 0;
      while (off < bytes.length) off += Deno.stdout.writeSync(bytes.subarray(off));
    } catch {
      this.#outputBroken = true;
    }
  }

  #restore(): void {
    this.#emit(PASTE_OFF);
    try {
      Deno.stdin.setRaw(false);
    } catch { /* not a terminal any more */ }
  }
}

const NONE: Painted = { rows: [], cursorRow: 0, cursorCol: 0 };

function size(): { columns: number; rows: number } {
  try {
    const s = Deno.consoleSize();
    if (s.columns > 0 && s.rows > 0) return s;
  } catch { /* not a terminal */ }
  return { columns: 80, rows: 24 };
}

function listen(signal: Deno.Signal, f: () => void): void {
  try {
    Deno.addSignalListener(signal, f);
  } catch { /* not on this system (Windows has only SIGINT and SIGBREAK) */ }
}

function unlisten(signal: Deno.Signal, f: () => void): void {
  try {
    Deno.removeSignalListener(signal, f);
  } catch { /* was never added */ }
}
