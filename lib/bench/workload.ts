/**
 * The workload's chat lines: what a bench client sends (`benchPayload`) and how a receiver reads
 * one back from the bytes it got (`parseWorkloadLine`), without a string per line: at millions
 * of deliveries a second the generator must cost far less per line than the server.
 * @module
 */

/** Builds a chat message body of `size` bytes carrying send time, sender and sequence. */
export function benchPayload(sentMs: number, sender: number, seq: number, size: number): string {
  const head = `${sentMs.toFixed(3)} ${sender} ${seq} `;
  return head.length >= size ? head.trimEnd() : head + "x".repeat(size - head.length);
}

/** 10^k for the fraction digits of a send time. */
const POW10 = [1, 10, 100, 1000, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9];

/**
 * Reads the workload line `[nick]: <sentMs> <sender> <seq> xxx` that starts at `start` of
 * `b` (`size` = chat text bytes, so the newline is expected `size` bytes after the text
 * starts). Writes send time (ms), sender and sequence number to `out[0..2]` and returns the
 * offset of the line's newline; returns -1 (and `out` means nothing) when the line is
 * something else, or incomplete.
 */
export function parseWorkloadLine(
  b: Uint8Array,
  start: number,
  size: number,
  out: Float64Array,
): number {
  const n = b.length;
  if (b[start] !== 0x5b) return -1; // "["
  let i = start + 1;
  while (i < n && b[i] !== 0x5d && b[i] !== 0x0a) i++; // "]"
  if (i + 2 >= n || b[i] !== 0x5d || b[i + 1] !== 0x3a || b[i + 2] !== 0x20) return -1;
  const body = i + 3;
  let j = body;
  // Send time: digits, optionally a point and up to nine more digits.
  let whole = 0;
  let c = b[j]!;
  if (!(c >= 0x30 && c <= 0x39)) return -1;
  while (c >= 0x30 && c <= 0x39) {
    whole = whole * 10 + c - 0x30;
    c = b[++j]!;
  }
  let fraction = 0;
  let places = 0;
  if (c === 0x2e) {
    c = b[++j]!;
    while (c >= 0x30 && c <= 0x39 && places < 9) {
      fraction = fraction * 10 + c - 0x30;
      places++;
      c = b[++j]!;
    }
  }
  // Sender and sequence number: a space, then digits, each.
  for (let field = 1; field <= 2; field++) {
    if (c !== 0x20) return -1;
    c = b[++j]!;
    if (!(c >= 0x30 && c <= 0x39)) return -1;
    let value = 0;
    while (c >= 0x30 && c <= 0x39) {
      value = value * 10 + c - 0x30;
      c = b[++j]!;
    }
    out[field] = value;
  }
  if (j >= n) return -1;
  let nl = body + size;
  if (nl >= n || b[nl] !== 0x0a) {
    nl = b.indexOf(0x0a, j);
    if (nl < 0) return -1;
  }
  out[0] = whole + fraction / POW10[places]!;
  return nl;
}
