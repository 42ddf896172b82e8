import assert from "node:assert/strict";
import { ArqEndpoint, LOSSY_LINK_OPTIONS } from "../lib/arq/mod.ts";
import { randomFaults, SimChannel } from "./support/sim_channel.ts";

const MESSAGES = 30;
const SEEDS = 50;

for (const mode of ["gbn", "sr"] as const) {
  for (const ackPolicy of ["frame", "sack"] as const) {
    Deno.test(`ArqEndpoint ${mode}/${ackPolicy} with LOSSY_LINK_OPTIONS survives long sessions at 30% loss and 30% corruption each way`, () => {
      for (let seed = 1; seed <= SEEDS; seed++) {
        const c2s = randomFaults({ seed, loss: 0.3, corrupt: 0.3 });
        const s2c = randomFaults({ seed: seed + 1000, loss: 0.3, corrupt: 0.3 });
        const sim = new SimChannel({
          delayMs: 5,
          jitterMs: 5,
          seed,
          decide: (f, dir, now) => (dir === "c2s" ? c2s : s2c)(f, dir, now),
        });
        sim.connect(
          (hooks, now) => ArqEndpoint.server(LOSSY_LINK_OPTIONS, hooks, now),
          (hooks, now) =>
            ArqEndpoint.client(
              { mode, ackPolicy, window: 8, maxPayload: 64 },
              LOSSY_LINK_OPTIONS,
              hooks,
              now,
            ),
        );
        const up = Array.from({ length: MESSAGES }, (_, i) => new Uint8Array(200).fill(i));
        const down = Array.from({ length: MESSAGES }, (_, i) => new Uint8Array(100).fill(255 - i));
        for (const m of up) sim.client.send(m, 0);
        for (const m of down) sim.server.send(m, 0);
        const result = sim.run(
          () =>
            sim.client.state === "closed" || sim.server.state === "closed" ||
            (sim.delivered.server.length === MESSAGES && sim.delivered.client.length === MESSAGES),
          3_600_000,
        );
        const why = `seed ${seed}: ${result} at ${sim.now}: ${sim.client.closeReason ?? ""} / ${
          sim.server.closeReason ?? ""
        }`;
        assert.equal(sim.client.state, "established", why);
        assert.equal(sim.server.state, "established", why);
        assert.deepEqual(sim.delivered.server, up, why);
        assert.deepEqual(sim.delivered.client, down, why);
        assert.ok(sim.client.stats.retransmissions > 10, why); // the faults really bit
      }
    });
  }
}
