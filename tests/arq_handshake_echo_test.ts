/**
 * The handshake ACK echoes the SYN-ACK's payload, so a server that answered the SYN without
 * state (UDP) can rebuild the session from that ACK alone; with `confirmHandshake` the client
 * sends it again until the server is heard from; an established server ignores it.
 */

import assert from "node:assert/strict";
import { ArqEndpoint, type OutFrame } from "../lib/arq/mod.ts";
import {
  decodeSynAck,
  encodeSyn,
  encodeSynAck,
  frame,
  FrameType,
  SYN_ACK_PAYLOAD_SIZE,
} from "../lib/protocol/mod.ts";
import { CLEAN, type Decide } from "./support/sim_channel.ts";
import { establish, simSession, utf8 } from "./support/sim_session.ts";

Deno.test("the handshake ACK carries the SYN-ACK's payload", () => {
  const sim = simSession({ params: { mode: "sr", ackPolicy: "sack" } });
  establish(sim);
  const synAck = sim.trace.find((t) => t.type === FrameType.SYN_ACK)!;
  const ack = sim.trace.find((t) => t.type === FrameType.ACK)!;
  assert.equal(ack.seq, 100);
  assert.equal(ack.length, SYN_ACK_PAYLOAD_SIZE);
  assert.deepEqual(ack.payload, synAck.payload);
  assert.deepEqual(decodeSynAck(ack.payload).ackedIsn, 0);
});

Deno.test("an established SR server with SACK ignores the handshake ACK again", () => {
  const out: OutFrame[] = [];
  const server = ArqEndpoint.server({ isn: 100 }, { output: (f) => out.push(f), deliver() {} });
  const params = { mode: "sr", window: 4, ackPolicy: "sack", maxPayload: 4 } as const;
  server.input(frame(FrameType.SYN, 0, 0, encodeSyn(params)), 0);
  server.input(frame(FrameType.DATA, 1, 1, utf8("hi")), 1); // established by DATA
  assert.equal(server.state, "established");
  // The client's handshake ACK arrives late (reordered, or sent again).
  server.input(frame(FrameType.ACK, 100, 0, encodeSynAck(params, 0)), 2);
  server.flush(2);
  assert.equal(server.state, "established", server.closeReason);
  assert.ok(!out.some((f) => f.type === FrameType.RST));
});

const LOST = { drop: true, corrupt: false, duplicate: false };

/**
 * A server that keeps no state before the handshake ACK: it sends nothing but one SYN-ACK, and
 * every frame from the client before an ACK carrying the SYN-ACK's payload gets through is lost
 * (the first such ACK is dropped too).
 */
function statelessServer(): Decide {
  let session = false;
  let dropped = false;
  return (f, dir) => {
    if (session) return CLEAN;
    if (dir === "s2c") return f.type === FrameType.SYN_ACK && f.attempt === 1 ? CLEAN : LOST;
    if (f.type === FrameType.SYN) return CLEAN;
    const echo = f.type === FrameType.ACK && f.payload.length === SYN_ACK_PAYLOAD_SIZE;
    if (echo && dropped) {
      session = true;
      return CLEAN;
    }
    if (echo) dropped = true;
    return LOST;
  };
}

Deno.test("with confirmHandshake a lost handshake ACK is sent again before the DATA resent", () => {
  const sim = simSession({ decide: statelessServer(), client: { confirmHandshake: true } });
  sim.run(() => sim.client.state === "established", 1000);
  sim.client.send(utf8("hello"), sim.now);
  assert.equal(sim.run(() => sim.delivered.server.length === 1, 10_000), "done");
  const lines = sim.traceLines().filter((l) => l.includes("c>s"));
  const again = lines.findIndex((l) => /ACK 100 #2$/.test(l));
  assert.ok(again > 0, lines.join("\n"));
  // The first DATA resent (by the tail-loss probe or the RTO) comes right after it.
  assert.match(lines[again + 1]!, /DATA \d+ .*#2/, lines.join("\n"));
  // Once the server answered, nothing more is repeated.
  sim.client.send(utf8("again"), sim.now);
  sim.run(() => sim.delivered.server.length === 2, 10_000);
  const acks = sim.trace.filter((t) => t.dir === "c2s" && t.type === FrameType.ACK);
  assert.equal(acks.filter((t) => t.length === SYN_ACK_PAYLOAD_SIZE).length, 2);
});

Deno.test("without confirmHandshake the same lost ACK leaves the client sending into nothing", () => {
  const sim = simSession({ decide: statelessServer() });
  sim.run(() => sim.client.state === "established", 1000);
  sim.client.send(utf8("hello"), sim.now);
  sim.run(() => sim.client.state === "closed", 60_000);
  assert.equal(sim.delivered.server.length, 0);
  assert.match(sim.client.closeReason ?? "", /link dead/);
});
