/**
 * `--json`: the whole run as one JSON document, for graders' scripts: per server, the summary
 * and every result (rule, section anchor, verdict, reason, duration, transcript of failures).
 * @module
 */

import { type SuiteReport, summarize } from "../runner.ts";
import { sectionAnchor } from "../spec.ts";
import { verdict } from "./terminal.ts";

/** The reports as a JSON value (stable field names; `servers` in run order). */
export function toJson(reports: readonly SuiteReport[]): unknown {
  return {
    tool: "chat test",
    servers: reports.map((r) => ({
      name: r.name,
      target: r.description,
      level: r.level,
      startedAt: r.startedAt,
      durationMs: Math.round(r.durationMs),
      summary: summarize(r.results),
      results: r.results.map((t) => ({
        id: t.id,
        level: t.level,
        section: t.section,
        anchor: `PROTOCOL.md#${sectionAnchor(t.section)}`,
        rule: t.rule,
        required: t.required,
        status: t.status,
        verdict: verdict(t),
        reason: t.reason,
        durationMs: Math.round(t.durationMs),
        ...(t.transcript.length > 0 ? { transcript: t.transcript } : {}),
        ...(t.serverLog ? { serverLog: t.serverLog } : {}),
      })),
    })),
  };
}
