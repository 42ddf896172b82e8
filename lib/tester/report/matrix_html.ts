/**
 * The matrix as one self-contained HTML page (inline style, no script, no external file): the
 * table of tests × servers, each failure linked to its reason, rule, transcript and the
 * server's last output. Every text is escaped: a student's server may well send `<script>`.
 * @module
 */

import { type SuiteReport, summarize, type TestResult } from "../runner.ts";
import { sectionAnchor } from "../spec.ts";
import { formatTranscript } from "../transcript.ts";
import { cell, matrixIds } from "./matrix.ts";
import { verdict } from "./terminal.ts";

/** `s` escaped for HTML text and attribute values. */
export function escapeHtml(s: string): string {
  return s.replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!,
  );
}

const STYLE = `
body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5em; color: #222; }
table { border-collapse: collapse; }
th, td { border: 1px solid #ccc; padding: 2px 6px; text-align: center; }
th.test, td.test { text-align: left; font-family: ui-monospace, monospace; white-space: nowrap; }
td.PASS { background: #d9f2d9; } td.FAIL { background: #f8d0d0; }
td.WARN { background: #fff0c0; } td.SKIP { background: #eee; }
td a { color: inherit; }
pre { background: #f6f6f6; padding: 6px; overflow-x: auto; font-size: 12px; }
details { margin: 0.3em 0 0.8em; } summary { cursor: pointer; font-family: ui-monospace, monospace; }
`;

/** The page. `title` heads it; `generated` is the time shown. */
export function toMatrixHtml(
  reports: readonly SuiteReport[],
  title = "chat test",
  generated = new Date().toISOString(),
): string {
  const ids = matrixIds(reports);
  const head = reports.map((r) =>
    `<th title="${escapeHtml(r.description)}">${escapeHtml(r.name)}</th>`
  ).join("");
  const rows = ids.map((id) => {
    const any = reports.map((r) => cell(r, id)).find((c) => c !== undefined)!;
    const cells = reports.map((r, i) => {
      const c = cell(r, id);
      if (!c) return "<td>-</td>";
      const v = verdict(c);
      const label = { PASS: "ok", FAIL: "FAIL", WARN: "warn", SKIP: "skip" }[v];
      if (c.status === "pass") {
        return `<td class="PASS" title="${escapeHtml(c.reason)}">${label}</td>`;
      }
      return `<td class="${v}" title="${escapeHtml(c.reason)}"><a href="#${
        anchor(i, id)
      }">${label}</a></td>`;
    }).join("");
    return `<tr><td class="test" title="${escapeHtml(any.rule)}">${
      escapeHtml(id)
    }</td>${cells}</tr>`;
  }).join("\n");
  const totals = reports.map((r) => `<th>${summarize(r.results).passed}/${r.results.length}</th>`)
    .join("");
  const details = reports.map((r, i) => serverDetails(r, i)).join("\n");
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>${escapeHtml(title)}</h1>
<p>${reports.length} server(s), ${ids.length} tests, generated ${
    escapeHtml(generated)
  }. Test ids name the
section of PROTOCOL.md (<code>chat docs protocol</code>) whose rule they check; hover a test for its
rule, click a failure for what was sent and received.</p>
<table>
<tr><th class="test">test</th>${head}</tr>
${rows}
<tr><th class="test">passed</th>${totals}</tr>
</table>
${details}
</body>
</html>
`;
}

function anchor(server: number, id: string): string {
  return `s${server}-${id.replace(/[^a-z0-9]+/g, "-")}`;
}

function serverDetails(r: SuiteReport, index: number): string {
  const s = summarize(r.results);
  const failures = r.results.filter((t) => t.status === "fail");
  const items = failures.map((t) => failure(t, index)).join("\n");
  return `<h2>${escapeHtml(r.name)}</h2>
<p><code>${escapeHtml(r.description)}</code>: ${s.passed} passed, ${s.failed} failed${
    s.warned ? `, ${s.warned} advisory failed` : ""
  } in ${(r.durationMs / 1000).toFixed(1)} s.</p>
${items}`;
}

function failure(t: TestResult, server: number): string {
  const transcript = t.transcript.length
    ? `<pre>${escapeHtml(formatTranscript(t.transcript, "").join("\n"))}</pre>`
    : "";
  const log = t.serverLog.trim()
    ? `<p>Server output (last lines):</p><pre>${escapeHtml(t.serverLog.trimEnd())}</pre>`
    : "";
  return `<details id="${anchor(server, t.id)}" open>
<summary>${escapeHtml(verdict(t))} ${escapeHtml(t.id)}</summary>
<p><b>${escapeHtml(t.reason)}</b></p>
<p>Rule: ${escapeHtml(t.rule)} (PROTOCOL.md, section <i>${escapeHtml(t.section)}</i>, <code>#${
    escapeHtml(sectionAnchor(t.section))
  }</code>)</p>
${transcript}
${log}
</details>`;
}
