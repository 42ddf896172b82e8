/**
 * Numbers as people in Brazil and elsewhere type them: a decimal point or a decimal comma
 * (`0.25`, `0,25`, `,5`). A comma before exactly three digits after a non-zero integer part
 * (`1,000`, `12,500`) reads as a thousand in English and as a decimal in Portuguese: refused
 * rather than misread.
 * @module
 */

/**
 * The decimal number `text` spells (`-1.5`, `0,25`, `1e3`), or NaN when it is not one: empty,
 * two separators, a comma and a point, words, or a comma that may be a thousands separator.
 */
export function parseDecimal(text: string): number {
  const t = text.trim();
  if (!/^[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?$/.test(t)) return NaN;
  if (/^[+-]?0*[1-9]\d*,\d{3}$/.test(t)) return NaN;
  return Number(t.replace(",", "."));
}

/** `n` written with a decimal comma (`0,25`), as Brazilian Portuguese writes numbers. */
export function withDecimalComma(n: number | string): string {
  return String(n).replace(".", ",");
}
