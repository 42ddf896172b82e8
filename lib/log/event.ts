/**
 * Log events and their human-readable form, shared by the main thread and the logging Worker.
 * @module
 */

import { hasHidden, quoteForLog } from "../text/escape.ts";

/** Severity of a log event. */
export type LogLevel = "info" | "warn" | "error";

/** One structured log event. */
export interface LogEvent {
  /** Wall-clock time, ISO 8601. */
  readonly time: string;
  /** Severity. */
  readonly level: LogLevel;
  /** What happened, e.g. `join`, `leave`, `protocol-error`. */
  readonly event: string;
  /** Event details. */
  readonly [field: string]: unknown;
}

/**
 * Formats an event as one human line: `HH:MM:SS.mmm event key=value ...`; a string value with
 * whitespace, `"`, `=` or a control or invisible character is a JSON string with those escaped.
 */
export function formatLogLine(e: LogEvent): string {
  const clock = e.time.slice(11, 23);
  const parts: string[] = [clock, e.level === "info" ? "" : e.level.toUpperCase(), e.event];
  for (const [k, v] of Object.entries(e)) {
    if (k === "time" || k === "level" || k === "event") continue;
    // A value may hold a peer's bytes (a reason, a nickname): quoted, nothing raw reaches a terminal.
    const text = typeof v === "string"
      ? (/[\s"=]/.test(v) || hasHidden(v) ? quoteForLog(v) : v)
      : JSON.stringify(v);
    parts.push(`${k}=${text}`);
  }
  return parts.filter((p) => p !== "").join(" ");
}
