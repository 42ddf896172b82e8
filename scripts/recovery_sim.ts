/**
 * Loss recovery on the virtual clock: the pure ARQ engine moves MESSAGES 64-byte messages from
 * the server to the client (one frame each) over a simulated link of 0.75 ms each way (a LAN
 * round trip), losing each frame and each ACK with probability LOSS, for SEEDS seeds, and prints
 * the median and largest time to deliver them all and the retransmissions by cause. No socket,
 * no CPU noise: what it shows is the sender's rules alone.
 *
 *   deno run -A scripts/recovery_sim.ts [sr|gbn] [WINDOW] [LOSS] [MESSAGES] [SEEDS]
 *
 * The client holds ACKs up to 10 ms, as `chat join` and `chat bench` do.
 * @module
 */

import { randomFaults } from "../tests/support/sim_channel.ts";
import { establish, simSession } from "../tests/support/sim_session.ts";

const mode = Deno.args[0] === "gbn" ? "gbn" : "sr";
const window = Number(Deno.args[1] ?? 8);
const loss = Number(Deno.args[2] ?? 0.1);
const messages = Number(Deno.args[3] ?? 900);
const seeds = Number(Deno.args[4] ?? 20);

const times: number[] = [];
const causes = { timeout: 0, fast: 0, probe: 0, nack: 0 };
let unfinished = 0;
for (let seed = 1; seed <= seeds; seed++) {
  const sim = simSession({
    delayMs: 0.75,
    params: { mode, window, ackPolicy: "sack", maxPayload: 1024 },
    client: { ackDelayMs: 10 },
    decide: randomFaults({ seed, loss, spareHandshake: true }),
    trace: false,
    events: false,
    keepMessages: false,
  });
  establish(sim);
  const start = sim.now;
  const message = new Uint8Array(64);
  for (let i = 0; i < messages; i++) sim.server.send(message, sim.now);
  const result = sim.run(() => sim.server.pending === 0, 600_000);
  if (result !== "done") unfinished++;
  times.push(sim.now - start);
  const s = sim.server.stats;
  causes.timeout += s.timeoutRetransmissions;
  causes.fast += s.fastRetransmissions;
  causes.probe += s.probeRetransmissions;
  causes.nack += s.nackRetransmissions;
}
times.sort((a, b) => a - b);
const median = times[times.length >> 1]!;
console.log(
  `${mode} window ${window} loss ${loss}: ${messages} messages in ${median.toFixed(1)} ms ` +
    `(median of ${seeds} seeds; max ${times.at(-1)!.toFixed(1)} ms)${
      unfinished > 0 ? `, ${unfinished} unfinished` : ""
    }; retransmissions per run: timeout ${(causes.timeout / seeds).toFixed(1)}, fast ${
      (causes.fast / seeds).toFixed(1)
    }, probe ${(causes.probe / seeds).toFixed(1)}, nack ${(causes.nack / seeds).toFixed(1)}`,
);
