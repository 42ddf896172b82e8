/**
 * The endpoint's timer table: `nextWake()` and `update(now)` read the same entries. A virtual
 * clock is moved through every timer of the table (handshake, its deadline, retransmission,
 * reorder, probe, delayed ACK, keepalive, idle, link dead, FIN and its deadline); at each
 * wake-up `update` just
 * before `nextWake()` does nothing, and `update` at `nextWake()` acts (a frame or a state
 * change) and consumes the entry (the next wake-up is later).
 */
import assert from "node:assert/strict";
import type { ArqEndpoint, ArqEvent } from "../lib/arq/mod.ts";
import { TIMER_NAMES } from "../lib/arq/timers.ts";
import { FrameType } from "../lib/protocol/mod.ts";
import { type Decide, type FaultRule, scriptedFaults } from "./support/sim_channel.ts";
import { establish, simSession, type SimSessionOptions, utf8 } from "./support/sim_session.ts";
import type { SimChannel } from "./support/sim_channel.ts";

const EPSILON = 0.001;
const DROP = { drop: true, corrupt: false, duplicate: false };

/** A session whose every `update` is checked against `nextWake`; returns the timers that fired. */
function checkedSession(options: SimSessionOptions) {
  const fired = new Set<string>();
  const checks = { wakes: 0 };
  const framesOf = (side: "client" | "server") =>
    sim.trace.filter((e) => e.dir === (side === "client" ? "c2s" : "s2c")).length;
  const update = (ep: ArqEndpoint, now: number, side: "client" | "server") => {
    const wake = ep.nextWake();
    assert.equal(wake, now, `${side} is woken at its nextWake`);
    const frames = framesOf(side);
    const state = ep.state;
    ep.update(now - EPSILON);
    assert.equal(framesOf(side), frames, `${side}: update before nextWake sends nothing`);
    assert.equal(ep.state, state, `${side}: update before nextWake changes nothing`);
    assert.equal(ep.nextWake(), wake, `${side}: update before nextWake consumes nothing`);
    const events = sim.events[side].length;
    ep.update(now);
    const acted = framesOf(side) > frames || ep.state !== state;
    assert.ok(acted, `${side}: update at nextWake ${now} acts`);
    const next = ep.nextWake();
    assert.ok(next === undefined || next > now, `${side}: the due entry is consumed (${next})`);
    for (const e of sim.events[side].slice(events) as ArqEvent[]) {
      if (e.kind === "timer") fired.add(e.timer);
    }
    checks.wakes++;
  };
  const sim: SimChannel = simSession({ ...options, update });
  return { sim, fired, checks };
}

/** Scripted faults, and every frame of `dir` dropped once `mute.on` is set. */
function muted(mute: { on: boolean }, dir: "c2s" | "s2c", rules: FaultRule[] = []): Decide {
  const scripted = scriptedFaults(rules);
  return (f, d, now) => (mute.on && d === dir ? DROP : scripted(f, d, now));
}

Deno.test("update and nextWake agree at every timer of the table", () => {
  const fired = new Set<string>();
  let wakes = 0;
  const run = (options: SimSessionOptions, drive: (sim: SimChannel) => void) => {
    const s = checkedSession(options);
    drive(s.sim);
    for (const t of s.fired) fired.add(t);
    wakes += s.checks.wakes;
  };
  // SYN lost until the client gives up: handshake retransmissions, then its deadline; the
  // server, told the time, gives up too (listen deadline).
  run({ decide: muted({ on: true }, "c2s") }, (sim) => {
    assert.equal(sim.run(() => sim.client.state === "closed", 60_000), "done");
    assert.equal(sim.client.closeReason, "handshake timeout");
  });
  // A lost DATA (the tail-loss probe), a delayed ACK, then silence from the server: keepalives,
  // then the idle timeout.
  const quiet = { on: false };
  run({
    params: { ackPolicy: "sack" },
    server: { ackDelayMs: 25 },
    decide: muted(quiet, "s2c", [{ dir: "c2s", type: FrameType.DATA, seq: 1, fate: "drop" }]),
  }, (sim) => {
    establish(sim);
    sim.client.send(utf8("ab"), sim.now);
    assert.equal(sim.run(() => sim.client.pending === 0, 10_000), "done");
    quiet.on = true;
    assert.equal(sim.run(() => sim.client.state === "closed", 200_000), "done");
    assert.match(sim.client.closeReason!, /^idle timeout/);
  });
  // SR, a hole reported by later frames: the reorder wait, then the frame is resent.
  run({
    params: { mode: "sr" },
    decide: scriptedFaults([{ dir: "c2s", type: FrameType.DATA, seq: 2, fate: "drop" }]),
  }, (sim) => {
    establish(sim);
    sim.client.send(utf8("abcdefghijklmnop"), sim.now);
    assert.equal(sim.run(() => sim.client.pending === 0, 10_000), "done");
  });
  // The textbook sender: a lost DATA waits for its retransmission timer.
  run({
    client: { recovery: "timeout" },
    decide: scriptedFaults([{ dir: "c2s", type: FrameType.DATA, seq: 1, fate: "drop" }]),
  }, (sim) => {
    establish(sim);
    sim.client.send(utf8("ab"), sim.now);
    assert.equal(sim.run(() => sim.client.pending === 0, 10_000), "done");
  });
  // The ACK path dies with data in flight: the link is declared dead.
  const dead = { on: false };
  run({ decide: muted(dead, "s2c") }, (sim) => {
    establish(sim);
    dead.on = true;
    sim.client.send(utf8("abcd"), sim.now);
    assert.equal(sim.run(() => sim.client.state === "closed", 100_000), "done");
    assert.match(sim.client.closeReason!, /^link dead/);
  });
  // Every FIN-ACK lost: the FIN is retransmitted until its deadline.
  run({
    decide: scriptedFaults([{ type: FrameType.FIN_ACK, fate: "drop", times: 1000 }]),
  }, (sim) => {
    establish(sim);
    sim.client.close(sim.now);
    assert.equal(sim.run(() => sim.client.state === "closed", 100_000), "done");
    assert.equal(sim.client.closeReason, "closed (no FIN-ACK)");
  });
  assert.deepEqual([...fired].sort(), [...TIMER_NAMES].sort());
  assert.ok(wakes > 20, `${wakes} wake-ups checked`);
});
