/**
 * The teacher's matrix, tests × servers, as a terminal table and as CSV (RFC 4180, with cells a
 * spreadsheet would run as formulas defused).
 * @module
 */

import { paint } from "../../client/style.ts";
import { type SuiteReport, summarize, type TestResult } from "../runner.ts";
import { verdict } from "./terminal.ts";

/** The test ids of the reports, in suite order (the first report's order, then any others). */
export function matrixIds(reports: readonly SuiteReport[]): string[] {
  const ids: string[] = [];
  for (const r of reports) for (const t of r.results) if (!ids.includes(t.id)) ids.push(t.id);
  return ids;
}

/** The result of test `id` on one server, if it ran there. */
export function cell(report: SuiteReport, id: string): TestResult | undefined {
  return report.results.find((r) => r.id === id);
}

const MARK = { PASS: "ok", FAIL: "FAIL", WARN: "warn", SKIP: "skip" } as const;
const COLOUR = { PASS: "green", FAIL: "red", WARN: "yellow", SKIP: "dim" } as const;

/**
 * The matrix as terminal lines: a row per test, a column per server (named in the header, or
 * numbered with a legend when names are long), and a last row of pass counts.
 */
export function formatMatrixTable(reports: readonly SuiteReport[], colour: boolean): string[] {
  const ids = matrixIds(reports);
  const idWidth = Math.max(4, ...ids.map((id) => id.length));
  const numbered = reports.some((r) => [...r.name].length > 8);
  const heads = reports.map((r, i) => numbered ? `#${i + 1}` : r.name);
  const widths = heads.map((h) => Math.max(5, [...h].length));
  const lines = [
    `${"test".padEnd(idWidth)}  ${heads.map((h, i) => h.padEnd(widths[i]!)).join(" ")}`,
  ];
  for (const id of ids) {
    const cells = reports.map((r, i) => {
      const c = cell(r, id);
      if (!c) return "-".padEnd(widths[i]!);
      const v = verdict(c);
      return paint(colour, COLOUR[v], MARK[v].padEnd(widths[i]!));
    });
    lines.push(`${id.padEnd(idWidth)}  ${cells.join(" ")}`.trimEnd());
  }
  const totals = reports.map((r, i) => {
    const s = summarize(r.results);
    return `${s.passed}/${r.results.length}`.padEnd(widths[i]!);
  });
  lines.push(`${"passed".padEnd(idWidth)}  ${totals.join(" ")}`.trimEnd());
  if (numbered) reports.forEach((r, i) => lines.push(`  #${i + 1} ${r.name}`));
  return lines;
}

/** The matrix as CSV: test, level, section, rule, required, then one column per server. */
export function toMatrixCsv(reports: readonly SuiteReport[]): string {
  const ids = matrixIds(reports);
  const rows: string[][] = [[
    "test",
    "level",
    "section",
    "rule",
    "required",
    ...reports.map((r) => r.name),
  ]];
  for (const id of ids) {
    const any = reports.map((r) => cell(r, id)).find((c) => c !== undefined)!;
    rows.push([
      id,
      any.level,
      any.section,
      any.rule,
      any.required ? "yes" : "no",
      ...reports.map((r) => {
        const c = cell(r, id);
        return c ? verdict(c).toLowerCase() : "";
      }),
    ]);
  }
  rows.push([
    "passed",
    "",
    "",
    "",
    "",
    ...reports.map((r) => `${summarize(r.results).passed}/${r.results.length}`),
  ]);
  return rows.map((row) => row.map(csvField).join(",")).join("\r\n") + "\r\n";
}

/** One CSV field: quoted when needed; a leading = + - @ (a formula) is prefixed with '. */
export function csvField(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) || safe !== safe.trim() ? `"${safe.replace(/"/g, '""')}"` : safe;
}
