/**
 * The terminal client's line editor, without a terminal: keys and bytes in, text, actions and
 * the screen model out; its drawings played on a small terminal emulator to check what a person
 * sees (a wrapped line with lines printed above it, wide characters at the edge).
 */

import assert from "node:assert/strict";
import { LineEditor } from "../lib/client/line_editor.ts";
import { erase, type Painted, printAbove, reflowed, repaint } from "../lib/client/input_painter.ts";
import { VtScreen } from "./support/vt_screen.ts";

const enc = new TextEncoder();
const ALPHABET = "abcdefghijklmnopqrstuvwxyz";

function letters(n: number): string {
  let s = "";
  for (let i = 0; i < n; i++) s += ALPHABET[i % 26];
  return s;
}

function editor(prompt = "> "): LineEditor {
  return new LineEditor({ prompt });
}

/** Feeds `text` as typed bytes, one read. */
function type(e: LineEditor, text: string) {
  return e.feed(enc.encode(text));
}

Deno.test("line editor wraps a 100-character line at 80 columns and keeps the cursor after it", () => {
  const e = editor();
  type(e, letters(100));
  const m = e.screen(80, 23);
  assert.deepEqual(m.rows, ["> " + letters(78), letters(100).slice(78)]);
  assert.equal(m.cursorRow, 1);
  assert.equal(m.cursorCol, 22);
  assert.equal(m.totalRows, 2);
});

Deno.test("line editor puts the cursor on a new row when the line fills a row exactly", () => {
  const e = editor();
  type(e, letters(78));
  const m = e.screen(80, 23);
  assert.deepEqual(m.rows, ["> " + letters(78), ""]);
  assert.deepEqual([m.cursorRow, m.cursorCol], [1, 0]);
});

Deno.test("lines printed above a wrapped input appear whole and the input is drawn again intact", () => {
  const vt = new VtScreen(80, 24);
  const e = editor();
  let painted: Painted | undefined;
  const show = () => {
    const m = e.screen(80, 23);
    vt.write(repaint(painted, m));
    painted = m;
  };
  // Typed one key at a time, drawn after each, as the terminal edge does.
  for (const ch of letters(100)) {
    type(e, ch);
    show();
  }
  type(e, "\x1b[D".repeat(30)); // cursor into the first row
  show();
  for (const line of ["[bia]: first from bia", "[bia]: second from bia"]) {
    const m = e.screen(80, 23);
    vt.write(printAbove(painted, [line], m));
    painted = m;
  }
  assert.deepEqual(vt.text(), [
    "[bia]: first from bia",
    "[bia]: second from bia",
    "> " + letters(78),
    letters(100).slice(78),
  ]);
  assert.deepEqual([vt.y, vt.x], [2, 2 + 70], "the cursor stays where it was in the text");
  assert.equal(e.text, letters(100));
  // An incoming line longer than the screen is wide wraps above the input too.
  const long = "[bia]: " + "x".repeat(150);
  const m = e.screen(80, 23);
  vt.write(printAbove(painted, [long], m));
  painted = m;
  assert.deepEqual(vt.text().slice(2), [
    long.slice(0, 80),
    long.slice(80),
    "> " + letters(78),
    letters(100).slice(78),
  ]);
  vt.write(erase(painted));
  assert.equal(vt.text().length, 4, "erasing the input leaves the printed lines");
});

Deno.test("line editor scrolls a line taller than the screen so the cursor's row stays shown", () => {
  const e = editor();
  type(e, letters(3500));
  const m = e.screen(80, 23);
  assert.equal(m.rows.length, 23);
  assert.equal(m.totalRows, Math.ceil(3502 / 80));
  assert.equal(m.cursorRow, 22);
  type(e, "\x1b[H"); // Home
  const top = e.screen(80, 23);
  assert.equal(top.top, 0);
  assert.equal(top.rows[0], "> " + letters(78));
  assert.deepEqual([top.cursorRow, top.cursorCol], [0, 2]);
});

/** `text` with tabs expanded to multiples of 8 columns (CJK characters are 2 columns). */
function expandTabs(text: string): string {
  let out = "";
  let col = 0;
  for (const ch of text) {
    if (ch === "\t") {
      const n = 8 - (col % 8);
      out += " ".repeat(n);
      col += n;
    } else {
      out += ch;
      col += /[日本]/.test(ch) ? 2 : 1;
    }
  }
  return out;
}

Deno.test("a 3500-character paste is one linear pass, wherever the cursor is", () => {
  const UNIT = "ação\t日本 xy"; // 10 characters
  const pasteOf = (n: number) => {
    const e = editor();
    type(e, letters(100));
    type(e, "\x1b[D".repeat(50));
    const paste = UNIT.repeat(n / 10);
    const bytes = enc.encode(`\x1b[200~${paste}\x1b[201~`);
    const before = e.cost;
    // Split into reads of 7 bytes (multi-byte characters and the markers cut across reads),
    // the screen laid out after every read that leaves no paste open, as the terminal edge does.
    let layouts = 0;
    for (let i = 0; i < bytes.length; i += 7) {
      e.feed(bytes.subarray(i, i + 7));
      if (e.pasting) continue;
      e.screen(80, 23);
      layouts++;
    }
    const expected = expandTabs(letters(50) + paste) + letters(100).slice(50);
    return { cost: e.cost - before, layouts, text: e.text, expected };
  };
  const small = pasteOf(3500);
  assert.equal(small.text, small.expected);
  assert.equal(small.layouts, 1, "one drawing, when the paste is over");
  const large = pasteOf(7000);
  assert.equal(large.text, large.expected);
  const length = small.expected.length;
  assert.ok(small.cost <= 4 * length, `cost ${small.cost} for a ${length}-character line`);
  const ratio = large.cost / small.cost;
  assert.ok(
    ratio > 1.8 && ratio < 2.2,
    `cost grows linearly: x${ratio.toFixed(2)} for twice the paste`,
  );
});

Deno.test("line editor decodes UTF-8 split across reads", () => {
  const e = editor();
  const bytes = enc.encode("ação 日本 e\u0301");
  for (const b of bytes) e.feed(new Uint8Array([b]));
  assert.equal(e.text, "ação 日本 e\u0301");
  assert.equal(e.length, 9, "the combining accent is part of its letter's cell");
  const m = e.screen(80, 23);
  assert.equal(m.cursorCol, 2 + 4 + 1 + 4 + 1 + 1);
  e.feed(new Uint8Array([0x7f]));
  assert.equal(e.text, "ação 日本 ", "backspace removes the letter and its accent");
});

Deno.test("a wide character that does not fit at the end of a row starts the next one", () => {
  const e = editor();
  type(e, "a".repeat(77) + "日本");
  const m = e.screen(80, 23);
  assert.deepEqual(m.rows, ["> " + "a".repeat(77), "日本"], "column 79 stays empty");
  assert.deepEqual([m.cursorRow, m.cursorCol], [1, 4]);
  const fits = editor();
  type(fits, "a".repeat(76) + "日本x");
  const vt = new VtScreen(80, 5);
  vt.write(repaint(undefined, fits.screen(80, 4)));
  assert.deepEqual(vt.text(), ["> " + "a".repeat(76) + "日", "本x"]);
  assert.deepEqual([vt.y, vt.x], [1, 3]);
});

Deno.test("Enter submits the line and clears it; pasted line breaks do not submit", () => {
  const e = editor();
  assert.deepEqual(type(e, "olá\r"), [{ kind: "submit", text: "olá" }]);
  assert.equal(e.text, "");
  assert.deepEqual(type(e, "\x1b[200~one\r\ntwo\nthree\r\x1b[201~"), []);
  assert.equal(e.text, "one two three ");
  assert.deepEqual(type(e, "\r"), [{ kind: "submit", text: "one two three " }]);
});

Deno.test("typed tabs become spaces up to the next multiple of 8 columns", () => {
  const e = editor();
  type(e, "ab\tc\t\td");
  assert.equal(e.text, "ab      c               d");
});

Deno.test("Ctrl-C leaves; Ctrl-D leaves on an empty line and deletes under the cursor otherwise", () => {
  const e = editor();
  assert.deepEqual(type(e, "\x03"), [{ kind: "leave", key: "interrupt" }]);
  type(e, "abc\x1b[D\x1b[D");
  assert.deepEqual(type(e, "\x04"), []);
  assert.equal(e.text, "ac");
  assert.deepEqual(type(e, "\x15\x0b"), []);
  assert.equal(e.text, "");
  assert.deepEqual(type(e, "\x04"), [{ kind: "leave", key: "eof" }]);
  assert.deepEqual(type(e, "\x03abc"), [{ kind: "leave", key: "interrupt" }]);
  assert.deepEqual(type(e, "\x0c"), [{ kind: "clearScreen" }]);
});

Deno.test("Home, End, words and the kill keys edit where the cursor is", () => {
  const e = editor();
  type(e, "bom dia turma");
  type(e, "\x17"); // Ctrl-W
  assert.equal(e.text, "bom dia ");
  type(e, "\x01X\x05Y"); // Ctrl-A, Ctrl-E
  assert.equal(e.text, "Xbom dia Y");
  type(e, "\x1b[1;5D\x1b[1;5D"); // Ctrl-Left twice
  assert.equal(e.cursor, 5);
  type(e, "\x15"); // Ctrl-U
  assert.equal(e.text, "dia Y");
  type(e, "\x1b[F\x1b[1~\x1b[3~"); // End, Home, Delete
  assert.equal(e.text, "ia Y");
  type(e, "\x1bd"); // Alt-D
  assert.equal(e.text, " Y");
});

Deno.test("Up and Down walk the history and come back to the line being typed", () => {
  const e = editor();
  type(e, "one\rtwo\rdraft");
  type(e, "\x1b[A");
  assert.equal(e.text, "two");
  type(e, "\x1bOA");
  assert.equal(e.text, "one");
  type(e, "\x1b[A");
  assert.equal(e.text, "one");
  type(e, "\x1b[B\x1b[B");
  assert.equal(e.text, "draft");
});

Deno.test("control characters and unknown escape sequences never reach the text", () => {
  const e = editor();
  type(e, "a\x00\x07\x1b[15~\x1b[?1;2cb\u009bc\x1b[200~d\x1b]0;title\x07e\x1b[201~");
  // deno-lint-ignore no-control-regex -- no control character may be left
  assert.ok(!/[\u0000-\u001f\u007f-\u009f]/.test(e.text), JSON.stringify(e.text));
  assert.ok(e.text.startsWith("abc"), JSON.stringify(e.text));
});

Deno.test("an escape sequence cut across reads is completed by the next read", () => {
  const e = editor();
  type(e, "ab");
  e.feed(enc.encode("\x1b"));
  assert.ok(e.waitingForKeys);
  e.feed(enc.encode("[D"));
  type(e, "X");
  assert.equal(e.text, "aXb");
  e.feed(enc.encode("\x1b"));
  e.flushKeys(); // a lone Esc
  type(e, "[D");
  assert.equal(e.text, "aX[Db");
});

Deno.test("a line holds at most maxCells characters and says when text was dropped", () => {
  const e = new LineEditor({ prompt: "> ", maxCells: 10 });
  assert.deepEqual(type(e, "12345"), []);
  assert.deepEqual(type(e, "\x1b[200~abcdefgh\x1b[201~"), [{ kind: "truncated" }]);
  assert.equal(e.text, "12345abcde");
});

Deno.test("after a resize the input is found where a reflowing terminal moved it, and drawn again", () => {
  const e = editor();
  type(e, letters(100));
  const at80 = e.screen(80, 23);
  // 60 columns: the first row (80 wide) became two, the cursor (column 22 of row 1) is on row 2.
  const at60 = reflowed(at80, 60);
  assert.deepEqual([at60.cursorRow, at60.cursorCol], [2, 22]);
  const out = repaint(at60, e.screen(60, 23));
  assert.ok(out.startsWith("\r\x1b[2A\x1b[J"), JSON.stringify(out.slice(0, 12)));
  // Wider: no row is split, the cursor stays on its row.
  assert.deepEqual(reflowed(at80, 100).cursorRow, 1);
});
