/**
 * The timer table of one endpoint (quinn-proto's shape): every timer of a session is one entry
 * of a fixed table indexed by {@link Timer}. An entry holds the absolute time (ms) it is due, or
 * `Infinity` when stopped. `ArqEndpoint.nextWake()` is the minimum of the table and
 * `ArqEndpoint.update(now)` runs the entries due at `now`, in table order, each at most once per
 * call; nothing else decides when a session wakes, so "when do I wake" and "what do I do when I
 * wake" read the same numbers.
 * @module
 */

/**
 * The timers, in the order `update` runs them when several are due at once: the ones that end
 * the session first, then the ones that send.
 */
export const Timer = {
  /** The handshake must complete by then (RST "handshake timeout"). */
  handshakeDeadline: 0,
  /** Nothing at all received for `idleTimeoutMs` (RST "idle timeout"). */
  idle: 1,
  /** Data in flight and no acknowledgement progress for `deadAfterMs` (RST "link dead"). */
  linkDead: 2,
  /** The FIN got no FIN-ACK within `deadAfterMs` ("closed (no FIN-ACK)"). */
  finDeadline: 3,
  /** Retransmission of the SYN (client) or SYN-ACK (server). */
  handshake: 4,
  /** The data retransmission timeout (RTO): the earliest one of the frames in flight. */
  retransmit: 5,
  /** Fast recovery: a frame reported out of order becomes lost (`recovery.ts`). */
  reorder: 6,
  /** Fast recovery: the tail-loss probe (`recovery.ts`). */
  probe: 7,
  /** A delayed ACK has been held `ackDelayMs` ("sack" policy). */
  ackDelay: 8,
  /** Nothing received for `keepaliveMs`: PING. */
  keepalive: 9,
  /** Retransmission of the FIN. */
  fin: 10,
} as const;

/** One entry of the table. */
export type TimerId = typeof Timer[keyof typeof Timer];

/** Names of the timers by index, as events and traces show them. */
export const TIMER_NAMES: readonly string[] = Object.freeze([
  "handshake-deadline",
  "idle",
  "link-dead",
  "fin-deadline",
  "handshake",
  "retransmit",
  "reorder",
  "probe",
  "ack-delay",
  "keepalive",
  "fin",
]);

/** Number of entries. */
export const TIMER_COUNT = TIMER_NAMES.length;

/** Due times of one endpoint's timers; `Infinity` = stopped. */
export class TimerTable {
  readonly #at = new Float64Array(TIMER_COUNT).fill(Infinity);

  /** Arms `timer` for `at` (replacing any earlier setting). */
  set(timer: TimerId, at: number): void {
    this.#at[timer] = at;
  }

  /** Stops `timer`. */
  stop(timer: TimerId): void {
    this.#at[timer] = Infinity;
  }

  /** When `timer` is due (`Infinity` when stopped). */
  get(timer: TimerId): number {
    return this.#at[timer]!;
  }

  /** Stops every timer (session closed). */
  clear(): void {
    this.#at.fill(Infinity);
  }

  /** The earliest due time of the table, `Infinity` when every timer is stopped. */
  next(): number {
    const at = this.#at;
    let min = Infinity;
    for (let i = 0; i < TIMER_COUNT; i++) if (at[i]! < min) min = at[i]!;
    return min;
  }

  /**
   * Stops `timer` and returns true when it is due at `now` (the caller then runs it); false,
   * and unchanged, otherwise.
   */
  expire(timer: TimerId, now: number): boolean {
    if (this.#at[timer]! > now) return false;
    this.#at[timer] = Infinity;
    return true;
  }
}
