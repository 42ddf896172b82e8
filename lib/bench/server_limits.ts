/**
 * The limits a server states in the `limits` object of its `STATS` reply (docs/PROTOCOL.md), as
 * `chat bench` needs them to stay inside: every rate `N/SECONDS` (a token bucket of N refilled
 * at N per SECONDS) or `"off"`, every count a number or `"off"`. A field a server does not
 * state is unknown (`undefined`), which is not the same as off (`null`): the bench paces only
 * to what it was told.
 * @module
 */

/** A token bucket: `burst` at once, refilled at `burst` per `perSeconds`. */
export interface Rate {
  readonly burst: number;
  readonly perSeconds: number;
}

/** What a server says it allows; `null`: no such limit; `undefined`: not stated. */
export interface ServerLimits {
  /** Chat commands (MSG, ME, PRIV, JOIN, OP) of one user. */
  readonly flood?: Rate | null;
  /** Every command of one connection. */
  readonly commands?: Rate | null;
  /** Chat commands of all the users of one address together. */
  readonly addressFlood?: Rate | null;
  /** Every command of all the connections of one address together. */
  readonly addressCommands?: Rate | null;
  /** New connections from one address. */
  readonly connectRate?: Rate | null;
  /** Connections open at once from one address. */
  readonly perAddress?: number | null;
  /** Connections of one address not registered yet. */
  readonly unregisteredPerAddress?: number | null;
  /** Longest chat text, bytes. */
  readonly maxText?: number | null;
  /** Most users. */
  readonly maxClients?: number | null;
}

const RATE_KEYS = ["flood", "commands", "addressFlood", "addressCommands", "connectRate"] as const;
const COUNT_KEYS = ["perAddress", "unregisteredPerAddress", "maxText", "maxClients"] as const;

/** `N/SECONDS` or `off`; `undefined` for anything else. */
export function parseRate(v: unknown): Rate | null | undefined {
  if (v === "off") return null;
  if (typeof v !== "string") return undefined;
  const m = /^\s*(\d+)\s*\/\s*(\d+(?:\.\d+)?)\s*$/.exec(v);
  if (!m) return undefined;
  const burst = Number(m[1]);
  const perSeconds = Number(m[2]);
  return burst >= 1 && perSeconds > 0 ? { burst, perSeconds } : undefined;
}

/**
 * The limits in a `STATS` body (one line of JSON), or `undefined` when it states none. Fields
 * of the wrong shape are left out (unknown), never guessed.
 */
export function limitsFromStats(body: string): ServerLimits | undefined {
  let facts: unknown;
  try {
    facts = JSON.parse(body);
  } catch {
    return undefined;
  }
  const raw = (facts as { limits?: unknown } | null)?.limits;
  if (typeof raw !== "object" || raw === null) return undefined;
  const o = raw as Record<string, unknown>;
  const out: Record<string, Rate | number | null> = {};
  for (const k of RATE_KEYS) {
    const r = parseRate(o[k]);
    if (r !== undefined) out[k] = r;
  }
  for (const k of COUNT_KEYS) {
    const v = o[k];
    if (v === "off") out[k] = null;
    else if (typeof v === "number" && Number.isFinite(v) && v >= 0) out[k] = v;
  }
  return out as ServerLimits;
}
