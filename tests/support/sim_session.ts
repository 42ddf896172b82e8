/**
 * Shorthands for ARQ tests: a client and a server endpoint joined by a {@link SimChannel},
 * with small readable defaults (client ISN 0, server ISN 100, 10 ms each way).
 * @module
 */

import { ArqEndpoint, type EndpointOptions } from "../../lib/arq/mod.ts";
import type { SessionParams } from "../../lib/protocol/mod.ts";
import { type Decide, SimChannel, type SimOptions } from "./sim_channel.ts";

/** Options of {@link simSession}. */
export interface SimSessionOptions extends SimOptions {
  /** Session parameters the client asks for (merged over GBN, window 4, "frame", 4 bytes). */
  readonly params?: Partial<SessionParams>;
  /** Client endpoint options (merged over `{ isn: 0 }`). */
  readonly client?: Partial<EndpointOptions>;
  /** Server endpoint options (merged over `{ isn: 100 }`). */
  readonly server?: Partial<EndpointOptions>;
  /** Fault decider. */
  readonly decide?: Decide;
}

/** Default parameters of {@link simSession}. */
export const SIM_PARAMS: SessionParams = {
  mode: "gbn",
  window: 4,
  ackPolicy: "frame",
  maxPayload: 4,
};

/** Creates the channel and both endpoints; the client's SYN is sent at time 0. */
export function simSession(options: SimSessionOptions = {}): SimChannel {
  const sim = new SimChannel({ trace: true, events: true, ...options });
  const params: SessionParams = { ...SIM_PARAMS, ...options.params };
  sim.connect(
    (hooks, now) => ArqEndpoint.server({ isn: 100, ...options.server }, hooks, now),
    (hooks, now) => ArqEndpoint.client(params, { isn: 0, ...options.client }, hooks, now),
  );
  return sim;
}

/** Runs until both sides are established (bounded), returns the time. */
export function establish(sim: SimChannel, maxTime = 60_000): number {
  const r = sim.run(
    () => sim.client.state === "established" && sim.server.state === "established",
    maxTime,
  );
  if (r !== "done") throw new Error(`Handshake did not complete: ${r} at ${sim.now}`);
  return sim.now;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** UTF-8 bytes of `text`. */
export function utf8(text: string): Uint8Array {
  return encoder.encode(text);
}

/** Text of delivered messages. */
export function texts(messages: readonly Uint8Array[]): string[] {
  return messages.map((m) => decoder.decode(m));
}
