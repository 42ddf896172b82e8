/**
 * Bans an operator set for a time: by address (nobody from it may register) and by nickname (the
 * name and its look-alikes may not be registered). An argument holding a `.` or a `:` is an
 * address (no nickname can hold either). Times are the lobby's clock (ms); a ban ends by itself.
 * @module
 */

/** Minutes a ban or a mute lasts when the operator gives none. */
export const DEFAULT_BAN_MINUTES = 15;
/** The longest ban or mute, in minutes (a day). */
export const MAX_BAN_MINUTES = 24 * 60;

/** Whole minutes left until `until` (at least 1). */
export function minutesLeft(until: number, now: number): number {
  return Math.max(1, Math.ceil((until - now) / 60_000));
}

/** True when `text` is written as an address rather than a nickname. */
export function isAddress(text: string): boolean {
  return /^[0-9a-fA-F.:[\]]+$/.test(text) && /[.:]/.test(text);
}

/** `text` as an address to compare: brackets and an IPv4-mapped `::ffff:` prefix removed. */
export function normalizeAddress(text: string): string {
  const t = text.trim().replace(/^\[(.*)\]$/, "$1").toLowerCase();
  return t.startsWith("::ffff:") && t.includes(".") ? t.slice(7) : t;
}

/** The bans in force. */
export class BanList {
  readonly #addresses = new Map<string, number>();
  readonly #names = new Map<string, number>();

  /** Bans in force at `now` (addresses and names). */
  count(now: number): number {
    this.#expire(now);
    return this.#addresses.size + this.#names.size;
  }

  /** Bans `address` until `until`. */
  banAddress(address: string, until: number): void {
    this.#addresses.set(normalizeAddress(address), until);
  }

  /** Bans a nickname by its keys until `until`. */
  banName(keys: readonly string[], until: number): void {
    for (const k of keys) this.#names.set(k, until);
  }

  /** Lifts the ban of `address`; false when there was none. */
  unbanAddress(address: string): boolean {
    return this.#addresses.delete(normalizeAddress(address));
  }

  /** Lifts the ban of a nickname's keys; false when there was none. */
  unbanName(keys: readonly string[]): boolean {
    let any = false;
    for (const k of keys) any = this.#names.delete(k) || any;
    return any;
  }

  /** Until when `address` is banned at `now`, or 0. */
  addressBanned(address: string | undefined, now: number): number {
    if (address === undefined || this.#addresses.size === 0) return 0;
    const key = normalizeAddress(address);
    const until = this.#addresses.get(key) ?? 0;
    if (until > now) return until;
    if (until > 0) this.#addresses.delete(key);
    return 0;
  }

  /** Until when a nickname with one of `keys` is banned at `now`, or 0. */
  nameBanned(keys: readonly string[], now: number): number {
    if (this.#names.size === 0) return 0;
    for (const k of keys) {
      const until = this.#names.get(k) ?? 0;
      if (until > now) return until;
      if (until > 0) this.#names.delete(k);
    }
    return 0;
  }

  #expire(now: number): void {
    for (const map of [this.#addresses, this.#names]) {
      for (const [k, until] of map) if (until <= now) map.delete(k);
    }
  }
}
