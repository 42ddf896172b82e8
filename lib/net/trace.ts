/**
 * `--trace` output: one line per frame sent or received, like a packet list on screen, with
 * what a student needs to answer the lab guide from the trace alone: the parameters a SYN asks
 * for and its SYN-ACK confirms, the SACK ranges of an ACK, the start of each DATA's bytes, why a
 * frame was sent again (and how long after its previous copy), and what was a duplicate.
 *
 * ```text
 *   0.212 client → SYN     seq=0 len=7 v1 sr window=4 ack=sack max=1024
 *   0.219 client ← SYN-ACK seq=0 len=11 v1 sr window=4 ack=sack max=1024 acks isn=0
 *   0.231 client → DATA    seq=3 len=7 LAST "MSG one"  CORRUPTED (fault)
 *   0.240 client ← NACK    seq=3 len=0
 *   0.240 client → DATA    seq=3 len=7 LAST "MSG one"  retx#1 nack after 9ms
 *   0.241 client ← ACK     seq=2 len=9 sack=[5,6)
 *   0.344 client → DATA    seq=4 len=7 LAST "MSG two"  retx#1 timeout after 103ms
 *   0.252 client ← DATA    seq=6 len=48 LAST "[ana]: hi"  DUPLICATE
 *   0.252 client → ACK     seq=6 len=0                  dup#1
 * ```
 *
 * Times are seconds on one clock for the whole process (`performance.now()`: since it started),
 * so the lines of every session of a server, and of every reconnection of a client, line up. A
 * frame sent again says why (`timeout`, `fast`, `nack`, `probe`: lib/arq's retransmission cause)
 * and how long after its previous copy (for a timeout, the RTO that expired). A repeated ACK or
 * FIN-ACK is an answer sent again (`dup#N`), not a retransmission (`retx#N`).
 *
 * A plain-text session's lines are traced as they are, each character that could act on the
 * operator's terminal (escape codes, line breaks, bidi and invisible characters) escaped and the
 * line cut at {@link MAX_TRACE_TEXT} characters (`lib/text/escape.ts`):
 *
 * ```text
 *   3.042 text 127.0.0.1:51234 ← MSG \u{1b}[2Jhi
 * ```
 * @module
 */

import { decodeSack, decodeSyn, decodeSynAck, SYN_ACK_PAYLOAD_SIZE } from "../protocol/control.ts";
import { Flag, FrameType, frameTypeName } from "../protocol/header.ts";
import { escapeForDisplay } from "../text/escape.ts";

/** Longest text shown for one traced line of a plain-text session, in characters. */
export const MAX_TRACE_TEXT = 1000;
/** Characters of a DATA frame's bytes shown in its trace line. */
export const DATA_PREVIEW = 24;

/** One traced frame. */
export interface TraceRecord {
  /** Milliseconds on the process's clock (`performance.now()` unless a test gives its own). */
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
  /** What the payload says (see {@link describePayload}), if anything. */
  readonly detail?: string;
  /**
   * Tags after the frame: why it was sent again (`after 101ms`), an injected fault or the
   * decoder's verdict (`DROPPED (fault)`, `BAD CHECKSUM`), what the receiver made of it
   * (`DUPLICATE`, `OUT OF ORDER (expected 4)`, `dup` for an ACK that acknowledges nothing new).
   */
  readonly marks?: readonly string[];
}

/** Frames that answer the peer: sent again, they are duplicates, not retransmissions. */
function isAnswer(type: number): boolean {
  return type === FrameType.ACK || type === FrameType.FIN_ACK || type === FrameType.NACK ||
    type === FrameType.PONG;
}

const textDecoder = new TextDecoder();

/** `"MSG one"`: the start of some bytes as text, escaped, cut with `…`. */
function preview(payload: Uint8Array): string {
  const head = payload.subarray(0, DATA_PREVIEW * 4);
  const text = textDecoder.decode(head).replace(/\n$/, "");
  const cut = [...text].length > DATA_PREVIEW || head.length < payload.length;
  const shown = escapeForDisplay([...text].slice(0, DATA_PREVIEW).join(""), DATA_PREVIEW, '"');
  return `"${shown}${cut && !shown.endsWith("…") ? "…" : ""}"`;
}

/** A SYN-ACK's payload: the confirmed parameters and the client ISN it acknowledges. */
function synAckText(payload: Uint8Array): string {
  const { params: p, ackedIsn } = decodeSynAck(payload);
  return `v${payload[0]} ${p.mode} window=${p.window} ack=${p.ackPolicy} max=${p.maxPayload} ` +
    `acks isn=${ackedIsn}`;
}

/**
 * What a frame's payload says, for its trace line: a SYN's parameters, the SYN-ACK's confirmed
 * ones and the ISN it acknowledges, the handshake ACK's echo of them (`echo ...`), an ACK's SACK
 * ranges, the start of a DATA's bytes, an RST's
 * reason; `undefined` for an empty payload; `(malformed)` when it cannot be read.
 */
export function describePayload(type: number, payload: Uint8Array): string | undefined {
  if (payload.length === 0) return undefined;
  try {
    switch (type) {
      case FrameType.SYN: {
        const p = decodeSyn(payload);
        return `v${payload[0]} ${p.mode} window=${p.window} ack=${p.ackPolicy} max=${p.maxPayload}`;
      }
      case FrameType.SYN_ACK:
        return synAckText(payload);
      case FrameType.ACK:
        // The handshake's ACK echoes the SYN-ACK's payload; any other carries SACK ranges.
        if (payload.length === SYN_ACK_PAYLOAD_SIZE) return `echo ${synAckText(payload)}`;
        return `sack=${decodeSack(payload).map((r) => `[${r.start},${r.end})`).join(" ")}`;
      case FrameType.DATA:
      case FrameType.RST:
        return preview(payload);
      default:
        return undefined;
    }
  } catch {
    return "(malformed)";
  }
}

/** The wall-clock time (`HH:MM:SS`) at which the process's clock read 0. */
export function traceClockStart(): string {
  return new Date(Date.now() - performance.now()).toTimeString().slice(0, 8);
}

/** Formats `ms` on the process's clock as seconds, right-aligned. */
export function traceTime(ms: number): string {
  return (ms / 1000).toFixed(3).padStart(8);
}

/** Formats one trace line. */
export function formatTrace(r: TraceRecord): string {
  const arrow = r.dir === "send" ? "→" : "←";
  const name = r.type === 0 ? "?" : frameTypeName(r.type);
  let text = `${traceTime(r.at)} ${r.who} ${arrow} ${name.padEnd(7)} seq=${r.seq} len=${r.length}`;
  if (r.type === FrameType.DATA && (r.flags & Flag.LAST) !== 0) text += " LAST";
  if (r.detail !== undefined) text += ` ${r.detail}`;
  const tags: string[] = [];
  if (r.attempt !== undefined && r.attempt > 1) {
    tags.push(`${isAnswer(r.type) ? "dup" : "retx"}#${r.attempt - 1}`);
  }
  if (r.marks) tags.push(...r.marks);
  if (tags.length > 0) text = `${text.padEnd(50)} ${tags.join(" ")}`;
  return text;
}

/**
 * Formats one traced line of a plain-text session: `who → text`, the text escaped and bounded,
 * after the time (ms on the process's clock) when given.
 */
export function formatTextTrace(
  who: string,
  dir: "send" | "recv",
  line: string,
  at?: number,
): string {
  const arrow = dir === "send" ? "→" : "←";
  const time = at === undefined ? "" : `${traceTime(at)} `;
  return `${time}${who} ${arrow} ${escapeForDisplay(line, MAX_TRACE_TEXT)}`;
}
