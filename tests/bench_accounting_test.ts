/**
 * `chat bench` delivery accounting against a deliberately faulty fake server (plain-text
 * protocol on 127.0.0.1): the lost, duplicated and out-of-order counts the bench reports must
 * equal exactly what the fake did, both through lib/bench/run.ts and through the CLI.
 */

import assert from "node:assert/strict";
import { validateRunResult } from "../lib/bench/result.ts";
import { closedLoopInflight, runBench, type RunParams } from "../lib/bench/run.ts";
import { runChat } from "./support/bench_cli.ts";
import { FakeChatServer, fakeCpu, type FakeFaults } from "./support/bench_fake_server.ts";

function textParams(
  port: number,
  clients: number,
  messages: number,
  timeoutS: number,
  inflight = 0,
): RunParams {
  return {
    host: "127.0.0.1",
    port,
    mode: "text",
    clients,
    messages,
    size: 64,
    rate: 0,
    inflight,
    window: 8,
    ackPolicy: "sack",
    ackDelayMs: 10,
    loss: 0,
    corrupt: 0,
    faults: "",
    script: [],
    seed: 1,
    timeoutS,
    sweep: null,
  };
}

/** Runs the bench against a fresh fake server with `faults`; always closes the fake. */
async function benchAgainstFake(
  faults: FakeFaults,
  clients: number,
  messages: number,
  timeoutS: number,
  inflight = 0,
) {
  const fake = new FakeChatServer(faults);
  try {
    const result = await runBench(textParams(fake.port, clients, messages, timeoutS, inflight));
    return { result, counts: { ...fake.counts }, heldBack: fake.heldBack, nicks: fake.nicks };
  } finally {
    await fake.close();
  }
}

/** How many k in 1..n satisfy `pred`. */
function countK(n: number, pred: (k: number) => boolean): number {
  let c = 0;
  for (let k = 1; k <= n; k++) if (pred(k)) c++;
  return c;
}

Deno.test("bench: a faithful fake server gives a clean, complete run (control)", async () => {
  const { result: r, counts } = await benchAgainstFake({}, 3, 20, 5);
  assert.deepEqual(validateRunResult(r), []);
  assert.equal(r.status, "complete", r.problems.join("; "));
  assert.equal(r.mode, "text");
  assert.equal(r.arq, null);
  assert.equal(r.sent, 60);
  assert.equal(counts.messages, 60);
  assert.equal(r.expectedDeliveries, 120);
  assert.equal(counts.deliveries, 120);
  assert.equal(r.deliveries, 120);
  assert.equal(r.lost, 0);
  assert.equal(r.duplicated, 0);
  assert.equal(r.outOfOrder, 0);
  assert.deepEqual(r.problems, []);
  assert.ok(counts.probes >= 1, "the probe barrier went through the server");
  assert.equal(counts.quits, 3, "every client said QUIT");
});

Deno.test("bench: every 7th delivery dropped, every 5th sent twice -> exact lost/duplicated", async () => {
  const copies = (k: number) => k % 7 === 0 ? 0 : k % 5 === 0 ? 2 : 1;
  const { result: r, counts } = await benchAgainstFake({ copies }, 3, 20, 1.5);
  // What the fake must have done: 20 messages x 3 senders x 2 recipients = 120 deliveries.
  const n = 20 * 3 * 2;
  const dropped = countK(n, (k) => copies(k) === 0);
  const duplicated = countK(n, (k) => copies(k) === 2);
  assert.equal(dropped, 17);
  assert.equal(duplicated, 21);
  assert.equal(counts.deliveries, n);
  assert.equal(counts.dropped, dropped);
  assert.equal(counts.duplicated, duplicated);
  // What the bench reports.
  assert.deepEqual(validateRunResult(r), []);
  assert.equal(r.status, "deadline", "lost deliveries never arrive, so the run hits its deadline");
  assert.equal(r.sent, 60);
  assert.equal(r.expectedDeliveries, n);
  assert.equal(r.lost, counts.dropped);
  assert.equal(r.duplicated, counts.duplicated);
  assert.equal(r.deliveries, n - counts.dropped, "duplicates are not counted as deliveries");
  assert.equal(r.outOfOrder, 0, "gaps and back-to-back duplicates are not reordering");
  assert.ok(r.problems.includes(`LOST ${dropped} deliveries`), r.problems.join("; "));
  assert.ok(r.problems.includes(`DUPLICATED ${duplicated} deliveries`), r.problems.join("; "));
  assert.ok(!r.problems.some((p) => p.startsWith("OUT OF ORDER")), r.problems.join("; "));
  // Server CPU comes from the STATS replies before and after the send phase (the first one,
  // before the other clients came, told the bench the server's limits).
  assert.equal(counts.stats, 3);
  const [a, b] = [fakeCpu(1), fakeCpu(2)];
  assert.ok(r.server !== null);
  assert.equal(r.server.cpuUserMs, b.user - a.user);
  assert.equal(r.server.cpuSystemMs, b.system - a.system);
  assert.equal(r.server.peakRssBytes, 7654321);
  const ns = ((b.user - a.user + b.system - a.system) * 1e6) / r.deliveries;
  assert.ok(Math.abs(r.server.cpuNsPerDelivery - ns) < 1e-6);
  // Latency is measured for every counted delivery.
  assert.ok(r.latencyMs.p50 >= 0 && r.latencyMs.p50 <= r.latencyMs.max);
  assert.ok(r.latencyMs.max < 1500, "one-way latency on 127.0.0.1 is below the deadline");
});

Deno.test("bench: every 3rd dropped, every 4th sent three times (4 clients)", async () => {
  const copies = (k: number) => k % 3 === 0 ? 0 : k % 4 === 0 ? 3 : 1;
  const { result: r, counts } = await benchAgainstFake({ copies }, 4, 6, 1.5);
  const n = 6 * 4 * 3;
  const dropped = countK(n, (k) => copies(k) === 0);
  const extra = 2 * countK(n, (k) => copies(k) === 3);
  assert.equal(counts.deliveries, n);
  assert.equal(counts.dropped, dropped);
  assert.equal(counts.duplicated, extra);
  assert.deepEqual(validateRunResult(r), []);
  assert.equal(r.expectedDeliveries, n);
  assert.equal(r.lost, dropped);
  assert.equal(r.duplicated, extra, "each extra copy counts once");
  assert.equal(r.deliveries, n - dropped);
  assert.equal(r.outOfOrder, 0);
});

Deno.test("bench: messages held back past the next one are counted out of order", async () => {
  // Per sender and recipient, seq 1, 5, 9, 13, 17 arrive after seq + 1.
  const hold = (seq: number) => seq % 4 === 1;
  const { result: r, counts, heldBack } = await benchAgainstFake({ hold }, 3, 20, 5);
  assert.equal(heldBack, 0, "every held message was released");
  assert.equal(counts.reordered, 5 * 3 * 2);
  assert.deepEqual(validateRunResult(r), []);
  assert.equal(r.status, "complete", r.problems.join("; "));
  assert.equal(r.deliveries, 120);
  assert.equal(r.lost, 0);
  assert.equal(r.duplicated, 0);
  assert.equal(r.outOfOrder, counts.reordered);
  assert.ok(r.problems.includes(`OUT OF ORDER ${counts.reordered} deliveries`));
});

Deno.test("bench: late duplicates count as duplicated, not out of order", async () => {
  // Every 6th delivery is doubled and the doubled message is held back past the next one:
  // the first copy arrives late (out of order), the second is a duplicate.
  const copies = (k: number) => k % 6 === 0 ? 2 : 1;
  const hold = (seq: number) => seq % 4 === 1;
  const { result: r, counts, heldBack } = await benchAgainstFake({ copies, hold }, 3, 20, 5);
  assert.equal(heldBack, 0);
  assert.equal(counts.duplicated, 20);
  assert.equal(counts.reordered, 30);
  assert.equal(r.status, "complete", r.problems.join("; "));
  assert.equal(r.deliveries, 120);
  assert.equal(r.lost, 0);
  assert.equal(r.duplicated, counts.duplicated);
  assert.equal(r.outOfOrder, counts.reordered);
});

Deno.test("chat bench HOST:PORT --arq text --json reports what the faulty server did", async () => {
  const copies = (k: number) => k % 7 === 0 ? 0 : k % 5 === 0 ? 2 : 1;
  const fake = new FakeChatServer({ copies });
  try {
    const out = await runChat([
      "bench",
      `127.0.0.1:${fake.port}`,
      "--arq",
      "text",
      "--clients",
      "3",
      "--messages",
      "20",
      "--timeout",
      "1",
      "--json",
    ], 20_000);
    assert.ok(!out.timedOut, "the CLI finished in time");
    assert.equal(out.code, 1, `a run that ends at its deadline fails: ${out.stderr}`);
    const lines = out.stdout.trim().split("\n");
    assert.equal(lines.length, 1, out.stdout);
    const r = JSON.parse(lines[0]!);
    assert.deepEqual(validateRunResult(r), []);
    assert.equal(r.mode, "text");
    assert.equal(r.sweep, null);
    assert.equal(r.status, "deadline");
    assert.equal(fake.counts.deliveries, 120);
    assert.equal(r.expectedDeliveries, 120);
    assert.equal(r.lost, fake.counts.dropped);
    assert.equal(r.lost, 17);
    assert.equal(r.duplicated, fake.counts.duplicated);
    assert.equal(r.duplicated, 21);
    assert.equal(r.outOfOrder, 0);
    assert.equal(r.deliveries, 103);
  } finally {
    await fake.close();
  }
});

Deno.test("bench: a closed-loop message stays in flight until every other client has it", async () => {
  // The fake holds message 0 of each sender back until that sender's next message. With one
  // message in flight per sender nothing more is sent: the run can only end at its deadline.
  const hold = (seq: number) => seq === 0;
  const stalled = await benchAgainstFake({ hold }, 3, 5, 1, 1);
  assert.equal(stalled.result.status, "deadline");
  assert.equal(stalled.result.sent, 3, "one message per sender, then waiting");
  assert.equal(stalled.result.params.inflight, 1);
  // Two in flight: the second message releases the first, and the run completes.
  const flowing = await benchAgainstFake({ hold }, 3, 5, 5, 2);
  assert.equal(flowing.result.status, "complete", flowing.result.problems.join("; "));
  assert.equal(flowing.result.sent, 15);
  assert.equal(flowing.result.deliveries, 30);
  assert.equal(flowing.result.outOfOrder, 6, "each held message arrived after the next one");
});

Deno.test("bench: open-loop senders are phase-staggered across the interval", async () => {
  // 4 senders at 20 messages/s in all: each sends every 200 ms, sender i first at i x 50 ms.
  const fake = new FakeChatServer({});
  try {
    const r = await runBench({ ...textParams(fake.port, 4, 2, 10), rate: 20 });
    assert.equal(r.status, "complete", r.problems.join("; "));
    const first = [...fake.firstArrivals.entries()].sort((a, b) => a[1] - b[1]);
    const byIndex = [...fake.firstArrivals.keys()].sort((a, b) => a.localeCompare(b));
    assert.deepEqual(first.map(([nick]) => nick), byIndex, "client 0 first, then 1, 2, 3");
    const spread = first.at(-1)![1] - first[0]![1];
    // Staggered: about 150 ms from the first to the last; all at once would be a few ms.
    assert.ok(spread >= 100 && spread < 1000, `first messages spread over ${spread} ms`);
  } finally {
    await fake.close();
  }
});

Deno.test("bench: the closed loop keeps about 1,280 messages in flight, however many send", () => {
  assert.equal(closedLoopInflight({ inflight: 0, clients: 200 }), 7); // ircload --window auto
  assert.equal(closedLoopInflight({ inflight: 0, clients: 50 }), 26);
  assert.equal(closedLoopInflight({ inflight: 0, clients: 10000, senders: 10 }), 128);
  assert.equal(closedLoopInflight({ inflight: 0, clients: 3, senders: 5 }), 427);
  assert.equal(closedLoopInflight({ inflight: 3, clients: 10000, senders: 10 }), 3);
});

Deno.test("bench: a sender whose replies come late keeps no more than its in-flight messages unanswered", async () => {
  // The first client's replies leave in bursts every 100 ms while its lines reach the others
  // at once: a message is in flight until its reply came too, so the sender stops at 10.
  const { result, counts } = await benchAgainstFake({ lagRepliesMs: 100 }, 3, 100, 30, 10);
  assert.equal(result.status, "complete", result.problems.join("; "));
  assert.equal(result.deliveries, 3 * 100 * 2);
  assert.ok(counts.mostRepliesHeld >= 5, `the lag held ${counts.mostRepliesHeld} replies`);
  assert.ok(counts.mostRepliesHeld <= 10, `${counts.mostRepliesHeld} replies owed at once`);
});
