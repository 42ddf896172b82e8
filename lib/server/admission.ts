/**
 * Who may come in: the server-wide rules every connection passes at its one entry point, by the
 * address it comes from. Connections open at once (registered or not: a connection that never
 * registers is counted like one that did, `--max-clients`), connections per address,
 * connections still owing their nickname (in all and per address), and new connections per
 * address per second. A connection let in gets a {@link Ticket}: its place in those counts and
 * its {@link ConnectionBudget} for commands. A refused one gets the status code and sentence to
 * answer with (503, or 429 for the rate).
 *
 * An address is the peer's host (its port left out): on a LAN, one machine; behind a NAT, a whole
 * lab, which is why the per-address figures are many users' worth.
 * @module
 */

import { TokenBucket } from "../chat/flood.ts";
import {
  AddressBudget,
  type BudgetLimits,
  ConnectionBudget,
  type RateLimit,
} from "../chat/limits.ts";
import type { ServerText } from "../chat/messages.ts";

/** The admission settings; `null` turns one off. */
export interface AdmissionLimits extends BudgetLimits {
  /** Connections open at once, registered or not. */
  readonly maxConnections: number;
  /** Connections open at once from one address. */
  readonly perAddress: number | null;
  /** Connections open at once that have not registered yet. */
  readonly unregistered: number | null;
  /** Of those, from one address. */
  readonly unregisteredPerAddress: number | null;
  /** New connections per address. */
  readonly connectRate: RateLimit | null;
}

/** Why a connection is refused: the status code and the sentence it is answered with. */
export interface AdmissionRefusal {
  readonly code: 429 | 503;
  /** The sentence, in the language of `text` (the server's: the connection has none yet). */
  readonly say: (text: ServerText) => string;
}

/** What one address has open and has spent. */
class AddressState {
  connections = 0;
  unregistered = 0;
  readonly budget: AddressBudget;
  readonly connects: TokenBucket | undefined;
  constructor(limits: AdmissionLimits, now: number) {
    this.budget = new AddressBudget(limits, now);
    this.connects = limits.connectRate ? new TokenBucket(limits.connectRate, now) : undefined;
  }
}

/** A connection's place in the counts, from admission until {@link Ticket.release}. */
export class Ticket {
  /** The connection's command budget (shared with its address). */
  readonly budget: ConnectionBudget;
  /** The address it counts against. */
  readonly address: string;
  #registered = false;
  #released = false;
  readonly #admission: Admission;
  readonly #state: AddressState;

  /** @internal Made by {@link Admission.admit}. */
  constructor(admission: Admission, address: string, state: AddressState, now: number) {
    this.#admission = admission;
    this.address = address;
    this.#state = state;
    this.budget = new ConnectionBudget(state.budget, now);
  }

  /** True once it registered (it no longer counts as waiting for its nickname). */
  get registered(): boolean {
    return this.#registered;
  }

  /** The connection registered: it leaves the unregistered counts. Idempotent. */
  registerDone(): void {
    if (this.#registered || this.#released) return;
    this.#registered = true;
    this.#state.unregistered--;
    this.#admission.unregisteredNow--;
  }

  /** The connection closed: it leaves every count. Idempotent. */
  release(): void {
    if (this.#released) return;
    this.#released = true;
    if (!this.#registered) {
      this.#state.unregistered--;
      this.#admission.unregisteredNow--;
    }
    this.#state.connections--;
    this.#admission.openNow--;
  }
}

/** Forget addresses with nothing open and full buckets once the table grew this much. */
const SWEEP_AT = 1024;

/** The server's admission rules and counts (see the module). */
export class Admission {
  /** Connections let in and not released. */
  openNow = 0;
  /** Of those, not registered yet. */
  unregisteredNow = 0;
  readonly limits: AdmissionLimits;
  readonly #addresses = new Map<string, AddressState>();
  #sweepAt = SWEEP_AT;

  constructor(limits: AdmissionLimits) {
    this.limits = limits;
  }

  /** Addresses known now (open connections, or buckets still refilling). */
  get addresses(): number {
    return this.#addresses.size;
  }

  /** A new connection from `address` at `now`: its ticket, or why it is refused. */
  admit(address: string, now: number): Ticket | AdmissionRefusal {
    const l = this.limits;
    let state = this.#addresses.get(address);
    if (state === undefined) {
      if (this.#addresses.size >= this.#sweepAt) this.#sweep(now);
      state = new AddressState(l, now);
      this.#addresses.set(address, state);
    }
    if (state.connects !== undefined && !state.connects.take(now)) {
      const r = state.connects.limit;
      return { code: 429, say: (t) => t.tooManyNewConnections(address, r.burst, r.perSeconds) };
    }
    if (this.openNow >= l.maxConnections) {
      return { code: 503, say: (t) => t.serverFullConnections(l.maxConnections) };
    }
    if (l.perAddress !== null && state.connections >= l.perAddress) {
      const max = l.perAddress;
      return { code: 503, say: (t) => t.tooManyConnections(address, max) };
    }
    if (l.unregistered !== null && this.unregisteredNow >= l.unregistered) {
      const max = l.unregistered;
      return { code: 503, say: (t) => t.serverBusyUnregistered(max) };
    }
    if (l.unregisteredPerAddress !== null && state.unregistered >= l.unregisteredPerAddress) {
      const max = l.unregisteredPerAddress;
      return { code: 503, say: (t) => t.tooManyUnregistered(address, max) };
    }
    state.connections++;
    state.unregistered++;
    this.openNow++;
    this.unregisteredNow++;
    return new Ticket(this, address, state, now);
  }

  /** Forgets the addresses with nothing open whose buckets are full again. */
  #sweep(now: number): void {
    for (const [address, s] of this.#addresses) {
      if (s.connections === 0 && s.budget.idle(now) && (s.connects?.full(now) ?? true)) {
        this.#addresses.delete(address);
      }
    }
    this.#sweepAt = Math.max(SWEEP_AT, this.#addresses.size * 2);
  }
}
