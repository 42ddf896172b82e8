/**
 * Keeps `chat bench`'s clients inside the limits a server stated (`server_limits.ts`), so that
 * no command is refused. Each limit is mirrored by a token bucket of the same size and a rate
 * a little below the server's; a command takes its token from the mirror only when its reply
 * arrives (the server took it earlier, on reading the command), and one that is still unanswered
 * is counted against the mirror meanwhile. A command is sent only when the mirror's tokens
 * minus the unanswered commands leave a whole token: however late, and however bunched, the
 * unanswered ones reach the server (an ARQ resend delivers a window at once), its bucket then
 * holds at least what the mirror does, since tokens only grow while nothing is taken.
 * @module
 */

import { BENCH_TEXT } from "./messages.ts";
import type { Rate, ServerLimits } from "./server_limits.ts";

/** The mirror refills at this share of the server's rate (two clocks, rounding). */
const RATE_MARGIN = 0.97;

/** One server bucket as the bench sees it. */
export class MirrorBucket {
  readonly rate: Rate;
  readonly #perMs: number;
  #tokens: number;
  #last: number;
  /** Commands sent and not answered yet. */
  outstanding = 0;

  /** A full bucket at `now` (ms), as the server's is when it makes one. */
  constructor(rate: Rate, now: number) {
    this.rate = rate;
    this.#perMs = (rate.burst / (rate.perSeconds * 1000)) * RATE_MARGIN;
    this.#tokens = rate.burst;
    this.#last = now;
  }

  #refill(now: number): void {
    if (now > this.#last) {
      this.#tokens = Math.min(this.rate.burst, this.#tokens + (now - this.#last) * this.#perMs);
      this.#last = now;
    }
  }

  /** Commands that may be sent at `now` without the server refusing any. */
  allowance(now: number): number {
    this.#refill(now);
    return Math.max(0, Math.floor(this.#tokens - this.outstanding + 1e-9));
  }

  /** `n` commands sent. */
  sent(n: number): void {
    this.outstanding += n;
  }

  /** The reply to one of them arrived at `now`: its token is taken. */
  answered(now: number): void {
    this.#refill(now);
    this.#tokens = Math.max(0, this.#tokens - 1);
    if (this.outstanding > 0) this.outstanding--;
  }

  /** Milliseconds until one more command may be sent, given nothing is answered meanwhile. */
  msUntilToken(now: number): number {
    this.#refill(now);
    const short = this.outstanding + 1 - this.#tokens;
    return short <= 0 ? 0 : short / this.#perMs;
  }
}

/** Which limit held the bench back most, for the sentence that says so. */
export interface PaceNote {
  /** The limit, e.g. `the server's flood limit of 10 messages per 5 s per user`. */
  readonly limit: string;
  /** The send phase's least duration at that limit, seconds. */
  readonly seconds: number;
}

/**
 * The buckets of a run: per client, the user's flood limit and the connection's command limit;
 * shared by all, the address's (every client comes from one address).
 */
export class Pacer {
  readonly #chat: MirrorBucket[][];
  readonly #any: MirrorBucket[][];
  readonly #connect: MirrorBucket | undefined;
  readonly #limits: ServerLimits;
  /** True when some limit applies. */
  readonly active: boolean;

  /** Buckets for `clients` clients at `now`, from the limits `limits` states. */
  constructor(limits: ServerLimits, clients: number, now: number) {
    this.#limits = limits;
    const shared = (r: Rate | null | undefined) => r ? [new MirrorBucket(r, now)] : [];
    const sharedChat = shared(limits.addressFlood);
    const sharedAny = shared(limits.addressCommands);
    this.#chat = [];
    this.#any = [];
    for (let i = 0; i < clients; i++) {
      const commands = limits.commands ? [new MirrorBucket(limits.commands, now)] : [];
      const flood = limits.flood ? [new MirrorBucket(limits.flood, now)] : [];
      // A chat command counts against every bucket; any other command against the command ones.
      this.#any.push([...commands, ...sharedAny]);
      this.#chat.push([...flood, ...this.#any[i]!, ...sharedChat]);
    }
    this.active = this.#chat.some((b) => b.length > 0);
    this.#connect = limits.connectRate ? new MirrorBucket(limits.connectRate, now) : undefined;
    // The connections already made: the room probe's and client 0's.
    this.#connect?.sent(2);
    this.#connect?.answered(now);
    this.#connect?.answered(now);
  }

  /**
   * `n` commands client `i` sent before the pacer existed (its registration, STATS): taken from
   * its command buckets and the address's as if answered at `now`.
   */
  charge(i: number, n: number, now: number): void {
    for (let k = 0; k < n; k++) {
      this.sent(i, 1, false);
      this.answered(i, now, false);
    }
  }

  /** Connections that may be opened at `now` (Infinity: no connection rate limit). */
  connectAllowance(now: number): number {
    return this.#connect ? this.#connect.allowance(now) : Infinity;
  }

  /** One connection opened at `now`. */
  connected(now: number): void {
    this.#connect?.sent(1);
    this.#connect?.answered(now);
  }

  #buckets(i: number, chat: boolean): MirrorBucket[] {
    return (chat ? this.#chat : this.#any)[i] ?? [];
  }

  /** Commands client `i` may send at `now` (chat ones, or others); Infinity when unlimited. */
  allowance(i: number, now: number, chat = true): number {
    let n = Infinity;
    for (const b of this.#buckets(i, chat)) n = Math.min(n, b.allowance(now));
    return n;
  }

  /** Client `i` sent `n` commands. */
  sent(i: number, n: number, chat = true): void {
    for (const b of this.#buckets(i, chat)) b.sent(n);
  }

  /** The reply to one of client `i`'s commands arrived at `now`. */
  answered(i: number, now: number, chat = true): void {
    for (const b of this.#buckets(i, chat)) b.answered(now);
  }

  /** Milliseconds until client `i` may send one more chat command (0: now). */
  msUntilToken(i: number, now: number): number {
    let ms = 0;
    for (const b of this.#buckets(i, true)) ms = Math.max(ms, b.msUntilToken(now));
    return ms;
  }

  /**
   * The limit that makes `senders` clients sending `messages` each take longest, and that
   * least time; `undefined` when no limit slows such a run.
   */
  note(senders: number, messages: number): PaceNote | undefined {
    const l = this.#limits;
    const time = (r: Rate, n: number) => Math.max(0, n - r.burst) * r.perSeconds / r.burst;
    const options: PaceNote[] = [];
    const add = (r: Rate | null | undefined, n: number, what: (r: Rate) => string) => {
      if (r) options.push({ limit: what(r), seconds: time(r, n) });
    };
    const t = BENCH_TEXT;
    add(l.flood, messages, (r) => t.limit("flood", r.burst, r.perSeconds, t.perUser));
    add(l.commands, messages, (r) => t.limit("command", r.burst, r.perSeconds, t.perConnection));
    add(
      l.addressFlood,
      senders * messages,
      (r) => t.limit("flood", r.burst, r.perSeconds, t.perAddress),
    );
    add(
      l.addressCommands,
      senders * messages,
      (r) => t.limit("command", r.burst, r.perSeconds, t.perAddress),
    );
    const worst = options.sort((a, b) => b.seconds - a.seconds)[0];
    return worst && worst.seconds > 0 ? worst : undefined;
  }
}
