/**
 * The line editor of `chat join`, a pure state machine: terminal bytes (or keys) in, actions
 * (a line submitted, leave, clear the screen) and a {@link ScreenModel} out. The text is two
 * stacks of cells, before and after the cursor, so typing or pasting at the cursor costs the
 * length of what was typed, wherever the cursor is; drawing costs the length of the line.
 * `cost` counts both, so tests can check that a paste is one linear pass.
 *
 * Rules: Enter submits; a paste (bracketed, so never a submit) turns each line break into a
 * space; tabs, typed or pasted, become spaces up to the next multiple of 8 columns; other
 * control characters are dropped; Ctrl-C leaves; Ctrl-D leaves on an empty line and deletes the
 * character under the cursor otherwise (as readline); Ctrl-L asks for a clean screen.
 * @module
 */

import { type Cell, layoutInput, type ScreenModel } from "./input_layout.ts";
import { type Key, KeyDecoder } from "./key_decoder.ts";
import { codePointWidth } from "./text_width.ts";

/** What a key asks of the program around the editor. */
export type EditorAction =
  | { readonly kind: "submit"; readonly text: string }
  | { readonly kind: "leave"; readonly key: "interrupt" | "eof" }
  | { readonly kind: "clearScreen" }
  | { readonly kind: "truncated" };

/** Options of a {@link LineEditor}. */
export interface LineEditorOptions {
  /** Text before the input (default none). */
  readonly prompt?: string;
  /** Cells a line may hold; more typed or pasted text is dropped (default {@link MAX_LINE_CELLS}). */
  readonly maxCells?: number;
  /** Submitted lines kept for Up/Down (default 100). */
  readonly historySize?: number;
}

/** Cells a line holds unless told otherwise: more than a server takes (32768 bytes by default), so a too-long line is refused by the server, with its reason. */
export const MAX_LINE_CELLS = 65536;

const TAB_STOP = 8;
const ZWJ = "\u200d";
const SPACE: Cell = { text: " ", width: 1 };

/** Cells on one side of the cursor, with the sum of their widths kept in step. */
class CellStack {
  cells: Cell[] = [];
  width = 0;

  get length(): number {
    return this.cells.length;
  }

  get top(): Cell | undefined {
    return this.cells[this.cells.length - 1];
  }

  push(c: Cell): void {
    this.cells.push(c);
    this.width += c.width;
  }

  pop(): Cell | undefined {
    const c = this.cells.pop();
    if (c) this.width -= c.width;
    return c;
  }

  /** Replaces the top cell by one of the same width (a zero-width code point joined it). */
  replaceTop(c: Cell): void {
    this.cells[this.cells.length - 1] = c;
  }

  clear(): void {
    this.cells = [];
    this.width = 0;
  }
}

/** One line being edited, with its history; see the module doc for the keys. */
export class LineEditor {
  readonly #decoder = new KeyDecoder();
  readonly #maxCells: number;
  readonly #historySize: number;
  #prompt = new CellStack();
  #promptText = "";
  readonly #before = new CellStack();
  /** The cells after the cursor, last first (the top of the stack is right of the cursor). */
  readonly #after = new CellStack();
  readonly #history: string[] = [];
  #historyAt = 0;
  #draft = "";
  #top = 0;
  #cost = 0;
  #pastedCr = false;

  constructor(options: LineEditorOptions = {}) {
    this.#maxCells = options.maxCells ?? MAX_LINE_CELLS;
    this.#historySize = options.historySize ?? 100;
    this.prompt = options.prompt ?? "";
  }

  /** The prompt drawn before the text. */
  get prompt(): string {
    return this.#promptText;
  }

  set prompt(text: string) {
    this.#promptText = text;
    this.#prompt = new CellStack();
    this.#append(this.#prompt, text, false, 0);
  }

  /** The text typed so far. */
  get text(): string {
    let s = "";
    for (const c of this.#before.cells) s += c.text;
    const after = this.#after.cells;
    for (let i = after.length - 1; i >= 0; i--) s += after[i]!.text;
    return s;
  }

  /** How many cells (characters as drawn) are before the cursor. */
  get cursor(): number {
    return this.#before.length;
  }

  /** Cells the line holds. */
  get length(): number {
    return this.#before.length + this.#after.length;
  }

  /** Cells created, moved and laid out so far: linear in the input and in the lines drawn. */
  get cost(): number {
    return this.#cost;
  }

  /** True while a bracketed paste is open (its end marker not read yet). */
  get pasting(): boolean {
    return this.#decoder.pasting;
  }

  /** True while an escape sequence waits for more bytes; see {@link LineEditor.flushKeys}. */
  get waitingForKeys(): boolean {
    return this.#decoder.waiting;
  }

  /** Feeds terminal bytes; returns the actions they ask for, in order. */
  feed(bytes: Uint8Array): EditorAction[] {
    const actions: EditorAction[] = [];
    for (const k of this.#decoder.feed(bytes)) {
      const a = this.key(k);
      if (a) actions.push(a);
    }
    return actions;
  }

  /** Drops an escape sequence that never finished (a lone Esc key). */
  flushKeys(): void {
    this.#decoder.flush();
  }

  /** Applies one key. */
  key(k: Key): EditorAction | undefined {
    switch (k.kind) {
      case "text":
        return this.#insert(k.text, k.pasted);
      case "enter": {
        const text = this.text;
        this.#remember(text);
        this.#set("");
        this.#top = 0;
        return { kind: "submit", text };
      }
      case "backspace":
        this.#before.pop();
        return;
      case "delete":
        this.#after.pop();
        return;
      case "left":
        this.#move(this.#before, this.#after, 1);
        return;
      case "right":
        this.#move(this.#after, this.#before, 1);
        return;
      case "home":
        this.#move(this.#before, this.#after, this.#before.length);
        return;
      case "end":
        this.#move(this.#after, this.#before, this.#after.length);
        return;
      case "wordLeft":
        this.#move(this.#before, this.#after, wordSpan(this.#before.cells));
        return;
      case "wordRight":
        this.#move(this.#after, this.#before, wordSpan(this.#after.cells));
        return;
      case "killToStart":
        this.#before.clear();
        return;
      case "killToEnd":
        this.#after.clear();
        return;
      case "killWordBack":
        for (let n = wordSpan(this.#before.cells); n > 0; n--) this.#before.pop();
        return;
      case "killWordForward":
        for (let n = wordSpan(this.#after.cells); n > 0; n--) this.#after.pop();
        return;
      case "up":
      case "down":
        this.#browse(k.kind === "up" ? -1 : 1);
        return;
      case "interrupt":
        return { kind: "leave", key: "interrupt" };
      case "eof":
        if (this.length === 0) return { kind: "leave", key: "eof" };
        this.#after.pop();
        return;
      case "redraw":
        return { kind: "clearScreen" };
    }
  }

  /** Replaces the text (cursor at its end). */
  setText(text: string): void {
    this.#set(text);
  }

  /** The input as drawn `width` columns wide, in at most `maxRows` rows around the cursor. */
  screen(width: number, maxRows: number): ScreenModel {
    const before = this.#before.cells;
    const after = this.#after.cells;
    const b = before.length;
    const last = b + after.length - 1;
    const { model, visited } = layoutInput(
      {
        prompt: this.#prompt.cells,
        count: b + after.length,
        cellAt: (i) => i < b ? before[i]! : after[last - i]!,
        cursor: b,
      },
      width,
      maxRows,
      this.#top,
    );
    this.#cost += visited;
    this.#top = model.top;
    return model;
  }

  #insert(text: string, pasted: boolean): EditorAction | undefined {
    let t = text;
    if (pasted) {
      if (this.#pastedCr && t.startsWith("\n")) t = t.slice(1);
      this.#pastedCr = t.endsWith("\r");
      t = t.replace(/\r\n|\r|\n/g, " ");
    }
    const room = this.#maxCells - this.length;
    const added = this.#append(this.#before, t, true, room);
    return added < 0 ? { kind: "truncated" } : undefined;
  }

  /**
   * Appends `text` to `cells` as cells (at most `room` new ones when `bounded`); tabs become
   * spaces to the next tab stop, zero-width code points join the cell before them, control
   * characters are dropped. Returns how many cells were added, or -1 if some text did not fit.
   */
  #append(cells: CellStack, text: string, bounded: boolean, room: number): number {
    let added = 0;
    for (const ch of text) {
      this.#cost++;
      const cp = ch.codePointAt(0)!;
      if (cp === 0x09) {
        const spaces = TAB_STOP - (cells.width % TAB_STOP);
        for (let s = 0; s < spaces; s++) {
          if (bounded && added >= room) return -1;
          cells.push(SPACE);
          added++;
        }
        continue;
      }
      if (cp < 0x20 || cp === 0x7f || (cp >= 0x80 && cp < 0xa0)) continue;
      const width = codePointWidth(cp);
      const prev = cells.top;
      if (prev && (width === 0 || prev.text.endsWith(ZWJ))) {
        cells.replaceTop({ text: prev.text + ch, width: prev.width });
        continue;
      }
      if (bounded && added >= room) return -1;
      cells.push({ text: ch, width });
      added++;
    }
    return added;
  }

  #move(from: CellStack, to: CellStack, n: number): void {
    for (let i = 0; i < n && from.length > 0; i++) to.push(from.pop()!);
    this.#cost += n;
  }

  #set(text: string): void {
    this.#before.clear();
    this.#after.clear();
    this.#append(this.#before, text, true, this.#maxCells);
  }

  #remember(text: string): void {
    if (text !== "" && this.#history.at(-1) !== text) {
      this.#history.push(text);
      if (this.#history.length > this.#historySize) this.#history.shift();
    }
    this.#historyAt = this.#history.length;
    this.#draft = "";
  }

  #browse(step: -1 | 1): void {
    const to = this.#historyAt + step;
    if (to < 0 || to > this.#history.length) return;
    if (this.#historyAt === this.#history.length) this.#draft = this.text;
    this.#historyAt = to;
    this.#set(to === this.#history.length ? this.#draft : this.#history[to]!);
  }
}

/** Cells from the top of `stack` (next to the cursor) up to the far end of a word: spaces, then non-spaces. */
function wordSpan(stack: readonly Cell[]): number {
  let i = stack.length - 1;
  while (i >= 0 && stack[i]!.text.trim() === "") i--;
  while (i >= 0 && stack[i]!.text.trim() !== "") i--;
  return stack.length - 1 - i;
}
