/**
 * 32-bit sequence number arithmetic with wrap-around (RFC 1982 serial numbers). Every comparison
 * of sequence numbers in the project goes through these helpers.
 * @module
 */

/** Signed distance from `b` to `a` in sequence space: positive when `a` is after `b`. */
export function seqDiff(a: number, b: number): number {
  return (a - b) | 0;
}

/** True when `a` comes before `b` (wrap-around safe). */
export function seqLt(a: number, b: number): boolean {
  return ((a - b) | 0) < 0;
}

/** True when `a` comes before or equals `b` (wrap-around safe). */
export function seqLte(a: number, b: number): boolean {
  return ((a - b) | 0) <= 0;
}

/** `a + n` in 32-bit sequence space. */
export function seqAdd(a: number, n: number): number {
  return (a + n) >>> 0;
}
