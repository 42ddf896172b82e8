/**
 * Nicknames held for users who lost their connection. A user that asked for a token (`TOKEN`)
 * and then drops (not `QUIT`, not kicked) keeps its nickname for a grace period: nobody else may
 * register it or a look-alike, and `RESUME nick token` within the period puts the user back where
 * it was (room, operator role, mute, faults), with the count of lines said meanwhile. Tokens are
 * 128 random bits; one is taken at most once, and a held nickname is given up when its period
 * ends. Time is the lobby's clock (ms), passed in.
 * @module
 */

import type { LinkFaults } from "./chat_client.ts";
import type { Room } from "./room.ts";

/** How long a dropped user's nickname is held, unless told otherwise. */
export const DEFAULT_RECONNECT_GRACE_MS = 60_000;

/** What is kept of a user who lost the connection. */
export interface Reservation {
  readonly nick: string;
  readonly keys: readonly string[];
  readonly token: string;
  /** The room it will come back to (it counts in the room's `held`). */
  room: Room;
  /** The room's `lines` when the user dropped. */
  readonly linesAtDrop: number;
  readonly operator: boolean;
  readonly mutedUntil: number;
  readonly faults: LinkFaults | undefined;
  /** The address it came from (for bans). */
  readonly address: string | undefined;
  /** When the nickname is given up (lobby clock, ms). */
  readonly expiresAt: number;
}

/** A new token: 128 random bits in hex. */
export function newToken(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** The held nicknames, by token and by nickname key. */
export class Reservations {
  readonly #byToken = new Map<string, Reservation>();
  readonly #byKey = new Map<string, Reservation>();

  /** Nicknames held now (expired ones included until {@link expire} runs). */
  get size(): number {
    return this.#byToken.size;
  }

  /** Holds `r`'s nickname until `r.expiresAt`. */
  hold(r: Reservation): void {
    this.#byToken.set(r.token, r);
    for (const k of r.keys) this.#byKey.set(k, r);
  }

  /** The reservation holding one of `keys`, unless it expired by `now`. */
  holding(keys: readonly string[], now: number): Reservation | undefined {
    for (const k of keys) {
      const r = this.#byKey.get(k);
      if (r !== undefined && r.expiresAt > now) return r;
    }
    return undefined;
  }

  /** Takes (removes) the reservation of `token`, unless it expired by `now`. */
  take(token: string, now: number): Reservation | undefined {
    const r = this.#byToken.get(token);
    if (r === undefined || r.expiresAt <= now) return undefined;
    this.#forget(r);
    return r;
  }

  /** Removes `r` (kicked, banned, or its room closed and moved). */
  release(r: Reservation): void {
    this.#forget(r);
  }

  /** Every reservation, oldest first. */
  all(): IterableIterator<Reservation> {
    return this.#byToken.values();
  }

  /**
   * Removes the reservations expired by `now` and returns them. They were added in the order
   * they expire (one grace period for all), so this stops at the first one still valid.
   */
  expire(now: number): Reservation[] {
    const gone: Reservation[] = [];
    for (const r of this.#byToken.values()) {
      if (r.expiresAt > now) break;
      gone.push(r);
    }
    for (const r of gone) this.#forget(r);
    return gone;
  }

  #forget(r: Reservation): void {
    if (this.#byToken.get(r.token) === r) this.#byToken.delete(r.token);
    for (const k of r.keys) if (this.#byKey.get(k) === r) this.#byKey.delete(k);
  }
}
