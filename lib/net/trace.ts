/**
 * `--trace` output: one line per frame sent or received, like a packet list on screen.
 *
 * ```text
 *   0.012 client → DATA    seq=3 len=1024 LAST           retx#2
 *   0.013 client ← ACK     seq=3 len=0
 *   0.020 client → DATA    seq=4 len=64                  DROPPED (fault)
 * ```
 *
 * A plain-text session's lines are traced as they are, each character that could act on the
 * operator's terminal (escape codes, line breaks, bidi and invisible characters) escaped and the
 * line cut at {@link MAX_TRACE_TEXT} characters (`lib/text/escape.ts`):
 *
 * ```text
 * text 127.0.0.1:51234 ← MSG \u{1b}[2Jhi
 * ```
 * @module
 */

import { Flag, FrameType, frameTypeName } from "../protocol/header.ts";
import { escapeForDisplay } from "../text/escape.ts";

/** Longest text shown for one traced line of a plain-text session, in characters. */
export const MAX_TRACE_TEXT = 1000;

/** One traced frame. */
export interface TraceRecord {
  /** Milliseconds since the link started. */
  readonly at: number;
  /** Who is tracing, e.g. `client` or `server 127.0.0.1:51234`. */
  readonly who: string;
  /** Sent or received. */
  readonly dir: "send" | "recv";
  /** Frame type. */
  readonly type: number;
  /** Sequence number. */
  readonly seq: number;
  /** Payload length. */
  readonly length: number;
  /** Flag bits. */
  readonly flags: number;
  /** Transmission number (1 = first) for sent frames. */
  readonly attempt?: number;
  /** Injected fault or decoder verdict: `DROPPED`, `CORRUPTED`, `DUPLICATED`, `BAD CHECKSUM`. */
  readonly marks?: readonly string[];
}

/** Formats one trace line. */
export function formatTrace(r: TraceRecord): string {
  const time = (r.at / 1000).toFixed(3).padStart(8);
  const arrow = r.dir === "send" ? "→" : "←";
  const name = r.type === 0 ? "?" : frameTypeName(r.type);
  let text = `${time} ${r.who} ${arrow} ${name.padEnd(7)} seq=${r.seq} len=${r.length}`;
  if (r.type === FrameType.DATA && (r.flags & Flag.LAST) !== 0) text += " LAST";
  const tags: string[] = [];
  if (r.attempt !== undefined && r.attempt > 1) tags.push(`retx#${r.attempt - 1}`);
  if (r.marks) tags.push(...r.marks);
  if (tags.length > 0) text = `${text.padEnd(50)} ${tags.join(" ")}`;
  return text;
}

/** Formats one traced line of a plain-text session: `who → text`, the text escaped and bounded. */
export function formatTextTrace(who: string, dir: "send" | "recv", line: string): string {
  const arrow = dir === "send" ? "→" : "←";
  return `${who} ${arrow} ${escapeForDisplay(line, MAX_TRACE_TEXT)}`;
}
