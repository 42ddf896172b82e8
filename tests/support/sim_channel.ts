/**
 * A simulated duplex link between two ARQ endpoints driven by a virtual clock: per-direction
 * one-way delay with optional seeded jitter (FIFO, like a TCP stream), and fault application by
 * an injected `decide` function (drop, corrupt = `inputCorrupt` instead of `input`, duplicate).
 * The event loop flushes both endpoints when it starts (what the test sent leaves, as at the end
 * of a turn), delivers due frames in batches (then `flush`), runs `update` at `nextWake()`, and
 * is bounded by a maximum virtual time and a maximum number of steps.
 * @module
 */

import {
  type ArqEndpoint,
  type ArqEvent,
  type EndpointHooks,
  type OutFrame,
} from "../../lib/arq/mod.ts";
import { type Frame, FrameType, frameTypeName } from "../../lib/protocol/mod.ts";

const EMPTY = new Uint8Array(0);

/** Direction of a frame: client to server or server to client. */
export type Direction = "c2s" | "s2c";

/** What happens to one frame on the wire. */
export interface Fate {
  /** The frame is lost. */
  readonly drop: boolean;
  /** The frame arrives with a bad checksum (`inputCorrupt`). */
  readonly corrupt: boolean;
  /** The frame arrives twice. */
  readonly duplicate: boolean;
}

/** Decides the fate of each frame sent; must be deterministic for reproducible runs. */
export type Decide = (frame: OutFrame, direction: Direction, now: number) => Fate;

/** The fate of a frame that passes untouched. */
export const CLEAN: Fate = Object.freeze({ drop: false, corrupt: false, duplicate: false });

/** One frame sent, as recorded by the simulator. */
export interface TraceEntry {
  /** Virtual time of sending, ms. */
  readonly at: number;
  /** Direction. */
  readonly dir: Direction;
  /** Frame type. */
  readonly type: number;
  /** Sequence number. */
  readonly seq: number;
  /** Flag bits. */
  readonly flags: number;
  /** Payload length. */
  readonly length: number;
  /** Transmission attempt. */
  readonly attempt: number;
  /** What the wire did with it. */
  readonly fate: "" | "drop" | "corrupt" | "dup";
  /** Copy of the payload of control frames (empty for DATA). */
  readonly payload: Uint8Array;
}

/** Options of a {@link SimChannel}. */
export interface SimOptions {
  /** One-way delay in ms, the same both ways or per direction. Default 10. */
  readonly delayMs?: number | { readonly c2s: number; readonly s2c: number };
  /** Extra random delay in `[0, jitterMs)` per frame (FIFO kept). Default 0. */
  readonly jitterMs?: number;
  /** Seed of the jitter generator. Default 1. */
  readonly seed?: number;
  /** Fault decider. Default: no faults. */
  readonly decide?: Decide;
  /** Record every frame in {@link SimChannel.trace}. Default false. */
  readonly trace?: boolean;
  /** Record endpoint events. Default false. */
  readonly events?: boolean;
  /** Keep (copies of) delivered messages. Default true. */
  readonly keepMessages?: boolean;
  /**
   * Runs an endpoint's due timers (default `endpoint.update(now)`); a test may wrap the call to
   * check what `update` does at `nextWake()`.
   */
  readonly update?: (endpoint: ArqEndpoint, now: number, side: "client" | "server") => void;
}

interface InFlight {
  at: number;
  frame: Frame;
  corrupt: boolean;
}

/** Deterministic 32-bit PRNG (mulberry32); returns floats in `[0, 1)`. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Rates of a {@link randomFaults} decider (each in `[0, 1]`). */
export interface FaultRates {
  /** Seed of the generator. */
  readonly seed: number;
  /** Probability a frame is lost. */
  readonly loss?: number;
  /** Probability a frame (not lost) is corrupted. */
  readonly corrupt?: number;
  /** Probability a frame (not lost) is duplicated. */
  readonly duplicate?: number;
  /** Only frames of this direction are affected. Default both. */
  readonly direction?: Direction;
  /** Spare the handshake frames (SYN, SYN-ACK and the first ACK). Default false. */
  readonly spareHandshake?: boolean;
}

/** A seeded random fault decider. */
export function randomFaults(rates: FaultRates): Decide {
  const rnd = mulberry32(rates.seed);
  const loss = rates.loss ?? 0;
  const corrupt = rates.corrupt ?? 0;
  const duplicate = rates.duplicate ?? 0;
  let handshakeAckSeen = false;
  return (frame, direction) => {
    if (rates.direction !== undefined && rates.direction !== direction) return CLEAN;
    if (rates.spareHandshake) {
      if (frame.type === 1 || frame.type === 2) return CLEAN;
      if (frame.type === 3 && direction === "c2s" && !handshakeAckSeen) {
        handshakeAckSeen = true;
        return CLEAN;
      }
    }
    const r1 = rnd();
    const r2 = rnd();
    const r3 = rnd();
    if (r1 < loss) return { drop: true, corrupt: false, duplicate: false };
    return { drop: false, corrupt: r2 < corrupt, duplicate: r3 < duplicate };
  };
}

/** A rule of a {@link scriptedFaults} decider: the first matching rule with uses left wins. */
export interface FaultRule {
  /** Direction to match (default any). */
  readonly dir?: Direction;
  /** Frame type to match (default any). */
  readonly type?: number;
  /** Sequence number to match (default any). */
  readonly seq?: number;
  /** Attempt to match (default any). */
  readonly attempt?: number;
  /** What to do. */
  readonly fate: "drop" | "corrupt" | "duplicate";
  /** How many frames the rule applies to (default 1). */
  readonly times?: number;
}

/** A decider applying scripted faults to matching frames. */
export function scriptedFaults(rules: readonly FaultRule[]): Decide {
  const left = rules.map((r) => r.times ?? 1);
  return (frame, direction) => {
    for (let i = 0; i < rules.length; i++) {
      const r = rules[i]!;
      if (left[i]! <= 0) continue;
      if (r.dir !== undefined && r.dir !== direction) continue;
      if (r.type !== undefined && r.type !== frame.type) continue;
      if (r.seq !== undefined && r.seq !== frame.seq) continue;
      if (r.attempt !== undefined && r.attempt !== frame.attempt) continue;
      left[i]!--;
      return {
        drop: r.fate === "drop",
        corrupt: r.fate === "corrupt",
        duplicate: r.fate === "duplicate",
      };
    }
    return CLEAN;
  };
}

/** Result of {@link SimChannel.run}. */
export type RunResult = "done" | "idle" | "time" | "steps";

/** Two endpoints joined by a simulated link, on a virtual clock. */
export class SimChannel {
  /** Virtual time, ms. */
  now = 0;
  /** Frames sent so far (when `trace` is on). */
  readonly trace: TraceEntry[] = [];
  /** Messages delivered to each side. */
  readonly delivered: { client: Uint8Array[]; server: Uint8Array[] } = { client: [], server: [] };
  /** Events of each side (when `events` is on). */
  readonly events: { client: ArqEvent[]; server: ArqEvent[] } = { client: [], server: [] };
  /** Steps taken by the event loop. */
  steps = 0;
  #client: ArqEndpoint | undefined;
  #server: ArqEndpoint | undefined;
  readonly #queues: { c2s: InFlight[]; s2c: InFlight[] } = { c2s: [], s2c: [] };
  readonly #heads = { c2s: 0, s2c: 0 };
  readonly #lastAt = { c2s: 0, s2c: 0 };
  readonly #delay: { c2s: number; s2c: number };
  readonly #jitter: number;
  readonly #rnd: () => number;
  readonly #decide: Decide | undefined;
  readonly #trace: boolean;
  readonly #events: boolean;
  readonly #keep: boolean;
  readonly #update: (endpoint: ArqEndpoint, now: number, side: "client" | "server") => void;

  /** A link with `options`; attach endpoints with {@link connect}. */
  constructor(options: SimOptions = {}) {
    const d = options.delayMs ?? 10;
    this.#delay = typeof d === "number" ? { c2s: d, s2c: d } : { c2s: d.c2s, s2c: d.s2c };
    this.#jitter = options.jitterMs ?? 0;
    this.#rnd = mulberry32(options.seed ?? 1);
    this.#decide = options.decide;
    this.#trace = options.trace ?? false;
    this.#events = options.events ?? false;
    this.#keep = options.keepMessages ?? true;
    this.#update = options.update ?? ((endpoint, now) => endpoint.update(now));
  }

  /** The client endpoint. */
  get client(): ArqEndpoint {
    return this.#client!;
  }

  /** The server endpoint. */
  get server(): ArqEndpoint {
    return this.#server!;
  }

  /** Frames on the wire, both directions. */
  get onWire(): number {
    return this.#queues.c2s.length - this.#heads.c2s + this.#queues.s2c.length - this.#heads.s2c;
  }

  /**
   * Creates the server first (listening), then the client (which emits its SYN at `now`).
   * Each factory receives the hooks to use and the current virtual time.
   */
  connect(
    makeServer: (hooks: EndpointHooks, now: number) => ArqEndpoint,
    makeClient: (hooks: EndpointHooks, now: number) => ArqEndpoint,
  ): void {
    this.#server = makeServer(this.#hooks("server", "s2c"), this.now);
    this.#client = makeClient(this.#hooks("client", "c2s"), this.now);
  }

  /**
   * Runs the event loop until `until()` holds ("done"), nothing is left to do ("idle"), the
   * next event is after `maxTime` ("time", the clock stops at `maxTime`) or `maxSteps` steps
   * were taken ("steps").
   */
  run(until: () => boolean, maxTime: number, maxSteps = 1_000_000): RunResult {
    const client = this.#client!;
    const server = this.#server!;
    // The turn in which the test called `send` ends: what it queued is transmitted.
    client.flush(this.now);
    server.flush(this.now);
    for (;;) {
      if (until()) return "done";
      if (this.steps >= maxSteps) return "steps";
      let t = Infinity;
      const qc = this.#queues.c2s[this.#heads.c2s];
      const qs = this.#queues.s2c[this.#heads.s2c];
      if (qc !== undefined) t = qc.at;
      if (qs !== undefined && qs.at < t) t = qs.at;
      const wc = client.nextWake();
      if (wc !== undefined && wc < t) t = wc;
      const ws = server.nextWake();
      if (ws !== undefined && ws < t) t = ws;
      if (t === Infinity) return "idle";
      if (t > maxTime) {
        if (this.now < maxTime) this.now = maxTime;
        return "time";
      }
      this.steps++;
      if (t > this.now) this.now = t;
      const now = this.now;
      this.#deliver("c2s", server, now);
      this.#deliver("s2c", client, now);
      const wc2 = client.nextWake();
      if (wc2 !== undefined && wc2 <= now) this.#update(client, now, "client");
      const ws2 = server.nextWake();
      if (ws2 !== undefined && ws2 <= now) this.#update(server, now, "server");
    }
  }

  /** Changes the one-way delay of `dir` for frames sent from now on (FIFO is kept). */
  setDelay(dir: Direction, ms: number): void {
    this.#delay[dir] = ms;
  }

  /** Runs until virtual time `t` (everything due up to `t` is processed). */
  runUntil(t: number, maxSteps = 1_000_000): RunResult {
    return this.run(() => false, t, maxSteps);
  }

  /** The trace formatted as `"<at> <dir> <TYPE> <seq>[ #attempt][ fate]"` lines. */
  traceLines(): string[] {
    return this.trace.map(formatEntry);
  }

  #hooks(side: "client" | "server", dir: Direction): EndpointHooks {
    const events = this.events[side];
    const delivered = this.delivered[side];
    return {
      output: (f) => this.#output(f, dir),
      deliver: (m) => {
        if (this.#keep) delivered.push(m.slice()); // lent: valid during the call only
      },
      event: this.#events ? (e) => events.push(e) : undefined,
    };
  }

  #output(f: OutFrame, dir: Direction): void {
    const fate = this.#decide ? this.#decide(f, dir, this.now) : CLEAN;
    if (this.#trace) {
      this.trace.push({
        at: this.now,
        dir,
        type: f.type,
        seq: f.seq,
        flags: f.flags,
        length: f.payload.length,
        attempt: f.attempt,
        fate: fate.drop ? "drop" : fate.corrupt ? "corrupt" : fate.duplicate ? "dup" : "",
        payload: f.type === FrameType.DATA ? EMPTY : f.payload.slice(),
      });
    }
    if (fate.drop) return;
    const frame: Frame = { type: f.type, seq: f.seq, flags: f.flags, payload: f.payload.slice() };
    this.#enqueue(dir, frame, fate.corrupt);
    if (fate.duplicate) this.#enqueue(dir, frame, fate.corrupt);
  }

  #enqueue(dir: Direction, frame: Frame, corrupt: boolean): void {
    let at = this.now + this.#delay[dir];
    if (this.#jitter > 0) at += Math.floor(this.#rnd() * this.#jitter);
    if (at < this.#lastAt[dir]) at = this.#lastAt[dir];
    this.#lastAt[dir] = at;
    this.#queues[dir].push({ at, frame, corrupt });
  }

  #deliver(dir: Direction, to: ArqEndpoint, now: number): void {
    const q = this.#queues[dir];
    let h = this.#heads[dir];
    if (h >= q.length || q[h]!.at > now) return;
    while (h < q.length && q[h]!.at <= now) {
      const item = q[h]!;
      h++;
      this.#heads[dir] = h;
      if (item.corrupt) to.inputCorrupt(now);
      else to.input(item.frame, now);
    }
    if (h === q.length) {
      q.length = 0;
      this.#heads[dir] = 0;
    } else if (h > 4096) {
      q.splice(0, h);
      this.#heads[dir] = 0;
    }
    to.flush(now);
  }
}

/** Formats one trace entry. */
export function formatEntry(e: TraceEntry): string {
  let s = `${e.at} ${e.dir === "c2s" ? "c>s" : "s>c"} ${frameTypeName(e.type)} ${e.seq}`;
  if (e.attempt > 1) s += ` #${e.attempt}`;
  if (e.fate) s += ` ${e.fate}`;
  return s;
}
