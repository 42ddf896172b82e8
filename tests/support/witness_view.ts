/**
 * What a witness's screen may show when hostile clients are about: the checker shared by the
 * room-level and the end-to-end sanitizer tests.
 * @module
 */

import assert from "node:assert/strict";

/** Anything a terminal acts on or hides, bar the emoji joiner and variation selectors. */
export const UNSHOWABLE =
  // deno-lint-ignore no-control-regex -- what a witness must never receive
  /[\x00-\x09\x0b-\x1f\x7f-\x9f\p{Cs}\p{Zl}\p{Zp}\p{Bidi_Control}\u200b\u2060\ufeff\u00ad\u034f\u3164\u115f\u1160\uffa0\u{e0000}-\u{e007f}]/u;

/**
 * Checks lines a witness received after its welcome: only chat lines of `senders` and notices,
 * nothing unshowable, no stack of more than 3 marks, no notice holding `]:`. Returns the chat
 * lines.
 */
export function assertWitnessView(text: string, senders: readonly string[]): string[] {
  assert.ok(text.endsWith("\n") || text === "", JSON.stringify(text.slice(-40)));
  const chat: string[] = [];
  for (const line of text.split("\n").slice(0, -1)) {
    assert.ok(!UNSHOWABLE.test(line), `unshowable character: ${JSON.stringify(line)}`);
    const marks = line.replace(/\p{Variation_Selector}/gu, "");
    assert.ok(!/\p{M}{4}/u.test(marks), `mark stack: ${JSON.stringify(line)}`);
    if (line.startsWith("*** ")) {
      assert.ok(!line.includes("]:"), `a notice that holds ']:': ${JSON.stringify(line)}`);
      continue;
    }
    const m = /^\[([^\]]+)\]: /.exec(line);
    assert.ok(m !== null, `neither chat nor notice: ${JSON.stringify(line)}`);
    assert.ok(
      senders.includes(m[1]!),
      `a line from ${JSON.stringify(m[1])}: ${JSON.stringify(line)}`,
    );
    chat.push(line);
  }
  return chat;
}
