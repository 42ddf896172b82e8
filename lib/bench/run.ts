/**
 * One benchmark run: N clients register, a probe proves every client is in the broadcast set,
 * then each sends its messages (closed loop, or open loop at `rate`), and the run ends when
 * every message reached every other client or the deadline passed. Given a room, the clients
 * register straight into it (`JOIN room` before the nickname), so a run shares a server with a
 * class, or with another run, without either seeing the other's lines; a server that has no
 * rooms (another student's) is found out first, by one connection, and the run takes place in
 * its one room.
 * @module
 */

import process from "node:process";
import { type CongestionControl, LOSSY_LINK_OPTIONS, type RecoveryMode } from "../arq/mod.ts";
import { FaultInjector, type FaultRule } from "../faults/mod.ts";
import { WakeScheduler } from "../net/scheduler.ts";
import { TCP_DIALER } from "../net/tcp_transport.ts";
import { UDP_DIALER } from "../net/udp_transport.ts";
import { type Dialer, within } from "../net/transport.ts";
import { Turn } from "../net/turn.ts";
import { MAX_PAYLOAD } from "../protocol/header.ts";
import { BENCH_NICKS, BenchClient, benchNick, type Tally } from "./client.ts";
import { benchPayload } from "./workload.ts";
import { Histogram } from "./histogram.ts";
import { kernelUdpDelta, readKernelUdp } from "./kernel_udp.ts";
import type { RunResult } from "./result.ts";

/** Parameters of one run. */
export interface RunParams {
  /** What carries the sessions (default TCP); UDP runs also read the kernel's UDP counters. */
  readonly transport?: "tcp" | "udp";
  /** How the clients connect (default: the transport's dialer). */
  readonly dialer?: Dialer;
  readonly host: string;
  readonly port: number;
  readonly mode: "gbn" | "sr" | "text";
  readonly clients: number;
  /** Clients that send (the first `senders`); the rest only receive. Default: all. */
  readonly senders?: number;
  readonly messages: number;
  readonly size: number;
  /** Messages per second offered by all clients together; 0 = closed loop. */
  readonly rate: number;
  /**
   * Closed loop: messages of its own each sender keeps in flight, where a message stays in
   * flight until every other client has it; 0 = ceil(1280 / senders), the peer harness's
   * `--window auto` when every client sends (about 1,280 messages in flight in all).
   */
  readonly inflight: number;
  readonly window: number;
  readonly ackPolicy: "frame" | "sack";
  /** How long a client may hold an ACK of in-order DATA ("sack" policy), ms. */
  readonly ackDelayMs: number;
  /** Loss recovery of the clients' senders (default "fast"). */
  readonly recovery?: RecoveryMode;
  /** Congestion control of the clients' senders (default "none"). */
  readonly cc?: CongestionControl;
  readonly loss: number;
  readonly corrupt: number;
  readonly faults: string;
  readonly script: readonly FaultRule[];
  readonly seed: number;
  readonly timeoutS: number;
  readonly sweep: { readonly param: string; readonly value: number } | null;
  readonly onProgress?: (done: number, total: number) => void;
  /** The room the clients register into (fresh per run: `bench-` and random digits); none: the default. */
  readonly room?: string;
  /** The server's operator password: client 0 becomes an operator to read the server's STATS. */
  readonly operatorPassword?: string;
}

/** A fresh room name for one run: `bench-` and eight hexadecimal digits. */
export function benchRoomName(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(4));
  return `bench-${Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("")}`;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The closed loop's messages in flight per sender (see {@link RunParams.inflight}). */
export function closedLoopInflight(
  p: Pick<RunParams, "inflight" | "clients" | "senders">,
): number {
  if (p.inflight > 0) return p.inflight;
  // About 1,280 messages in flight in all, however many of the clients send.
  return Math.ceil(1280 / Math.min(p.senders ?? p.clients, p.clients));
}

/** Runs one benchmark and returns its measurements. */
export async function runBench(p: RunParams): Promise<RunResult> {
  const problems: string[] = [];
  const scheduler = new WakeScheduler();
  const turn = new Turn();
  const tally: Tally = {
    deliveries: 0,
    duplicated: 0,
    outOfOrder: 0,
    latency: new Histogram(),
    origin: performance.now(),
    reached: new Array<Uint32Array | undefined>(p.clients).fill(undefined),
    completed: new Int32Array(p.clients),
  };
  const faulty = p.loss > 0 || p.corrupt > 0 || p.script.length > 0;
  const startedAt = new Date().toISOString();
  const clients: BenchClient[] = [];
  const deadline = performance.now() + p.timeoutS * 1000;
  let status: RunResult["status"] = "complete";
  const t0 = performance.now();
  const connectOptions = (j: number) => ({
    dialer: p.dialer ?? (p.transport === "udp" ? UDP_DIALER : TCP_DIALER),
    host: p.host,
    port: p.port,
    index: j,
    clients: p.clients,
    messages: p.messages,
    size: p.size,
    mode: p.mode,
    params: {
      mode: p.mode === "sr" ? "sr" as const : "gbn" as const,
      window: p.window,
      ackPolicy: p.ackPolicy,
      maxPayload: MAX_PAYLOAD,
    },
    arq: {
      ...(faulty ? LOSSY_LINK_OPTIONS : {}),
      ackDelayMs: p.ackDelayMs,
      recovery: p.recovery ?? "fast" as const,
      cc: p.cc ?? "none" as const,
    },
    faults: faulty && p.mode !== "text"
      ? new FaultInjector(
        { loss: p.loss, corrupt: p.corrupt, script: p.script, seed: p.seed },
        `bench:${j}`,
      )
      : undefined,
    scheduler,
    turn,
    tally,
  });
  try {
    const room = p.room !== undefined && await hasRooms(connectOptions(0), p.room)
      ? p.room
      : undefined;
    // Nicknames of their own (b00000 + a random offset), so two runs on one server seldom
    // clash; no longer than the default ones, so a run's lines keep their size.
    const first = room === undefined ? 0 : Math.floor(Math.random() * (BENCH_NICKS - p.clients));
    // Connect and register, a bounded number at a time.
    for (let i = 0; i < p.clients; i += 100) {
      const batch = [];
      for (let j = i; j < Math.min(p.clients, i + 100); j++) {
        batch.push(BenchClient.connect(connectOptions(j)));
      }
      clients.push(...await Promise.all(batch));
    }
    const registered = clients.map((c) => {
      const joined = room === undefined ? undefined : c.nextStatus();
      const welcome = c.nextStatus();
      if (room !== undefined) c.send(`JOIN ${room}`);
      c.send(benchNick(first + c.index));
      return Promise.all([joined ?? "200 OK", welcome]);
    });
    const regs = await within(Promise.all(registered), 60_000);
    if (regs === undefined) throw new Error("registration timed out");
    const refused = regs.flat().find((r) => !r.startsWith("200"));
    if (refused) throw new Error(`registration refused: ${refused.replace("\n", ": ")}`);
    if (p.operatorPassword !== undefined) {
      const reply = clients[0]!.nextStatus();
      clients[0]!.send(`OP ${p.operatorPassword}`);
      const op = await within(reply, 30_000);
      if (!op?.startsWith("200")) problems.push("the operator password was refused: no server CPU");
    }
    const connectMs = performance.now() - t0;
    // Probe barrier: client 0's line must reach every other client. A probe is resent only
    // when the last one had time to arrive (interval doubling up to 1 s): with 10,000 clients
    // each probe is 10,000 deliveries, and a probe every 20 ms would itself flood the room.
    const probeDeadline = performance.now() + 60_000;
    let interval = faulty ? 200 : 20;
    let waiting = clients.slice(1);
    while (waiting.length > 0) {
      if (performance.now() > probeDeadline) {
        throw new Error(`probe barrier timed out (${waiting.length} clients never saw a probe)`);
      }
      clients[0]!.send("MSG probe");
      const until = performance.now() + interval;
      while (performance.now() < until && waiting.length > 0) {
        await sleep(Math.min(20, interval));
        waiting = waiting.filter((c) => c.probes === 0);
      }
      interval = Math.min(1000, interval * 2);
    }
    const before = await serverStats(clients[0]!);
    const udp = p.transport === "udp";
    const kernel0 = udp ? await readKernelUdp() : undefined;
    const cpu0 = process.cpuUsage();
    const sendStart = performance.now();
    const senders = Math.min(p.senders ?? p.clients, p.clients);
    const expected = p.messages * senders * (p.clients - 1);
    // Send phase.
    const sent = new Int32Array(p.clients);
    const inflight = closedLoopInflight(p);
    const perSenderInterval = p.rate > 0 ? (1000 * senders) / p.rate : 0;
    let done = false;
    while (!done) {
      const now = performance.now();
      let allSent = true;
      for (let i = 0; i < senders; i++) {
        const c = clients[i]!;
        if (sent[i]! >= p.messages) continue;
        allSent = false;
        let budget: number;
        if (p.rate > 0) {
          // Senders are phase-staggered across the interval (as the peer harness): the offered
          // load is even, not a burst of every sender at once each interval.
          const phase = (perSenderInterval * i) / senders;
          const due = now < sendStart + phase
            ? 0
            : Math.floor((now - sendStart - phase) / perSenderInterval) + 1;
          budget = Math.min(due, p.messages) - sent[i]!;
        } else {
          const outstanding = sent[i]! - tally.completed[i]!;
          budget = Math.min(p.messages - sent[i]!, inflight - outstanding);
        }
        if (budget <= 0) continue;
        const lines: string[] = [];
        for (let k = 0; k < budget; k++) {
          lines.push(`MSG ${benchPayload(performance.now() - tally.origin, i, sent[i]!, p.size)}`);
          sent[i]!++;
        }
        c.sendMany(lines);
      }
      p.onProgress?.(tally.deliveries, expected);
      if (allSent && tally.deliveries >= expected) done = true;
      else if (performance.now() > deadline) {
        status = "deadline";
        done = true;
      } else await sleep(allSent ? 5 : p.rate > 0 ? 1 : 0);
    }
    const elapsedS = (performance.now() - sendStart) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const after = await serverStats(clients[0]!);
    const kernel = udp ? kernelUdpDelta(kernel0, await readKernelUdp()) : undefined;
    const totalSent = sent.reduce((a, b) => a + b, 0);
    const expectedDeliveries = totalSent * (p.clients - 1);
    const lost = Math.max(0, expectedDeliveries - tally.deliveries);
    if (lost > 0) problems.push(`LOST ${lost} deliveries`);
    if (tally.duplicated > 0) problems.push(`DUPLICATED ${tally.duplicated} deliveries`);
    if (tally.outOfOrder > 0) problems.push(`OUT OF ORDER ${tally.outOfOrder} deliveries`);
    const arq = p.mode === "text" ? null : arqSummary(clients, before, after);
    const genCpuMs = (cpu.user + cpu.system) / 1000;
    const genPct = (genCpuMs / (elapsedS * 1000)) * 100;
    let server: RunResult["server"] = null;
    if (before && after) {
      const user = after.cpuUserMs - before.cpuUserMs;
      const sys = after.cpuSystemMs - before.cpuSystemMs;
      server = {
        cpuUserMs: user,
        cpuSystemMs: sys,
        cpuNsPerDelivery: tally.deliveries > 0 ? ((user + sys) * 1e6) / tally.deliveries : 0,
        peakRssBytes: after.peakRssBytes,
        rssBytes: after.rssBytes,
        rssConnectedBytes: before.rssBytes,
        // Socket calls, from servers that count them.
        ...(before.reads !== undefined && before.writes !== undefined &&
            after.reads !== undefined && after.writes !== undefined
          ? { reads: after.reads - before.reads, writes: after.writes - before.writes }
          : {}),
        // The server's own ARQ repairs, from servers that count them.
        ...(before.arqRetransmissions !== undefined && after.arqRetransmissions !== undefined
          ? {
            retransmissions: after.arqRetransmissions - before.arqRetransmissions,
            timeouts: (after.arqTimeouts ?? 0) - (before.arqTimeouts ?? 0),
          }
          : {}),
        source: "server-stats",
      };
    }
    return {
      tool: "chat-bench",
      version: 1,
      startedAt,
      mode: p.mode,
      params: {
        clients: p.clients,
        ...(senders < p.clients ? { senders } : {}),
        messages: p.messages,
        size: p.size,
        rate: p.rate,
        ...(p.rate === 0 ? { inflight } : {}),
        window: p.window,
        ackPolicy: p.ackPolicy,
        ackDelayMs: p.ackDelayMs,
        recovery: p.recovery ?? "fast",
        cc: p.cc ?? "none",
        loss: p.loss,
        corrupt: p.corrupt,
        faults: p.faults,
        seed: p.seed,
        ...(p.transport ? { transport: p.transport } : {}),
      },
      sweep: p.sweep,
      connectMs,
      sent: totalSent,
      expectedDeliveries,
      deliveries: tally.deliveries,
      lost,
      duplicated: tally.duplicated,
      outOfOrder: tally.outOfOrder,
      elapsedS,
      messagesPerS: totalSent / elapsedS,
      deliveriesPerS: tally.deliveries / elapsedS,
      goodputBytesPerS: (tally.deliveries * p.size) / elapsedS,
      latencyMs: {
        p50: tally.latency.percentile(50) / 1000,
        p90: tally.latency.percentile(90) / 1000,
        p99: tally.latency.percentile(99) / 1000,
        max: tally.latency.max / 1000,
        mean: tally.latency.mean / 1000,
      },
      arq,
      server,
      ...(udp
        ? {
          kernel: kernel
            ? {
              udpInErrors: kernel.inErrors,
              udpRcvbufErrors: kernel.rcvbufErrors,
              ipUndelivered: kernel.ipUndelivered,
            }
            : null,
        }
        : {}),
      generator: { cpuMs: genCpuMs, cpuPercent: genPct, bound: genPct >= 90 },
      status,
      problems,
    };
  } catch (error) {
    return failed(p, startedAt, error instanceof Error ? error.message : String(error));
  } finally {
    await Promise.all(clients.map((c) => c.quit().catch(() => c.close())));
    scheduler.stop();
  }
}

interface StatsFacts {
  cpuUserMs: number;
  cpuSystemMs: number;
  peakRssBytes: number;
  rssBytes: number;
  reads?: number;
  writes?: number;
  /** ARQ counters of the server's open binary sessions (from servers that report them). */
  arqDataSent?: number;
  arqRetransmissions?: number;
  arqTimeouts?: number;
  arqDuplicates?: number;
  arqFastRetransmissions?: number;
  arqProbeRetransmissions?: number;
}

/**
 * The server's CPU and memory from `STATS`, when it shows them (an operator sees them on this
 * server; another server may show them to anyone, or not at all).
 */
async function serverStats(c: BenchClient): Promise<StatsFacts | undefined> {
  const text = await within(c.stats(), 30_000); // a 10,000-client room may still be busy
  if (text === undefined) return undefined;
  try {
    const facts = JSON.parse(text.split("\n")[1] ?? "") as Partial<StatsFacts>;
    return typeof facts.cpuUserMs === "number" && typeof facts.cpuSystemMs === "number"
      ? facts as StatsFacts
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Whether the server knows rooms: one connection sends `JOIN room` as its first line, which this
 * server answers `200 OK - Joined` (and forgets when the connection closes unregistered).
 */
async function hasRooms(
  options: Parameters<typeof BenchClient.connect>[0],
  room: string,
): Promise<boolean> {
  const probe = await BenchClient.connect({ ...options, faults: undefined });
  try {
    const reply = probe.nextStatus();
    probe.send(`JOIN ${room}`);
    const status = await within(reply, 10_000);
    return status !== undefined && /^200 [^\n]* - Joined\n/.test(status);
  } finally {
    probe.close();
  }
}

function arqSummary(
  clients: BenchClient[],
  before: StatsFacts | undefined,
  after: StatsFacts | undefined,
): RunResult["arq"] {
  let framesSent = 0, dataFrames = 0, retrans = 0, timeouts = 0, nacks = 0, dups = 0;
  let rtt = 0, rto = 0, cwnd = 0, n = 0, useful = 0, repairs = 0, repairRtts = 0;
  let byTimeout = 0, byFast = 0, byNack = 0, byProbe = 0;
  for (const c of clients) {
    const s = c.arq;
    const t = c.timers;
    if (!s || !t) continue;
    framesSent += s.framesSent;
    dataFrames += s.dataSent;
    retrans += s.retransmissions;
    timeouts += s.timeouts;
    nacks += s.nacksSent;
    dups += s.duplicates;
    useful += s.dataSent - s.retransmissions;
    byTimeout += s.timeoutRetransmissions;
    byFast += s.fastRetransmissions;
    byNack += s.nackRetransmissions;
    byProbe += s.probeRetransmissions;
    repairs += s.repairs;
    repairRtts += s.repairRtts;
    cwnd += s.cwnd;
    rtt += t.srtt;
    rto += t.rto;
    n++;
  }
  const delta = (k: keyof StatsFacts) =>
    before?.[k] !== undefined && after?.[k] !== undefined
      ? (after[k] as number) - (before[k] as number)
      : undefined;
  const serverData = delta("arqDataSent");
  const serverRetrans = delta("arqRetransmissions");
  const serverTimeouts = delta("arqTimeouts");
  const serverDups = delta("arqDuplicates");
  const serverFast = delta("arqFastRetransmissions");
  const serverProbes = delta("arqProbeRetransmissions");
  return {
    framesSent,
    dataFrames,
    retransmissions: retrans,
    retransmissionsByCause: { timeout: byTimeout, fast: byFast, nack: byNack, probe: byProbe },
    // The copies the server received again are the clients' spurious retransmissions.
    spuriousRetransmissions: serverDups ?? null,
    meanRepairRtts: repairs > 0 ? repairRtts / repairs : 0,
    timeouts,
    nacks,
    duplicates: dups,
    efficiency: dataFrames > 0 ? useful / dataFrames : 0,
    meanRttMs: n > 0 ? rtt / n : 0,
    meanRtoMs: n > 0 ? rto / n : 0,
    meanCwnd: n > 0 ? cwnd / n : 0,
    server: serverData !== undefined && serverRetrans !== undefined &&
        serverTimeouts !== undefined
      ? {
        dataFrames: serverData,
        retransmissions: serverRetrans,
        timeouts: serverTimeouts,
        ...(serverFast !== undefined && serverProbes !== undefined
          ? { fastRetransmissions: serverFast, probeRetransmissions: serverProbes }
          : {}),
        // The copies the clients received again are the server's spurious retransmissions.
        spuriousRetransmissions: dups,
        efficiency: serverData > 0 ? (serverData - serverRetrans) / serverData : 0,
      }
      : null,
  };
}

function failed(p: RunParams, startedAt: string, why: string): RunResult {
  return {
    tool: "chat-bench",
    version: 1,
    startedAt,
    mode: p.mode,
    params: {
      clients: p.clients,
      messages: p.messages,
      size: p.size,
      rate: p.rate,
      ...(p.rate === 0 ? { inflight: closedLoopInflight(p) } : {}),
      window: p.window,
      ackPolicy: p.ackPolicy,
      ackDelayMs: p.ackDelayMs,
      recovery: p.recovery ?? "fast",
      cc: p.cc ?? "none",
      loss: p.loss,
      corrupt: p.corrupt,
      faults: p.faults,
      seed: p.seed,
    },
    sweep: p.sweep,
    connectMs: 0,
    sent: 0,
    expectedDeliveries: 0,
    deliveries: 0,
    lost: 0,
    duplicated: 0,
    outOfOrder: 0,
    elapsedS: 0,
    messagesPerS: 0,
    deliveriesPerS: 0,
    goodputBytesPerS: 0,
    latencyMs: { p50: 0, p90: 0, p99: 0, max: 0, mean: 0 },
    arq: null,
    server: null,
    generator: { cpuMs: 0, cpuPercent: 0, bound: false },
    status: "failed",
    problems: [why],
  };
}
