/**
 * LineFramer: the same lines whatever the read boundaries (seeded), CR LF and LF alike,
 * overlong lines dropped and counted, and the seed client's unterminated bursts.
 */
import assert from "node:assert/strict";
import { LineFramer } from "../lib/server/line_framer.ts";
import { mulberry32 as rng } from "./support/sim_channel.ts";

const enc = new TextEncoder();

Deno.test("LineFramer splits a stream into the same lines however it is cut (seeded)", () => {
  const random = rng(17);
  for (let round = 0; round < 50; round++) {
    const max = 40;
    const lines: string[] = [];
    let stream = "";
    let overlong = 0;
    for (let i = 0; i < 60; i++) {
      const len = random() < 0.1 ? 41 + Math.floor(random() * 30) : Math.floor(random() * 40);
      const text = "é".repeat(len % 3) + "a".repeat(Math.max(0, len - 2 * (len % 3)));
      const crlf = random() < 0.5;
      stream += text + (crlf ? "\r\n" : "\n");
      if (enc.encode(text).length > max) overlong++;
      else lines.push(text);
    }
    const bytes = enc.encode(stream);
    const framer = new LineFramer(max);
    const got: string[] = [];
    let dropped = 0;
    for (let at = 0; at < bytes.length;) {
      const n = 1 + Math.floor(random() * 50);
      const out = framer.push(bytes.subarray(at, at + n), 0);
      got.push(...out.lines);
      dropped += out.overlong;
      at += n;
    }
    assert.deepEqual(got, lines, `round ${round}`);
    assert.equal(dropped, overlong, `round ${round}: overlong lines`);
    assert.equal(framer.mode, "lines");
    assert.equal(framer.buffered, 0);
  }
});

Deno.test("LineFramer takes an unterminated burst as one command once the sender is idle", () => {
  const framer = new LineFramer(100, 40);
  assert.deepEqual(framer.push(enc.encode("João"), 1000).lines, []);
  assert.equal(framer.flushIdle(1030), undefined, "not idle long enough");
  assert.equal(framer.nextFlushAt(), 1040);
  assert.equal(framer.flushIdle(1040), "João");
  assert.equal(framer.mode, "bursts");
  assert.equal(framer.flushIdle(2000), undefined, "nothing held");
});

/** Feeds `keys` one read each, `gapMs` apart, flushing idle bytes as the server would. */
function typeKeys(framer: LineFramer, keys: string[], gapMs: number): string[] {
  const got: string[] = [];
  let now = 0;
  for (const k of keys) {
    const due = framer.nextFlushAt();
    if (due !== undefined && due <= now) {
      const line = framer.flushIdle(now);
      if (line !== undefined) got.push(line);
    }
    got.push(...framer.push(enc.encode(k), now).lines);
    now += gapMs;
  }
  const line = framer.flushIdle(now + 10_000);
  if (line !== undefined) got.push(line);
  return got;
}

Deno.test("LineFramer takes a telnet user's keystrokes (one read each) as whole lines", () => {
  // Windows telnet: one segment per key, CR LF on Enter, a human's 150 ms between keys.
  const keys = [..."ana", "\r\n", ..."MSG olá", "\r\n", ..."LIST", "\r\n"];
  assert.deepEqual(typeKeys(new LineFramer(100), keys, 150), ["ana", "MSG olá", "LIST"]);
  // Slower than the burst gap but within the keystroke wait, the first key is not a nickname.
  assert.deepEqual(typeKeys(new LineFramer(100), keys, 600), ["ana", "MSG olá", "LIST"]);
});

Deno.test("LineFramer keeps strict lines once a newline was seen, after bursts too", () => {
  const framer = new LineFramer(100);
  framer.push(enc.encode("ana"), 0);
  assert.equal(framer.flushIdle(100), "ana");
  assert.equal(framer.mode, "bursts");
  assert.deepEqual(framer.push(enc.encode("\r\n"), 200).lines, [""]);
  assert.equal(framer.mode, "lines");
  framer.push(enc.encode("M"), 300);
  assert.equal(framer.flushIdle(5000), undefined, "a key is not a command any more");
  assert.deepEqual(framer.push(enc.encode("SG x\r\n"), 5100).lines, ["MSG x"]);
});

Deno.test("LineFramer waits longer for a lone first character, then takes it (a 1-letter nick)", () => {
  const framer = new LineFramer(100, 40, 1000);
  framer.push(enc.encode("é"), 0);
  assert.equal(framer.flushIdle(500), undefined, "maybe the first key of someone typing");
  assert.equal(framer.nextFlushAt(), 1000);
  assert.equal(framer.flushIdle(1000), "é");
  assert.equal(framer.mode, "bursts");
});

Deno.test("LineFramer drops telnet commands, even cut across reads, and applies backspaces", () => {
  const framer = new LineFramer(100);
  // IAC WILL NAWS, IAC SB NAWS 0 80 0 24 IAC SE, IAC DO ECHO, then "ana" with a typo erased.
  const bytes = [
    0xff,
    0xfb,
    0x1f,
    0xff,
    0xfa,
    0x1f,
    0,
    80,
    0,
    24,
    0xff,
    0xf0,
    0xff,
    0xfd,
    0x01,
    ...enc.encode("anx\bja\x7f\x7fa\r\nMSG a"),
    0xff,
    0xff,
    ...enc.encode("b\n"),
  ];
  const got: string[] = [];
  for (let at = 0; at < bytes.length; at += 2) {
    got.push(...framer.push(new Uint8Array(bytes.slice(at, at + 2)), 0).lines);
  }
  assert.deepEqual(got, ["ana", "MSG ab"]);
  assert.equal(framer.buffered, 0);
});

Deno.test("LineFramer hands over an unterminated last line at end of stream", () => {
  const framer = new LineFramer(100);
  framer.push(enc.encode("ana\nLIST"), 0);
  assert.equal(framer.flushIdle(1e9), undefined, "lines mode never flushes on idle");
  assert.equal(framer.flushEnd(), "LIST");
  assert.equal(framer.flushEnd(), undefined);
});
