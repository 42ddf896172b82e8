/**
 * The soak's well-behaved witnesses: clients that exchange numbered, timestamped messages
 * (`MSG w1 17 1234.5`, the time on this process's `performance.now()` clock) and check that
 * every other witness's messages arrive once, in order, none missing, and how late. Three run
 * in this process (a text client, a Go-Back-N and a Selective Repeat binary client); a fourth
 * is a real `chat join` child fed through its stdin.
 * @module
 */

import { ChatConnection } from "../../lib/client/connection.ts";
import type { ServerEvent } from "../../lib/client/server_lines.ts";
import { WakeScheduler } from "../../lib/net/scheduler.ts";
import { TCP_DIALER } from "../../lib/net/tcp_transport.ts";
import { Turn } from "../../lib/net/turn.ts";

const BODY = /^(\w+) (\d+) (\d+(?:\.\d+)?)$/;
const enc = new TextEncoder();

/** What every witness records about the others. */
export class WitnessLog {
  /** The witnesses' names (a chat line from one of them must be a numbered message). */
  readonly names: readonly string[];
  /** Messages sent per witness. */
  readonly sent = new Map<string, number>();
  /** Problems seen (loss, duplicates, reordering, forged lines, refusals, drops). */
  readonly problems: string[] = [];
  /** Largest send-to-delivery time seen since {@link reset}, ms. */
  maxLatency = 0;
  /** Deliveries seen since {@link reset}. */
  deliveries = 0;
  /** Where the largest latency was seen: `receiver<sender`. */
  worst = "";
  /** Largest latency per receiver since {@link reset}. */
  readonly byReceiver = new Map<string, number>();
  /** Per receiver, per sender: the last number received. */
  readonly #last = new Map<string, number>();

  constructor(names: readonly string[]) {
    this.names = names;
  }

  /** Forgets the latency figures (kept: sequence state and problems). */
  reset(): void {
    this.maxLatency = 0;
    this.deliveries = 0;
    this.worst = "";
    this.byReceiver.clear();
  }

  /** A problem, kept once per text (the first 20). */
  problem(text: string): void {
    if (this.problems.length < 20 && !this.problems.includes(text)) this.problems.push(text);
  }

  /** `receiver` got a chat line from `from` saying `text` at `now`. */
  chat(receiver: string, from: string, text: string, now: number): void {
    if (!this.names.includes(from)) return;
    const m = BODY.exec(text);
    if (m === null || m[1] !== from) {
      this.problem(`${receiver} got a line claiming to be ${from}: ${JSON.stringify(text)}`);
      return;
    }
    const n = Number(m[2]);
    const key = `${receiver}<${from}`;
    const last = this.#last.get(key) ?? 0;
    if (n !== last + 1) {
      this.problem(`${receiver} got ${from} #${n} after #${last}`);
    }
    this.#last.set(key, Math.max(last, n));
    this.deliveries++;
    const latency = now - Number(m[3]);
    this.byReceiver.set(receiver, Math.max(this.byReceiver.get(receiver) ?? 0, latency));
    if (latency > this.maxLatency) {
      this.maxLatency = latency;
      this.worst = key;
    }
  }

  /** Every witness got every other's messages up to the last one sent. */
  missing(): string[] {
    const out: string[] = [];
    for (const r of this.names) {
      for (const s of this.names) {
        if (r === s) continue;
        const want = this.sent.get(s) ?? 0;
        const got = this.#last.get(`${r}<${s}`) ?? 0;
        if (got < want) out.push(`${r} missed ${s} #${got + 1}..#${want}`);
      }
    }
    return out;
  }

  /** The next message of `from`. */
  next(from: string): string {
    const n = (this.sent.get(from) ?? 0) + 1;
    this.sent.set(from, n);
    return `${from} ${n} ${performance.now().toFixed(1)}`;
  }
}

/** A witness in this process over the client core (text, GBN or SR). */
export class CoreWitness {
  closedReason: string | undefined;
  private constructor(
    readonly name: string,
    readonly conn: ChatConnection,
    readonly log: WitnessLog,
  ) {
    conn.closed.then((r) => {
      this.closedReason = r;
    });
  }

  /** Connects and registers `name`; `kind` picks the protocol. */
  static async join(
    name: string,
    kind: "text" | "gbn" | "sr",
    port: number,
    log: WitnessLog,
    env: { turn: Turn; scheduler: WakeScheduler },
  ): Promise<CoreWitness> {
    let registered = false;
    const welcome = Promise.withResolvers<void>();
    const conn = await ChatConnection.open({
      dialer: TCP_DIALER,
      host: "127.0.0.1",
      port,
      text: kind === "text",
      params: {
        mode: kind === "sr" ? "sr" : "gbn",
        window: 8,
        ackPolicy: "sack",
        maxPayload: 1024,
      },
      arq: { ackDelayMs: 10 },
      scheduler: env.scheduler,
      turn: env.turn,
      onEvent: (e: ServerEvent) => {
        const now = performance.now();
        if (!registered) {
          if (e.kind === "status") {
            registered = true;
            if (e.code === 200) welcome.resolve();
            else welcome.reject(new Error(`${name} refused: ${e.code} ${e.body}`));
          }
          return;
        }
        if (e.kind === "chat") log.chat(name, e.from, e.text, now);
        else if (e.kind === "status" && e.code !== 200 && e.code !== 503) {
          log.problem(`${name} got ${e.code} ${e.body}`);
        }
      },
    });
    conn.send(name);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${name}: no welcome in 10 s`)), 10_000);
    });
    try {
      await Promise.race([welcome.promise, late]);
    } finally {
      clearTimeout(timer);
    }
    return new CoreWitness(name, conn, log);
  }

  /** Sends its next numbered message. */
  say(): void {
    if (this.closedReason !== undefined) return;
    this.conn.send(`MSG ${this.log.next(this.name)}`);
  }

  /** Leaves (QUIT) and closes. */
  async leave(): Promise<void> {
    if (this.closedReason === undefined) {
      this.conn.send("QUIT");
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([
        this.conn.closed,
        new Promise((r) => timer = setTimeout(r, 3000)),
      ]);
      clearTimeout(timer);
    }
    this.conn.close();
    await this.conn.closed;
  }
}

/** The `chat join` witness: a child process fed through stdin, read from stdout. */
export class JoinWitness {
  exitCode: number | undefined;
  stderr = "";
  readonly #child: Deno.ChildProcess;
  readonly #writer: WritableStreamDefaultWriter<Uint8Array>;
  readonly #reading: Promise<void>;
  readonly #welcomed = Promise.withResolvers<void>();

  constructor(
    readonly name: string,
    readonly log: WitnessLog,
    main: string,
    port: number,
    flags: readonly string[] = [],
  ) {
    this.#child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", main, "join", `127.0.0.1:${port}`, "--nick", name, ...flags],
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    this.#writer = this.#child.stdin.getWriter();
    this.#reading = Promise.all([this.#readOut(), this.#readErr()]).then(() => {});
    this.#child.status.then((s) => {
      this.exitCode = s.code;
    });
  }

  /** Resolves once its welcome was printed (on stderr), or rejects after 15 s. */
  async ready(): Promise<void> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${this.name}: no welcome in 15 s`)), 15_000);
    });
    try {
      await Promise.race([this.#welcomed.promise, late]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Types its next numbered message. */
  say(): void {
    if (this.exitCode !== undefined) return;
    this.#writer.write(enc.encode(this.log.next(this.name) + "\n")).catch(() => {});
  }

  /** Still running. */
  get alive(): boolean {
    return this.exitCode === undefined;
  }

  /** Waits for its exit (at most `ms`, then kills it); returns the exit code. */
  async exit(ms: number): Promise<number> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<"late">((r) => timer = setTimeout(() => r("late"), ms));
    const first = await Promise.race([this.#child.status, late]);
    clearTimeout(timer);
    if (first === "late") {
      try {
        this.#child.kill("SIGKILL");
      } catch { /* gone */ }
    }
    const status = await this.#child.status;
    await this.#writer.close().catch(() => {});
    await this.#reading;
    return status.code;
  }

  async #readOut(): Promise<void> {
    const dec = new TextDecoder();
    let carry = "";
    for await (const chunk of this.#child.stdout) {
      const now = performance.now();
      const lines = (carry + dec.decode(chunk, { stream: true })).split("\n");
      carry = lines.pop()!;
      for (const line of lines) {
        const m = /^\[([^\]\s]+)\]: (.*)$/.exec(line);
        if (m) this.log.chat(this.name, m[1]!, m[2]!, now);
      }
    }
  }

  async #readErr(): Promise<void> {
    const dec = new TextDecoder();
    for await (const chunk of this.#child.stderr) {
      this.stderr += dec.decode(chunk, { stream: true });
      if (/Connected|Welcome/.test(this.stderr)) this.#welcomed.resolve();
      if (this.stderr.length > 100_000) this.stderr = this.stderr.slice(-50_000);
    }
  }
}
