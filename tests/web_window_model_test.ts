/**
 * The live window view's model against the real ARQ engine on a virtual clock: two endpoints
 * joined by a 10 ms link with scripted losses, each side's frames and events recorded as the
 * page and the teacher's feed record them (`LinkRecorder`), and the model's sender window,
 * receiver window, timers, diagram and counts checked at the moments that matter (a frame
 * dropped and not yet missed, the timeout, the retransmission, the window sliding), and against
 * the engine's own counters at the end.
 */

import assert from "node:assert/strict";
import { ArqEndpoint, type ArqEvent, type OutFrame } from "../lib/arq/mod.ts";
import type { SessionParams } from "../lib/protocol/control.ts";
import { FrameType } from "../lib/protocol/header.ts";
import { LinkRecorder, type ViewRecord } from "../lib/web/view_record.ts";
import { eventText, WindowModel, type WindowSnapshot } from "../lib/web/window_model.ts";

const enc = new TextEncoder();
const DELAY = 10;

interface Wire {
  at: number;
  to: "client" | "server";
  frame: OutFrame;
}

/** A drop rule: the sender's fault injection drops this frame (so its recorder marks it). */
interface Drop {
  from: "client" | "server";
  type: number;
  seq: number;
  attempt: number;
}

/** Client and server on a virtual clock, each side recorded into its own model. */
class Bench {
  now = 0;
  readonly client: ArqEndpoint;
  readonly server: ArqEndpoint;
  readonly models = { client: new WindowModel(), server: new WindowModel() };
  readonly records = { client: [] as ViewRecord[], server: [] as ViewRecord[] };
  readonly delivered = { client: [] as string[], server: [] as string[] };
  readonly #wire: Wire[] = [];
  readonly #drops: Drop[];
  readonly #rec: { client: LinkRecorder; server: LinkRecorder };

  constructor(params: SessionParams, drops: Drop[] = []) {
    this.#drops = drops;
    const record = (side: "client" | "server") => (r: ViewRecord) => {
      this.records[side].push(r);
      this.models[side].apply(r);
    };
    this.#rec = {
      client: new LinkRecorder(0, record("client")),
      server: new LinkRecorder(0, record("server")),
    };
    for (const side of ["client", "server"] as const) {
      record(side)({ r: "start", t: 0, role: side, rto: 1000, srtt: 0, who: side });
    }
    const hooks = (side: "client" | "server") => ({
      output: (f: OutFrame) => this.#output(side, f),
      deliver: (m: Uint8Array) => this.delivered[side].push(new TextDecoder().decode(m)),
      event: (e: ArqEvent) => this.#rec[side].event(e, this.now),
    });
    this.server = ArqEndpoint.server({ isn: 100 }, hooks("server"), 0);
    // The textbook sender: the scenarios below show the timer recovering each loss.
    this.client = ArqEndpoint.client(params, { isn: 0, recovery: "timeout" }, hooks("client"), 0);
  }

  #output(side: "client" | "server", f: OutFrame): void {
    const drop = this.#drops.some((d) =>
      d.from === side && d.type === f.type && d.seq === f.seq && d.attempt === f.attempt
    );
    this.#rec[side].frame({
      dir: "send",
      type: f.type,
      seq: f.seq,
      flags: f.flags,
      attempt: f.attempt,
      payload: f.payload,
      ...(drop ? { fault: "drop" as const } : {}),
    }, this.now);
    if (drop) return;
    // Copy what must outlive the call (DATA payloads are shared, control payloads too).
    const frame = { ...f, payload: f.payload.slice() };
    this.#wire.push({ at: this.now + DELAY, to: side === "client" ? "server" : "client", frame });
  }

  /** Runs the clock until `until` (ms), delivering frames and timers in time order. */
  runTo(until: number): void {
    for (let steps = 0; steps < 100_000; steps++) {
      const nextFrame = this.#wire.reduce((m, w) => Math.min(m, w.at), Infinity);
      const wakes = [this.client.nextWake(), this.server.nextWake()].filter((t) =>
        t !== undefined
      ) as number[];
      const nextWake = Math.min(...wakes, Infinity);
      const t = Math.min(nextFrame, nextWake);
      if (t > until || t === Infinity) {
        this.now = until;
        return;
      }
      this.now = Math.max(this.now, t);
      const due = this.#wire.filter((w) => w.at <= this.now);
      this.#wire.splice(0, this.#wire.length, ...this.#wire.filter((w) => w.at > this.now));
      for (const w of due) {
        const to = w.to === "client" ? this.client : this.server;
        const f = w.frame;
        this.#rec[w.to].frame({
          dir: "recv",
          type: f.type,
          seq: f.seq,
          flags: f.flags,
          attempt: 0,
          payload: f.payload,
        }, this.now);
        to.input({ type: f.type, seq: f.seq, flags: f.flags, payload: f.payload }, this.now);
      }
      this.client.flush(this.now);
      this.server.flush(this.now);
      if (nextWake <= this.now) {
        this.client.update(this.now);
        this.server.update(this.now);
      }
    }
    throw new Error("too many steps");
  }

  snap(side: "client" | "server"): WindowSnapshot {
    return this.models[side].snapshot(this.now);
  }

  send(text: string): void {
    this.client.send(enc.encode(text), this.now);
    this.client.flush(this.now);
  }
}

const states = (s: WindowSnapshot) =>
  Object.fromEntries(
    s.sender.slots.filter((x) => x.state !== "unsent").map((x) => [x.seq, x.state]),
  );

Deno.test("model: GBN with frame 3 dropped shows it lost, one timer, the receiver discarding 4 and 5, then the go-back", () => {
  const b = new Bench({ mode: "gbn", window: 4, ackPolicy: "frame", maxPayload: 16 }, [
    { from: "client", type: FrameType.DATA, seq: 3, attempt: 1 },
  ]);
  b.runTo(50);
  const c0 = b.snap("client");
  assert.equal(c0.state, "established");
  assert.equal(c0.mode, "gbn");
  assert.equal(c0.sender.base, 1);
  assert.equal(c0.sender.next, 1);
  for (let i = 1; i <= 5; i++) b.send(`m${i}`);
  // Frames 1..4 left (window 4); 3 was dropped; nothing acknowledged yet.
  let c = b.snap("client");
  assert.deepEqual(states(c), { 1: "flight", 2: "flight", 3: "lost", 4: "flight" });
  assert.equal(c.sender.next, 5);
  assert.equal(c.sender.timers.length, 1, "GBN: one timer");
  assert.equal(c.sender.timers[0]!.seq, 1);
  // One round trip later: 1 and 2 acknowledged, 5 sent, 3 still missing.
  b.runTo(b.now + 2 * DELAY + 1);
  c = b.snap("client");
  assert.equal(c.sender.base, 3);
  assert.equal(states(c)[3], "lost");
  assert.equal(c.sender.timers.length, 1);
  assert.equal(c.sender.timers[0]!.seq, 3, "the one timer moved to the oldest frame in flight");
  // 5 left when 1's ACK came back, and arrives a one-way delay later.
  b.runTo(b.now + DELAY);
  const s = b.snap("server");
  assert.equal(s.receiver.expected, 3);
  assert.deepEqual(
    s.receiver.discarded.map((d) => d.seq),
    [4, 5],
    "GBN discards what is not expected",
  );
  assert.deepEqual(s.receiver.held, []);
  // The timer expires: everything from 3 is sent again.
  b.runTo(b.now + 2000);
  c = b.snap("client");
  assert.equal(c.sender.base, 6);
  assert.equal(c.sender.next, 6);
  assert.deepEqual(b.delivered.server, ["m1", "m2", "m3", "m4", "m5"]);
  assert.equal(c.counts.retransmissions, b.client.stats.retransmissions);
  assert.equal(c.counts.timeouts, b.client.stats.timeouts);
  assert.ok(c.counts.byReason.timeout! >= 3, JSON.stringify(c.counts.byReason));
  const labels = c.diagram.map((d) => `${d.kind}:${d.label}:${d.fate}`);
  assert.ok(labels.includes("send:DATA 3:dropped"));
  assert.ok(labels.includes("send:DATA 3 (#2):ok"));
  assert.ok(labels.includes("send:DATA 4 (#2):ok"), "go back N: 4 is sent again too");
  assert.ok(labels.some((l) => l.startsWith("mark:timeout DATA 3")));
  assert.equal(b.client.pending, 0);
  assert.equal(c.rto, b.client.rto);
});

Deno.test("model: SR with frame 2 dropped shows a timer per frame, the receiver holding 3 and 4, then only 2 resent", () => {
  const b = new Bench({ mode: "sr", window: 4, ackPolicy: "frame", maxPayload: 16 }, [
    { from: "client", type: FrameType.DATA, seq: 2, attempt: 1 },
  ]);
  b.runTo(50);
  for (let i = 1; i <= 4; i++) b.send(`m${i}`);
  let c = b.snap("client");
  assert.deepEqual(states(c), { 1: "flight", 2: "lost", 3: "flight", 4: "flight" });
  assert.equal(c.sender.timers.length, 4, "SR: one timer per frame in flight");
  b.runTo(b.now + 2 * DELAY + 1);
  c = b.snap("client");
  assert.equal(c.sender.base, 2);
  assert.deepEqual(states(c), { 1: "acked", 2: "lost", 3: "acked", 4: "acked" });
  assert.deepEqual(
    c.sender.timers.map((t) => t.seq),
    [2],
    "only the unacknowledged frame keeps a timer",
  );
  const s = b.snap("server");
  assert.equal(s.receiver.expected, 2);
  assert.deepEqual(s.receiver.held, [3, 4], "SR holds what came out of order");
  b.runTo(b.now + 2000);
  c = b.snap("client");
  assert.equal(c.sender.base, 5);
  const resent = c.diagram.filter((d) => d.kind === "send" && d.attempt > 1);
  assert.deepEqual(resent.map((d) => d.label), ["DATA 2 (#2)"], "selective repeat: only 2 again");
  assert.deepEqual(b.snap("server").receiver.held, []);
  assert.equal(b.snap("server").receiver.expected, 5);
  assert.deepEqual(b.delivered.server, ["m1", "m2", "m3", "m4"]);
  assert.equal(c.counts.retransmissions, b.client.stats.retransmissions);
});

Deno.test("model: SR with delayed ACKs reads the cumulative ACK and its SACK ranges", () => {
  const b = new Bench({ mode: "sr", window: 8, ackPolicy: "sack", maxPayload: 16 }, [
    { from: "client", type: FrameType.DATA, seq: 2, attempt: 1 },
  ]);
  b.runTo(50);
  for (let i = 1; i <= 5; i++) b.send(`m${i}`);
  b.runTo(b.now + 2 * DELAY + 1);
  const c = b.snap("client");
  assert.deepEqual(states(c), { 1: "acked", 2: "lost", 3: "acked", 4: "acked", 5: "acked" });
  const acks = c.diagram.filter((d) => d.kind === "recv" && d.type === FrameType.ACK);
  assert.ok(
    acks.some((a) => /^ACK 1 \+\[3,6\)$/.test(a.label)),
    acks.map((a) => a.label).join(", "),
  );
  b.runTo(b.now + 2000);
  assert.equal(b.snap("client").sender.base, 6);
});

Deno.test("model: the server's view of a session it answers (its DATA before the established event)", () => {
  const b = new Bench({ mode: "gbn", window: 2, ackPolicy: "frame", maxPayload: 16 });
  b.runTo(50);
  b.send("hello");
  b.server.send(enc.encode("hi back"), b.now);
  b.server.flush(b.now);
  b.runTo(b.now + 100);
  const s = b.snap("server");
  assert.equal(s.role, "server");
  assert.equal(s.receiver.expected, 2);
  assert.equal(s.sender.base, 102);
  assert.deepEqual(b.delivered.client, ["hi back"]);
});

Deno.test("model: a recording that joins a running session takes its numbers from the first frames", () => {
  const m = new WindowModel();
  m.apply({
    r: "start",
    t: 0,
    role: "server",
    rto: 300,
    srtt: 5,
    who: "server side of #7",
    params: { mode: "sr", window: 4, ackPolicy: "frame", maxPayload: 1024 },
  });
  m.apply({ r: "frame", t: 1, dir: "send", type: 5, seq: 500, attempt: 1, len: 10, last: true });
  m.apply({ r: "frame", t: 2, dir: "recv", type: 5, seq: 90, attempt: 0, len: 10, last: true });
  let s = m.snapshot(3);
  assert.equal(s.sender.base, 500);
  assert.equal(s.sender.next, 501);
  assert.equal(s.receiver.expected, 91);
  m.apply({ r: "frame", t: 4, dir: "recv", type: 3, seq: 500, attempt: 0, len: 0, last: false });
  s = m.snapshot(5);
  assert.equal(s.sender.base, 501);
  assert.equal(s.sender.timers.length, 0);
});

Deno.test("model: an event kind it does not know is logged by its fields, and breaks nothing", () => {
  const m = new WindowModel();
  const e = { kind: "cwnd", cwnd: 12, reason: "loss" } as unknown as ArqEvent;
  m.apply({ r: "arq", t: 1, e });
  assert.equal(eventText(e), "cwnd: cwnd=12 reason=loss");
  assert.deepEqual(m.snapshot().log.map((l) => l.text), ["cwnd: cwnd=12 reason=loss"]);
  // A known kind uses its table entry.
  assert.match(
    eventText({ kind: "timeout", type: 5, seq: 3, rto: 412.4 }),
    /^timer expired: DATA 3; RTO now 412 ms$/,
  );
});

Deno.test("model: a gap record says how many records were left out", () => {
  const m = new WindowModel();
  m.apply({ r: "gap", t: 1, missed: 37 });
  assert.match(m.snapshot().log[0]!.text, /37 records left out/);
});
