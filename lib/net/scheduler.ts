/**
 * One real timer for many state machines. Each ARQ endpoint says when it next wants to be woken
 * (`nextWake()`); the scheduler keeps those times in a min-heap and arms a single `setTimeout`
 * for the earliest, so ten thousand sessions cost one OS timer, not ten thousand.
 * @module
 */

/** Something that can be woken at a time it asked for. */
export interface Wakeable {
  /** Called at (or just after) the time it was scheduled for. */
  wake(now: number): void;
}

interface Entry {
  at: number;
  target: Wakeable;
}

/** A min-heap of wake-up times driving one timer. */
export class WakeScheduler {
  readonly #heap: Entry[] = [];
  readonly #due = new Map<Wakeable, number>();
  readonly #clock: () => number;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #timerAt = Infinity;
  #stopped = false;

  /** `clock` returns milliseconds (default `performance.now`). */
  constructor(clock: () => number = () => performance.now()) {
    this.#clock = clock;
  }

  /** Number of targets with a pending wake-up. */
  get size(): number {
    return this.#due.size;
  }

  /** Wakes `target` at `at` (ms); an earlier pending time wins; `undefined` cancels. */
  schedule(target: Wakeable, at: number | undefined): void {
    if (this.#stopped) return;
    if (at === undefined) {
      this.#due.delete(target);
      return;
    }
    const current = this.#due.get(target);
    if (current !== undefined && current <= at) return;
    this.#due.set(target, at);
    this.#push({ at, target });
    if (at < this.#timerAt) this.#arm(at);
  }

  /** Forgets `target`. */
  cancel(target: Wakeable): void {
    this.#due.delete(target);
  }

  /** Stops the timer; later schedules are ignored. */
  stop(): void {
    this.#stopped = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#heap.length = 0;
    this.#due.clear();
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
    const now = this.#clock();
    let top = this.#heap[0];
    // Bounded: a target that keeps asking for "now" is served again on the next timer.
    let budget = this.#heap.length;
    while (top !== undefined && top.at <= now + 0.5 && budget-- > 0) {
      this.#pop();
      if (this.#due.get(top.target) === top.at) {
        this.#due.delete(top.target);
        top.target.wake(now);
      }
      top = this.#heap[0];
    }
    // Drop stale entries at the top before arming again.
    while (top !== undefined && this.#due.get(top.target) !== top.at) {
      this.#pop();
      top = this.#heap[0];
    }
    if (top !== undefined && !this.#stopped) this.#arm(top.at);
  }

  #push(entry: Entry): void {
    const h = this.#heap;
    h.push(entry);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (h[p]!.at <= entry.at) break;
      h[i] = h[p]!;
      i = p;
    }
    h[i] = entry;
  }

  #pop(): void {
    const h = this.#heap;
    const last = h.pop()!;
    if (h.length === 0) return;
    let i = 0;
    const n = h.length;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && h[r]!.at < h[l]!.at ? r : l;
      if (h[c]!.at >= last.at) break;
      h[i] = h[c]!;
      i = c;
    }
    h[i] = last;
  }
}
