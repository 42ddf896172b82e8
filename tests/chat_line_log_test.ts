/**
 * LineLog: lines encoded once, side by side, as UTF-8 identical to TextEncoder's, never changed;
 * LogCursor: takes what was written since, across blocks, or all but the last line.
 */
import assert from "node:assert/strict";
import { LineLog, LogCursor } from "../lib/chat/line_log.ts";
import { onesSum } from "../lib/protocol/checksum.ts";
import { mulberry32 as rng } from "./support/sim_channel.ts";

const encoder = new TextEncoder();

const ALPHABET = ["a", "Z", " ", "[", "\n", "é", "ção", "€", "日本", "😀", "\ud800", "\udfff", "~"];

Deno.test("LineLog puts consecutive lines side by side in one buffer", () => {
  const log = new LineLog();
  const a = log.encode("[ana]: oi\n");
  const b = log.encode("[bia]: olá\n");
  const c = log.encode("*** caio joined (3 online)\n");
  assert.equal(a.buffer, b.buffer);
  assert.equal(b.buffer, c.buffer);
  assert.equal(b.byteOffset, a.byteOffset + a.length);
  assert.equal(c.byteOffset, b.byteOffset + b.length);
  assert.equal(new TextDecoder().decode(b), "[bia]: olá\n");
});

Deno.test("LineLog encodes exactly as TextEncoder, lone surrogates included (seeded)", () => {
  const random = rng(7);
  const log = new LineLog(64); // small blocks: many block changes
  for (let i = 0; i < 2000; i++) {
    let text = "";
    const parts = Math.floor(random() * 40);
    for (let k = 0; k < parts; k++) text += ALPHABET[Math.floor(random() * ALPHABET.length)];
    assert.deepEqual(log.encode(text), encoder.encode(text), JSON.stringify(text));
  }
});

Deno.test("LineLog never changes bytes it handed out, across blocks and oversized lines", () => {
  const random = rng(11);
  const log = new LineLog(100);
  const kept: { view: Uint8Array; copy: Uint8Array }[] = [];
  for (let i = 0; i < 500; i++) {
    const len = random() < 0.05 ? 150 + Math.floor(random() * 300) : Math.floor(random() * 30);
    const text = `${i}:` + "x€".repeat(len);
    const view = log.encode(text);
    kept.push({ view, copy: view.slice() });
  }
  for (const { view, copy } of kept) assert.deepEqual(view, copy);
});

const dec = new TextDecoder();
const taken = (cursor: LogCursor, skip?: Uint8Array) => {
  const views: Uint8Array[] = [];
  if (skip) cursor.takeAllBut(skip, { send: (v) => views.push(v) });
  else cursor.take({ send: (v) => views.push(v) });
  return views;
};

Deno.test("LogCursor takes what was written since, one view per block, across blocks", () => {
  const log = new LineLog(32); // room for three to four of these lines per block
  log.encode("before\n");
  const cursor = new LogCursor(log);
  assert.deepEqual(taken(cursor), [], "a new cursor starts at the end");
  const lines = ["a1\n", "b22\n", "c333\n", "d4444\n", "e55555\n"];
  for (const l of lines) log.encode(l);
  const views = taken(cursor);
  assert.equal(views.map((v) => dec.decode(v)).join(""), lines.join(""));
  assert.ok(views.length >= 2 && views.length < lines.length, `${views.length} views`);
  assert.deepEqual(taken(cursor), [], "nothing twice");
  log.encode("f\n");
  assert.deepEqual(taken(cursor).map((v) => dec.decode(v)), ["f\n"]);
});

Deno.test("LogCursors at the same place get the same view of the same lines, others their own", () => {
  const log = new LineLog();
  const a = new LogCursor(log);
  const b = new LogCursor(log);
  const late = new LogCursor(log);
  log.encode("[ana]: oi\n");
  const [aFirst] = taken(a);
  log.encode("[bia]: olá\n");
  const [aView] = taken(a);
  const [bView] = taken(b);
  const [lateView] = taken(late);
  assert.equal(dec.decode(aView), "[bia]: olá\n");
  assert.equal(dec.decode(bView), "[ana]: oi\n[bia]: olá\n");
  assert.equal(lateView, bView, "one view for both readers of the same two lines");
  assert.notEqual(aView, bView);
  assert.notEqual(aFirst, aView);
});

Deno.test("LogCursor.takeAllBut skips the last line, also when it opened a new block", () => {
  const log = new LineLog(16);
  const cursor = new LogCursor(log);
  log.encode("0123456789\n");
  const own = log.encode("mine, long enough for a block\n"); // a block of its own
  assert.deepEqual(taken(cursor, own).map((v) => dec.decode(v)), ["0123456789\n"]);
  log.encode("x\n");
  const own2 = log.encode("y\n");
  assert.deepEqual(taken(cursor, own2).map((v) => dec.decode(v)), ["x\n"]);
  assert.deepEqual(taken(cursor), []);
  log.encode("z\n");
  assert.throws(() => cursor.takeAllBut(own2, { send: () => {} }), /not the last line/);
});

Deno.test("LogCursor pieces: at most maxPiece bytes, cut at line ends, each with its onesSum (seeded)", () => {
  const random = rng(23);
  for (const maxPiece of [1, 17, 64, 1024]) {
    const log = new LineLog(300); // lines straddle blocks and odd offsets
    const cursor = new LogCursor(log, maxPiece);
    let written = "";
    let got = "";
    for (let turn = 0; turn < 200; turn++) {
      const n = Math.floor(random() * 12);
      for (let i = 0; i < n; i++) {
        let text = "";
        const parts = Math.floor(random() * (random() < 0.05 ? 200 : 20));
        for (let k = 0; k < parts; k++) {
          text += ALPHABET[Math.floor(random() * ALPHABET.length)]!.replace("\n", "");
        }
        const line = log.encode(text + "\n");
        assert.equal(log.lastSum, onesSum(line), "lastSum is the last line's sum");
        written += text + "\n";
      }
      cursor.take({
        send: (view, sum) => {
          assert.equal(
            sum,
            onesSum(view),
            `sum of a ${view.length}-byte piece at ${view.byteOffset}`,
          );
          assert.equal(view.at(-1), 0x0a, "a piece ends at a line end");
          const lines = view.filter((b) => b === 0x0a).length;
          assert.ok(view.length <= maxPiece || lines === 1, `${view.length} > ${maxPiece} bytes`);
          got += dec.decode(view);
        },
      });
    }
    const expected = dec.decode(encoder.encode(written)); // lone surrogates become U+FFFD
    assert.equal(got, expected, `maxPiece ${maxPiece}: every line once, in order`);
  }
});

Deno.test("LineLog.encodeLine writes prefix, UTF-8 text and a newline, with the right sums", () => {
  const random = rng(31);
  const log = new LineLog(256);
  const cursor = new LogCursor(log, 1024);
  let expected = "";
  for (let i = 0; i < 300; i++) {
    const nick = `n${i % 7}${"é".repeat(i % 3)}`;
    let text = "";
    const parts = Math.floor(random() * 30);
    for (let k = 0; k < parts; k++) {
      text += ALPHABET[Math.floor(random() * ALPHABET.length)]!.replace("\n", "");
    }
    const line = log.encodeLine(encoder.encode(`[${nick}]: `), text);
    assert.deepEqual(line, encoder.encode(`[${nick}]: ${text}\n`));
    assert.equal(log.lastSum, onesSum(line));
    expected += dec.decode(line);
  }
  // A line longer than 64 KiB is summed in chunks: its sum must still be exact.
  const long = log.encodeLine(encoder.encode("[big]: "), "z€".repeat(30_000));
  assert.equal(log.lastSum, onesSum(long));
  expected += dec.decode(long);
  let got = "";
  cursor.take({
    send: (view, sum) => {
      assert.equal(sum, onesSum(view));
      got += dec.decode(view);
    },
  });
  assert.equal(got, expected);
});
