/**
 * The soak (`deno task soak`): every attack of issue 13 against a fresh `chat serve` child, each
 * from an attacker process of its own (`attacker.ts`), beside three well-behaved witnesses in
 * this process (text, Go-Back-N, Selective Repeat) and a `chat join` witness, all exchanging
 * numbered messages. Prints one table row per attack: whether the witnesses lost, duplicated or
 * reordered nothing and none was dropped, the largest send-to-delivery time a witness saw during
 * the attack and the 3 s after it, the longest a new client waited for its prompt or SYN-ACK,
 * the server's peak RSS, its open descriptors before and after, its log volume against the
 * attacker's bytes, and the attack's own figure.
 *
 *   deno task soak [--seconds 10] [--only churn,burst] [--main path/to/main.ts]
 *                  [--server-log FILE] [-- serve flags]
 *
 * `--main` runs another checkout's server and `chat join` (the soak of the code before a
 * change, side by side).
 * @module
 */

import { parseArgs } from "node:util";
import { WakeScheduler } from "../../lib/net/scheduler.ts";
import { Turn } from "../../lib/net/turn.ts";
import { encodeFrame, encodeSyn, frame, FrameType } from "../../lib/protocol/mod.ts";
import { type AttackResult, ATTACKS } from "./attacks.ts";
import { CoreWitness, JoinWitness, WitnessLog } from "./witness.ts";

const args = parseArgs({
  args: Deno.args,
  options: {
    seconds: { type: "string", default: "10" },
    only: { type: "string" },
    main: { type: "string" },
    "server-log": { type: "string" },
  },
  allowPositionals: true,
});
const seconds = Number(args.values.seconds);
const main = args.values.main ?? new URL("../../main.ts", import.meta.url).pathname;
/**
 * A `chat join` that reconnects tries for a second after the server stops, then exits (0 after
 * the server's 503); one from before reconnection has no such flag.
 */
const joinFlags = Deno.readTextFileSync(new URL("cmd/join.ts", `file://${main}`)).includes(
    '"reconnect"',
  )
  ? ["--reconnect", "1"]
  : [];
const serveExtra = args.positionals;
/** Where the servers' stdout (their log) is also written, to read what an attack made it log. */
const serverLog = args.values["server-log"]
  ? Deno.openSync(args.values["server-log"], { write: true, create: true, truncate: true })
  : undefined;
const names = args.values.only?.split(",") ?? Object.keys(ATTACKS);
/** Attacks that run longer: the churn flood lasts 20 s, as in the issue. */
const LONGER: Record<string, number> = { churn: 20 };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A `chat serve` child whose stdout is counted (and can be left unread). */
class Server {
  port = 0;
  stdoutBytes = 0;
  #paused: PromiseWithResolvers<void> | undefined;
  readonly child: Deno.ChildProcess;
  readonly #listening = Promise.withResolvers<number>();
  readonly #reading: Promise<void>;
  stderr = "";

  constructor(extra: readonly string[]) {
    this.child = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--v8-flags=--max-semi-space-size=8",
        "-A",
        main,
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        "0",
        ...extra,
      ],
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    this.#reading = Promise.all([this.#readOut(), this.#readErr()]).then(() => {});
  }

  async started(): Promise<void> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`server did not start: ${this.stderr}`)), 15_000);
    });
    this.port = await Promise.race([this.#listening.promise, late]);
    clearTimeout(timer);
  }

  /** Stops reading its stdout (the pipe fills, its log writes block). */
  pause(): void {
    this.#paused ??= Promise.withResolvers<void>();
  }

  resume(): void {
    this.#paused?.resolve();
    this.#paused = undefined;
  }

  /** Peak and current RSS (bytes) and open descriptors, from /proc. */
  proc(): { rss: number; hwm: number; fds: number } {
    try {
      const status = Deno.readTextFileSync(`/proc/${this.child.pid}/status`);
      const kb = (k: string) => Number(new RegExp(`${k}:\\s+(\\d+)`).exec(status)?.[1] ?? 0) * 1024;
      let fds = 0;
      for (const _ of Deno.readDirSync(`/proc/${this.child.pid}/fd`)) fds++;
      return { rss: kb("VmRSS"), hwm: kb("VmHWM"), fds };
    } catch {
      return { rss: 0, hwm: 0, fds: 0 };
    }
  }

  async stop(): Promise<number> {
    this.resume();
    try {
      this.child.kill("SIGINT");
    } catch { /* gone */ }
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<"late">((r) => timer = setTimeout(() => r("late"), 10_000));
    const first = await Promise.race([this.child.status, late]);
    clearTimeout(timer);
    if (first === "late") {
      try {
        this.child.kill("SIGKILL");
      } catch { /* gone */ }
    }
    const status = await this.child.status;
    await this.#reading;
    return status.code;
  }

  async #readOut(): Promise<void> {
    const reader = this.child.stdout.getReader();
    const dec = new TextDecoder();
    let head = "";
    for (;;) {
      if (this.#paused) await this.#paused.promise;
      const { value, done } = await reader.read();
      if (done) break;
      this.stdoutBytes += value.length;
      for (let at = 0; serverLog && at < value.length;) {
        at += serverLog.writeSync(value.subarray(at));
      }
      if (this.port === 0 && head.length < 10_000) {
        head += dec.decode(value, { stream: true });
        const m = /listening on 127\.0\.0\.1:(\d+)/.exec(head);
        if (m) this.#listening.resolve(Number(m[1]));
      }
    }
  }

  async #readErr(): Promise<void> {
    const dec = new TextDecoder();
    for await (const chunk of this.child.stderr) {
      if (this.stderr.length < 20_000) this.stderr += dec.decode(chunk, { stream: true });
    }
  }
}

/** How long a new client waits for its prompt (text) or SYN-ACK (binary), ms (3000 = none). */
async function probe(port: number, binary: boolean): Promise<number> {
  const start = performance.now();
  let conn: Deno.TcpConn | undefined;
  const timer = setTimeout(() => conn?.close(), 3000);
  try {
    conn = await Deno.connect({ hostname: "127.0.0.1", port });
    if (binary) {
      const syn = encodeSyn({ mode: "gbn", window: 8, ackPolicy: "sack", maxPayload: 1024 });
      await conn.write(encodeFrame(frame(FrameType.SYN, 0, 0, syn)));
    }
    const buf = new Uint8Array(256);
    let got = 0;
    while (got < (binary ? 22 : 4)) {
      const n = await conn.read(buf.subarray(got));
      if (n === null) return 3000;
      got += n;
    }
    return performance.now() - start;
  } catch {
    return 3000;
  } finally {
    clearTimeout(timer);
    try {
      conn?.close();
    } catch { /* closed by the timer */ }
  }
}

interface Row {
  attack: string;
  ok: string;
  latency: number;
  probe: number;
  rssPeak: number;
  fds: string;
  logRatio: string;
  note: string;
}

async function runAttack(name: string): Promise<Row> {
  const duration = LONGER[name] ?? seconds;
  const server = new Server(serveExtra);
  await server.started();
  const port = server.port;
  const turn = new Turn();
  const scheduler = new WakeScheduler();
  const log = new WitnessLog(["w1", "w2", "w3", "j1"]);
  const env = { turn, scheduler };
  const core = [
    await CoreWitness.join("w1", "text", port, log, env),
    await CoreWitness.join("w2", "gbn", port, log, env),
    await CoreWitness.join("w3", "sr", port, log, env),
  ];
  const join = new JoinWitness("j1", log, main, port, joinFlags);
  await join.ready();
  const speakers = [...core, join];
  let ticking = true;
  const ticker = (async () => {
    for (let k = 0; ticking; k++) {
      speakers[k % speakers.length]!.say();
      await sleep(175);
    }
  })();
  await sleep(1500);
  log.reset();
  const before = server.proc();
  const stdoutAtStart = server.stdoutBytes;
  if (name === "log-blocked") server.pause();
  let rssPeak = before.rss;
  let probeMax = 0;
  let attacking = true;
  const sampler = (async () => {
    for (let k = 0; attacking; k++) {
      rssPeak = Math.max(rssPeak, server.proc().rss);
      if (k % 3 === 0) probeMax = Math.max(probeMax, await probe(port, k % 6 === 0));
      await sleep(100);
    }
  })();
  const attacker = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      new URL("./attacker.ts", import.meta.url).pathname,
      name,
      String(port),
      String(duration),
    ],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const killer = setTimeout(() => {
    try {
      attacker.kill("SIGKILL");
    } catch { /* gone */ }
  }, (duration + 90) * 1000);
  const out = await attacker.output();
  clearTimeout(killer);
  let result: AttackResult = { sent: 0, received: 0, connections: 0, note: "attacker failed" };
  try {
    const lines = new TextDecoder().decode(out.stdout).trim().split("\n");
    result = JSON.parse(lines[lines.length - 1]!);
  } catch {
    result.note += `: ${new TextDecoder().decode(out.stderr).slice(0, 200)}`;
  }
  await sleep(3000);
  attacking = false;
  await sampler;
  const logBytes = server.stdoutBytes - stdoutAtStart;
  const hwm = server.proc().hwm;
  server.resume();
  ticking = false;
  await ticker;
  await sleep(2000);
  const latency = log.maxLatency;
  const after = server.proc();
  for (const w of core) {
    if (w.closedReason !== undefined) log.problems.unshift(`${w.name} dropped: ${w.closedReason}`);
  }
  if (!join.alive) {
    log.problems.unshift(`j1 exited early (${join.exitCode}): ${join.stderr.slice(-120)}`);
  }
  for (const m of log.missing()) log.problem(m);
  const refused = /^(4\d\d) .*$/m.exec(join.stderr);
  if (refused) log.problem(`j1 got ${refused[0]}`);
  await server.stop();
  const joinExit = await join.exit(10_000);
  await Promise.all(core.map((w) => w.conn.closed));
  scheduler.stop();
  const ok = log.problems.length === 0
    ? "yes"
    : `no: ${log.problems.slice(0, 3).join("; ").replace(/\s+/g, " ").replaceAll("|", "/")}`;
  return {
    attack: name,
    ok,
    latency,
    probe: probeMax,
    rssPeak: Math.max(rssPeak, hwm),
    fds: `${before.fds} / ${after.fds}`,
    logRatio: result.sent > 0 ? `${(logBytes / result.sent).toFixed(2)}` : `${fmtBytes(logBytes)}`,
    note: `${result.note}; worst ${log.worst || "-"} (${
      [...log.byReceiver].map(([r, ms]) => `${r} ${ms.toFixed(0)}`).join(", ")
    }); join exit ${joinExit}`,
  };
}

function fmtBytes(n: number): string {
  if (n >= 1024 * 1024) return `${(n / 1024 / 1024).toFixed(0)} MB`;
  if (n >= 1024) return `${(n / 1024).toFixed(0)} KB`;
  return `${n} B`;
}

const rows: Row[] = [];
console.log(`soak: ${main}, ${seconds} s per attack, ${new Date().toISOString()}`);
console.log("");
console.log(
  "| attack | witnesses OK | max witness latency | max new-client wait | server RSS peak | fds before / after | log bytes per attack byte | notes |",
);
console.log("| --- | --- | ---: | ---: | ---: | ---: | ---: | --- |");
for (const name of names) {
  if (ATTACKS[name] === undefined) {
    console.error(`Unknown attack: ${name}`);
    Deno.exit(2);
  }
  const r = await runAttack(name).catch((error) => ({
    attack: name,
    ok: `soak failed: ${(error as Error).message}`,
    latency: NaN,
    probe: NaN,
    rssPeak: NaN,
    fds: "-",
    logRatio: "-",
    note: "",
  }));
  rows.push(r);
  console.log(
    `| ${r.attack} | ${r.ok} | ${r.latency.toFixed(0)} ms | ${r.probe.toFixed(0)} ms | ${
      fmtBytes(r.rssPeak)
    } | ${r.fds} | ${r.logRatio} | ${r.note} |`,
  );
}
Deno.exit(0);
