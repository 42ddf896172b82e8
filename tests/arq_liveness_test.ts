import assert from "node:assert/strict";
import { decodeReason, FrameType } from "../lib/protocol/mod.ts";
import { scriptedFaults } from "./support/sim_channel.ts";
import { establish, simSession, texts, utf8 } from "./support/sim_session.ts";

/** The textbook sender: losses wait for the retransmission timer. */
const TEXTBOOK = { recovery: "timeout" } as const;

function dataLines(lines: string[]): string[] {
  return lines.slice(3);
}

Deno.test("ArqEndpoint declares the link dead after deadAfterMs without ACK progress", () => {
  const sim = simSession({
    client: TEXTBOOK,
    decide: scriptedFaults([{ dir: "c2s", type: FrameType.DATA, fate: "drop", times: 1000 }]),
  });
  establish(sim);
  sim.client.send(utf8("abcd"), sim.now);
  sim.run(() => sim.client.state === "closed", 100_000);
  assert.equal(sim.now, 30 + 15_000);
  assert.equal(sim.client.closeReason, "link dead: no acknowledgement for 15000 ms");
  const mine = sim.traceLines().filter((l) => l.includes("c>s DATA") || l.includes("RST"));
  // RTO 100 backs off to the 2000 ms cap: 11 transmissions fit in the 15 s.
  assert.deepEqual(mine, [
    "30 c>s DATA 1 drop",
    "130 c>s DATA 1 #2 drop",
    "330 c>s DATA 1 #3 drop",
    "730 c>s DATA 1 #4 drop",
    "1530 c>s DATA 1 #5 drop",
    "3130 c>s DATA 1 #6 drop",
    "5130 c>s DATA 1 #7 drop",
    "7130 c>s DATA 1 #8 drop",
    "9130 c>s DATA 1 #9 drop",
    "11130 c>s DATA 1 #10 drop",
    "13130 c>s DATA 1 #11 drop",
    "15030 c>s RST 2", // RST carries the next sequence number
  ]);
  assert.equal(decodeReason(sim.trace.at(-1)!.payload), sim.client.closeReason);
  sim.run(() => sim.server.state === "closed", 100_000);
  assert.equal(sim.server.closeReason, `reset by peer: ${sim.client.closeReason}`);
});

Deno.test("ArqEndpoint survives ten failed transmissions in a row within deadAfterMs", () => {
  const sim = simSession({
    client: TEXTBOOK,
    decide: scriptedFaults([{ dir: "c2s", type: FrameType.DATA, fate: "drop", times: 10 }]),
  });
  establish(sim);
  sim.client.send(utf8("abcd"), sim.now);
  assert.equal(sim.run(() => sim.client.pending === 0, 100_000), "done");
  assert.equal(sim.client.state, "established");
  assert.deepEqual(texts(sim.delivered.server), ["abcd"]);
  assert.equal(sim.client.stats.retransmissions, 10);
  assert.equal(sim.client.stats.timeouts, 10);
  assert.equal(sim.now, 13_150);
  // The fresh ACK ends the dead-link clock: a new message gets a full deadAfterMs again.
  sim.client.send(utf8("efgh"), sim.now);
  assert.equal(sim.run(() => sim.client.pending === 0, 100_000), "done");
});

Deno.test("ArqEndpoint also declares the link dead when only ACKs are lost", () => {
  const sim = simSession({
    client: TEXTBOOK,
    params: { mode: "sr" },
    decide: scriptedFaults([{ dir: "s2c", type: FrameType.ACK, fate: "drop", times: 1000 }]),
  });
  establish(sim);
  sim.client.send(utf8("abcd"), sim.now);
  sim.run(() => sim.client.state === "closed", 100_000);
  assert.equal(sim.client.closeReason, "link dead: no acknowledgement for 15000 ms");
  assert.deepEqual(texts(sim.delivered.server), ["abcd"]); // delivered once despite 11 copies
  assert.equal(sim.server.stats.duplicates, 10);
});

Deno.test("ArqEndpoint sends PING after keepaliveMs of silence and PONG answers", () => {
  const sim = simSession();
  establish(sim);
  sim.runUntil(50_000);
  assert.deepEqual(dataLines(sim.traceLines()), [
    "15020 c>s PING 0", // the client heard last at 20 (SYN-ACK)
    "15030 s>c PONG 0",
    "30030 s>c PING 0", // the server heard last at 15030 (PING)
    "30040 c>s PONG 0",
    "45040 c>s PING 1",
    "45050 s>c PONG 1",
  ]);
  assert.equal(sim.client.state, "established");
  assert.equal(sim.server.state, "established");
});

Deno.test("ArqEndpoint aborts after idleTimeoutMs with nothing received", () => {
  let cut = false;
  const sim = simSession({
    decide: (_f, dir) => ({ drop: cut && dir === "s2c", corrupt: false, duplicate: false }),
  });
  establish(sim);
  cut = true; // from now on nothing reaches the client; it heard last at 20 (SYN-ACK)
  sim.run(() => sim.client.state === "closed", 100_000);
  assert.equal(sim.now, 45_020);
  assert.equal(sim.client.closeReason, "idle timeout: nothing received for 45000 ms");
  assert.deepEqual(dataLines(sim.traceLines()).filter((l) => l.includes("c>s")), [
    "15020 c>s PING 0",
    "30020 c>s PING 1",
    "45020 c>s RST 1",
  ]);
  sim.run(() => sim.server.state === "closed", 100_000);
  assert.equal(sim.server.closeReason, `reset by peer: ${sim.client.closeReason}`);
});
