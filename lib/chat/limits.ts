/**
 * The command budget: what one connection may ask of the room, and what all the connections of
 * one address may ask together (a whole lab behind one NAT is one address, so the address's
 * budget is many users' worth). Every command line (any verb, a nickname, an unknown verb, a
 * binary control frame) takes a token from the connection's bucket and one from its address's;
 * every broadcast (MSG, PRIV, NICK) also takes one from the address's flood bucket, beside the
 * user's own flood bucket the room keeps. Buckets refill continuously, so bursts pass (a paste of
 * ten lines, a quick rename, a test suite) and only a sustained excess is refused.
 *
 * A refused command is answered `429 Too Many Requests`. A connection that goes on sending while
 * its own bucket is empty, its whole burst again without waiting, is closed: it can no longer make
 * the server do work for nothing. An address that runs out only has its commands refused (the
 * other users behind that NAT are not to blame).
 * @module
 */

import { type FloodLimit, TokenBucket } from "./flood.ts";
import type { ServerText } from "./messages.ts";

/** A rate: `burst` tokens, refilled at `burst` per `perSeconds`. */
export type RateLimit = FloodLimit;

/** Why a command was not taken. */
export interface Refusal {
  /** The reply's body, after `429 Too Many Requests`, in the language of `text`. */
  readonly say: (text: ServerText) => string;
  /** True when the connection is to be closed after the reply. */
  readonly close: boolean;
}

/** What a connection may ask of the room; the server gives one to each connection. */
export interface CommandBudget {
  /** Takes one command at `now` (ms); `undefined` when it may run. */
  command(now: number): Refusal | undefined;
  /** Takes one broadcast (MSG, PRIV, NICK) at `now` from the address's flood bucket. */
  broadcast(now: number): Refusal | undefined;
}

/** The budget settings; `null` turns one off. */
export interface BudgetLimits {
  /** Commands per connection. */
  readonly commands: RateLimit | null;
  /** Commands per address, all its connections together. */
  readonly addressCommands: RateLimit | null;
  /** Broadcasts (MSG, PRIV, NICK) per address, all its connections together. */
  readonly addressFlood: RateLimit | null;
}

/** The buckets every connection of one address shares. */
export class AddressBudget {
  /** Commands of the address. */
  readonly commands: TokenBucket | undefined;
  /** Broadcasts of the address. */
  readonly flood: TokenBucket | undefined;
  readonly #limits: BudgetLimits;

  /** Full buckets at `now`. */
  constructor(limits: BudgetLimits, now: number) {
    this.#limits = limits;
    this.commands = limits.addressCommands
      ? new TokenBucket(limits.addressCommands, now)
      : undefined;
    this.flood = limits.addressFlood ? new TokenBucket(limits.addressFlood, now) : undefined;
  }

  /** The settings the buckets follow. */
  get limits(): BudgetLimits {
    return this.#limits;
  }

  /** True when every bucket is full again at `now` (the address can be forgotten). */
  idle(now: number): boolean {
    return (this.commands?.full(now) ?? true) && (this.flood?.full(now) ?? true);
  }
}

/** One connection's budget: its own bucket and its address's (see the module). */
export class ConnectionBudget implements CommandBudget {
  readonly #own: TokenBucket | undefined;
  readonly #address: AddressBudget;
  /** Commands refused in a row since the last one taken. */
  #refused = 0;

  /** A full budget at `now` for a connection of `address`. */
  constructor(address: AddressBudget, now: number) {
    const own = address.limits.commands;
    this.#own = own ? new TokenBucket(own, now) : undefined;
    this.#address = address;
  }

  command(now: number): Refusal | undefined {
    const own = this.#own;
    if (own !== undefined && !own.take(now)) {
      const f = own.limit;
      // Its whole burst again while refused: it is not waiting for anything.
      if (++this.#refused > f.burst) {
        const refused = this.#refused;
        return { say: (t) => t.excessFlood(refused), close: true };
      }
      return { say: (t) => t.commandsSlowDown(f.burst, f.perSeconds), close: false };
    }
    const shared = this.#address.commands;
    if (shared !== undefined && !shared.take(now)) {
      const f = shared.limit;
      return { say: (t) => t.addressCommandsSlowDown(f.burst, f.perSeconds), close: false };
    }
    this.#refused = 0;
    return undefined;
  }

  broadcast(now: number): Refusal | undefined {
    const flood = this.#address.flood;
    if (flood === undefined || flood.take(now)) return undefined;
    const f = flood.limit;
    return { say: (t) => t.addressFloodSlowDown(f.burst, f.perSeconds), close: false };
  }
}

/** The room's output budget: bytes per second it may fan out, `null` = unlimited. */
export interface RoomOutputLimit {
  /** Bytes of output (a line's bytes times its recipients) per second. */
  readonly bytesPerSecond: number;
  /**
   * Seconds' worth of output that may go at once (default 4): a burst of long lines (a test
   * suite's, a paste into a full room) passes whole.
   */
  readonly burstSeconds?: number;
  /** A line that costs at most this much output always passes (a short line in a big room). */
  readonly small: number;
}

/**
 * Output the room may fan out by default: 16 MB/s in bursts of up to 64 MB, lines under 64 KiB of
 * output always pass.
 */
export const DEFAULT_ROOM_OUTPUT: RoomOutputLimit = {
  bytesPerSecond: 16 * 1024 * 1024,
  burstSeconds: 4,
  small: 64 * 1024,
};

/**
 * The room's output budget. Every broadcast line costs its bytes times its recipients (N users
 * each sending a long line make N² bytes of output: 420 users' ten 1.5 KB lines are 2.7 GB). A
 * line that costs little always passes, so ordinary chat lines are never refused here (each
 * user's flood bucket bounds them); a costly one passes while the budget has room, and is
 * refused once the room fans out more than `bytesPerSecond`: everyone's lines keep flowing
 * behind a bounded backlog.
 */
export class RoomOutput {
  readonly limit: RoomOutputLimit;
  readonly #capacity: number;
  #tokens: number;
  #last: number;

  /** A full budget at `now`. */
  constructor(limit: RoomOutputLimit, now: number) {
    this.limit = limit;
    this.#capacity = limit.bytesPerSecond * (limit.burstSeconds ?? 4);
    this.#tokens = this.#capacity;
    this.#last = now;
  }

  /** Takes the output of a line of `bytes` to `recipients` at `now`; false when refused. */
  take(bytes: number, recipients: number, now: number): boolean {
    const rate = this.limit.bytesPerSecond / 1000;
    this.#tokens = Math.min(
      this.#capacity,
      this.#tokens + Math.max(0, now - this.#last) * rate,
    );
    this.#last = now;
    const cost = bytes * recipients;
    if (cost > this.limit.small && this.#tokens < cost) return false;
    this.#tokens -= cost;
    return true;
  }
}
