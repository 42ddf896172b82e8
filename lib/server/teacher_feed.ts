/**
 * The teacher's feed: the WebSocket behind `/teacher`. Every second it sends the table of open
 * sessions ({@link SessionSummary}); for the one session the teacher watches, it streams the
 * records of its engine ({@link ViewRecord}: frames and events, server side) for the live window
 * view, and applies "drop the next frame" / "corrupt the next frame" to what the server sends it.
 *
 * Messages are JSON, one per line (`\n`), both ways. From the teacher:
 * `{"op":"watch","id":7}`, `{"op":"unwatch"}`, `{"op":"fault","fault":"drop"}` (or `"corrupt"`).
 * To the teacher: `{"type":"sessions","t":...,"list":[...]}`, `{"type":"watching","id":7}`,
 * `{"type":"records","id":7,"records":[...]}`, `{"type":"error","message":"..."}`.
 *
 * Bounded: records wait at most {@link MAX_PENDING} at a time (older ones are counted in a gap
 * record), one write is in flight at a time, a teacher's line is at most 4 KiB.
 * @module
 */

import type { ManualFault } from "../net/binary_link.ts";
import { type Conn, readOrEnd } from "../net/transport.ts";
import { LinkRecorder, type ViewRecord } from "../web/view_record.ts";
import { BinarySession } from "./binary_session.ts";
import type { ServerEnv } from "./session.ts";
import { summarize } from "./session_summary.ts";

/** How often the table is sent, ms. */
const TABLE_EVERY_MS = 1000;
/** How often watched records are sent, ms. */
const RECORDS_EVERY_MS = 100;
/** Most records waiting to be sent. */
export const MAX_PENDING = 2000;
/** Longest line from the teacher's page. */
const MAX_LINE = 4096;

const encoder = new TextEncoder();

/** One teacher's page connected (see the module comment). */
export class TeacherFeed {
  readonly #conn: Conn;
  readonly #env: ServerEnv;
  readonly #origin: number;
  readonly #table: ReturnType<typeof setInterval>;
  #flushTimer: ReturnType<typeof setTimeout> | undefined;
  #watched: BinarySession | undefined;
  #unwatch: (() => void) | undefined;
  #pending: ViewRecord[] = [];
  #missed = 0;
  #out: string[] = [];
  #writing = false;
  #done = false;

  /** Starts the feed on `conn` (the upgraded WebSocket) for the server of `env`. */
  constructor(conn: Conn, env: ServerEnv) {
    this.#conn = conn;
    this.#env = env;
    this.#origin = env.turn.now();
    this.#table = setInterval(() => this.#sendTable(), TABLE_EVERY_MS);
    this.#sendTable();
    this.#readLoop();
  }

  /** Stops: timers cleared, the watched session let go. */
  dispose(): void {
    if (this.#done) return;
    this.#done = true;
    clearInterval(this.#table);
    clearTimeout(this.#flushTimer);
    this.#unwatch?.();
    this.#unwatch = undefined;
    this.#conn.close();
  }

  async #readLoop(): Promise<void> {
    const buf = new Uint8Array(4096);
    const decoder = new TextDecoder();
    let carry = "";
    for (;;) {
      const n = await readOrEnd(this.#conn, buf);
      if (n === null || this.#done) break;
      const lines = (carry + decoder.decode(buf.subarray(0, n), { stream: true })).split("\n");
      carry = lines.pop()!;
      if (carry.length > MAX_LINE) {
        this.#send({ type: "error", message: `Line too long: over ${MAX_LINE} bytes` });
        break;
      }
      for (const line of lines) if (line.trim() !== "") this.#command(line);
    }
    this.dispose();
  }

  #command(line: string): void {
    let msg: { op?: unknown; id?: unknown; fault?: unknown };
    try {
      msg = JSON.parse(line);
    } catch {
      this.#send({ type: "error", message: `Not JSON: ${line.slice(0, 60)}` });
      return;
    }
    switch (msg.op) {
      case "watch":
        this.#watch(typeof msg.id === "number" ? msg.id : -1);
        return;
      case "unwatch":
        this.#stopWatching();
        this.#send({ type: "watching", id: null });
        return;
      case "fault":
        if (msg.fault !== "drop" && msg.fault !== "corrupt") {
          this.#send({ type: "error", message: `Unknown fault: ${String(msg.fault)}` });
        } else if (this.#watched === undefined) {
          this.#send({ type: "error", message: "Watch a binary session first" });
        } else {
          this.#watched.link.faultNext(msg.fault as ManualFault);
        }
        return;
      default:
        this.#send({ type: "error", message: `Unknown op: ${String(msg.op).slice(0, 40)}` });
    }
  }

  #watch(id: number): void {
    this.#stopWatching();
    let found: BinarySession | undefined;
    for (const c of this.#env.connections()) {
      if (c.id === id && c.session instanceof BinarySession) found = c.session;
    }
    if (found === undefined) {
      this.#send({ type: "error", message: `No binary session with id ${id}` });
      return;
    }
    this.#watched = found;
    const link = found.link;
    const recorder = new LinkRecorder(this.#origin, (r) => this.#record(r));
    const now = this.#env.turn.now();
    const e = link.endpoint;
    this.#send({ type: "watching", id });
    this.#record({
      r: "start",
      t: recorder.at(now),
      role: "server",
      rto: e.rto,
      srtt: e.srtt,
      who: `server side of #${id}`,
      ...(e.params ? { params: e.params } : {}),
    });
    this.#unwatch = link.watch(recorder);
  }

  #stopWatching(): void {
    this.#unwatch?.();
    this.#unwatch = undefined;
    this.#watched = undefined;
    this.#pending = [];
    this.#missed = 0;
  }

  #record(r: ViewRecord): void {
    if (this.#pending.length >= MAX_PENDING) {
      this.#pending.shift();
      this.#missed++;
    }
    this.#pending.push(r);
    this.#flushTimer ??= setTimeout(() => {
      this.#flushTimer = undefined;
      this.#flushRecords();
    }, RECORDS_EVERY_MS);
  }

  #flushRecords(): void {
    if (this.#pending.length === 0 || this.#done) return;
    const records: ViewRecord[] = this.#missed > 0
      ? [{ r: "gap", t: this.#pending[0]!.t, missed: this.#missed }, ...this.#pending]
      : this.#pending;
    this.#pending = [];
    this.#missed = 0;
    this.#send({ type: "records", id: this.#watchedId(), records });
  }

  #watchedId(): number | null {
    return this.#watched?.id ?? null;
  }

  #sendTable(): void {
    const list = [];
    for (const c of this.#env.connections()) {
      const row = summarize(c, this.#env.lobby);
      if (row) list.push(row);
    }
    this.#send({ type: "sessions", t: this.#env.turn.now() - this.#origin, list });
  }

  #send(message: unknown): void {
    if (this.#done) return;
    this.#out.push(JSON.stringify(message) + "\n");
    if (!this.#writing) this.#drain();
  }

  async #drain(): Promise<void> {
    this.#writing = true;
    try {
      while (this.#out.length > 0 && !this.#done) {
        const bytes = encoder.encode(this.#out.join(""));
        this.#out = [];
        let off = 0;
        while (off < bytes.length) off += await this.#conn.write(bytes.subarray(off));
      }
    } catch {
      this.dispose();
    } finally {
      this.#writing = false;
    }
  }
}
