import assert from "node:assert/strict";
import { ArqEndpoint, type OutFrame, SessionClosedError } from "../lib/arq/mod.ts";
import { decodeReason, frame, FrameType } from "../lib/protocol/mod.ts";
import { scriptedFaults } from "./support/sim_channel.ts";
import { establish, SIM_PARAMS, simSession, texts, utf8 } from "./support/sim_session.ts";

/** The textbook sender: losses wait for the retransmission timer. */
const TEXTBOOK = { recovery: "timeout" } as const;

function dataLines(lines: string[]): string[] {
  return lines.slice(3);
}

Deno.test("ArqEndpoint close sends FIN with the next seq and the peer answers FIN-ACK", () => {
  const sim = simSession();
  establish(sim);
  sim.client.close(sim.now);
  assert.equal(sim.client.state, "closing");
  sim.run(() => sim.client.state === "closed", 10_000);
  assert.deepEqual(dataLines(sim.traceLines()), ["30 c>s FIN 1", "40 s>c FIN-ACK 1"]);
  assert.equal(sim.now, 50);
  assert.equal(sim.client.closeReason, "closed");
  assert.equal(sim.server.state, "closed");
  assert.equal(sim.server.closeReason, "closed by peer");
  assert.deepEqual(sim.events.server.at(-1), { kind: "closed", reason: "closed by peer" });
  assert.equal(sim.client.nextWake(), undefined);
  assert.equal(sim.server.nextWake(), undefined);
});

Deno.test("ArqEndpoint close waits until everything queued is acknowledged", () => {
  const sim = simSession({
    client: TEXTBOOK,
    decide: scriptedFaults([{ dir: "c2s", type: FrameType.DATA, fate: "drop" }]),
  });
  establish(sim);
  sim.client.send(utf8("abcd"), sim.now);
  sim.client.close(sim.now);
  assert.throws(() => sim.client.send(utf8("late"), sim.now), SessionClosedError);
  sim.run(() => sim.client.state === "closed", 10_000);
  assert.deepEqual(dataLines(sim.traceLines()), [
    "30 c>s DATA 1 drop",
    "130 c>s DATA 1 #2",
    "140 s>c ACK 1",
    "150 c>s FIN 2",
    "160 s>c FIN-ACK 2",
  ]);
  assert.deepEqual(texts(sim.delivered.server), ["abcd"]);
  assert.equal(sim.client.closeReason, "closed");
});

Deno.test("ArqEndpoint closed endpoint still answers a repeated FIN", () => {
  const sim = simSession({
    decide: scriptedFaults([{ dir: "s2c", type: FrameType.FIN_ACK, fate: "drop" }]),
  });
  establish(sim);
  sim.client.close(sim.now);
  sim.run(() => sim.client.state === "closed", 10_000);
  assert.deepEqual(dataLines(sim.traceLines()), [
    "30 c>s FIN 1",
    "40 s>c FIN-ACK 1 drop",
    "130 c>s FIN 1 #2",
    "140 s>c FIN-ACK 1 #2",
  ]);
  assert.equal(sim.client.closeReason, "closed");
});

Deno.test("ArqEndpoint FIN sender gives up after deadAfterMs without FIN-ACK", () => {
  const sim = simSession({
    decide: scriptedFaults([{ dir: "s2c", type: FrameType.FIN_ACK, fate: "drop", times: 100 }]),
  });
  establish(sim);
  sim.client.close(sim.now);
  sim.run(() => sim.client.state === "closed", 60_000);
  assert.equal(sim.now, 30 + 15_000);
  assert.equal(sim.client.closeReason, "closed (no FIN-ACK)");
});

Deno.test("ArqEndpoint abort sends RST and the peer closes with its reason", () => {
  const sim = simSession();
  establish(sim);
  sim.server.abort("kicked by operator", sim.now);
  assert.equal(sim.server.state, "closed");
  assert.equal(sim.server.closeReason, "kicked by operator");
  sim.run(() => sim.client.state === "closed", 10_000);
  assert.deepEqual(dataLines(sim.traceLines()), ["30 s>c RST 101"]);
  assert.equal(decodeReason(sim.trace.at(-1)!.payload), "kicked by operator");
  assert.equal(sim.client.closeReason, "reset by peer: kicked by operator");
  assert.throws(() => sim.client.send(utf8("x"), sim.now), SessionClosedError);
  // RST is not answered.
  sim.runUntil(100_000);
  assert.equal(sim.trace.length, 4);
});

Deno.test("ArqEndpoint close before the handshake completes sends queued data, then FIN", () => {
  const sim = simSession();
  sim.client.send(utf8("early"), 0);
  sim.client.close(0);
  assert.equal(sim.client.state, "syn-sent");
  sim.run(() => sim.client.state === "closed" && sim.server.state === "closed", 10_000);
  assert.deepEqual(texts(sim.delivered.server), ["early"]);
  assert.deepEqual(sim.traceLines().map((l) => l.split(" ").slice(2).join(" ")), [
    "SYN 0",
    "SYN-ACK 100",
    "ACK 100",
    "DATA 1",
    "DATA 2",
    "ACK 1",
    "ACK 2",
    "FIN 3",
    "FIN-ACK 3",
  ]);
});

Deno.test("ArqEndpoint close of a listening server closes without a frame", () => {
  const out: OutFrame[] = [];
  const server = ArqEndpoint.server({}, { output: (f) => out.push(f), deliver: () => {} }, 0);
  server.close(5);
  assert.equal(server.state, "closed");
  assert.equal(server.closeReason, "closed");
  assert.equal(out.length, 0);
  // Once closed, only FIN gets an answer.
  server.input(frame(FrameType.PING, 1), 6);
  server.input(frame(FrameType.FIN, 7), 6);
  assert.deepEqual(out.map((f) => [f.type, f.seq]), [[FrameType.FIN_ACK, 7]]);
});

Deno.test("ArqEndpoint FIN receiver drops what it had not sent yet", () => {
  const sim = simSession({ params: { ...SIM_PARAMS, window: 1 } });
  establish(sim);
  sim.server.send(utf8("abcdefgh"), sim.now); // two fragments, window 1
  sim.client.close(sim.now); // nothing pending on the client: FIN at once
  sim.run(() => sim.client.state === "closed" && sim.server.state === "closed", 10_000);
  assert.equal(sim.server.closeReason, "closed by peer");
  assert.deepEqual(sim.delivered.client, []);
});
