/**
 * ARQ engine throughput: 1 MiB (16 messages of 64 KiB, 1024-byte fragments) through a client
 * and a server endpoint over the simulated channel (5 ms each way), lossless and with 5 % loss
 * each way, GBN and SR, windows 8 and 32, both ACK policies. `deno bench` measures the CPU
 * time of the engine plus the simulator; the virtual transfer time of each case is printed once
 * at start-up. A second group measures the fan-out path: one chat line sent to 1000 established
 * endpoints and acknowledged.
 * @module
 */

import { ArqEndpoint } from "../lib/arq/mod.ts";
import {
  encodeSyn,
  frame,
  FrameType,
  MAX_MESSAGE,
  onesSum,
  type SessionParams,
} from "../lib/protocol/mod.ts";
import { randomFaults, SimChannel } from "../tests/support/sim_channel.ts";

const EMPTY = new Uint8Array(0);
const TOTAL = 1024 * 1024;
const MESSAGES = TOTAL / MAX_MESSAGE;
const payload = Uint8Array.from({ length: MAX_MESSAGE }, (_, i) => (i * 31) & 0xff);

interface Case {
  readonly name: string;
  readonly params: SessionParams;
  readonly loss: number;
}

interface Result {
  readonly virtualMs: number;
  readonly frames: number;
  readonly retransmissions: number;
}

function transfer(c: Case, seed: number): Result {
  const decide = c.loss > 0 ? randomFaults({ seed, loss: c.loss }) : undefined;
  const sim = new SimChannel({ delayMs: 5, decide, keepMessages: false });
  sim.connect(
    (hooks, now) => ArqEndpoint.server({}, hooks, now),
    (hooks, now) => ArqEndpoint.client(c.params, { maxSendQueue: 64 }, hooks, now),
  );
  for (let i = 0; i < MESSAGES; i++) sim.client.send(payload, 0);
  const server = sim.server;
  const result = sim.run(() => server.stats.bytesDelivered === TOTAL, 3_600_000, 10_000_000);
  if (result !== "done" || server.stats.messagesDelivered !== MESSAGES) {
    throw new Error(`${c.name}: transfer did not complete (${result} at ${sim.now} ms)`);
  }
  const s = sim.client.stats;
  return { virtualMs: sim.now, frames: s.framesSent, retransmissions: s.retransmissions };
}

const cases: Case[] = [];
for (const loss of [0, 0.05]) {
  for (const mode of ["gbn", "sr"] as const) {
    for (const window of [8, 32]) {
      for (const ackPolicy of ["frame", "sack"] as const) {
        cases.push({
          name: `${mode} w=${window} ${ackPolicy} loss=${loss * 100}%`,
          params: { mode, window, ackPolicy, maxPayload: 1024 },
          loss,
        });
      }
    }
  }
}

const rows = cases.map((c) => {
  const r = transfer(c, 7);
  const goodput = (TOTAL * 8) / (r.virtualMs / 1000) / 1e6;
  return `${c.name.padEnd(28)} virtual ${String(Math.round(r.virtualMs)).padStart(6)} ms  ` +
    `${goodput.toFixed(1).padStart(6)} Mbit/s  frames ${r.frames}  retx ${r.retransmissions}`;
});
console.log(`1 MiB over a simulated 5 ms link (virtual time):\n${rows.join("\n")}`);

for (const c of cases) {
  Deno.bench(`arq 1 MiB ${c.name}`, { group: c.loss > 0 ? "loss 5%" : "lossless" }, () => {
    transfer(c, 7);
  });
}

// Fan-out: the server sends one chat line to many established endpoints and gets the ACKs.
const FANOUT = 1000;

function fanoutEndpoints(mode: "gbn" | "sr"): { eps: ArqEndpoint[]; lastSeq: Int32Array } {
  const eps: ArqEndpoint[] = [];
  const lastSeq = new Int32Array(FANOUT);
  const params: SessionParams = { mode, window: 32, ackPolicy: "frame", maxPayload: 1024 };
  const syn = frame(FrameType.SYN, 0, 0, encodeSyn(params));
  const ack = frame(FrameType.ACK, 0);
  for (let i = 0; i < FANOUT; i++) {
    const ep = ArqEndpoint.server({ isn: 0 }, {
      output: (f) => {
        lastSeq[i] = f.seq;
      },
      deliver: () => {},
    }, 0);
    ep.input(syn, 0);
    ep.input(ack, 1);
    eps.push(ep);
  }
  return { eps, lastSeq };
}

const line = new TextEncoder().encode("<alice> hello everyone, this is one chat line\n");
const lineSum = onesSum(line);
for (const mode of ["gbn", "sr"] as const) {
  const { eps, lastSeq } = fanoutEndpoints(mode);
  let now = 2;
  Deno.bench(
    `arq fan-out 1 line to ${FANOUT} ${mode} endpoints + ACKs`,
    { group: "fan-out" },
    () => {
      now++;
      for (let i = 0; i < FANOUT; i++) {
        eps[i]!.send(line, now, lineSum);
        eps[i]!.flush(now); // the end of the turn
      }
      for (let i = 0; i < FANOUT; i++) {
        const ep = eps[i]!;
        ep.input({ type: FrameType.ACK, seq: lastSeq[i]! >>> 0, flags: 0, payload: EMPTY }, now);
        ep.nextWake();
      }
    },
  );
}
