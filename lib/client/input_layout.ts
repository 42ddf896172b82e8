/**
 * Where a prompt and the line being typed fall on a terminal `width` columns wide: rows of whole
 * cells (a wide character that does not fit at the end of a row starts the next one), the cursor's
 * row and column, and the window of at most `maxRows` rows that is shown (it holds the cursor and
 * moves as little as it can). Pure and linear in the length of the line.
 * @module
 */

/** One character as the terminal draws it: a base code point and any zero-width ones after it. */
export interface Cell {
  /** The code points, as a string. */
  readonly text: string;
  /** Columns it takes, 0 to 2. */
  readonly width: number;
}

/** What the input area looks like: the rows shown and where the cursor is among them. */
export interface ScreenModel {
  /** The rows shown, top to bottom, each at most `width` columns. */
  readonly rows: readonly string[];
  /** The cursor's row, an index into `rows`. */
  readonly cursorRow: number;
  /** The cursor's column, less than the width. */
  readonly cursorCol: number;
  /** Index of the first row shown among all the rows of the line. */
  readonly top: number;
  /** How many rows the whole line takes. */
  readonly totalRows: number;
}

/** The line to lay out: `count` cells read through `cellAt`, the cursor before cell `cursor`. */
export interface LayoutInput {
  /** The prompt's cells, drawn before the text. */
  readonly prompt: readonly Cell[];
  /** How many cells the text has. */
  readonly count: number;
  /** The text's cell `i`, for `0 <= i < count`. */
  readonly cellAt: (i: number) => Cell;
  /** The cursor's position, `0..count`. */
  readonly cursor: number;
}

/**
 * Lays `input` out `width` columns wide, showing at most `maxRows` rows; `previousTop` is the
 * first row shown last time (the window moves only when the cursor leaves it). Returns the model
 * and how many cells were visited (at most twice the line's length).
 */
export function layoutInput(
  input: LayoutInput,
  width: number,
  maxRows: number,
  previousTop: number,
): { model: ScreenModel; visited: number } {
  const cols = Math.max(1, Math.floor(width));
  const shown = Math.max(1, Math.floor(maxRows));
  const p = input.prompt.length;
  const total = p + input.count;
  const at = p + input.cursor;
  const cell = (k: number) => k < p ? input.prompt[k]! : input.cellAt(k - p);
  const starts = [0];
  let col = 0;
  let cursorRow = 0;
  let cursorCol = 0;
  for (let k = 0; k < total; k++) {
    const w = cell(k).width;
    if (col + w > cols && col > 0) {
      starts.push(k);
      col = 0;
    }
    if (k === at) {
      cursorRow = starts.length - 1;
      cursorCol = col;
    }
    col += w;
  }
  if (at >= total) {
    if (col >= cols) {
      starts.push(total);
      col = 0;
    }
    cursorRow = starts.length - 1;
    cursorCol = col;
  }
  const totalRows = starts.length;
  let top = Math.max(0, Math.floor(previousTop));
  if (cursorRow < top) top = cursorRow;
  if (cursorRow >= top + shown) top = cursorRow - shown + 1;
  top = Math.max(0, Math.min(top, totalRows - shown));
  const end = Math.min(totalRows, top + shown);
  const rows: string[] = [];
  let visited = total;
  for (let r = top; r < end; r++) {
    const from = starts[r]!;
    const to = r + 1 < totalRows ? starts[r + 1]! : total;
    let text = "";
    for (let k = from; k < to; k++) text += cell(k).text;
    visited += to - from;
    rows.push(text);
  }
  return {
    model: { rows, cursorRow: cursorRow - top, cursorCol, top, totalRows },
    visited,
  };
}
