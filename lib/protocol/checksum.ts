/**
 * The Internet checksum (RFC 1071): the 16-bit one's complement of the one's complement sum of
 * the data taken as big-endian 16-bit words, an odd last byte padded with zero. The same
 * algorithm IP, TCP and UDP use, short enough to write in Lua for the dissector.
 * @module
 */

/**
 * One's complement sum (folded to 16 bits, not complemented) of `bytes[start..end)` taken as
 * big-endian words, added to `initial`. A run that starts at an odd offset of the frame must be
 * byte-swapped with {@link swap16} before it is combined with sums of even runs.
 */
export function onesSum(bytes: Uint8Array, start = 0, end = bytes.length, initial = 0): number {
  let sum = initial;
  let i = start;
  const last = end - 1;
  while (i < last) {
    sum += (bytes[i]! << 8) | bytes[i + 1]!;
    i += 2;
  }
  if (i === last) sum += bytes[i]! << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return sum;
}

/** Swaps the two bytes of a 16-bit one's complement sum (RFC 1071 byte-order independence). */
export function swap16(sum: number): number {
  return ((sum & 0xff) << 8) | (sum >>> 8);
}

/** Adds two 16-bit one's complement sums. */
export function addSums(a: number, b: number): number {
  const s = a + b;
  return (s & 0xffff) + (s >>> 16);
}

/** The Internet checksum of `bytes`: the complement of their one's complement sum. */
export function internetChecksum(bytes: Uint8Array, start = 0, end = bytes.length): number {
  return ~onesSum(bytes, start, end) & 0xffff;
}
