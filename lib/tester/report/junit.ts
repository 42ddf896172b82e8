/**
 * JUnit XML for graders and CI: one `<testsuite>` per server, one `<testcase>` per test, the
 * reason in `<failure message>`, the rule, transcript and server output in its text. Advisory
 * failures are `<skipped>` (they must not fail a build). Everything a server sent is escaped,
 * and characters XML 1.0 cannot carry are replaced, so the file always parses.
 * @module
 */

import { type SuiteReport, summarize, type TestResult } from "../runner.ts";
import { formatTranscript } from "../transcript.ts";

/** The reports as one JUnit XML document. */
export function toJUnit(reports: readonly SuiteReport[]): string {
  let tests = 0, failures = 0, skipped = 0, time = 0;
  const suites: string[] = [];
  for (const report of reports) {
    const s = summarize(report.results);
    tests += report.results.length;
    failures += s.failed;
    skipped += s.warned + s.skipped;
    time += report.durationMs;
    suites.push(suite(report, s));
  }
  return [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<testsuites name="chat test" tests="${tests}" failures="${failures}" errors="0" skipped="${skipped}" time="${
      seconds(time)
    }">`,
    ...suites,
    `</testsuites>`,
    "",
  ].join("\n");
}

function suite(report: SuiteReport, s: ReturnType<typeof summarize>): string {
  const head = `  <testsuite name="${
    xmlAttr(report.name)
  }" tests="${report.results.length}" failures="${s.failed}" errors="0" skipped="${
    s.warned + s.skipped
  }" time="${seconds(report.durationMs)}" timestamp="${xmlAttr(report.startedAt)}" hostname="${
    xmlAttr(report.description)
  }">`;
  return [head, ...report.results.map(testcase), "  </testsuite>"].join("\n");
}

function testcase(r: TestResult): string {
  const classname = r.id.split("/").slice(0, 2).join(".");
  const open = `    <testcase classname="${xmlAttr(classname)}" name="${xmlAttr(r.id)}" time="${
    seconds(r.durationMs)
  }"`;
  if (r.status === "pass") return `${open}/>`;
  if (r.status === "skip") {
    return `${open}>\n      <skipped message="${xmlAttr(r.reason)}"/>\n    </testcase>`;
  }
  const details = [
    `rule: ${r.rule} (PROTOCOL.md: ${r.section})`,
    ...(r.transcript.length ? ["transcript:", ...formatTranscript(r.transcript, "  ")] : []),
    ...(r.serverLog.trim() ? ["server output:", r.serverLog.trimEnd()] : []),
  ].join("\n");
  const tag = r.required
    ? `<failure message="${xmlAttr(r.reason)}" type="protocol">${xmlText(details)}</failure>`
    : `<skipped message="${xmlAttr(`advisory test failed: ${r.reason}`)}"/>`;
  return `${open}>\n      ${tag}\n    </testcase>`;
}

function seconds(ms: number): string {
  return (ms / 1000).toFixed(3);
}

/** Characters XML 1.0 cannot hold at all (controls, lone surrogates, U+FFFE/U+FFFF). */
// deno-lint-ignore no-control-regex -- removing control characters is the point
const NOT_XML = /[^\x09\x0a\x0d\x20-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]/gu;

/** `s` escaped for element text. */
export function xmlText(s: string): string {
  return s.replace(NOT_XML, "\ufffd").replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(
    />/g,
    "&gt;",
  );
}

/** `s` escaped for a double-quoted attribute (line breaks kept as character references). */
export function xmlAttr(s: string): string {
  return xmlText(s).replace(/"/g, "&quot;").replace(/\n/g, "&#10;").replace(/\r/g, "&#13;").replace(
    /\t/g,
    "&#9;",
  );
}
