import assert from "node:assert/strict";
import { ArqEndpoint, type OutFrame } from "../lib/arq/mod.ts";
import {
  decodeReason,
  decodeSynAck,
  encodeSyn,
  frame,
  FrameType,
  type SessionParams,
} from "../lib/protocol/mod.ts";
import { scriptedFaults } from "./support/sim_channel.ts";
import { establish, SIM_PARAMS, simSession } from "./support/sim_session.ts";

Deno.test("ArqEndpoint handshake is SYN, SYN-ACK, ACK and data starts at ISN + 1", () => {
  const sim = simSession();
  assert.equal(sim.client.state, "syn-sent");
  assert.equal(sim.server.state, "listen");
  assert.equal(establish(sim), 30);
  assert.deepEqual(sim.traceLines(), ["0 c>s SYN 0", "10 s>c SYN-ACK 100", "20 c>s ACK 100"]);
  const synAck = decodeSynAck(sim.trace[1]!.payload);
  assert.deepEqual(synAck, { params: SIM_PARAMS, ackedIsn: 0 });
  assert.deepEqual(sim.client.params, SIM_PARAMS);
  assert.deepEqual(sim.server.params, SIM_PARAMS);
  // Each side measured one RTT of 20 ms from its handshake frame.
  assert.equal(sim.client.stats.srtt, 20);
  assert.equal(sim.server.stats.srtt, 20);
  assert.equal(sim.client.stats.rto, 100); // 20 + 4 * 10 = 60, clamped to minRto
  assert.deepEqual(sim.events.client.map((e) => e.kind), ["rtt", "established"]);
  sim.client.send(new Uint8Array([1]), sim.now);
  sim.client.flush(sim.now);
  assert.equal(sim.trace.at(-1)!.seq, 1);
  sim.server.send(new Uint8Array([2]), sim.now);
  sim.server.flush(sim.now);
  assert.equal(sim.trace.at(-1)!.seq, 101);
});

Deno.test("ArqEndpoint server clamps the window to maxWindow", () => {
  const sim = simSession({ params: { window: 32 }, server: { maxWindow: 8 } });
  establish(sim);
  assert.equal(sim.server.params!.window, 8);
  assert.equal(sim.client.params!.window, 8);
});

Deno.test("ArqEndpoint client resends a lost SYN after the initial RTO and takes no sample", () => {
  const sim = simSession({ decide: scriptedFaults([{ type: FrameType.SYN, fate: "drop" }]) });
  assert.equal(establish(sim), 1030);
  assert.deepEqual(sim.traceLines(), [
    "0 c>s SYN 0 drop",
    "1000 c>s SYN 0 #2",
    "1010 s>c SYN-ACK 100",
    "1020 c>s ACK 100",
  ]);
  // Karn: the SYN-ACK answers a retransmitted SYN, so no sample; the back-off stays.
  assert.equal(sim.client.stats.srtt, 0);
  assert.equal(sim.client.stats.rto, 2000);
  assert.equal(sim.client.stats.retransmissions, 1);
  assert.equal(sim.client.stats.timeouts, 1);
});

Deno.test("ArqEndpoint server answers a duplicate SYN with the SYN-ACK again", () => {
  const sim = simSession({ decide: scriptedFaults([{ type: FrameType.SYN_ACK, fate: "drop" }]) });
  assert.equal(establish(sim), 1030);
  assert.deepEqual(sim.traceLines(), [
    "0 c>s SYN 0",
    "10 s>c SYN-ACK 100 drop",
    "1000 c>s SYN 0 #2",
    "1010 s>c SYN-ACK 100 #2",
    "1020 c>s ACK 100",
  ]);
  assert.ok(
    sim.events.server.some((e) => e.kind === "retransmit" && e.reason === "duplicate"),
  );
});

Deno.test("ArqEndpoint client answers a duplicate SYN-ACK with the ACK again", () => {
  const sim = simSession({
    decide: scriptedFaults([{ dir: "c2s", type: FrameType.ACK, fate: "drop" }]),
  });
  assert.equal(establish(sim), 1030);
  assert.deepEqual(sim.traceLines(), [
    "0 c>s SYN 0",
    "10 s>c SYN-ACK 100",
    "20 c>s ACK 100 drop",
    "1010 s>c SYN-ACK 100 #2",
    "1020 c>s ACK 100 #2",
  ]);
  assert.equal(sim.client.state, "established");
});

Deno.test("ArqEndpoint server becomes established on the first DATA when the ACK was lost", () => {
  const sim = simSession({
    decide: scriptedFaults([{ dir: "c2s", type: FrameType.ACK, fate: "drop" }]),
  });
  sim.run(() => sim.client.state === "established", 1000);
  sim.client.send(new Uint8Array([7]), sim.now);
  sim.run(() => sim.server.state === "established", 1000);
  assert.equal(sim.now, 30);
  assert.deepEqual(sim.traceLines(), [
    "0 c>s SYN 0",
    "10 s>c SYN-ACK 100",
    "20 c>s ACK 100 drop",
    "20 c>s DATA 1",
    "30 s>c ACK 1",
  ]);
  sim.run(() => sim.client.pending === 0, 1000);
  assert.deepEqual(sim.delivered.server, [new Uint8Array([7])]);
});

Deno.test("ArqEndpoint gives up the handshake after handshakeTimeoutMs", () => {
  const sim = simSession({ decide: scriptedFaults([{ dir: "c2s", fate: "drop", times: 100 }]) });
  sim.run(() => sim.client.state === "closed", 60_000);
  assert.equal(sim.now, 10_000);
  assert.deepEqual(sim.traceLines(), [
    "0 c>s SYN 0 drop",
    "1000 c>s SYN 0 #2 drop",
    "3000 c>s SYN 0 #3 drop",
    "5000 c>s SYN 0 #4 drop",
    "7000 c>s SYN 0 #5 drop",
    "9000 c>s SYN 0 #6 drop",
    "10000 c>s RST 0 drop",
    "10000 s>c RST 100",
  ]);
  assert.equal(sim.client.closeReason, "handshake timeout");
  assert.equal(decodeReason(sim.trace.at(-1)!.payload), "handshake timeout");
  // The server was given `now`, so it also gives up waiting for a SYN.
  assert.equal(sim.server.state, "closed");
  assert.equal(sim.server.closeReason, "handshake timeout");
});

Deno.test("ArqEndpoint server in syn-received gives up after handshakeTimeoutMs", () => {
  const sim = simSession({
    decide: scriptedFaults([{ dir: "s2c", fate: "drop", times: 100 }]),
    client: { handshakeTimeoutMs: 60_000 },
  });
  sim.run(() => sim.server.state === "closed", 60_000);
  assert.equal(sim.server.closeReason, "handshake timeout");
  assert.equal(sim.now, 10_010);
  // Each duplicate SYN is answered at once and re-arms the timer; the timer fired once.
  assert.deepEqual(sim.traceLines().filter((l) => l.includes("s>c")), [
    "10 s>c SYN-ACK 100 drop",
    "1010 s>c SYN-ACK 100 #2 drop",
    "2010 s>c SYN-ACK 100 #3 drop",
    "3010 s>c SYN-ACK 100 #4 drop",
    "5010 s>c SYN-ACK 100 #5 drop",
    "7010 s>c SYN-ACK 100 #6 drop",
    "9010 s>c SYN-ACK 100 #7 drop",
    "10010 s>c RST 100 drop",
  ]);
  assert.equal(sim.server.stats.timeouts, 1);
});

function rawServer(options = {}) {
  const out: OutFrame[] = [];
  const server = ArqEndpoint.server(options, { output: (f) => out.push(f), deliver: () => {} });
  return { server, out };
}

Deno.test("ArqEndpoint server answers invalid SYN parameters with RST and the reason", () => {
  const { server, out } = rawServer();
  const payload = encodeSyn(SIM_PARAMS);
  payload[3] = 0; // window 0
  server.input(frame(FrameType.SYN, 5, 0, payload), 0);
  assert.equal(server.state, "closed");
  assert.equal(out.length, 1);
  assert.equal(out[0]!.type, FrameType.RST);
  const reason = decodeReason(out[0]!.payload);
  assert.equal(reason, "Protocol error: SYN: Window out of range: 0 (1..256)");
  assert.equal(server.closeReason, reason);
});

Deno.test("ArqEndpoint server without a start time waits for a SYN forever", () => {
  const { server } = rawServer();
  assert.equal(server.nextWake(), undefined);
  server.update(1e9);
  assert.equal(server.state, "listen");
});

Deno.test("ArqEndpoint client rejects a SYN-ACK confirming parameters it did not ask for", () => {
  const out: OutFrame[] = [];
  const params: SessionParams = { ...SIM_PARAMS, window: 4 };
  const client = ArqEndpoint.client(params, {}, {
    output: (f) => out.push(f),
    deliver: () => {},
  }, 0);
  const server = rawServer({ isn: 9 });
  const bigger = { ...params, window: 8 };
  server.server.input(frame(FrameType.SYN, 0, 0, encodeSyn(bigger)), 0);
  client.input(server.out[0]!, 10);
  assert.equal(client.state, "closed");
  assert.match(client.closeReason!, /not requested/);
  assert.equal(out.at(-1)!.type, FrameType.RST);
});

Deno.test("ArqEndpoint client ignores a SYN-ACK for another ISN", () => {
  const out: OutFrame[] = [];
  const client = ArqEndpoint.client(SIM_PARAMS, { isn: 1 }, {
    output: (f) => out.push(f),
    deliver: () => {},
  }, 0);
  const server = rawServer({ isn: 9 });
  server.server.input(frame(FrameType.SYN, 2, 0, encodeSyn(SIM_PARAMS)), 0);
  client.input(server.out[0]!, 10);
  assert.equal(client.state, "syn-sent");
  assert.equal(out.length, 1);
});

Deno.test("ArqEndpoint.client rejects invalid parameters and options", () => {
  const hooks = { output: () => {}, deliver: () => {} };
  assert.throws(() => ArqEndpoint.client({ ...SIM_PARAMS, window: 0 }, {}, hooks, 0), RangeError);
  assert.throws(() => ArqEndpoint.client(SIM_PARAMS, { maxWindow: 300 }, hooks, 0), RangeError);
  assert.throws(() => ArqEndpoint.client(SIM_PARAMS, { isn: -1 }, hooks, 0), RangeError);
  assert.throws(() => ArqEndpoint.client(SIM_PARAMS, { minRto: 0 }, hooks, 0), RangeError);
});
