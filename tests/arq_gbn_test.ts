import assert from "node:assert/strict";
import { FrameType } from "../lib/protocol/mod.ts";
import { scriptedFaults } from "./support/sim_channel.ts";
import { establish, simSession, texts, utf8 } from "./support/sim_session.ts";

/** The textbook sender: losses wait for the retransmission timer. */
const TEXTBOOK = { recovery: "timeout" } as const;

// Every scenario: GBN, window 4, 4-byte fragments, 10 ms each way, client ISN 0, server ISN
// 100; the handshake ends at 30 with an RTO of 100 ms on both sides (RTT 20 ms).
const MESSAGE = "abcdefghijklmnop"; // four fragments: DATA 1..4

function dataLines(lines: string[]): string[] {
  return lines.slice(3); // after SYN, SYN-ACK, ACK
}

Deno.test("GBN lost DATA makes the sender go back N after its timeout", () => {
  const sim = simSession({
    client: TEXTBOOK,
    decide: scriptedFaults([{ dir: "c2s", type: FrameType.DATA, seq: 2, fate: "drop" }]),
  });
  establish(sim);
  sim.client.send(utf8(MESSAGE), sim.now);
  assert.equal(sim.run(() => sim.client.pending === 0, 10_000), "done");
  assert.deepEqual(dataLines(sim.traceLines()), [
    "30 c>s DATA 1",
    "30 c>s DATA 2 drop",
    "30 c>s DATA 3",
    "30 c>s DATA 4",
    "40 s>c ACK 1",
    "40 s>c ACK 1 #2", // 3 discarded, last in-order frame re-ACKed
    "40 s>c ACK 1 #3", // 4 discarded
    "150 c>s DATA 2 #2", // timer restarted by ACK 1 at 50: 50 + 100
    "150 c>s DATA 3 #2",
    "150 c>s DATA 4 #2",
    "160 s>c ACK 2",
    "160 s>c ACK 3",
    "160 s>c ACK 4",
  ]);
  assert.deepEqual(texts(sim.delivered.server), [MESSAGE]);
  assert.equal(sim.server.stats.outOfOrder, 2);
  assert.equal(sim.client.stats.timeouts, 1);
  assert.equal(sim.client.stats.retransmissions, 3);
  assert.equal(sim.client.stats.rto, 200); // backed off; no fresh sample since
});

Deno.test("GBN lost final ACK is recovered by a timeout and a re-ACK of the duplicate", () => {
  const sim = simSession({
    client: TEXTBOOK,
    decide: scriptedFaults([{ dir: "s2c", type: FrameType.ACK, seq: 4, fate: "drop" }]),
  });
  establish(sim);
  sim.client.send(utf8(MESSAGE), sim.now);
  assert.equal(sim.run(() => sim.client.pending === 0, 10_000), "done");
  assert.deepEqual(dataLines(sim.traceLines()), [
    "30 c>s DATA 1",
    "30 c>s DATA 2",
    "30 c>s DATA 3",
    "30 c>s DATA 4",
    "40 s>c ACK 1",
    "40 s>c ACK 2",
    "40 s>c ACK 3",
    "40 s>c ACK 4 drop",
    "150 c>s DATA 4 #2",
    "160 s>c ACK 4 #2",
  ]);
  assert.equal(sim.now, 170);
  assert.equal(sim.server.stats.duplicates, 1);
  assert.equal(sim.delivered.server.length, 1);
});

Deno.test("GBN lost ACK in the middle is covered by the next cumulative ACK", () => {
  const sim = simSession({
    decide: scriptedFaults([{ dir: "s2c", type: FrameType.ACK, seq: 2, fate: "drop" }]),
  });
  establish(sim);
  sim.client.send(utf8(MESSAGE), sim.now);
  assert.equal(sim.run(() => sim.client.pending === 0, 10_000), "done");
  assert.equal(sim.now, 50);
  assert.equal(sim.client.stats.retransmissions, 0);
});

Deno.test("GBN corrupted DATA is NACKed and resent at once from that frame", () => {
  const sim = simSession({
    decide: scriptedFaults([{ dir: "c2s", type: FrameType.DATA, seq: 2, fate: "corrupt" }]),
  });
  establish(sim);
  sim.client.send(utf8(MESSAGE), sim.now);
  assert.equal(sim.run(() => sim.client.pending === 0, 10_000), "done");
  assert.deepEqual(dataLines(sim.traceLines()), [
    "30 c>s DATA 1",
    "30 c>s DATA 2 corrupt",
    "30 c>s DATA 3",
    "30 c>s DATA 4",
    "40 s>c ACK 1",
    "40 s>c NACK 2",
    "40 s>c ACK 1 #2",
    "40 s>c ACK 1 #3",
    "50 c>s DATA 2 #2",
    "50 c>s DATA 3 #2",
    "50 c>s DATA 4 #2",
    "60 s>c ACK 2",
    "60 s>c ACK 3",
    "60 s>c ACK 4",
  ]);
  assert.equal(sim.server.stats.corruptReceived, 1);
  assert.equal(sim.server.stats.nacksSent, 1);
  assert.equal(sim.client.stats.nacksReceived, 1);
  assert.equal(sim.client.stats.timeouts, 0);
  assert.ok(
    sim.events.client.some((e) => e.kind === "retransmit" && e.seq === 2 && e.reason === "nack"),
  );
});

Deno.test("GBN receiver sends one NACK per expected sequence number", () => {
  const sim = simSession({
    decide: scriptedFaults([
      { dir: "c2s", type: FrameType.DATA, seq: 2, fate: "corrupt" },
      { dir: "c2s", type: FrameType.DATA, seq: 3, fate: "corrupt" },
    ]),
  });
  establish(sim);
  sim.client.send(utf8(MESSAGE), sim.now);
  assert.equal(sim.run(() => sim.client.pending === 0, 10_000), "done");
  assert.deepEqual(dataLines(sim.traceLines()), [
    "30 c>s DATA 1",
    "30 c>s DATA 2 corrupt",
    "30 c>s DATA 3 corrupt",
    "30 c>s DATA 4",
    "40 s>c ACK 1",
    "40 s>c NACK 2",
    "40 s>c ACK 1 #2",
    "50 c>s DATA 2 #2",
    "50 c>s DATA 3 #2",
    "50 c>s DATA 4 #2",
    "60 s>c ACK 2",
    "60 s>c ACK 3",
    "60 s>c ACK 4",
  ]);
  assert.equal(sim.server.stats.corruptReceived, 2);
  assert.equal(sim.server.stats.nacksSent, 1);
});

Deno.test("GBN premature timeout makes a duplicate that is re-ACKed, and Karn skips it", () => {
  const sim = simSession({ client: TEXTBOOK });
  establish(sim);
  sim.setDelay("s2c", 150); // the ACK path slows down: RTT 160 ms > RTO 100 ms
  sim.client.send(utf8("abcd"), sim.now);
  assert.equal(sim.run(() => sim.client.pending === 0, 10_000), "done");
  assert.equal(sim.now, 190);
  sim.runUntil(1000);
  assert.deepEqual(dataLines(sim.traceLines()), [
    "30 c>s DATA 1",
    "40 s>c ACK 1",
    "130 c>s DATA 1 #2",
    "140 s>c ACK 1 #2",
  ]);
  assert.equal(sim.server.stats.duplicates, 1);
  assert.equal(sim.delivered.server.length, 1);
  // The ACK cannot tell which transmission it answers: no sample, the back-off stays.
  assert.equal(sim.client.stats.srtt, 20);
  assert.equal(sim.client.stats.rto, 200);
});

Deno.test("GBN ignores a stale NACK for a frame resent less than SRTT/2 ago", () => {
  const sim = simSession({
    client: TEXTBOOK,
    decide: scriptedFaults([{ dir: "c2s", type: FrameType.DATA, seq: 1, fate: "corrupt" }]),
  });
  establish(sim);
  sim.setDelay("s2c", 95); // the NACK sent at 40 arrives at 135, 5 ms after the timeout resend
  sim.client.send(utf8("abcd"), sim.now);
  assert.equal(sim.run(() => sim.client.pending === 0, 10_000), "done");
  assert.deepEqual(dataLines(sim.traceLines()), [
    "30 c>s DATA 1 corrupt",
    "40 s>c NACK 1",
    "130 c>s DATA 1 #2",
    "140 s>c ACK 1",
  ]);
  assert.ok(
    sim.events.client.some((e) =>
      e.kind === "nack-received" && e.seq === 1 && e.action === "stale"
    ),
  );
});

Deno.test("GBN sender never has more than window frames in flight", () => {
  const sim = simSession({ params: { window: 2 } });
  establish(sim);
  sim.client.send(utf8(MESSAGE), sim.now);
  assert.equal(sim.run(() => sim.client.pending === 0, 10_000), "done");
  assert.deepEqual(dataLines(sim.traceLines()), [
    "30 c>s DATA 1",
    "30 c>s DATA 2",
    "40 s>c ACK 1",
    "40 s>c ACK 2",
    "50 c>s DATA 3",
    "50 c>s DATA 4",
    "60 s>c ACK 3",
    "60 s>c ACK 4",
  ]);
});

Deno.test("GBN with the sack policy sends one cumulative ACK per batch", () => {
  const sim = simSession({ params: { ackPolicy: "sack" } });
  establish(sim);
  sim.client.send(utf8(MESSAGE), sim.now);
  assert.equal(sim.run(() => sim.client.pending === 0, 10_000), "done");
  assert.deepEqual(dataLines(sim.traceLines()), [
    "30 c>s DATA 1",
    "30 c>s DATA 2",
    "30 c>s DATA 3",
    "30 c>s DATA 4",
    "40 s>c ACK 4",
  ]);
  assert.equal(sim.trace.at(-1)!.length, 0); // no SACK block under GBN
});

Deno.test("GBN with ackDelayMs sends the delayed ACK from update", () => {
  const sim = simSession({ params: { ackPolicy: "sack" }, server: { ackDelayMs: 25 } });
  establish(sim);
  sim.client.send(utf8("ab"), sim.now);
  assert.equal(sim.run(() => sim.client.pending === 0, 10_000), "done");
  assert.deepEqual(dataLines(sim.traceLines()), ["30 c>s DATA 1", "65 s>c ACK 1"]);
});

Deno.test("GBN goes back N across the 2^32 sequence wrap", () => {
  const sim = simSession({
    client: { ...TEXTBOOK, isn: 0xfffffffe },
    decide: scriptedFaults([{ dir: "c2s", type: FrameType.DATA, seq: 0, fate: "drop" }]),
  });
  establish(sim);
  sim.client.send(utf8(MESSAGE), sim.now);
  assert.equal(sim.run(() => sim.client.pending === 0, 10_000), "done");
  assert.deepEqual(dataLines(sim.traceLines()), [
    "30 c>s DATA 4294967295",
    "30 c>s DATA 0 drop",
    "30 c>s DATA 1",
    "30 c>s DATA 2",
    "40 s>c ACK 4294967295",
    "40 s>c ACK 4294967295 #2",
    "40 s>c ACK 4294967295 #3",
    "150 c>s DATA 0 #2",
    "150 c>s DATA 1 #2",
    "150 c>s DATA 2 #2",
    "160 s>c ACK 0",
    "160 s>c ACK 1",
    "160 s>c ACK 2",
  ]);
  assert.deepEqual(texts(sim.delivered.server), [MESSAGE]);
});

Deno.test("GBN with ackDelayMs ACKs at once when half a window arrived", () => {
  const sim = simSession({ params: { ackPolicy: "sack" }, server: { ackDelayMs: 25 } });
  establish(sim);
  sim.client.send(utf8(MESSAGE), sim.now); // four frames: a whole window in one batch
  assert.equal(sim.run(() => sim.client.pending === 0, 10_000), "done");
  assert.deepEqual(dataLines(sim.traceLines()).filter((l) => l.includes("ACK")), [
    "40 s>c ACK 4",
  ]);
});

Deno.test("GBN with ackDelayMs re-ACKs a gap at once, not after the delay", () => {
  const sim = simSession({
    client: TEXTBOOK,
    params: { ackPolicy: "sack" },
    server: { ackDelayMs: 25 },
    decide: scriptedFaults([{ dir: "c2s", type: FrameType.DATA, seq: 2, fate: "drop" }]),
  });
  establish(sim);
  sim.client.send(utf8(MESSAGE), sim.now);
  assert.equal(sim.run(() => sim.client.pending === 0, 10_000), "done");
  assert.deepEqual(dataLines(sim.traceLines()).filter((l) => l.includes("ACK")), [
    "40 s>c ACK 1", // frame 1, acknowledged before frame 3 is discarded
    "40 s>c ACK 1 #2", // frames 3 and 4 out of order: the sender hears of the gap now
    "160 s>c ACK 4", // the three resent frames, more than half a window
  ]);
  assert.deepEqual(texts(sim.delivered.server), [MESSAGE]);
});
