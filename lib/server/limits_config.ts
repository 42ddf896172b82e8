/**
 * The defaults of every limit `chat serve` enforces, in one table, and the facts the `LIMITS`
 * command reports (so a client, `chat bench` included, can pace itself to them). The figures
 * are a class's worth: a lab of forty behind one NAT address, a test suite sending commands as
 * fast as it can, ten `chat bench` clients at the per-user flood limit, all pass; a script
 * sending thousands of commands a second does not.
 * @module
 */

import { type FloodLimit, formatRate } from "../chat/flood.ts";
import type { RoomOutputLimit } from "../chat/limits.ts";
import type { AdmissionLimits } from "./admission.ts";

/** Admission and command limits by default (`maxConnections` comes from `--max-clients`). */
export const DEFAULT_LIMITS: Readonly<Omit<AdmissionLimits, "maxConnections">> = Object.freeze({
  perAddress: 100,
  unregistered: 256,
  unregisteredPerAddress: 50,
  connectRate: { burst: 100, perSeconds: 10 },
  commands: { burst: 100, perSeconds: 5 },
  addressCommands: { burst: 2000, perSeconds: 5 },
  addressFlood: { burst: 200, perSeconds: 5 },
});

/** Every admission and command limit off (`chat serve --limits off`, benchmarks). */
export const NO_LIMITS: Readonly<Omit<AdmissionLimits, "maxConnections">> = Object.freeze({
  perAddress: null,
  unregistered: null,
  unregisteredPerAddress: null,
  connectRate: null,
  commands: null,
  addressCommands: null,
  addressFlood: null,
});

/** Private output one connection may hold unsent (replies, frames) by default. */
export const DEFAULT_OUTBOX_BYTES = 256 * 1024;
/** How far behind the shared lines a reader may fall by default. */
export const DEFAULT_LAG_BYTES = 16 * 1024 * 1024;
/** Output of all connections together by default. */
export const DEFAULT_MEMORY_BYTES = 128 * 1024 * 1024;
/** A client must register within this time by default. */
export const DEFAULT_REGISTER_TIMEOUT_MS = 60_000;

/**
 * The `LIMITS` facts: every rate as `N/SECONDS` (a burst of N, refilled at N per SECONDS) or
 * `"off"`, every count as a number or `"off"`.
 */
export function limitFacts(
  limits: AdmissionLimits,
  flood: FloodLimit | null,
  output: RoomOutputLimit | null,
  registerTimeoutMs: number,
  maxText: number,
): Record<string, string | number> {
  const count = (n: number | null) => n === null ? "off" : n;
  return {
    flood: formatRate(flood),
    addressFlood: formatRate(limits.addressFlood),
    commands: formatRate(limits.commands),
    addressCommands: formatRate(limits.addressCommands),
    connectRate: formatRate(limits.connectRate),
    maxClients: limits.maxConnections,
    perAddress: count(limits.perAddress),
    unregistered: count(limits.unregistered),
    unregisteredPerAddress: count(limits.unregisteredPerAddress),
    registerTimeoutS: registerTimeoutMs / 1000,
    roomOutputBytesPerS: output === null ? "off" : output.bytesPerSecond,
    roomOutputBurstBytes: output === null
      ? "off"
      : output.bytesPerSecond * (output.burstSeconds ?? 4),
    maxText,
  };
}
