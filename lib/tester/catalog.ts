/**
 * The suite as a Markdown document (`chat docs tests`): every test with its level, the
 * PROTOCOL.md section it checks and its rule, so a student can read what will be graded. Made
 * from the registry, so it cannot fall out of date.
 * @module
 */

import { SUITE } from "./registry.ts";
import type { Level, TestSpec } from "./spec.ts";

const LEVELS: readonly { level: Level; title: string }[] = [
  { level: "text", title: "text: the seed 000 protocol (`--level text`, also in `full`)" },
  {
    level: "full",
    title: "full: this project's whole text protocol (`--level full`, the default)",
  },
  { level: "binary", title: "binary: the reliable binary protocol (`--level binary`)" },
];

/** The catalogue of `suite` as Markdown. */
export function suiteCatalog(suite: readonly TestSpec[] = SUITE): string {
  const parts = [
    "# The tests of `chat test`",
    "",
    "`chat test HOST[:PORT]` runs these against a running server; `chat test --servers FILE`",
    "against every server of a class, each test on a freshly started server. A test id names the",
    "section of PROTOCOL.md (`chat docs protocol`) whose rule it checks. Status codes are judged by",
    "their number, so a server that answers in Portuguese passes; advisory tests are reported but",
    "do not fail a run. In the binary tests the tester is the lossy network: it drops, corrupts,",
    "duplicates and delays its own frames and withholds its ACKs to see the server recover.",
  ];
  for (const { level, title } of LEVELS) {
    const tests = suite.filter((t) => t.level === level);
    parts.push(
      "",
      `## ${title}`,
      "",
      "| test | rule | PROTOCOL.md section |",
      "| --- | --- | --- |",
    );
    for (const t of tests) {
      const rule = `${t.rule}${t.required === false ? " (advisory)" : ""}`;
      parts.push(`| \`${t.id}\` | ${cell(rule)} | ${cell(t.section)} |`);
    }
  }
  return parts.join("\n") + "\n";
}

function cell(text: string): string {
  return text.replace(/\|/g, "\\|");
}
