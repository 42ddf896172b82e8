/**
 * A clock read once per run of synchronous code: the first call reads `performance.now()`,
 * later calls before the next microtask checkpoint return the same value. One broadcast
 * fanned out to a thousand sessions reads the clock once, not a thousand times (each read is
 * an op call into the runtime); the code of one turn takes microseconds, far below the
 * millisecond resolution of ARQ timers.
 * @module
 */

let cached = -1;

function forget(): void {
  cached = -1;
}

/** Milliseconds (`performance.now()` timeline), cached until the next microtask checkpoint. */
export function turnNow(): number {
  if (cached < 0) {
    cached = performance.now();
    queueMicrotask(forget);
  }
  return cached;
}
