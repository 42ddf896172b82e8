/**
 * The terminal key decoder: the same keys whatever way the bytes are cut into reads (UTF-8
 * characters, escape sequences and bracketed-paste markers split anywhere), CR LF as one Enter.
 */

import assert from "node:assert/strict";
import fc from "fast-check";
import { type Key, KeyDecoder } from "../lib/client/key_decoder.ts";

const enc = new TextEncoder();

/** Keys of `bytes` read in pieces cut at `cuts`, with adjacent text runs joined. */
function decode(bytes: Uint8Array, cuts: number[]): Key[] {
  const d = new KeyDecoder();
  const keys: Key[] = [];
  let from = 0;
  for (const c of [...cuts.filter((c) => c > 0 && c < bytes.length)].sort((a, b) => a - b)) {
    keys.push(...d.feed(bytes.subarray(from, c)));
    from = c;
  }
  keys.push(...d.feed(bytes.subarray(from)));
  const joined: Key[] = [];
  for (const k of keys) {
    const last = joined.at(-1);
    if (k.kind === "text" && last?.kind === "text" && last.pasted === k.pasted) {
      joined[joined.length - 1] = { ...last, text: last.text + k.text };
    } else joined.push(k);
  }
  return joined;
}

const SAMPLE =
  "olá ação 日本\x1b[D\x1b[1;5C\x1bOH\x1b[3~x\r\n\x1b[200~colado\té\r\nfim\x1b[201~\x7f\x15\x03";

Deno.test("key decoder gives the same keys however the input is cut into reads", () => {
  const bytes = enc.encode(SAMPLE);
  const whole = decode(bytes, []);
  assert.deepEqual(whole, [
    { kind: "text", text: "olá ação 日本", pasted: false },
    { kind: "left" },
    { kind: "wordRight" },
    { kind: "home" },
    { kind: "delete" },
    { kind: "text", text: "x", pasted: false },
    { kind: "enter" },
    { kind: "text", text: "colado\té\r\nfim", pasted: true },
    { kind: "backspace" },
    { kind: "killToStart" },
    { kind: "interrupt" },
  ]);
  const oneByOne = decode(bytes, Array.from({ length: bytes.length }, (_, i) => i));
  assert.deepEqual(oneByOne, whole);
  fc.assert(
    fc.property(fc.array(fc.nat(bytes.length), { maxLength: 12 }), (cuts) => {
      assert.deepEqual(decode(bytes, cuts), whole);
    }),
    { numRuns: 300 },
  );
});

Deno.test("key decoder drops garbage escapes and C1 controls but keeps the text after them", () => {
  const keys = decode(enc.encode(`a\x1b[${"9".repeat(40)}b\u009bc\x1b\x1b d`), []);
  const text = keys.filter((k) => k.kind === "text").map((k) => (k as { text: string }).text).join(
    "",
  );
  assert.ok(!text.includes("\x1b") && !text.includes("\u009b"), JSON.stringify(text));
  assert.ok(text.startsWith("a") && text.endsWith("d"), JSON.stringify(text));
});
