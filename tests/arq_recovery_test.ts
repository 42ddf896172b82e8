/**
 * Fast recovery (`recovery: "fast"`, the default), rule by rule, as exact traces on the virtual
 * clock: 10 ms each way, client ISN 0, server ISN 100, handshake done at 30 with SRTT 20 ms,
 * minimum RTT 20 ms (reorder window 5 ms) and RTO 100 ms; 4-byte fragments. The same scenarios
 * with `recovery: "timeout"` wait for the retransmission timer (last test).
 */
import assert from "node:assert/strict";
import type { EndpointOptions, OutFrame } from "../lib/arq/mod.ts";
import { encodeSyn, Flag, frame, FrameType, type SessionParams } from "../lib/protocol/mod.ts";
import {
  type Decide,
  type FaultRule,
  randomFaults,
  scriptedFaults,
  SimChannel,
} from "./support/sim_channel.ts";
import { establish, SIM_PARAMS, simSession, texts, utf8 } from "./support/sim_session.ts";
import { ArqEndpoint } from "../lib/arq/mod.ts";

/** Drop the client's DATA `seq` (`times` transmissions of it, from the first). */
const drop = (seq: number, times = 1): FaultRule => ({
  dir: "c2s",
  type: FrameType.DATA,
  seq,
  fate: "drop",
  times,
});

/** Sends `bytes` bytes from the client and runs until all are acknowledged. */
function transfer(
  params: Partial<SessionParams>,
  rules: FaultRule[],
  bytes: number,
  client: Partial<EndpointOptions> = {},
) {
  const sim = simSession({ params, client, decide: scriptedFaults(rules) });
  establish(sim);
  const message = "abcdefghijklmnopqrstuvwxyz0123456789".repeat(8).slice(0, bytes);
  sim.client.send(utf8(message), sim.now);
  assert.equal(sim.run(() => sim.client.pending === 0, 10_000), "done");
  assert.deepEqual(texts(sim.delivered.server), [message]);
  return { sim, lines: sim.traceLines().slice(3) }; // after SYN, SYN-ACK, ACK
}

const SR = { mode: "sr" } as const;

Deno.test("SR resends at once a frame three later frames were acknowledged above", () => {
  const { sim, lines } = transfer({ ...SR, window: 8 }, [drop(2)], 32);
  assert.deepEqual(lines.filter((l) => l.includes("c>s")), [
    "30 c>s DATA 1",
    "30 c>s DATA 2 drop",
    ...[3, 4, 5, 6, 7, 8].map((s) => `30 c>s DATA ${s}`),
    "50 c>s DATA 2 #2", // ACK 5 arrives at 50: DATA 3, 4 and 5 are above the hole
  ]);
  assert.equal(lines.at(-1), "60 s>c ACK 2");
  assert.equal(sim.client.stats.fastRetransmissions, 1);
  assert.equal(sim.client.stats.timeouts, 0);
  // Lost at 30, acknowledged at 70: two round trips.
  assert.equal(sim.client.stats.repairs, 1);
  assert.equal(sim.client.stats.repairRtts, 2);
  assert.ok(
    sim.events.client.some((e) => e.kind === "retransmit" && e.seq === 2 && e.reason === "fast"),
  );
});

Deno.test("SR resends at once the hole its receiver's SACK ranges show", () => {
  const { sim, lines } = transfer({ ...SR, window: 8, ackPolicy: "sack" }, [drop(2)], 32);
  assert.deepEqual(lines.slice(8), [
    "40 s>c ACK 1", // SACK [3, 9)
    "50 c>s DATA 2 #2",
    "60 s>c ACK 8",
  ]);
  assert.equal(sim.client.stats.fastRetransmissions, 1);
});

Deno.test("SR resends a hole with fewer than three frames above after RACK RTT + reorder window", () => {
  const { sim, lines } = transfer(SR, [drop(2)], 16);
  assert.deepEqual(lines, [
    "30 c>s DATA 1",
    "30 c>s DATA 2 drop",
    "30 c>s DATA 3",
    "30 c>s DATA 4",
    "40 s>c ACK 1",
    "40 s>c ACK 3",
    "40 s>c ACK 4",
    "55 c>s DATA 2 #2", // the reorder timer: sent at 30 + RACK RTT 20 + min RTT / 4
    "65 s>c ACK 2",
  ]);
  assert.equal(sim.client.stats.repairRtts, 2.25); // lost at 30, acknowledged at 75
});

Deno.test("SR recovers a lost fast retransmission with the tail-loss probe", () => {
  const { sim, lines } = transfer(SR, [drop(2, 2)], 16);
  assert.deepEqual(lines.slice(7), [
    "55 c>s DATA 2 #2 drop",
    // PTO after the fast retransmission: SRTT 20 + 4 RTTVAR 16.9, rounded up: 37 ms; no ACK
    // delay is allowed for, as the 4 frames in flight are half the window or more.
    "92 c>s DATA 2 #3",
    "102 s>c ACK 2",
  ]);
  const s = sim.client.stats;
  assert.deepEqual(
    [s.fastRetransmissions, s.probeRetransmissions, s.timeoutRetransmissions],
    [1, 1, 0],
  );
});

Deno.test("SR probes a lost tail, then times out with back-off when the probe is lost too", () => {
  const one = transfer(SR, [drop(4)], 16);
  assert.deepEqual(one.lines.slice(4), [
    "40 s>c ACK 1",
    "40 s>c ACK 2",
    "40 s>c ACK 3",
    "112 c>s DATA 4 #2", // nothing sent after it: no ACK can show it lost; the probe
    "122 s>c ACK 4",
  ]);
  assert.equal(one.sim.client.stats.probeRetransmissions, 1);
  const two = transfer(SR, [drop(4, 2)], 16);
  assert.deepEqual(two.lines.slice(7), [
    "112 c>s DATA 4 #2 drop",
    "212 c>s DATA 4 #3", // its RTO, restarted by the probe
    "222 s>c ACK 4",
  ]);
  const s = two.sim.client.stats;
  assert.equal(s.timeouts, 1);
  assert.equal(s.rto, 200, "backed off; Karn: no sample from the retransmitted frame");
  assert.equal(s.srtt, 20);
});

Deno.test("a lost probe is probed again at twice the PTO; after two lost probes the RTO acts", () => {
  const tail = (times: number) => {
    // 1 ms each way: SRTT 2 ms, so two probes fit before the RTO's 100 ms.
    const sim = simSession({ delayMs: 1, params: SR, decide: scriptedFaults([drop(4, times)]) });
    establish(sim);
    sim.client.send(utf8("abcdefghijklmnop"), sim.now);
    assert.equal(sim.run(() => sim.client.pending === 0, 10_000), "done");
    return { lines: sim.traceLines().slice(9), stats: sim.client.stats };
  };
  const once = tail(2);
  assert.deepEqual(once.lines, [
    "4 s>c ACK 3",
    // One frame in flight: PTO = SRTT 2 + 4 RTTVAR + 25 ms of ACK delay, rounded up: 31 ms.
    "35 c>s DATA 4 #2 drop",
    "95 c>s DATA 4 #3", // the second probe, twice the PTO later (its floor, 30 ms, by now)
    "96 s>c ACK 4",
  ]);
  assert.deepEqual([once.stats.probeRetransmissions, once.stats.timeouts], [2, 0]);
  const twice = tail(3);
  assert.deepEqual(twice.lines.slice(-3), [
    "95 c>s DATA 4 #3 drop",
    "195 c>s DATA 4 #4", // no third probe: the RTO, restarted by the second probe
    "196 s>c ACK 4",
  ]);
  assert.deepEqual([twice.stats.probeRetransmissions, twice.stats.timeouts], [2, 1]);
});

Deno.test("GBN: the re-ACK of a needless probe's copy is no duplicate ACK (no go-back)", () => {
  const sim = simSession({ params: { mode: "gbn", window: 4 } });
  establish(sim);
  sim.client.send(utf8("abcdefghijklmnopqrstuvwxyzABCDEF"), sim.now);
  sim.setDelay("s2c", 75); // the ACKs of the first window are late, not lost
  sim.runUntil(100);
  sim.setDelay("s2c", 10);
  assert.equal(sim.run(() => sim.client.pending === 0, 10_000), "done");
  assert.deepEqual(sim.traceLines().slice(11, 18), [
    "90 c>s DATA 4 #2", // the probe, 60 ms after the window: its ACK is only late
    "100 s>c ACK 4 #2", // the receiver re-ACKs the copy: base - 1 once the late ACK is in
    "115 c>s DATA 5",
    "115 c>s DATA 6",
    "115 c>s DATA 7",
    "115 c>s DATA 8",
    "125 s>c ACK 5",
  ]);
  const s = sim.client.stats;
  assert.deepEqual([s.probeRetransmissions, s.fastRetransmissions, s.retransmissions], [1, 0, 1]);
});

Deno.test("GBN goes back N on duplicate ACKs once base was outstanding RACK RTT + reorder window", () => {
  const { sim, lines } = transfer({}, [drop(2)], 16);
  assert.deepEqual(lines, [
    "30 c>s DATA 1",
    "30 c>s DATA 2 drop",
    "30 c>s DATA 3",
    "30 c>s DATA 4",
    "40 s>c ACK 1",
    "40 s>c ACK 1 #2", // duplicate ACKs: the receiver still expects 2
    "40 s>c ACK 1 #3",
    "55 c>s DATA 2 #2",
    "55 c>s DATA 3 #2",
    "55 c>s DATA 4 #2",
    "65 s>c ACK 2",
    "65 s>c ACK 3",
    "65 s>c ACK 4",
  ]);
  assert.equal(sim.client.stats.fastRetransmissions, 3);
  assert.equal(sim.client.stats.timeouts, 0);
});

Deno.test("GBN goes back again when the go-back's copy of base is lost", () => {
  const { lines } = transfer({}, [drop(2, 2)], 16);
  assert.deepEqual(lines.slice(7), [
    "55 c>s DATA 2 #2 drop",
    "55 c>s DATA 3 #2",
    "55 c>s DATA 4 #2",
    "65 s>c ACK 1 #4",
    "65 s>c ACK 1 #5",
    "80 c>s DATA 2 #3", // 55 + 20 + 5
    "80 c>s DATA 3 #3",
    "80 c>s DATA 4 #3",
    "90 s>c ACK 2",
    "90 s>c ACK 3",
    "90 s>c ACK 4",
  ]);
});

Deno.test("GBN with the sack policy: the ACK of a batch with a hole comes twice, so back N at once", () => {
  const { sim, lines } = transfer({ window: 8, ackPolicy: "sack" }, [drop(2)], 32);
  assert.deepEqual(lines.slice(8), [
    // The receiver acknowledges frame 1 before it discards frame 3, then re-ACKs at the end
    // of the batch: a duplicate, though one ACK of both would have read as progress alone.
    "40 s>c ACK 1",
    "40 s>c ACK 1 #2",
    ...[2, 3, 4, 5, 6, 7, 8].map((s) => `55 c>s DATA ${s} #2`), // 30 + RACK RTT 20 + 5
    "65 s>c ACK 8",
  ]);
  const s = sim.client.stats;
  assert.deepEqual([s.probeRetransmissions, s.fastRetransmissions, s.timeouts], [0, 7, 0]);
});

Deno.test("GBN probes a lost tail", () => {
  const { lines } = transfer({}, [drop(4)], 16);
  assert.deepEqual(lines.slice(7), ["112 c>s DATA 4 #2", "122 s>c ACK 4"]);
});

Deno.test("fast recovery sends nothing twice without loss (jitter, delayed ACKs, every mode)", () => {
  for (const mode of ["gbn", "sr"] as const) {
    for (const ackPolicy of ["frame", "sack"] as const) {
      const sim = new SimChannel({ delayMs: 5, jitterMs: 15, seed: 7, trace: true });
      const params: SessionParams = { mode, window: 8, ackPolicy, maxPayload: 16 };
      sim.connect(
        (hooks, now) => ArqEndpoint.server({ isn: 100, ackDelayMs: 10 }, hooks, now),
        (hooks, now) => ArqEndpoint.client(params, { ackDelayMs: 10 }, hooks, now),
      );
      let sent = 0;
      for (let round = 0; round < 40; round++) {
        for (let i = 0; i < 1 + (round % 5); i++) {
          sim.client.send(utf8(`c${sent}-${"x".repeat(sent % 40)}`), sim.now);
          sim.server.send(utf8(`s${sent++}\n`), sim.now);
        }
        sim.runUntil(sim.now + 3 + (round % 7) * 9);
      }
      assert.equal(sim.run(() => sim.client.pending + sim.server.pending === 0, 60_000), "done");
      const label = `${mode}/${ackPolicy}`;
      assert.equal(sim.client.stats.retransmissions, 0, label);
      assert.equal(sim.server.stats.retransmissions, 0, label);
      assert.equal(sim.server.stats.duplicates + sim.client.stats.duplicates, 0, label);
    }
  }
});

Deno.test("AIMD: slow start from 4 frames, halved once per loss, back to 1 on a timeout", () => {
  const { sim, lines } = transfer({ ...SR, window: 16 }, [drop(12)], 4 * 40, { cc: "aimd" });
  const sentAt = (t: number) => lines.filter((l) => l.startsWith(`${t} c>s DATA`)).length;
  // Slow start: 4, then 8 (4 ACKed, +1 each), then 16 (the window).
  assert.deepEqual([sentAt(30), sentAt(50), sentAt(70)], [4, 8, 14]);
  assert.ok(lines.includes("90 c>s DATA 12 #2"), "DATA 12 resent when 13-15 were ACKed");
  // Halved at the loss (16 -> 8) and grown by one ACK of 14 frames since: 9 new frames at 110.
  assert.equal(sentAt(110), 9);
  assert.ok(sim.client.cwnd < 16, `cwnd ${sim.client.cwnd} after the loss`);
  // A timeout resets the window to one frame.
  const r = simSession({
    params: { ...SR, window: 16 },
    client: { cc: "aimd" },
    decide: scriptedFaults([drop(1, 3)]),
  });
  establish(r);
  r.client.send(utf8("abcd"), r.now);
  r.runUntil(250); // lost at 30, the probe at 115 too, the RTO's copy at 215 as well
  assert.equal(r.client.stats.timeouts, 1);
  assert.equal(r.client.cwnd, 1);
});

Deno.test("the same losses with recovery 'timeout' wait for the retransmission timer", () => {
  const cases: [Partial<SessionParams>, FaultRule[], number][] = [
    [{ ...SR, window: 8 }, [drop(2)], 32],
    [{ ...SR, window: 8, ackPolicy: "sack" }, [drop(2)], 32],
    [SR, [drop(2)], 16],
    [SR, [drop(4)], 16],
    [{}, [drop(2)], 16],
    [{}, [drop(4)], 16],
  ];
  for (const [params, rules, bytes] of cases) {
    const fast = transfer(params, rules, bytes);
    const slow = transfer(params, rules, bytes, { recovery: "timeout" });
    const firstResend = (lines: string[]) =>
      Number(lines.find((l) => l.includes("c>s DATA") && l.includes("#2"))!.split(" ")[0]);
    const what = JSON.stringify(params);
    assert.ok(firstResend(fast.lines) < 130, `${what}: fast ${firstResend(fast.lines)}`);
    assert.ok(firstResend(slow.lines) >= 130, `${what}: timeout ${firstResend(slow.lines)}`);
    assert.equal(slow.sim.client.stats.fastRetransmissions, 0, what);
    assert.equal(slow.sim.client.stats.probeRetransmissions, 0, what);
  }
});

Deno.test("fast recovery delivers everything once, in order, under seeded random loss", () => {
  for (const mode of ["gbn", "sr"] as const) {
    for (const ackPolicy of ["frame", "sack"] as const) {
      for (const cc of ["none", "aimd"] as const) {
        // As in `chat bench`: the client's frames are lost, the server's arrive.
        const decide: Decide = randomFaults({
          seed: 11,
          loss: 0.1,
          direction: "c2s",
          spareHandshake: true,
        });
        const sim = simSession({
          params: { ...SIM_PARAMS, mode, ackPolicy, window: 16, maxPayload: 32 },
          client: { cc },
          decide,
          trace: false,
        });
        establish(sim);
        const sent = Array.from({ length: 200 }, (_, i) => `m${i}`);
        for (const m of sent) sim.client.send(utf8(m), sim.now);
        const r = sim.run(() => sim.client.pending === 0, 600_000);
        const label = `${mode}/${ackPolicy}/${cc}`;
        assert.equal(r, "done", label);
        assert.deepEqual(texts(sim.delivered.server), sent, label);
        const s = sim.client.stats;
        assert.ok(s.fastRetransmissions > 0, `${label}: fast retransmissions`);
        assert.ok(
          s.timeoutRetransmissions <= 0.1 * s.retransmissions,
          `${label}: ${s.timeoutRetransmissions} of ${s.retransmissions} by timeout`,
        );
      }
    }
  }
});

/** A server endpoint (ISN 100) that got a SYN for `params` at 0, and the frames it sends. */
function synReceived(params: SessionParams): { server: ArqEndpoint; out: OutFrame[] } {
  const out: OutFrame[] = [];
  const server = ArqEndpoint.server({ isn: 100 }, {
    output: (f) => out.push(f),
    deliver: () => {},
  });
  server.input(frame(FrameType.SYN, 0, 0, encodeSyn(params)), 0);
  return { server, out };
}

Deno.test("GBN: a late handshake ACK before any RTT sample is no duplicate ACK (no go-back)", () => {
  // As `chat test` does: the peer's final handshake ACK is held 500 ms and its first DATA
  // establishes the session; the server's reply is in flight when that ACK (of the server's
  // ISN, i.e. of base - 1) arrives. Nothing was measured yet, so nothing says a frame is lost.
  const { server, out } = synReceived({
    mode: "gbn",
    window: 8,
    ackPolicy: "frame",
    maxPayload: 4,
  });
  server.input(frame(FrameType.DATA, 1, Flag.LAST, utf8("nick")), 4);
  assert.equal(server.state, "established");
  server.send(utf8("0123456789abcdefghijklmnopqrstuv"), 4); // DATA 101..108
  server.flush(4);
  const sent = () => out.filter((f) => f.type === FrameType.DATA).length;
  assert.equal(sent(), 8);
  server.input(frame(FrameType.ACK, 100, 0, new Uint8Array(0)), 504);
  server.flush(504);
  assert.equal(sent(), 8, "the late handshake ACK made the server go back N");
  // The ACKs of the flight come 500 ms after it: each frame was sent once, each is a sample.
  for (let seq = 101; seq <= 108; seq++) {
    server.input(frame(FrameType.ACK, seq, 0, new Uint8Array(0)), 504);
  }
  server.flush(504);
  assert.equal(server.stats.retransmissions, 0);
  assert.equal(server.pending, 0);
});

Deno.test("ACKs late, not lost: after a timeout no probe until a fresh sample, and GBN no go-back on the copies' re-ACKs", () => {
  for (const mode of ["sr", "gbn"] as const) {
    const sim = simSession({ params: { mode, window: 4, ackPolicy: "frame", maxPayload: 4 } });
    establish(sim);
    sim.setDelay("s2c", 300); // an overloaded peer: its ACKs take 300 ms more from now on
    sim.client.send(utf8("abcd"), sim.now);
    assert.equal(sim.run(() => sim.client.pending === 0, 10_000), "done");
    sim.client.send(utf8("efgh"), sim.now);
    assert.equal(sim.run(() => sim.client.pending === 0, 10_000), "done");
    assert.deepEqual(sim.traceLines().filter((l) => l.includes("c>s DATA")), [
      "30 c>s DATA 1",
      "115 c>s DATA 1 #2", // the probe (PTO 85 ms)
      "215 c>s DATA 1 #3", // the timeout (RTO 100, backed off to 200)
      "340 c>s DATA 2", // after DATA 1's ACK: no fresh sample, so the RTO stays backed off
      // No probe at 340 + PTO: that is timeout recovery. GBN: the re-ACKs of DATA 1's copies
      // (at 425 and 525) are no duplicates of DATA 2's flight.
      "540 c>s DATA 2 #2", // its own timeout, 200 ms later
    ], mode);
    const s = sim.client.stats;
    assert.deepEqual(
      [s.probeRetransmissions, s.timeoutRetransmissions, s.fastRetransmissions],
      [1, 2, 0],
      mode,
    );
  }
});

Deno.test("GBN: the re-ACKs of the timer's copies do not make it go back once the ACKs are on time again", () => {
  const sim = simSession({ params: { window: 4, ackPolicy: "frame", maxPayload: 4 } });
  establish(sim);
  sim.setDelay("s2c", 400); // a pause of the peer: the first frame's ACK comes 400 ms late
  sim.client.send(utf8("abcd"), sim.now);
  sim.runUntil(sim.now + 450);
  sim.setDelay("s2c", 10);
  for (let i = 0; i < 3; i++) {
    sim.client.send(utf8("efgh"), sim.now);
    sim.runUntil(sim.now + 200);
  }
  assert.equal(sim.run(() => sim.client.pending === 0, 10_000), "done");
  // DATA 1's three copies each bring a re-ACK of 1 (at 525, 625 and 825): before, the first
  // two made the sender go back from DATA 2, whose copies brought more re-ACKs in turn.
  assert.deepEqual(sim.traceLines().filter((l) => l.includes("c>s DATA")), [
    "30 c>s DATA 1",
    "115 c>s DATA 1 #2",
    "215 c>s DATA 1 #3",
    "415 c>s DATA 1 #4",
    "480 c>s DATA 2",
    "680 c>s DATA 3",
    "880 c>s DATA 4",
  ]);
  assert.equal(sim.client.stats.fastRetransmissions, 0);
});

Deno.test("a late update that finds the probe and the RTO both expired resends the frame once", () => {
  for (const mode of ["sr", "gbn"] as const) {
    const sim = simSession({ params: { mode }, decide: scriptedFaults([drop(1)]) });
    establish(sim);
    sim.client.send(utf8("abcd"), sim.now);
    sim.client.flush(sim.now);
    // The event loop was stalled (a busy page, a loaded machine): one update, far too late.
    sim.client.update(sim.now + 1000);
    sim.client.flush(sim.now + 1000);
    const sent = sim.trace.filter((t) => t.dir === "c2s" && t.type === FrameType.DATA);
    assert.equal(sent.length, 2, `${mode}: ${sim.traceLines().join("\n")}`);
  }
});

Deno.test("SR sack: after a duplicate the receiver sends its ACKs twice, so one more lost ACK costs no probe", () => {
  const lostAck = (seq: number): FaultRule => ({
    dir: "s2c",
    type: FrameType.ACK,
    seq,
    fate: "drop",
  });
  const run = (mode: "sr" | "gbn") => {
    const sim = simSession({
      params: { mode, window: 4, ackPolicy: "sack" },
      decide: scriptedFaults([lostAck(4), lostAck(8)]),
    });
    establish(sim);
    sim.client.send(utf8("abcdefghijklmnopqrstuvwxyz012345"), sim.now);
    assert.equal(sim.run(() => sim.client.pending === 0, 10_000), "done");
    return { sim, lines: sim.traceLines().slice(3) };
  };
  const sr = run("sr");
  assert.deepEqual(sr.lines, [
    ...[1, 2, 3, 4].map((s) => `30 c>s DATA ${s}`),
    "40 s>c ACK 4 drop", // before any duplicate: once
    "90 c>s DATA 4 #2", // the probe: a copy of a frame the receiver has
    "100 s>c ACK 4 #2",
    "100 s>c ACK 4 #3", // from now on each ACK leaves twice
    ...[5, 6, 7, 8].map((s) => `110 c>s DATA ${s}`),
    "120 s>c ACK 8 drop",
    "120 s>c ACK 8 #2", // the copy arrives: no second probe
  ]);
  assert.equal(sr.sim.client.stats.probeRetransmissions, 1);
  // GBN never copies (a repeated cumulative ACK is its sign of a hole): the second lost ACK
  // costs a second probe.
  const gbn = run("gbn");
  assert.equal(gbn.lines.filter((l) => l.startsWith("100 s>c ACK 4")).length, 1);
  assert.equal(gbn.sim.client.stats.probeRetransmissions, 2);
});

Deno.test("SR sack: without a duplicate no ACK is sent twice (seeded loss of DATA only)", () => {
  const sim = simSession({
    params: { mode: "sr", window: 8, ackPolicy: "sack" },
    decide: randomFaults({ seed: 5, loss: 0.2, direction: "c2s", spareHandshake: true }),
  });
  establish(sim);
  for (let i = 0; i < 50; i++) sim.client.send(utf8(`line ${i}\n`), sim.now);
  assert.equal(sim.run(() => sim.client.pending === 0, 60_000), "done");
  assert.ok(sim.client.stats.retransmissions > 0, "the loss was repaired");
  assert.equal(sim.server.stats.duplicates, 0, "no copy of a frame the receiver had");
  // A copy is the same ACK twice at the same instant (a hole's ACKs repeat a seq, not a line).
  const acks = sim.traceLines().filter((l) => l.includes("s>c ACK"))
    .map((l) => l.replace(/ #\d+/, ""));
  assert.equal(acks.filter((l, i) => i > 0 && l === acks[i - 1]).length, 0, acks.join("\n"));
});

Deno.test("SR sack: a flood of duplicate DATA costs the receiver at most two ACKs per batch", () => {
  // A hostile peer resends the same frame 1,000 times in one read: the copies double the one
  // ACK of the batch, they do not make an ACK per duplicate.
  const { server, out } = synReceived({ mode: "sr", window: 8, ackPolicy: "sack", maxPayload: 4 });
  server.input(frame(FrameType.ACK, 100), 1);
  server.input(frame(FrameType.DATA, 1, Flag.LAST, utf8("nick")), 2);
  server.flush(2);
  const acks = () => out.filter((f) => f.type === FrameType.ACK).length;
  const before = acks();
  for (let batch = 0; batch < 3; batch++) {
    for (let i = 0; i < 1000; i++) {
      server.input(frame(FrameType.DATA, 1, Flag.LAST, utf8("nick")), 3 + batch);
    }
    server.flush(3 + batch);
  }
  assert.equal(server.stats.duplicates, 3000);
  assert.equal(acks() - before, 6, "two ACKs per batch of 1,000 duplicates");
});
