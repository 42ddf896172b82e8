/**
 * The ANSI text that takes a terminal from one drawing of the input area to the next, pure. The
 * input's rows are written with explicit `\r\n` between them (never left to the terminal's
 * wrapping), and every drawing ends with the cursor placed by relative moves, so the painter
 * always knows how many rows the cursor is below the input's first row. A line printed above the
 * input goes to that first row, clears to the end of the screen (`ESC [J`), is written, and the
 * whole input is drawn again below it. Only CR, LF, CUU/CUD/CUF (`ESC [nA/B/C`), ED (`ESC [J`,
 * `ESC [2J`) and CUP home (`ESC [H`) are used: xterm, tmux, Windows Terminal and conhost in VT
 * mode all accept them.
 * @module
 */

import type { ScreenModel } from "./input_layout.ts";
import { textWidth } from "./text_width.ts";

/** What is on the screen now: rows drawn and where the cursor is among them. */
export type Painted = Pick<ScreenModel, "rows" | "cursorRow" | "cursorCol">;

const CLEAR_BELOW = "\x1b[J";

function up(n: number): string {
  return n > 0 ? `\x1b[${n}A` : "";
}

function down(n: number): string {
  return n > 0 ? `\x1b[${n}B` : "";
}

function right(n: number): string {
  return n > 0 ? `\x1b[${n}C` : "";
}

/** From the end of the last row written to the model's cursor. */
function place(model: Painted): string {
  return "\r" + up(model.rows.length - 1 - model.cursorRow) + right(model.cursorCol);
}

/** Writes every row of `model` from where the cursor is (the start of a cleared row). */
function draw(model: Painted): string {
  return model.rows.join("\r\n") + place(model);
}

/** From the cursor to the start of the input's first row. */
function toTop(prev: Painted | undefined): string {
  return prev ? "\r" + up(prev.cursorRow) : "\r";
}

/**
 * Takes the screen from `prev` (undefined: the cursor is at the start of an empty row) to `next`,
 * rewriting only from the first row that changed.
 */
export function repaint(prev: Painted | undefined, next: Painted): string {
  if (!prev || prev.rows.length === 0) return "\r" + CLEAR_BELOW + draw(next);
  let d = 0;
  const common = Math.min(prev.rows.length, next.rows.length);
  while (d < common && prev.rows[d] === next.rows[d]) d++;
  if (d === common && prev.rows.length === next.rows.length) {
    const rows = next.cursorRow - prev.cursorRow;
    return "\r" + (rows < 0 ? up(-rows) : down(rows)) + right(next.cursorCol);
  }
  d = Math.min(d, prev.rows.length - 1, next.rows.length - 1);
  const rows = d - prev.cursorRow;
  return "\r" + (rows < 0 ? up(-rows) : down(rows)) + CLEAR_BELOW +
    next.rows.slice(d).join("\r\n") + place(next);
}

/**
 * Prints `lines` where the input was and draws `next` below them. The lines must hold no control
 * characters other than colour (SGR) sequences; `\n` inside one starts a new line.
 */
export function printAbove(
  prev: Painted | undefined,
  lines: readonly string[],
  next: Painted,
): string {
  let out = toTop(prev) + CLEAR_BELOW;
  for (const line of lines) out += line.replaceAll("\n", "\r\n") + "\r\n";
  return out + draw(next);
}

/**
 * What a drawing became after the terminal was resized to `width` columns, as terminals that
 * reflow (tmux, VTE, Windows Terminal) show it: a row wider than the new width takes more rows,
 * and the cursor moves down with them. The rows themselves are unknown after that: the next
 * {@link repaint} draws all of them again.
 */
export function reflowed(prev: Painted, width: number): Painted {
  const cols = Math.max(1, width);
  let cursorRow = 0;
  for (let r = 0; r < prev.cursorRow; r++) {
    cursorRow += Math.max(1, Math.ceil(textWidth(prev.rows[r] ?? "") / cols));
  }
  cursorRow += Math.floor(prev.cursorCol / cols);
  return {
    rows: Array.from({ length: cursorRow + 1 }, () => "\x1b"),
    cursorRow,
    cursorCol: prev.cursorCol % cols,
  };
}

/** Clears the whole screen and draws `next` at its top (Ctrl-L). */
export function clearScreen(next: Painted): string {
  return "\x1b[H\x1b[2J" + draw(next);
}

/** Erases the input and leaves the cursor at the start of its first row. */
export function erase(prev: Painted | undefined): string {
  return toTop(prev) + CLEAR_BELOW;
}
