/**
 * What `chat test` prints on a terminal: one line per test (verdict, id, one-line reason), the
 * transcript of a failure when asked, and a summary last that names every failed test.
 * @module
 */

import { paint } from "../../client/style.ts";
import { type SuiteReport, summarize, type TestResult } from "../runner.ts";
import { escapeText, formatTranscript } from "../transcript.ts";

/** Width of the id column. */
export const ID_WIDTH = 44;

/** The verdict word of a result: PASS, FAIL, WARN (advisory failure) or SKIP. */
export function verdict(r: TestResult): "PASS" | "FAIL" | "WARN" | "SKIP" {
  if (r.status === "pass") return "PASS";
  if (r.status === "skip") return "SKIP";
  return r.required ? "FAIL" : "WARN";
}

const COLOURS = { PASS: "green", FAIL: "red", WARN: "yellow", SKIP: "dim" } as const;

/** One line: `PASS  text/msg/200-ok   note`. */
export function formatResultLine(r: TestResult, colour: boolean): string {
  const v = verdict(r);
  const reason = escapeText(r.reason);
  return `${paint(colour, COLOURS[v], v.padEnd(4))}  ${r.id.padEnd(ID_WIDTH)} ${reason}`.trimEnd();
}

/** The rule, the transcript and the server's output of a failed test, indented. */
export function formatFailureDetails(r: TestResult): string[] {
  const lines = [`      rule: ${r.rule} (PROTOCOL.md: ${r.section})`];
  if (r.transcript.length > 0) {
    lines.push("      transcript:", ...formatTranscript(r.transcript, "      "));
  }
  if (r.serverLog.trim() !== "") {
    lines.push("      server output (last lines):");
    for (const l of r.serverLog.trimEnd().split("\n").slice(-10)) {
      lines.push(`        ${escapeText(l)}`);
    }
  }
  return lines;
}

/** The counts of a report and its time: `40 passed, 2 failed in 12.3 s`. */
export function formatCounts(report: SuiteReport): string {
  const s = summarize(report.results);
  const parts = [`${s.passed} passed`, `${s.failed} failed`];
  if (s.warned > 0) parts.push(`${s.warned} advisory failed`);
  if (s.skipped > 0) parts.push(`${s.skipped} skipped`);
  return `${parts.join(", ")} in ${(report.durationMs / 1000).toFixed(1)} s`;
}

/** The summary: counts, time, and the failed tests by id. */
export function formatSummary(report: SuiteReport, colour: boolean): string[] {
  const ok = summarize(report.results).failed === 0;
  const head = `${report.description} (level ${report.level}): ${formatCounts(report)}`;
  const lines = [paint(colour, ok ? "green" : "red", head)];
  const failed = report.results.filter((r) => r.status === "fail" && r.required).map((r) => r.id);
  if (failed.length > 0) lines.push(`Failed: ${failed.join(", ")}`);
  const warned = report.results.filter((r) => r.status === "fail" && !r.required).map((r) => r.id);
  if (warned.length > 0) lines.push(`Advisory: ${warned.join(", ")}`);
  const stuck = report.results.find((r) =>
    r.reason.startsWith("Not run: the server has answered nothing") ||
    r.reason.startsWith("Not run: the server could not be reached")
  );
  if (stuck) lines.push(`The run was cut short: ${stuck.reason.replace(/^Not run: /, "")}.`);
  return lines;
}
