/**
 * The documents as `chat docs` prints them: Markdown still (so `chat docs lab > LAB.md` is a
 * document), but within {@link DOC_WIDTH} columns, the width of a terminal and of a printed page.
 * Paragraphs, list items and quotes are wrapped again; a table that fits is aligned, and one that
 * does not becomes a list with one entry per row (`header: cell` for its first cell, and the
 * same for each other cell beneath); code blocks are printed as they are (the documents keep them
 * narrow).
 * @module
 */

import { textWidth } from "../client/text_width.ts";

/** Columns of the printed documents. */
export const DOC_WIDTH = 80;

/** Splits `text` into words, a code span (`` `a b` ``) being one word. */
function words(text: string): string[] {
  const out: string[] = [];
  let i = 0;
  const n = text.length;
  while (i < n) {
    while (i < n && text[i] === " ") i++;
    if (i >= n) break;
    const start = i;
    let code = false;
    while (i < n && (code || text[i] !== " ")) {
      if (text[i] === "`") code = !code;
      i++;
    }
    out.push(text.slice(start, i));
  }
  return out;
}

/**
 * `text` wrapped to `width`: the first line starts with `first`, the others with `rest`. A word
 * too long for a line (a long code span) is broken at its spaces, which Markdown reads as spaces.
 */
export function wrap(text: string, width: number, first: string, rest: string): string[] {
  const lines: string[] = [];
  let line = first;
  let empty = true;
  const room = width - textWidth(rest);
  const pieces = words(text).flatMap((w) => textWidth(w) <= room ? [w] : w.split(" "));
  for (const w of pieces) {
    if (!empty && textWidth(line) + 1 + textWidth(w) > width) {
      lines.push(line);
      line = rest + w;
    } else line = empty ? line + w : `${line} ${w}`;
    empty = false;
  }
  lines.push(line);
  return lines;
}

/** The cells of a table row `| a | b \| c |`. */
function cells(row: string): string[] {
  const inner = row.trim().replace(/^\|/, "").replace(/\|$/, "");
  const out: string[] = [];
  let cell = "";
  for (let i = 0; i < inner.length; i++) {
    const c = inner[i]!;
    if (c === "\\" && inner[i + 1] === "|") {
      cell += "\\|";
      i++;
    } else if (c === "|") {
      out.push(cell.trim());
      cell = "";
    } else cell += c;
  }
  out.push(cell.trim());
  return out;
}

/** A table's rows (header first; the `---` row left out) as `width` columns. */
function table(rows: string[][], width: number): string[] {
  const header = rows[0] ?? [];
  const body = rows.slice(1);
  const cols = header.length;
  const widths = header.map((_, c) => Math.max(3, ...rows.map((r) => textWidth(r[c] ?? ""))));
  const total = widths.reduce((a, b) => a + b, 0) + 3 * cols + 1;
  const pad = (s: string, w: number) => s + " ".repeat(Math.max(0, w - textWidth(s)));
  if (total <= width) {
    const line = (r: string[]) => `| ${widths.map((w, c) => pad(r[c] ?? "", w)).join(" | ")} |`;
    return [
      line(header),
      `| ${widths.map((w) => "-".repeat(w)).join(" | ")} |`,
      ...body.map(line),
    ];
  }
  // Too wide: one list entry per row, `header: cell` for each cell, the first one as its head.
  const out: string[] = [];
  const entry = (c: number, v: string) => header[c] ? `${header[c]}: ${v}` : v;
  for (const r of body) {
    out.push(...wrap(entry(0, r[0] ?? ""), width, "- ", "  "));
    for (let c = 1; c < cols; c++) {
      const v = r[c] ?? "";
      if (v !== "") out.push(...wrap(entry(c, v), width, "  - ", "    "));
    }
  }
  return out;
}

/** The marker of a list item (`- `, `12. `), or `undefined`. */
function listMarker(line: string): string | undefined {
  return /^(\s*)([-*+]|\d+\.) /.exec(line)?.[0];
}

/** `markdown` within `width` columns (see the module's doc). */
export function renderDoc(markdown: string, width = DOC_WIDTH): string {
  const lines = markdown.replace(/\r\n/g, "\n").split("\n");
  const out: string[] = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i]!;
    const trimmed = line.trimStart();
    // A fenced code block, at any indent: as it is.
    if (trimmed.startsWith("```")) {
      out.push(line);
      i++;
      while (i < lines.length && !lines[i]!.trimStart().startsWith("```")) out.push(lines[i++]!);
      if (i < lines.length) out.push(lines[i++]!);
      continue;
    }
    if (trimmed === "" || /^#{1,6} /.test(trimmed)) {
      out.push(line);
      i++;
      continue;
    }
    if (trimmed.startsWith("|")) {
      const rows: string[][] = [];
      while (i < lines.length && lines[i]!.trimStart().startsWith("|")) {
        const r = cells(lines[i]!);
        if (!r.every((c) => /^:?-+:?$/.test(c))) rows.push(r);
        i++;
      }
      out.push(...table(rows, width));
      continue;
    }
    if (trimmed.startsWith(">")) {
      const text: string[] = [];
      while (i < lines.length && lines[i]!.trimStart().startsWith(">")) {
        text.push(lines[i++]!.trimStart().replace(/^>\s?/, ""));
      }
      out.push(...wrap(text.join(" "), width, "> ", "> "));
      continue;
    }
    const marker = listMarker(line);
    // A list item or a paragraph: its lines until a blank line, a block or the next item.
    const head = marker ?? line.slice(0, line.length - trimmed.length);
    const rest = " ".repeat(head.length);
    const text = [line.slice(head.length)];
    i++;
    while (i < lines.length) {
      const next = lines[i]!;
      const t = next.trimStart();
      if (t === "" || listMarker(next) !== undefined || t.startsWith("```") || t.startsWith("|")) {
        break;
      }
      if (/^#{1,6} /.test(t) || t.startsWith(">")) break;
      text.push(t);
      i++;
    }
    out.push(...wrap(text.join(" "), width, head, rest));
  }
  return out.join("\n");
}
