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
