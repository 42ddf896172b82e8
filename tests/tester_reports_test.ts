/**
 * The tester's reports with hostile input (a server's bytes end up in them): JUnit XML stays
 * valid and counts right, CSV quotes and defuses formulas, HTML escapes everything, terminal
 * lines carry no raw control characters.
 */

import assert from "node:assert/strict";
import { XMLParser, XMLValidator } from "fast-xml-parser";
import type { SuiteReport, TestResult } from "../lib/tester/runner.ts";
import { toJUnit } from "../lib/tester/report/junit.ts";
import { csvField, formatMatrixTable, toMatrixCsv } from "../lib/tester/report/matrix.ts";
import { toMatrixHtml } from "../lib/tester/report/matrix_html.ts";
import { formatResultLine, formatSummary } from "../lib/tester/report/terminal.ts";
import { toJson } from "../lib/tester/report/json.ts";
import { Transcript } from "../lib/tester/transcript.ts";

const HOSTILE = `<script>alert("x")</script> ]]> & \x1b[31m red \x00 nul \u202e bidi \ud800 lone`;

function result(
  id: string,
  status: TestResult["status"],
  required = true,
  reason = "",
): TestResult {
  const transcript = new Transcript(0);
  transcript.data("ana", "send", "MSG hi\n");
  transcript.data("ana", "recv", new TextEncoder().encode(HOSTILE));
  return {
    id,
    level: id.split("/")[0] as "text",
    section: "Client to server",
    rule: "MSG <text> is answered with status 200, always.",
    required,
    status,
    reason,
    durationMs: 12.5,
    transcript: status === "fail" ? transcript.entries : [],
    serverLog: status === "fail" ? `Traceback\n${HOSTILE}\n` : "",
  };
}

function report(name: string, results: TestResult[]): SuiteReport {
  return {
    name,
    description: `python3 ${name}.py --port {port}`,
    level: "full",
    startedAt: "2025-01-01T00:00:00.000Z",
    durationMs: 1500,
    results,
  };
}

const REPORTS = [
  report("g01", [
    result("text/msg/200-ok", "pass", true, "fine"),
    result("text/msg/broadcast-once", "fail", true, `bia got ${HOSTILE}`),
    result("full/flood/429-after-burst", "fail", false, "no flood limit"),
  ]),
  report(`=cmd|' /C calc'!A0`, [
    result("text/msg/200-ok", "fail", true, "no reply"),
    result("text/msg/broadcast-once", "pass"),
    result("full/flood/429-after-burst", "pass"),
  ]),
];

Deno.test("JUnit output is valid XML whatever the server sent, with the right counts", () => {
  const xml = toJUnit(REPORTS);
  assert.equal(XMLValidator.validate(xml), true);
  const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "" }).parse(xml);
  const all = doc.testsuites;
  assert.equal(all.tests, "6");
  assert.equal(all.failures, "2");
  assert.equal(all.skipped, "1");
  const [first, second] = all.testsuite;
  assert.equal(first.name, "g01");
  assert.equal(first.testcase.length, 3);
  const failed = first.testcase[1];
  assert.equal(failed.name, "text/msg/broadcast-once");
  assert.equal(failed.classname, "text.msg");
  assert.match(failed.failure.message, /^bia got <script>/);
  assert.match(failed.failure["#text"], /transcript:/);
  assert.match(failed.failure["#text"], /server output:/);
  assert.match(first.testcase[2].skipped.message, /^advisory test failed: no flood limit/);
  assert.equal(second.name, `=cmd|' /C calc'!A0`);
  assert.ok(!xml.includes("\x00") && !xml.includes("\x1b"), "no raw control characters in the XML");
});

Deno.test("CSV: one row per test, a column per server, quoted fields, formulas defused", () => {
  const csv = toMatrixCsv(REPORTS);
  const lines = csv.trimEnd().split("\r\n");
  assert.equal(lines.length, 5);
  assert.equal(lines[0], `test,level,section,rule,required,g01,'=cmd|' /C calc'!A0`);
  assert.equal(
    lines[1],
    `text/msg/200-ok,text,Client to server,"MSG <text> is answered with status 200, always.",yes,pass,fail`,
  );
  assert.match(lines[3]!, /,no,warn,pass$/);
  assert.equal(lines[4], "passed,,,,,1/3,2/3");
  assert.equal(csvField(`say "hi"`), `"say ""hi"""`);
  assert.equal(csvField("+1"), "'+1");
  assert.equal(csvField(" x"), `" x"`);
});

Deno.test("HTML: self-contained, every failure linked, nothing a server sent left unescaped", () => {
  const page = toMatrixHtml(REPORTS, "turma <01>", "now");
  assert.ok(page.startsWith("<!DOCTYPE html>"));
  assert.ok(!page.includes("<script"), "no script element, not even from a transcript");
  assert.ok(page.includes("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"));
  assert.ok(page.includes("<title>turma &lt;01&gt;</title>"));
  assert.ok(!/(src|href)="(https?:)?\/\//.test(page), "no external resource");
  const links = [...page.matchAll(/href="#([^"]+)"/g)].map((m) => m[1]);
  assert.equal(links.length, 3);
  for (const id of links) assert.ok(page.includes(`id="${id}"`), `anchor ${id} exists`);
});

Deno.test("terminal lines escape control characters; the summary names the failures", () => {
  const line = formatResultLine(REPORTS[0]!.results[1]!, false);
  assert.ok(line.startsWith("FAIL  text/msg/broadcast-once"));
  for (const raw of ["\x00", "\x1b", "\u202e"]) {
    assert.ok(!line.includes(raw), JSON.stringify(line));
  }
  assert.match(formatResultLine(REPORTS[0]!.results[2]!, false), /^WARN {2}full\/flood/);
  const summary = formatSummary(REPORTS[0]!, false).join("\n");
  assert.match(summary, /1 passed, 1 failed, 1 advisory failed in 1\.5 s/);
  assert.match(summary, /^Failed: text\/msg\/broadcast-once$/m);
  assert.match(summary, /^Advisory: full\/flood\/429-after-burst$/m);
  const table = formatMatrixTable(REPORTS, false);
  assert.match(table[0]!, /^test +#1 +#2/);
  assert.match(table.at(-1)!, /#2 =cmd/);
});

Deno.test("JSON output carries every result with its section anchor", () => {
  const json = toJson(REPORTS) as { servers: { results: { anchor: string; verdict: string }[] }[] };
  assert.equal(json.servers.length, 2);
  assert.equal(json.servers[0]!.results[1]!.anchor, "PROTOCOL.md#client-to-server");
  assert.deepEqual(json.servers[0]!.results.map((r) => r.verdict), ["PASS", "FAIL", "WARN"]);
  assert.doesNotThrow(() => JSON.parse(JSON.stringify(json)));
});
