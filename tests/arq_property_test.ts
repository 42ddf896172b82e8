import assert from "node:assert/strict";
import fc from "fast-check";
import { ArqEndpoint, type EndpointOptions } from "../lib/arq/mod.ts";
import type { AckPolicy, ArqMode, SessionParams } from "../lib/protocol/mod.ts";
import { type Direction, randomFaults, SimChannel } from "./support/sim_channel.ts";

const RUNS = 300;
const MAX_VIRTUAL_MS = 20 * 60_000;

const encoder = new TextEncoder();

/** One application message: empty, one byte, binary up to a few KiB, or non-ASCII text. */
const message = fc.oneof(
  fc.constant(new Uint8Array(0)),
  fc.integer({ min: 0, max: 255 }).map((b) => new Uint8Array([b])),
  fc.integer({ min: 2, max: 3000 }).chain((n) => fc.uint8Array({ minLength: n, maxLength: n })),
  fc.string({ unit: "grapheme", maxLength: 40 }).map((s) => encoder.encode(`é✓${s}🙂`)),
);

const rate = fc.double({ min: 0, max: 0.3, noNaN: true });

const scenario = fc.record({
  window: fc.integer({ min: 1, max: 32 }),
  maxPayload: fc.constantFrom(16, 100, 512, 1024),
  up: fc.array(message, { minLength: 0, maxLength: 6, size: "max" }),
  down: fc.array(message, { minLength: 0, maxLength: 6, size: "max" }),
  isnClient: fc.oneof(fc.integer({ min: 0xffffff00, max: 0xffffffff }), fc.nat()),
  isnServer: fc.oneof(fc.integer({ min: 0xffffff00, max: 0xffffffff }), fc.nat()),
  loss: fc.record({ c2s: rate, s2c: rate }),
  corrupt: fc.record({ c2s: rate, s2c: rate }),
  duplicate: fc.double({ min: 0, max: 0.1, noNaN: true }),
  delayMs: fc.integer({ min: 1, max: 40 }),
  jitterMs: fc.integer({ min: 0, max: 20 }),
  seed: fc.integer(),
});

type Scenario = typeof scenario extends fc.Arbitrary<infer T> ? T : never;

function runScenario(mode: ArqMode, ackPolicy: AckPolicy, sc: Scenario): void {
  const params: SessionParams = { mode, ackPolicy, window: sc.window, maxPayload: sc.maxPayload };
  const faults = (dir: Direction) =>
    randomFaults({
      seed: sc.seed ^ (dir === "c2s" ? 0x1234 : 0x4321),
      loss: sc.loss[dir],
      corrupt: sc.corrupt[dir],
      duplicate: sc.duplicate,
    });
  const c2s = faults("c2s");
  const s2c = faults("s2c");
  const sim = new SimChannel({
    delayMs: sc.delayMs,
    jitterMs: sc.jitterMs,
    seed: sc.seed,
    decide: (f, dir, now) => (dir === "c2s" ? c2s : s2c)(f, dir, now),
  });
  // Generous liveness budgets: this property is about delivery, and at the worst generated
  // rates (about 51 % of frames failing each way) the defaults can legitimately give up (see
  // LOSSY_LINK_OPTIONS); the time limits themselves are tested in arq_liveness_test.ts.
  const options: Partial<EndpointOptions> = {
    maxRto: 1000,
    deadAfterMs: 120_000,
    handshakeTimeoutMs: 120_000,
    idleTimeoutMs: 300_000,
  };
  sim.connect(
    (hooks, now) => ArqEndpoint.server({ ...options, isn: sc.isnServer }, hooks, now),
    (hooks, now) => ArqEndpoint.client(params, { ...options, isn: sc.isnClient }, hooks, now),
  );
  for (const m of sc.up) sim.client.send(m, 0);
  for (const m of sc.down) sim.server.send(m, 0);
  const result = sim.run(
    () =>
      (sim.client.state === "closed" || sim.server.state === "closed") ||
      (sim.delivered.server.length === sc.up.length &&
        sim.delivered.client.length === sc.down.length &&
        sim.client.pending === 0 && sim.server.pending === 0 &&
        sim.client.state === "established" && sim.server.state === "established"),
    MAX_VIRTUAL_MS,
    500_000,
  );
  const where = `${result} at ${sim.now} ms; client ${sim.client.state} (${
    sim.client.closeReason ?? ""
  }), server ${sim.server.state} (${sim.server.closeReason ?? ""})`;
  assert.equal(result, "done", where);
  assert.equal(sim.client.state, "established", where);
  assert.equal(sim.server.state, "established", where);
  assert.deepEqual(sim.delivered.server, sc.up);
  assert.deepEqual(sim.delivered.client, sc.down);
  // Graceful close: both sides end closed, the client by FIN-ACK or after waiting for it.
  sim.client.close(sim.now);
  const closed = sim.run(
    () => sim.client.state === "closed" && sim.server.state === "closed",
    sim.now + MAX_VIRTUAL_MS,
    500_000,
  );
  assert.equal(closed, "done", `close: ${closed} at ${sim.now}`);
  assert.ok(
    ["closed", "closed (no FIN-ACK)"].includes(sim.client.closeReason!),
    sim.client.closeReason,
  );
  assert.equal(sim.server.closeReason, "closed by peer");
  // Exactly once: nothing more was delivered after the end.
  assert.equal(sim.delivered.server.length, sc.up.length);
  assert.equal(sim.delivered.client.length, sc.down.length);
}

for (const mode of ["gbn", "sr"] as const) {
  for (const ackPolicy of ["frame", "sack"] as const) {
    Deno.test(`ArqEndpoint ${mode}/${ackPolicy} delivers every message once, in order, intact under loss, corruption and duplication`, () => {
      fc.assert(fc.property(scenario, (sc) => runScenario(mode, ackPolicy, sc)), {
        numRuns: RUNS,
        seed: mode === "gbn" ? (ackPolicy === "frame" ? 1 : 2) : (ackPolicy === "frame" ? 3 : 4),
      });
    });
  }
}
