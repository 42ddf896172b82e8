/**
 * The end of an event-loop turn, as one object owned by a server (or a client process) and
 * handed to every session, outbox and room that needs it: nothing here is module state, so two
 * servers in one process each have their own.
 *
 * - **The turn's clock.** {@link Turn.now} reads `performance.now()` once per run of
 *   synchronous code and returns the same value until the next microtask checkpoint: one
 *   broadcast fanned out to a thousand sessions reads the clock once. The code of one turn takes
 *   microseconds, far below the millisecond resolution of ARQ timers.
 * - **The flush pass.** Everything written in a turn leaves in one pass that `setImmediate`
 *   runs after the turn's I/O callbacks: first the work that produces output
 *   ({@link Turn.beforeFlush}: text sessions taking the turn's broadcasts from the line log, ARQ
 *   senders packing the turn's lines into frames), then one write per outbox
 *   ({@link Turn.flushSoon}). So all broadcasts caused by all the reads of a turn leave in one
 *   write per connection.
 * - **Idle trimming.** Outboxes that went idle holding buffers are checked now and then by the
 *   pass and drop them once idle long enough ({@link Turn.trimWhenIdle}).
 * - **The last shared view's buffer** ({@link Turn.bufferOf}): one line handed to many outboxes
 *   in a row has its `.buffer` read once.
 * @module
 */

import { setImmediate } from "node:timers";

/** Something holding buffers it can drop once idle (an outbox). */
export interface Trimmable {
  /** Drops its buffers when idle since `ms` before `now`; true when it needs no more checks. */
  trimIfIdle(now: number, ms: number): boolean;
}

/**
 * How long a connection must stay idle before its buffers are dropped: ten thousand quiet
 * connections then hold no output buffer after their welcome, while a busy one (idle only
 * between two turns) keeps its buffers instead of allocating new ones each turn.
 */
export const IDLE_TRIM_MS = 1000;

/** One event loop's end-of-turn services (see the module comment). */
export class Turn {
  #cachedNow = -1;
  #pre: (() => void)[] = [];
  #flushes: (() => void)[] = [];
  #scheduled = false;
  readonly #idle = new Set<Trimmable>();
  #lastSweep = 0;
  #lastView: Uint8Array | undefined;
  #lastViewBuffer: ArrayBufferLike = new ArrayBuffer(0);

  /** Milliseconds (`performance.now()` timeline), the same until the next microtask checkpoint. */
  readonly now = (): number => {
    if (this.#cachedNow < 0) {
      this.#cachedNow = performance.now();
      queueMicrotask(this.#forgetNow);
    }
    return this.#cachedNow;
  };

  readonly #forgetNow = (): void => {
    this.#cachedNow = -1;
  };

  /**
   * Runs `fn` at the start of the next flush pass, before the outboxes are written: the end of
   * the current event-loop turn. Whatever `fn` appends leaves in that same pass.
   */
  readonly beforeFlush = (fn: () => void): void => {
    this.#pre.push(fn);
    this.#ensurePass();
  };

  /** Runs `flush` (an outbox's write) in the next flush pass, after the `beforeFlush` work. */
  flushSoon(flush: () => void): void {
    this.#flushes.push(flush);
    this.#ensurePass();
  }

  /** Checks `target` in later passes until it reports it dropped its buffers. */
  trimWhenIdle(target: Trimmable): void {
    this.#idle.add(target);
  }

  /**
   * `view.buffer`, read once for the same view handed over again (a constant reply, one line to
   * many outboxes in a row).
   */
  bufferOf(view: Uint8Array): ArrayBufferLike {
    if (view !== this.#lastView) {
      this.#lastView = view;
      this.#lastViewBuffer = view.buffer;
    }
    return this.#lastViewBuffer;
  }

  #ensurePass(): void {
    if (!this.#scheduled) {
      this.#scheduled = true;
      setImmediate(this.#pass);
    }
  }

  readonly #pass = (): void => {
    // What the `beforeFlush` work schedules in turn (a binary session's frames, queued while
    // the room hands out the turn's lines) runs in this same pass.
    while (this.#pre.length > 0) {
      const pre = this.#pre;
      this.#pre = [];
      for (const f of pre) f();
    }
    const list = this.#flushes;
    this.#flushes = [];
    this.#scheduled = false;
    for (const f of list) f();
    if (this.#idle.size > 0) this.#sweepIdle();
    if (this.#pre.length > 0 || this.#flushes.length > 0) this.#ensurePass();
  };

  #sweepIdle(): void {
    const now = this.now();
    if (now - this.#lastSweep < IDLE_TRIM_MS / 4) return;
    this.#lastSweep = now;
    for (const o of this.#idle) if (o.trimIfIdle(now, IDLE_TRIM_MS)) this.#idle.delete(o);
  }
}
