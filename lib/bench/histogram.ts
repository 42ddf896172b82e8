/**
 * A log-linear latency histogram (HdrHistogram style): values are bucketed by power of two and
 * split linearly into 64 sub-buckets, so any percentile is within about 0.8 % of the truth with
 * fixed memory and O(1) recording.
 * @module
 */

const SUB = 64;
const SUB_BITS = 6;
const MAX_EXP = 40;

/** Fixed-memory histogram of non-negative values (e.g. microseconds). */
export class Histogram {
  readonly #counts = new Float64Array((MAX_EXP + 1) * SUB);
  #count = 0;
  #sum = 0;
  #min = Infinity;
  #max = 0;

  /** Number of values recorded. */
  get count(): number {
    return this.#count;
  }

  /** Largest value recorded (0 when empty). */
  get max(): number {
    return this.#max;
  }

  /** Smallest value recorded (0 when empty). */
  get min(): number {
    return this.#count === 0 ? 0 : this.#min;
  }

  /** Mean of the values (0 when empty). */
  get mean(): number {
    return this.#count === 0 ? 0 : this.#sum / this.#count;
  }

  /** Records one value (negative values count as 0). */
  record(value: number): void {
    const v = value > 0 ? value : 0;
    this.#counts[index(v)]!++;
    this.#count++;
    this.#sum += v;
    if (v < this.#min) this.#min = v;
    if (v > this.#max) this.#max = v;
  }

  /** Adds every value of `other`. */
  merge(other: Histogram): void {
    const o = other.#counts;
    for (let i = 0; i < o.length; i++) this.#counts[i]! += o[i]!;
    this.#count += other.#count;
    this.#sum += other.#sum;
    this.#min = Math.min(this.#min, other.#min);
    this.#max = Math.max(this.#max, other.#max);
  }

  /** The value below which `p` percent of the values fall (0..100). */
  percentile(p: number): number {
    if (this.#count === 0) return 0;
    const rank = Math.max(1, Math.ceil((p / 100) * this.#count));
    let seen = 0;
    for (let i = 0; i < this.#counts.length; i++) {
      seen += this.#counts[i]!;
      if (seen >= rank) return Math.min(this.#max, Math.max(this.#min, middle(i)));
    }
    return this.#max;
  }
}

function index(v: number): number {
  if (v < SUB) return Math.floor(v);
  if (v < 2 ** 31) {
    // The common case without floating-point logarithms: bucket boundaries above SUB are
    // integers, so the integer part of v falls in the same bucket as v.
    const x = Math.floor(v);
    const e = 31 - Math.clz32(x);
    return SUB + (e - SUB_BITS) * SUB + ((x - (1 << e)) >>> (e - SUB_BITS));
  }
  const e = Math.min(MAX_EXP + SUB_BITS - 1, Math.floor(Math.log2(v)));
  const width = 2 ** (e - SUB_BITS);
  const sub = Math.min(SUB - 1, Math.floor((v - 2 ** e) / width));
  return SUB + (e - SUB_BITS) * SUB + sub;
}

function middle(i: number): number {
  if (i < SUB) return i + 0.5;
  const e = Math.floor((i - SUB) / SUB) + SUB_BITS;
  const sub = (i - SUB) % SUB;
  const width = 2 ** (e - SUB_BITS);
  return 2 ** e + (sub + 0.5) * width;
}
