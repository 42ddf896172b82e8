/**
 * `chat docs` prints every document within 80 columns, and loses nothing of it: paragraphs and
 * lists rewrapped, tables too wide for 80 columns turned into lists, code blocks as they are.
 */

import assert from "node:assert/strict";
import { textWidth } from "../lib/client/text_width.ts";
import { DOC_WIDTH, renderDoc } from "../lib/docs/render.ts";
import { DOC_TOPICS } from "../lib/docs/topics.ts";
import { LANGS } from "../lib/i18n/lang.ts";
import { runChat } from "./support/live_session.ts";

/** The words of `markdown` outside tables and code, and the cells of its tables. */
function contentOf(markdown: string): { words: string[]; cells: string[]; code: string[] } {
  const words: string[] = [], cells: string[] = [], code: string[] = [];
  let inCode = false;
  for (const line of markdown.split("\n")) {
    const t = line.trim();
    if (t.startsWith("```")) {
      inCode = !inCode;
      code.push(line);
      continue;
    }
    if (inCode) code.push(line);
    else if (t.startsWith("|")) {
      for (const c of t.replace(/^\||\|$/g, "").split(/(?<!\\)\|/)) {
        if (!/^\s*:?-+:?\s*$/.test(c)) cells.push(c.trim().replace(/\s+/g, " "));
      }
    } else words.push(...t.split(/\s+/).filter((w) => w !== "" && w !== ">"));
  }
  return { words, cells, code };
}

for (const [topic, lang] of DOC_TOPICS.flatMap((t) => LANGS.map((l) => [t, l] as const))) {
  Deno.test(`chat docs ${topic.name} (${lang}): every line within ${DOC_WIDTH} columns, nothing lost`, () => {
    const out = renderDoc(topic.text[lang]);
    const wide = out.split("\n").filter((l) => textWidth(l) > DOC_WIDTH);
    assert.deepEqual(wide, [], `lines wider than ${DOC_WIDTH} columns`);
    const src = contentOf(topic.text[lang]);
    const got = contentOf(out);
    // The prose's words, in the same order (the tables' cells come in between).
    let k = 0;
    const outWords = out.split(/\s+/);
    for (const w of src.words) {
      while (k < outWords.length && outWords[k] !== w) k++;
      assert.ok(k < outWords.length, `"${w}" is missing or out of order`);
    }
    // Every cell of every table, whole; every code line, as it was.
    const flat = out.replace(/\s+/g, " ");
    for (const c of src.cells) assert.ok(flat.includes(c), `table cell missing: ${c}`);
    assert.deepEqual(got.code, src.code, "code blocks as they are");
  });
}

Deno.test("renderDoc: a table that fits is aligned; a wide one becomes one list entry per row", () => {
  const narrow = "| a | bb |\n| --- | --- |\n| 1 | 2 |\n";
  assert.equal(renderDoc(narrow), "| a   | bb  |\n| --- | --- |\n| 1   | 2   |\n");
  const cell = "word ".repeat(30).trim();
  const wide =
    `| verb | meaning |\n| --- | --- |\n| \`MSG <text>\` | ${cell} |\n| \`A \\| B\` | x |`;
  const out = renderDoc(wide, 40).split("\n");
  assert.equal(out[0], "- verb: `MSG <text>`");
  assert.ok(out[1]!.startsWith("  - meaning: word word"));
  assert.ok(out.slice(2, -2).every((l) => l.startsWith("    word")), out.join("\n"));
  assert.deepEqual(out.slice(-2), ["- verb: `A \\| B`", "  - meaning: x"]);
  assert.ok(out.every((l) => l.length <= 40));
});

Deno.test("renderDoc: paragraphs, list items and quotes are rewrapped with their indents", () => {
  const text = "one two three four five six seven eight nine ten\n" +
    "\n- item one two three four five six seven\n  still the item\n" +
    "12. numbered one two three four five six\n" +
    "\n> quoted one two three four five six seven\n";
  assert.equal(
    renderDoc(text, 20),
    [
      "one two three four",
      "five six seven eight",
      "nine ten",
      "",
      "- item one two three",
      "  four five six",
      "  seven still the",
      "  item",
      "12. numbered one two",
      "    three four five",
      "    six",
      "",
      "> quoted one two",
      "> three four five",
      "> six seven",
      "",
    ].join("\n"),
  );
});

Deno.test("renderDoc: a code span stays on one line unless it is longer than a line", () => {
  const out = renderDoc("aaaa bbbb `MSG Bom dia!` cccc", 20);
  assert.equal(out, "aaaa bbbb\n`MSG Bom dia!` cccc");
  const long = renderDoc("x `a b c d e f g h i j k l m n o p` y", 12).split("\n");
  assert.ok(long.every((l) => l.length <= 12), long.join("\n"));
});

Deno.test("chat docs protocol, as printed by the program, fits 80 columns", async () => {
  const r = await runChat(["docs", "protocol"], { timeoutMs: 20_000 });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^# The `chat` protocols/);
  const widest = Math.max(...r.stdout.split("\n").map(textWidth));
  assert.ok(widest <= 80, `the widest line has ${widest} columns`);
});
