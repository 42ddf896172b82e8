/**
 * Retransmission timeout estimator: Jacobson/Karels smoothing as specified by RFC 6298, with
 * Karn's rule left to the caller (only frames transmitted once may be sampled), clamping to
 * `[minRto, maxRto]` and exponential back-off on timeout.
 *
 * ```text
 * first sample R:   SRTT = R            RTTVAR = R / 2
 * next samples R:   RTTVAR = 3/4 RTTVAR + 1/4 |SRTT - R|      (beta  = 1/4)
 *                   SRTT   = 7/8 SRTT   + 1/8 R               (alpha = 1/8)
 * always:           RTO = clamp(SRTT + max(G, 4 RTTVAR), minRto, maxRto)
 * on timeout:       RTO = min(2 RTO, maxRto)   (back-off, undone by the next fresh sample)
 * SR, per frame:    back-off level = max(level, timeouts of the frame that expired)
 * ```
 * @module
 */

/** Clock granularity G of RFC 6298 in milliseconds. */
export const CLOCK_GRANULARITY_MS = 1;

/** Limits of an {@link RtoEstimator}. */
export interface RtoLimits {
  /** Smallest RTO in ms. */
  readonly minRto: number;
  /** Largest RTO in ms (also caps the back-off). */
  readonly maxRto: number;
  /** RTO before the first sample, in ms. */
  readonly initialRto: number;
}

/** Round-trip time estimator and retransmission timeout (RFC 6298). */
export class RtoEstimator {
  /** Smoothed round-trip time in ms (0 until the first sample). */
  srtt = 0;
  /** Round-trip time variation in ms (0 until the first sample). */
  rttvar = 0;
  /** Current retransmission timeout in ms, back-off included. */
  rto: number;
  /** Number of back-offs since the last fresh sample. */
  backoffs = 0;
  /** Number of samples taken. */
  samples = 0;
  /** Smallest sample taken, ms (0 until the first sample). */
  minRtt = 0;
  readonly #min: number;
  readonly #max: number;
  readonly #onSample: ((rtt: number, estimator: RtoEstimator) => void) | undefined;

  /**
   * Starts at `initialRto` (clamped to `[minRto, maxRto]`); `onSample` is told of every sample
   * once it is taken into account.
   */
  constructor(limits: RtoLimits, onSample?: (rtt: number, estimator: RtoEstimator) => void) {
    this.#min = limits.minRto;
    this.#max = Math.max(limits.minRto, limits.maxRto);
    this.rto = this.#clamp(limits.initialRto);
    this.#onSample = onSample;
  }

  /** True once at least one sample was taken. */
  get hasSample(): boolean {
    return this.samples > 0;
  }

  /**
   * Feeds one round-trip measurement in ms. By Karn's rule the caller passes only samples from
   * frames that were transmitted exactly once. A sample resets the back-off.
   */
  sample(rtt: number): void {
    const r = rtt < 0 ? 0 : rtt;
    if (this.samples === 0) {
      this.srtt = r;
      this.rttvar = r / 2;
      this.minRtt = r;
    } else {
      if (r < this.minRtt) this.minRtt = r;
      this.rttvar = 0.75 * this.rttvar + 0.25 * Math.abs(this.srtt - r);
      this.srtt = 0.875 * this.srtt + 0.125 * r;
    }
    this.samples++;
    this.backoffs = 0;
    this.rto = this.#clamp(this.srtt + Math.max(CLOCK_GRANULARITY_MS, 4 * this.rttvar));
    this.#onSample?.(r, this);
  }

  /** A retransmission timer expired: doubles the RTO, up to `maxRto`. */
  backoff(): void {
    this.backoffs++;
    this.rto = Math.min(this.rto * 2, this.#max);
  }

  /**
   * Raises the back-off to at least `level` doublings since the last sample (per-frame timers:
   * a frame that timed out `level` times needs that much back-off; independent single losses of
   * several frames need only one).
   */
  backoffTo(level: number): void {
    while (this.backoffs < level && this.rto < this.#max) this.backoff();
    if (this.backoffs < level) this.backoffs = level;
  }

  #clamp(value: number): number {
    return Math.min(this.#max, Math.max(this.#min, value));
  }
}
