import assert from "node:assert/strict";
import { ArqEndpoint, type OutFrame } from "../lib/arq/mod.ts";
import {
  decodeSack,
  encodeSack,
  encodeSyn,
  Flag,
  frame,
  FrameType,
  type SessionParams,
} from "../lib/protocol/mod.ts";
import { scriptedFaults } from "./support/sim_channel.ts";
import { establish, SIM_PARAMS, simSession, texts, utf8 } from "./support/sim_session.ts";

/** The textbook sender: losses wait for the retransmission timer. */
const TEXTBOOK = { recovery: "timeout" } as const;

// Every scenario: SR, window 4, 4-byte fragments, 10 ms each way, client ISN 0, server ISN
// 100; the handshake ends at 30 with an RTO of 100 ms on both sides.
const MESSAGE = "abcdefghijklmnop"; // DATA 1..4
const SR = { mode: "sr" } as const;

function dataLines(lines: string[]): string[] {
  return lines.slice(3);
}

Deno.test("SR lost DATA: only the lost frame is resent, the others wait in the buffer", () => {
  const sim = simSession({
    client: TEXTBOOK,
    params: SR,
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
    "40 s>c ACK 3",
    "40 s>c ACK 4",
    "130 c>s DATA 2 #2", // its own timer: 30 + 100
    "140 s>c ACK 2",
  ]);
  assert.deepEqual(texts(sim.delivered.server), [MESSAGE]);
  assert.equal(sim.server.stats.outOfOrder, 2);
  assert.equal(sim.client.stats.retransmissions, 1);
  assert.equal(sim.client.stats.timeouts, 1);
});

Deno.test("SR lost ACK: the resent frame is a duplicate below the window and is re-ACKed", () => {
  const sim = simSession({
    client: TEXTBOOK,
    params: SR,
    decide: scriptedFaults([{ dir: "s2c", type: FrameType.ACK, seq: 2, fate: "drop" }]),
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
    "40 s>c ACK 2 drop",
    "40 s>c ACK 3",
    "40 s>c ACK 4",
    "130 c>s DATA 2 #2",
    "140 s>c ACK 2 #2",
  ]);
  assert.equal(sim.server.stats.duplicates, 1);
  assert.equal(sim.delivered.server.length, 1);
});

Deno.test("SR corrupted DATA is NACKed and only that frame is resent at once", () => {
  const sim = simSession({
    params: SR,
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
    "40 s>c ACK 3",
    "40 s>c ACK 4",
    "50 c>s DATA 2 #2",
    "60 s>c ACK 2",
  ]);
  assert.equal(sim.client.stats.timeouts, 0);
  assert.equal(sim.now, 70);
});

Deno.test("SR premature timeout makes a duplicate that is re-ACKed", () => {
  const sim = simSession({
    client: TEXTBOOK,
    params: SR,
  });
  establish(sim);
  sim.setDelay("s2c", 150);
  sim.client.send(utf8("abcd"), sim.now);
  assert.equal(sim.run(() => sim.client.pending === 0, 10_000), "done");
  sim.runUntil(1000);
  assert.deepEqual(dataLines(sim.traceLines()), [
    "30 c>s DATA 1",
    "40 s>c ACK 1",
    "130 c>s DATA 1 #2",
    "140 s>c ACK 1 #2",
  ]);
  assert.equal(sim.server.stats.duplicates, 1);
  assert.equal(sim.client.stats.srtt, 20); // Karn: no sample from the retransmitted frame
});

Deno.test("SR with the sack policy sends a cumulative ACK with SACK ranges per batch", () => {
  const sim = simSession({
    client: TEXTBOOK,
    params: { ...SR, ackPolicy: "sack" },
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
    "130 c>s DATA 2 #2",
    "140 s>c ACK 4",
  ]);
  assert.deepEqual(decodeSack(sim.trace[7]!.payload), [{ start: 3, end: 5 }]);
  assert.equal(sim.trace[9]!.payload.length, 0);
  assert.equal(sim.client.stats.retransmissions, 1);
});

Deno.test("SR with ackDelayMs sends the SACK of a gap at once and delays in-order ACKs", () => {
  const sim = simSession({
    client: TEXTBOOK,
    params: { ...SR, ackPolicy: "sack" },
    server: { ackDelayMs: 25 },
    decide: scriptedFaults([{ dir: "c2s", type: FrameType.DATA, seq: 2, fate: "drop" }]),
  });
  establish(sim);
  sim.client.send(utf8(MESSAGE), sim.now);
  assert.equal(sim.run(() => sim.client.pending === 0, 10_000), "done");
  sim.client.send(utf8("q"), sim.now); // one in-order frame: its ACK waits 25 ms
  const sentAt = sim.now;
  assert.equal(sim.run(() => sim.client.pending === 0, 10_000), "done");
  assert.deepEqual(dataLines(sim.traceLines()), [
    "30 c>s DATA 1",
    "30 c>s DATA 2 drop",
    "30 c>s DATA 3",
    "30 c>s DATA 4",
    "40 s>c ACK 1", // frames 3 and 4 buffered: the gap is reported at once
    "130 c>s DATA 2 #2",
    "140 s>c ACK 4", // 2, 3 and 4 delivered: more than half a window
    `${sentAt} c>s DATA 5`,
    `${sentAt + 10 + 25} s>c ACK 5`,
  ]);
  assert.deepEqual(decodeSack(sim.trace[7]!.payload), [{ start: 3, end: 5 }]);
  assert.deepEqual(texts(sim.delivered.server), [MESSAGE, "q"]);
});

Deno.test("SR resends only the lost frame across the 2^32 sequence wrap", () => {
  const sim = simSession({
    params: SR,
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
    "40 s>c ACK 1",
    "40 s>c ACK 2",
    "130 c>s DATA 0 #2",
    "140 s>c ACK 0",
  ]);
  assert.deepEqual(texts(sim.delivered.server), [MESSAGE]);
});

Deno.test("SR independent losses of two frames back off the RTO once, not twice", () => {
  const sim = simSession({
    client: TEXTBOOK,
    params: SR,
    decide: scriptedFaults([
      { dir: "c2s", type: FrameType.DATA, seq: 1, attempt: 1, fate: "drop" },
      { dir: "c2s", type: FrameType.DATA, seq: 2, attempt: 1, fate: "drop" },
    ]),
  });
  establish(sim);
  sim.client.send(utf8("abcd"), sim.now); // DATA 1 at 30
  sim.runUntil(60);
  sim.client.send(utf8("efgh"), sim.now); // DATA 2 at 60
  assert.equal(sim.run(() => sim.client.pending === 0, 10_000), "done");
  assert.deepEqual(dataLines(sim.traceLines()), [
    "30 c>s DATA 1 drop",
    "60 c>s DATA 2 drop",
    "130 c>s DATA 1 #2",
    "140 s>c ACK 1",
    "160 c>s DATA 2 #2",
    "170 s>c ACK 2",
  ]);
  assert.equal(sim.client.stats.timeouts, 2);
  assert.equal(sim.client.stats.rto, 200);
});

Deno.test("SR a frame lost twice in a row backs the RTO off twice", () => {
  const sim = simSession({
    client: TEXTBOOK,
    params: SR,
    decide: scriptedFaults([{ dir: "c2s", type: FrameType.DATA, seq: 1, fate: "drop", times: 2 }]),
  });
  establish(sim);
  sim.client.send(utf8("abcd"), sim.now);
  assert.equal(sim.run(() => sim.client.pending === 0, 10_000), "done");
  assert.deepEqual(dataLines(sim.traceLines()), [
    "30 c>s DATA 1 drop",
    "130 c>s DATA 1 #2 drop",
    "330 c>s DATA 1 #3",
    "340 s>c ACK 1",
  ]);
  assert.equal(sim.client.stats.rto, 400);
});

/** A server endpoint established by hand with raw frames (client ISN 0, server ISN 100). */
function rawServer(params: SessionParams) {
  const out: OutFrame[] = [];
  const delivered: Uint8Array[] = [];
  const server = ArqEndpoint.server({ isn: 100 }, {
    output: (f) => out.push(f),
    deliver: (m) => delivered.push(m.slice()), // lent: valid during the call only
  });
  server.input(frame(FrameType.SYN, 0, 0, encodeSyn(params)), 0);
  server.input(frame(FrameType.ACK, 100), 1);
  assert.equal(server.state, "established");
  out.length = 0;
  return { server, out, delivered };
}

const data = (seq: number, byte: number, last = true) =>
  frame(FrameType.DATA, seq, last ? Flag.LAST : 0, new Uint8Array([byte]));
const acks = (out: OutFrame[]) =>
  out.map((f) => `${f.type === FrameType.ACK ? "ACK" : f.type} ${f.seq}`);

Deno.test("SR receiver drops frames beyond its window without an ACK", () => {
  const { server, out, delivered } = rawServer({ ...SIM_PARAMS, mode: "sr" });
  server.input(data(5, 5), 2); // window is [1, 5)
  assert.deepEqual(out, []);
  assert.equal(server.stats.outOfOrder, 1);
  server.input(data(4, 4), 3); // inside: buffered and ACKed
  assert.deepEqual(acks(out), ["ACK 4"]);
  assert.deepEqual(delivered, []);
});

Deno.test("SR receiver buffers, drops duplicates and delivers the contiguous run", () => {
  const { server, out, delivered } = rawServer({ ...SIM_PARAMS, mode: "sr" });
  const three = new Uint8Array([3]);
  server.input(frame(FrameType.DATA, 3, Flag.LAST, three), 2);
  three[0] = 99; // the decoder reuses its buffer: the endpoint copied what it kept
  server.input(data(3, 3), 3); // duplicate in the buffer
  server.input(data(2, 2, false), 4);
  assert.deepEqual(delivered, []);
  server.input(data(1, 1), 5);
  assert.deepEqual(delivered, [new Uint8Array([1]), new Uint8Array([2, 3])]);
  server.input(data(1, 1), 6); // below the window: duplicate, re-ACKed
  assert.deepEqual(acks(out), ["ACK 3", "ACK 3", "ACK 2", "ACK 1", "ACK 1"]);
  assert.equal(server.stats.duplicates, 2);
  assert.equal(server.stats.messagesDelivered, 2);
});

Deno.test("SR receiver does not re-ACK frames older than one window", () => {
  const { server, out } = rawServer({ ...SIM_PARAMS, mode: "sr" });
  for (let seq = 1; seq <= 8; seq++) server.input(data(seq, seq), 2);
  out.length = 0;
  server.input(data(4, 4), 3); // expected 9: [5, 9) is re-ACKed, 4 is not
  server.input(data(5, 5), 3);
  assert.deepEqual(acks(out), ["ACK 5"]);
  assert.equal(server.stats.duplicates, 2);
});

Deno.test("SR sender clips SACK ranges to its window", () => {
  const params: SessionParams = { ...SIM_PARAMS, mode: "sr", ackPolicy: "sack" };
  const toServer: OutFrame[] = [];
  const toClient: OutFrame[] = [];
  const client = ArqEndpoint.client(params, TEXTBOOK, {
    output: (f) => toServer.push(f),
    deliver: () => {},
  }, 0);
  const server = ArqEndpoint.server({ isn: 100 }, {
    output: (f) => toClient.push(f),
    deliver: () => {},
  });
  server.input(toServer[0]!, 5); // SYN
  client.input(toClient[0]!, 10); // SYN-ACK
  assert.equal(client.state, "established");
  client.send(utf8(MESSAGE), 10);
  client.flush(10); // DATA 1..4
  assert.deepEqual(toServer.slice(2).map((f) => f.seq), [1, 2, 3, 4]);
  // Nothing cumulative yet, and a range claiming far more than was sent.
  client.input(frame(FrameType.ACK, 0, 0, encodeSack([{ start: 2, end: 4000 }])), 20);
  assert.equal(client.pending, 1);
  assert.equal(client.nextWake(), 110); // only DATA 1 still has a timer
  client.input(frame(FrameType.ACK, 1), 21);
  assert.equal(client.pending, 0);
});

Deno.test("SR sender treats a malformed SACK block as a protocol error", () => {
  const { server, out } = rawServer({ ...SIM_PARAMS, mode: "sr", ackPolicy: "sack" });
  server.send(utf8("x"), 2);
  server.flush(2);
  server.input(frame(FrameType.ACK, 100, 0, new Uint8Array([3, 0, 0])), 3);
  assert.equal(server.state, "closed");
  assert.match(server.closeReason!, /^Protocol error: ACK: bad SACK block/);
  assert.equal(out.at(-1)!.type, FrameType.RST);
});
