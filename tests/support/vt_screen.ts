/**
 * A small terminal emulator for tests: the subset `lib/client/input_painter.ts` writes (CR, LF,
 * CUU/CUD/CUF/CUB, ED 0 and 2, CUP home, SGR and private modes ignored), with xterm's
 * auto-wrap (a character written in the last column leaves the cursor there until the next
 * printable character wraps it), wide characters (2 cells, wrapped early when they do not fit)
 * and scrolling. Enough to check what a person would see after a drawing.
 */

import { codePointWidth } from "../../lib/client/text_width.ts";

/** A `width` x `height` screen, initially empty, cursor at the top left. */
export class VtScreen {
  readonly #grid: string[][];
  /** Lines scrolled off the top, oldest first. */
  readonly scrolledOff: string[] = [];
  x = 0;
  y = 0;
  #pendingWrap = false;

  constructor(readonly width: number, readonly height: number) {
    this.#grid = Array.from({ length: height }, () => this.#blank());
  }

  /** Interprets `text`. Unknown escape sequences throw, so a test sees what it did not expect. */
  write(text: string): void {
    let i = 0;
    while (i < text.length) {
      const ch = String.fromCodePoint(text.codePointAt(i)!);
      if (ch === "\x1b") {
        i = this.#escape(text, i);
        continue;
      }
      i += ch.length;
      if (ch === "\r") {
        this.x = 0;
        this.#pendingWrap = false;
      } else if (ch === "\n") {
        this.#lineFeed();
      } else if (ch.codePointAt(0)! < 0x20) {
        throw new Error(`unexpected control character ${JSON.stringify(ch)}`);
      } else {
        this.#put(ch);
      }
    }
  }

  /** The screen's rows, trailing blanks removed. */
  lines(): string[] {
    return this.#grid.map((r) => r.join("").trimEnd());
  }

  /** The rows up to the last one that is not blank. */
  text(): string[] {
    const l = this.lines();
    while (l.length > 0 && l.at(-1) === "") l.pop();
    return l;
  }

  #blank(): string[] {
    return Array.from({ length: this.width }, () => " ");
  }

  #lineFeed(): void {
    this.#pendingWrap = false;
    if (this.y < this.height - 1) {
      this.y++;
      return;
    }
    this.scrolledOff.push(this.#grid.shift()!.join("").trimEnd());
    this.#grid.push(this.#blank());
  }

  #put(ch: string): void {
    const w = codePointWidth(ch.codePointAt(0)!);
    if (w === 0) {
      const x = this.#pendingWrap ? this.x : Math.max(0, this.x - 1);
      this.#grid[this.y]![x] += ch;
      return;
    }
    if (this.#pendingWrap || this.x + w > this.width) {
      this.x = 0;
      this.#lineFeed();
    }
    const row = this.#grid[this.y]!;
    row[this.x] = ch;
    if (w === 2 && this.x + 1 < this.width) row[this.x + 1] = "";
    if (this.x + w >= this.width) {
      this.x = this.width - 1;
      this.#pendingWrap = true;
    } else {
      this.x += w;
    }
  }

  #escape(text: string, i: number): number {
    // deno-lint-ignore no-control-regex -- an escape sequence is what is matched
    const m = /^\x1b\[(\?)?([\d;]*)([A-Za-z~])/.exec(text.slice(i, i + 16));
    if (!m) throw new Error(`unexpected escape ${JSON.stringify(text.slice(i, i + 8))}`);
    const [all, priv, params, final] = m;
    const n = Math.max(1, Number(params || "1"));
    if (priv) return i + all.length; // private modes (bracketed paste): no effect on the screen
    this.#pendingWrap = final === "m" ? this.#pendingWrap : false;
    switch (final) {
      case "A":
        this.y = Math.max(0, this.y - n);
        break;
      case "B":
        this.y = Math.min(this.height - 1, this.y + n);
        break;
      case "C":
        this.x = Math.min(this.width - 1, this.x + n);
        break;
      case "D":
        this.x = Math.max(0, this.x - n);
        break;
      case "H":
        this.x = 0;
        this.y = 0;
        break;
      case "J": {
        if (params === "2") {
          for (let r = 0; r < this.height; r++) this.#grid[r] = this.#blank();
        } else {
          const row = this.#grid[this.y]!;
          for (let c = this.x; c < this.width; c++) row[c] = " ";
          for (let r = this.y + 1; r < this.height; r++) this.#grid[r] = this.#blank();
        }
        break;
      }
      case "m":
        break;
      default:
        throw new Error(`unexpected escape ${JSON.stringify(all)}`);
    }
    return i + all.length;
  }
}
