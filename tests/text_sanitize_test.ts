/**
 * The sanitizer (lib/text/): chat text, escapes for a peer's strings, the log's quoting, over
 * the whole of Unicode's Cc, Cf, Zl, Zp, Mn and default-ignorable code points, one by one and
 * mixed at random (fast-check).
 */

import assert from "node:assert/strict";
import fc from "fast-check";
import { cleanChatText, MAX_MARKS } from "../lib/text/sanitize.ts";
import {
  displayReason,
  displayValue,
  escapeForDisplay,
  MAX_REASON,
  quoteForLog,
} from "../lib/text/escape.ts";
import { formatTextTrace } from "../lib/net/trace.ts";
import { formatLogLine } from "../lib/log/event.ts";

/** Every code point of `re` (one-character test), scanned over all of Unicode. */
function codePointsOf(re: RegExp): number[] {
  const out: number[] = [];
  for (let cp = 0; cp <= 0x10ffff; cp++) {
    if (cp >= 0xd800 && cp <= 0xdfff) continue;
    if (re.test(String.fromCodePoint(cp))) out.push(cp);
  }
  return out;
}

/** The hostile code points: Cc, Cf, Zl, Zp, Mn and every default-ignorable code point. */
const HOSTILE = codePointsOf(/^[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Mn}\p{Default_Ignorable_Code_Point}]$/u);
/** A few lone surrogates (Cs): a JavaScript string can hold them, UTF-8 cannot. */
const SURROGATES = [0xd800, 0xdbff, 0xdc00, 0xdfff];

const REFUSED =
  // deno-lint-ignore no-control-regex -- the refused set, spelled out independently of the module
  /[\x00-\x08\x0a-\x1f\x7f-\x9f\p{Cs}\u2028\u2029\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/u;
const INVISIBLE = /[\p{Cf}\p{Default_Ignorable_Code_Point}]/u;
const MARK = /\p{M}/u;
const VS = /\p{Variation_Selector}/u;
const PICTO = /\p{Extended_Pictographic}/u;
const UNSHOWABLE = /[\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}\p{Default_Ignorable_Code_Point}]/u;

/**
 * The invariants of a cleaned chat text: no refused character, no TAB, an invisible character
 * only as a ZWJ between pictographs or a variation selector right after a base, at most
 * MAX_MARKS other marks after one base.
 */
function assertClean(out: string, input: string): void {
  const cps = [...out];
  let marks = 0;
  for (let i = 0; i < cps.length; i++) {
    const ch = cps[i]!;
    const where = `${JSON.stringify(input)} -> ${JSON.stringify(out)} at ${i}`;
    assert.ok(!REFUSED.test(ch), `refused character kept: ${where}`);
    assert.notEqual(ch, "\t", `tab kept: ${where}`);
    if (ch === "\u200d") {
      const before = cps.slice(0, i).reverse().find((c) =>
        c !== "\ufe0f" && !/\p{Emoji_Modifier}/u.test(c)
      );
      assert.ok(before !== undefined && PICTO.test(before), `ZWJ after no pictograph: ${where}`);
      assert.ok(PICTO.test(cps[i + 1] ?? ""), `ZWJ before no pictograph: ${where}`);
    } else if (VS.test(ch)) {
      const prev = cps[i - 1];
      assert.ok(
        prev !== undefined && !MARK.test(prev) && !INVISIBLE.test(prev),
        `variation selector after no base: ${where}`,
      );
    } else if (INVISIBLE.test(ch)) {
      assert.fail(`invisible character kept: ${where}`);
    } else if (MARK.test(ch)) {
      marks++;
      assert.ok(marks <= MAX_MARKS, `more than ${MAX_MARKS} marks on one base: ${where}`);
      continue;
    }
    if (!MARK.test(ch)) marks = 0;
  }
}

/** The characters of `s` that are shown as themselves (not invisible, not a mark). */
function visible(s: string): string {
  return [...s].filter((c) => !INVISIBLE.test(c) && !MARK.test(c)).join("");
}

/** Undoes escapeForDisplay's escapes (for texts it did not cut). */
function unescape(s: string): string {
  return s.replace(
    /\\(?:u\{([0-9a-f]+)\}|([tnr\\]))/g,
    (_, hex, named) =>
      hex !== undefined
        ? String.fromCodePoint(parseInt(hex, 16))
        : ({ t: "\t", n: "\n", r: "\r", "\\": "\\" } as Record<string, string>)[named]!,
  );
}

Deno.test("the hostile sets are the real Unicode ranges", () => {
  // Sizes from Unicode 15/16 as Deno's ICU has them: a broken scan would find far fewer.
  assert.ok(HOSTILE.length > 6000, `${HOSTILE.length} hostile code points`);
  for (const cp of [0x00, 0x1b, 0x7f, 0x85, 0x9b, 0xad, 0x34f, 0x200b, 0x202e, 0x2028, 0x3164]) {
    assert.ok(HOSTILE.includes(cp), cp.toString(16));
  }
  assert.ok(HOSTILE.includes(0xe0041) && HOSTILE.includes(0xe01ef), "tags and VS supplement");
});

Deno.test("cleanChatText: every Cc, Cf, Zl, Zp, Mn, Cs and default-ignorable, alone and in a text", () => {
  for (const cp of [...HOSTILE, ...SURROGATES]) {
    const c = String.fromCodePoint(cp);
    for (const text of [c, `a${c}b`, `${c}${c}${c}${c}x`, `😀${c}😀`, `olá ${c}`]) {
      const out = cleanChatText(text);
      if (REFUSED.test(text)) {
        assert.equal(typeof out, "object", `refused: ${JSON.stringify(text)}`);
        continue;
      }
      assert.equal(typeof out, "string", `not refused: ${JSON.stringify(text)}`);
      assertClean(out as string, text);
      assert.equal(
        visible(out as string),
        visible(text).replaceAll("\t", " "),
        "nothing shown lost",
      );
    }
  }
});

/** Random texts mixing the hostile code points with letters, digits, emoji and punctuation. */
const hostileText = fc.array(
  fc.oneof(
    fc.constantFrom(...HOSTILE).map((cp) => String.fromCodePoint(cp)),
    fc.constantFrom("a", "Z", "1", " ", "[", "]", ":", "é", "ã", "ç", "日", "ß"),
    fc.constantFrom("😀", "👨", "👩", "❤", "🏴", "1", "\u{1f3fd}", "\ufe0f", "\u200d", "\u0301"),
    fc.constantFrom(...SURROGATES).map((cp) => String.fromCharCode(cp)),
  ),
  { maxLength: 40 },
).map((parts) => parts.join(""));

Deno.test("cleanChatText property: refused iff a refused character, else clean, idempotent", () => {
  fc.assert(
    fc.property(hostileText, (text) => {
      const out = cleanChatText(text);
      if (REFUSED.test(text)) return typeof out === "object";
      assert.equal(typeof out, "string");
      const s = out as string;
      assertClean(s, text);
      assert.equal(cleanChatText(s), s, "idempotent");
      assert.equal(visible(s), visible(text).replaceAll("\t", " "), "nothing shown lost");
      return true;
    }),
    { numRuns: 5000, seed: 13 },
  );
});

Deno.test("cleanChatText keeps plain text, emoji sequences and Portuguese as they are", () => {
  for (
    const text of [
      "hello, world ~!",
      "olá, ação, João",
      "日本語",
      "❤️ 👍🏽 1️⃣",
      "👨‍👩‍👧 family",
      "❤️‍🔥",
      "e\u0323\u0302 (ệ decomposed)",
      "[teacher]: quoted inside a message",
    ]
  ) {
    assert.equal(cleanChatText(text), text, JSON.stringify(text));
  }
});

Deno.test("cleanChatText: tabs, invisibles, tags and zalgo are neutralised; controls refused", () => {
  assert.equal(cleanChatText("a\tb\t\tc"), "a b  c");
  assert.equal(cleanChatText("pass\u200bword\u00ad\ufeff"), "password");
  assert.equal(cleanChatText("hi\u{e0049}\u{e0047}\u{e004e}"), "hi", "tag characters hide text");
  assert.equal(cleanChatText("\u3164"), "", "a Hangul filler alone is nothing");
  const zalgo = "Z" + "\u0300\u0301\u0302\u0303\u0304\u0305\u0306".repeat(10) + "!";
  assert.equal(cleanChatText(zalgo), "Z\u0300\u0301\u0302!");
  assert.equal(
    cleanChatText("a\u0300\u0301\u200b\u0302\u0303"),
    "a\u0300\u0301\u0302",
    "an invisible character does not restart the count",
  );
  assert.equal(cleanChatText("a\u200db"), "ab", "ZWJ between letters");
  assert.equal(cleanChatText("\u200d😀"), "😀", "ZWJ at the start");
  assert.equal(cleanChatText("\ufe0fa\ufe0f\ufe0f"), "a\ufe0f", "one selector after a base");
  for (
    const [text, cp] of [["x\n[t]: y", "U+000A"], ["\x1b[2K", "U+001B"], ["a\u202eb", "U+202E"]]
  ) {
    assert.deepEqual(cleanChatText(text!), {
      char: [...text!].find((c) => REFUSED.test(c)),
      codePoint: cp,
    });
  }
});

Deno.test("escapeForDisplay property: nothing unshowable, reversible, bounded", () => {
  fc.assert(
    fc.property(hostileText, fc.integer({ min: 1, max: 60 }), (text, max) => {
      const full = escapeForDisplay(text);
      assert.ok(!UNSHOWABLE.test(full), JSON.stringify(full));
      assert.ok(!/\p{M}{4}/u.test(full), "mark stacks bounded");
      assert.equal(unescape(full), text, "an escape says exactly what was there");
      const cut = escapeForDisplay(text, max);
      assert.ok(!UNSHOWABLE.test(cut));
      assert.ok([...cut].length <= max + 1, `${[...cut].length} > ${max} + 1`);
      if (cut !== full) assert.ok(cut.endsWith("…") && full.startsWith(cut.slice(0, -1)));
      return true;
    }),
    { numRuns: 3000, seed: 7 },
  );
  for (const cp of [...HOSTILE, ...SURROGATES]) {
    const c = String.fromCodePoint(cp);
    const shown = escapeForDisplay(`a${c}b`);
    assert.ok(!UNSHOWABLE.test(shown), cp.toString(16));
  }
});

Deno.test("displayReason: the forged-line RST reason stays one bounded line with no ']:'", () => {
  const forged = "bye\n[teacher]: the exam is cancelled\x1b[2K\u202e";
  const shown = displayReason(forged);
  assert.equal(shown, "bye\\n[teacher\\u{5d}: the exam is cancelled\\u{1b}[2K\\u{202e}");
  assert.ok(!shown.includes("]:"));
  const long = displayReason("x".repeat(5000));
  assert.equal(long, "x".repeat(MAX_REASON) + "…");
  assert.equal(displayReason("connection closed"), "connection closed", "server reasons unchanged");
  assert.equal(displayValue("TESTE"), "TESTE");
  assert.equal(displayValue("\x1b[31mred"), "\\u{1b}[31mred");
  fc.assert(
    fc.property(hostileText, (text) => {
      const r = displayReason(text);
      return !r.includes("]:") && !UNSHOWABLE.test(r) && [...r].length <= MAX_REASON + 1;
    }),
    { numRuns: 2000, seed: 3 },
  );
});

Deno.test("quoteForLog is JSON of the same string with nothing a terminal acts on", () => {
  fc.assert(
    fc.property(hostileText, (text) => {
      const q = quoteForLog(text);
      assert.equal(JSON.parse(q), text);
      assert.ok(!UNSHOWABLE.test(q), q);
      return true;
    }),
    { numRuns: 2000, seed: 5 },
  );
});

Deno.test("formatLogLine and formatTextTrace show a peer's escape codes escaped", () => {
  const evil = "reset\x1b]0;pwned\x07\u009b2J\u202e";
  const line = formatLogLine({ time: "2026-12-01T10:00:00.000Z", level: "info", event: "x", evil });
  assert.ok(!UNSHOWABLE.test(line), JSON.stringify(line));
  assert.ok(line.includes("\\u001b]0;pwned\\u0007\\u009b2J\\u202e"), line);
  const nick = formatLogLine({
    time: "2026-12-01T10:00:00.000Z",
    level: "info",
    event: "j",
    n: "ana",
  });
  assert.ok(nick.endsWith("j n=ana"), "plain values stay unquoted");
  const traced = formatTextTrace("text 127.0.0.1:5", "recv", "MSG \x1b[2Jhi\r[x]: y");
  assert.equal(traced, "text 127.0.0.1:5 ← MSG \\u{1b}[2Jhi\\r[x]: y");
  assert.ok(formatTextTrace("t", "send", "x".repeat(40000)).length < 1100, "bounded");
});
