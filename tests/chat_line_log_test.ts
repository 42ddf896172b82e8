/** LineLog: lines encoded once, side by side, as UTF-8 identical to TextEncoder's, never changed. */
import assert from "node:assert/strict";
import { LineLog } from "../lib/chat/line_log.ts";
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
