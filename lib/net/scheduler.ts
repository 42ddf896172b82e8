/**
 * One real timer for many state machines. Each ARQ endpoint says when it next wants to be woken
 * (`nextWake()`); the scheduler files it in the bucket of that millisecond and arms a single
 * `setTimeout` for the earliest bucket, so ten thousand sessions cost one OS timer, not ten
 * thousand.
 *
 * Buckets, not a heap of entries: a broadcast to ten thousand sessions reschedules every one of
 * them, mostly to the same few milliseconds (now + RTO). Adding to a bucket's `Set` costs the
 * same whatever the number of sessions, where sifting a per-session entry up a heap of tens of
 * thousands costs a cache miss per level. Only the distinct bucket times live in a heap.
 * Resolution is one millisecond (that of `setTimeout`); a target is never woken early.
 * @module
 */

/** Something that can be woken at a time it asked for. */
export interface Wakeable {
  /** Called at (or just after) the time it was scheduled for. */
  wake(now: number): void;
}

/** Millisecond buckets of wake-up times driving one timer. */
export class WakeScheduler {
  /** Bucket time (whole ms) → targets due then. */
  readonly #buckets = new Map<number, Set<Wakeable>>();
  /** Min-heap of the bucket times in {@link #buckets}. */
  readonly #times: number[] = [];
  /** Target → its bucket time. */
  readonly #due = new Map<Wakeable, number>();
  readonly #clock: () => number;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #timerAt = Infinity;
  #stopped = false;
  #firing = false;

  /** `clock` returns milliseconds (default `performance.now`). */
  constructor(clock: () => number = () => performance.now()) {
    this.#clock = clock;
  }

  /** Distinct wake-up times pending (milliseconds with at least one target). */
  get heapSize(): number {
    return this.#times.length;
  }

  /** Number of targets with a pending wake-up. */
  get size(): number {
    return this.#due.size;
  }

  /** Wakes `target` at `at` (ms); an earlier pending time wins; `undefined` cancels. */
  schedule(target: Wakeable, at: number | undefined): void {
    if (this.#stopped) return;
    const current = this.#due.get(target);
    if (at === undefined) {
      if (current !== undefined) this.#remove(target, current);
      return;
    }
    const b = Math.ceil(at);
    if (current !== undefined) {
      if (current <= b) return;
      this.#remove(target, current);
    }
    this.#due.set(target, b);
    let set = this.#buckets.get(b);
    if (set === undefined) {
      set = new Set();
      this.#buckets.set(b, set);
      this.#pushTime(b);
    }
    set.add(target);
    // Re-arming costs a clearTimeout and a setTimeout: #fire arms once when it is done.
    if (!this.#firing && b < this.#timerAt) this.#arm(b);
  }

  /** Forgets `target`. */
  cancel(target: Wakeable): void {
    const current = this.#due.get(target);
    if (current !== undefined) this.#remove(target, current);
  }

  /** Stops the timer; later schedules are ignored. */
  stop(): void {
    this.#stopped = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#times.length = 0;
    this.#buckets.clear();
    this.#due.clear();
  }

  #remove(target: Wakeable, b: number): void {
    this.#due.delete(target);
    const set = this.#buckets.get(b);
    // An emptied bucket stays until its time comes (its time is in the heap).
    set?.delete(target);
  }

  #arm(at: number): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timerAt = at;
    const delay = Math.max(0, at - this.#clock());
    this.#timer = setTimeout(() => this.#fire(), delay);
  }

  #fire(): void {
    this.#timer = undefined;
    this.#timerAt = Infinity;
    this.#firing = true;
    try {
      this.#serveDue();
    } finally {
      this.#firing = false;
    }
    const next = this.#times[0];
    if (next !== undefined && !this.#stopped) this.#arm(next);
  }

  #serveDue(): void {
    const now = this.#clock();
    // Bounded: targets that keep asking for "now" are served again on the next timer.
    let budget = this.#due.size + this.#times.length;
    while (this.#times.length > 0 && this.#times[0]! <= now && budget > 0) {
      const b = this.#popTime();
      const set = this.#buckets.get(b);
      this.#buckets.delete(b);
      if (set === undefined) continue;
      for (const target of set) {
        budget--;
        if (this.#due.get(target) !== b) continue;
        this.#due.delete(target);
        target.wake(now);
      }
    }
  }

  #pushTime(t: number): void {
    const h = this.#times;
    let i = h.length;
    h.push(t);
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (h[p]! <= t) break;
      h[i] = h[p]!;
      i = p;
    }
    h[i] = t;
  }

  #popTime(): number {
    const h = this.#times;
    const top = h[0]!;
    const last = h.pop()!;
    const n = h.length;
    if (n === 0) return top;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && h[r]! < h[l]! ? r : l;
      if (h[c]! >= last) break;
      h[i] = h[c]!;
      i = c;
    }
    h[i] = last;
    return top;
  }
}
