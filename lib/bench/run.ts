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
import { BenchClient, benchNick, benchRunTag, type Tally } from "./client.ts";
import { BENCH_TEXT } from "./messages.ts";
import { Pacer } from "./pacer.ts";
import { limitsFromStats, type ServerLimits } from "./server_limits.ts";
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
   * flight until every other client has it and its reply came back; 0 = ceil(1280 / senders),
   * the peer harness's `--window auto` when every client sends (about 1,280 messages in flight
   * in all).
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
  /**
   * The deadline was not chosen by the user: when pacing to the server's limits needs longer,
   * the run gets that long (plus some slack) instead.
   */
  readonly stretchDeadline?: boolean;
  /** The run's nickname tag (default: a random one, see `benchRunTag`). */
  readonly nickTag?: string;
  /** Told sentences about the run: the limits it is paced to, what they cost. */
  readonly onNote?: (sentence: string) => void;
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

/** The least time a run's deadline gives its send phase beyond what pacing needs, s. */
const DEADLINE_SLACK_S = 30;
/** Most clients connecting and registering at once. */
const BATCH = 100;

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
    refused: new Map(),
  };
  const faulty = p.loss > 0 || p.corrupt > 0 || p.script.length > 0;
  const startedAt = new Date().toISOString();
  const clients: BenchClient[] = [];
  let deadline = performance.now() + p.timeoutS * 1000;
  let status: RunResult["status"] = "complete";
  const t0 = performance.now();
  // Nicknames of this run only (`b` + a random tag + the client's number): two runs at once on
  // one server, or a run beside a class, do not clash.
  const tag = p.nickTag ?? benchRunTag();
  let pacer: Pacer | undefined;
  const connectOptions = (j: number) => ({
    dialer: p.dialer ?? (p.transport === "udp" ? UDP_DIALER : TCP_DIALER),
    host: p.host,
    port: p.port,
    index: j,
    nick: benchNick(tag, j),
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
    onReply: (i: number, chat: boolean) => pacer?.answered(i, performance.now(), chat),
  });
  let pacedTo: string | undefined;
  try {
    const room = p.room !== undefined && await hasRooms(connectOptions(0), p.room)
      ? p.room
      : undefined;
    // Client 0 first, alone: it asks the server for its limits before the others come.
    const first = await BenchClient.connect(connectOptions(0));
    clients.push(first);
    await registerAll([first], room, undefined);
    const statsReply = await within(first.stats(), 30_000);
    const limits = statsReply === undefined
      ? undefined
      : limitsFromStats(statsReply.split("\n")[1] ?? "");
    if (limits === undefined) p.onNote?.(BENCH_TEXT.limitsUnknown);
    pacer = new Pacer(limits ?? {}, p.clients, performance.now());
    // What the server counted already: the room probe's JOIN, client 0's registration, STATS.
    pacer.charge(0, room === undefined ? 2 : 4, performance.now());
    checkLimits(p, limits);
    if (p.operatorPassword !== undefined) {
      await untilAllowed(() => pacer!.allowance(0, performance.now()), 1);
      pacer.sent(0, 1);
      const op = await within(first.request(`OP ${p.operatorPassword}`, { chat: true }), 30_000);
      if (!op?.startsWith("200")) problems.push(BENCH_TEXT.operatorRefused);
    }
    // The others, a bounded number at a time, each registered before the next batch comes.
    const batch = Math.max(1, Math.min(BATCH, (limits?.unregisteredPerAddress ?? BATCH + 1) - 1));
    for (let i = 1; i < p.clients; i += batch) {
      const group: Promise<BenchClient>[] = [];
      for (let j = i; j < Math.min(p.clients, i + batch); j++) {
        await untilAllowed(() => pacer!.connectAllowance(performance.now()), 1);
        pacer.connected(performance.now());
        group.push(BenchClient.connect(connectOptions(j)));
      }
      const joined = await Promise.all(group);
      clients.push(...joined);
      await registerAll(joined, room, pacer);
    }
    const connectMs = performance.now() - t0;
    const senders = Math.min(p.senders ?? p.clients, p.clients);
    const note = pacer.note(senders, p.messages);
    if (note !== undefined) {
      pacedTo = BENCH_TEXT.paced(note.limit, note.seconds);
      p.onNote?.(pacedTo);
      const needS = note.seconds + DEADLINE_SLACK_S;
      if (needS > p.timeoutS) {
        if (p.stretchDeadline) deadline = Math.max(deadline, performance.now() + needS * 1000);
        else p.onNote?.(BENCH_TEXT.pacedPastDeadline(note.seconds, p.timeoutS));
      }
    }
    // Probe barrier: client 0's line must reach every other client. A probe is resent only
    // when the last one had time to arrive (interval doubling up to 1 s): with 10,000 clients
    // each probe is 10,000 deliveries, and a probe every 20 ms would itself flood the room.
    const probeDeadline = performance.now() + 60_000;
    let interval = faulty ? 200 : 20;
    let waiting = clients.slice(1);
    while (waiting.length > 0) {
      if (performance.now() > probeDeadline) {
        throw new Error(BENCH_TEXT.probeTimedOut(waiting.length));
      }
      if (pacer.allowance(0, performance.now()) >= 1) {
        pacer.sent(0, 1);
        clients[0]!.probe();
      }
      const until = performance.now() + interval;
      while (performance.now() < until && waiting.length > 0) {
        await sleep(Math.min(20, interval));
        waiting = waiting.filter((c) => c.probes === 0);
      }
      interval = Math.min(1000, interval * 2);
      endedSession(clients);
    }
    const before = await serverStats(clients[0]!, pacer);
    const udp = p.transport === "udp";
    const kernel0 = udp ? await readKernelUdp() : undefined;
    const cpu0 = process.cpuUsage();
    const sendStart = performance.now();
    // Send phase.
    const sent = new Int32Array(p.clients);
    const inflight = closedLoopInflight(p);
    const perSenderInterval = p.rate > 0 ? (1000 * senders) / p.rate : 0;
    let done = false;
    let lastCheck = sendStart;
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
          // A message is in flight until every other client has it and its reply came back:
          // replies count as well, or a sender whose own path is slow would pile them up on
          // the server without bound (and be dropped as too slow).
          const outstanding = Math.max(sent[i]! - tally.completed[i]!, c.awaitingReplies);
          budget = Math.min(p.messages - sent[i]!, inflight - outstanding);
        }
        if (budget > 0 && pacer.active) budget = Math.min(budget, pacer.allowance(i, now));
        if (budget <= 0) continue;
        const texts: string[] = [];
        for (let k = 0; k < budget; k++) {
          texts.push(benchPayload(performance.now() - tally.origin, i, sent[i]! + k, p.size));
        }
        c.sendWorkload(texts, sent[i]!);
        pacer.sent(i, budget);
        sent[i]! += budget;
      }
      p.onProgress?.(tally.deliveries, expectedOf(p, senders, tally));
      if (allSent && tally.deliveries >= expectedOf(p, senders, tally)) done = true;
      else if (performance.now() > deadline) {
        status = "deadline";
        done = true;
      } else await sleep(allSent ? 5 : p.rate > 0 ? 1 : 0);
      if (now - lastCheck > 100) {
        lastCheck = now;
        endedSession(clients);
      }
    }
    const elapsedS = (performance.now() - sendStart) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const after = await serverStats(clients[0]!, pacer);
    const kernel = udp ? kernelUdpDelta(kernel0, await readKernelUdp()) : undefined;
    const totalSent = sent.reduce((a, b) => a + b, 0);
    const refused = refusedCount(tally);
    const expectedDeliveries = (totalSent - refused) * (p.clients - 1);
    const lost = Math.max(0, expectedDeliveries - tally.deliveries);
    for (const [code, r] of [...tally.refused].sort((a, b) => a[0] - b[0])) {
      problems.push(BENCH_TEXT.refused(code, r.count, r.reply));
    }
    if (lost > 0) problems.push(BENCH_TEXT.lost(lost));
    if (tally.duplicated > 0) problems.push(BENCH_TEXT.duplicated(tally.duplicated));
    if (tally.outOfOrder > 0) problems.push(BENCH_TEXT.outOfOrder(tally.outOfOrder));
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
      refused,
      ...(pacedTo !== undefined ? { pacedTo } : {}),
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

/** Workload messages the server refused, in all. */
function refusedCount(tally: Tally): number {
  let n = 0;
  for (const r of tally.refused.values()) n += r.count;
  return n;
}

/** Deliveries the run expects: every message not refused, at every other client. */
function expectedOf(p: RunParams, senders: number, tally: Tally): number {
  return (p.messages * senders - refusedCount(tally)) * (p.clients - 1);
}

/** Throws when a client's session was ended by the server (shutdown, kick, ban). */
function endedSession(clients: readonly BenchClient[]): void {
  const c = clients.find((c) => c.ended !== undefined);
  if (c) throw new Error(BENCH_TEXT.serverEnded(c.ended!));
}

/** Throws, with what to do, when the run cannot fit in what the server allows. */
function checkLimits(p: RunParams, limits: ServerLimits | undefined): void {
  const most = limits?.perAddress;
  if (typeof most === "number" && p.clients > most) {
    throw new Error(BENCH_TEXT.tooManyPerAddress(p.clients, most));
  }
  const maxText = limits?.maxText;
  if (typeof maxText === "number" && p.size > maxText) {
    throw new Error(BENCH_TEXT.sizeTooLarge(p.size, maxText));
  }
}

/** Waits (bounded by the caller's deadline of 60 s) until `allowance()` reaches `n`. */
async function untilAllowed(allowance: () => number, n: number): Promise<void> {
  const until = performance.now() + 60_000;
  while (allowance() < n && performance.now() < until) await sleep(10);
}

/**
 * Registers `group` (`JOIN room` first when there is a room), all at once, and waits for every
 * reply; a refusal throws the sentence that says why and what to do. With a pacer, the
 * registrations are counted against the server's command limits, and wait for them.
 */
async function registerAll(
  group: readonly BenchClient[],
  room: string | undefined,
  pacer: Pacer | undefined,
): Promise<void> {
  const counted = pacer ? { chat: false } : undefined;
  const commands = room === undefined ? 1 : 2;
  const replies = [];
  for (const c of group) {
    if (pacer) {
      await untilAllowed(() => pacer.allowance(c.index, performance.now(), false), commands);
      pacer.sent(c.index, commands, false);
    }
    const joined = room === undefined ? undefined : c.request(`JOIN ${room}`, counted);
    const welcome = c.request(c.nick, counted);
    replies.push(Promise.all([joined, welcome]));
  }
  const all = await within(Promise.all(replies), 60_000);
  if (all === undefined) throw new Error(BENCH_TEXT.registrationTimedOut);
  all.forEach(([joined, welcome], k) => {
    const nick = group[k]!.nick;
    if (joined !== undefined && !joined.startsWith("200")) {
      throw new Error(BENCH_TEXT.roomRefused(room!, oneLine(joined)));
    }
    if (!welcome.startsWith("200")) {
      throw new Error(
        BENCH_TEXT.registrationRefused(Number(welcome.slice(0, 3)), nick, oneLine(welcome)),
      );
    }
  });
}

/** A reply (status line and body) on one line: `409 Conflict: Nickname taken: b...`. */
function oneLine(reply: string): string {
  return reply.replace("\n", ": ");
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
async function serverStats(c: BenchClient, pacer: Pacer): Promise<StatsFacts | undefined> {
  await untilAllowed(() => pacer.allowance(c.index, performance.now(), false), 1);
  pacer.sent(c.index, 1, false);
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
    const status = await within(probe.request(`JOIN ${room}`), 10_000);
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
    refused: 0,
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
