/**
 * Repeats folded into counts, so a peer that makes the server log cannot make it log much: the
 * first event of a kind (its `key`: a connection or an address, and a reason) in a window of
 * `windowMs` goes out at once (the first few, with a `burst`); the next ones in that window are
 * only counted, and when the window ends one more event says how many there were
 * (`repeated=N`, the fields of the last one). So an event a peer can cause costs a bounded
 * number of lines per key and window, however fast it comes.
 * Events logged without a key pass straight through.
 * @module
 */

import type { LogLevel } from "./event.ts";
import type { Logger } from "./logger.ts";

/** Default window of {@link RepeatFolder}: one line per key and second, and one with the count. */
export const FOLD_WINDOW_MS = 1000;
/**
 * Most keys counted in one window: past it, events of new keys are counted by type only and
 * reported as one `log-folded` event per type (an attacker with many addresses costs no more).
 */
export const FOLD_MAX_KEYS = 1024;

interface Folded {
  readonly type: string;
  fields: Record<string, unknown>;
  level: LogLevel;
  /** Events of the key let through in this window. */
  passed: number;
  repeated: number;
}

/** A {@link Logger} in front of another that folds repeats of keyed events (see the module). */
export class RepeatFolder implements Logger {
  readonly #inner: Logger;
  readonly #windowMs: number;
  readonly #maxKeys: number;
  #keys = new Map<string, Folded>();
  /** Events of keys past {@link FOLD_MAX_KEYS}, by type. */
  #overflow = new Map<string, number>();
  #timer: ReturnType<typeof setTimeout> | undefined;

  /** Folds into `inner`, in windows of `windowMs`, counting at most `maxKeys` keys per window. */
  constructor(inner: Logger, windowMs = FOLD_WINDOW_MS, maxKeys = FOLD_MAX_KEYS) {
    this.#inner = inner;
    this.#windowMs = windowMs;
    this.#maxKeys = maxKeys;
  }

  /** Passes an event through, unfolded. */
  log(type: string, fields: Record<string, unknown> = {}, level: LogLevel = "info"): void {
    this.#inner.log(type, fields, level);
  }

  /**
   * Logs `type` at once unless `burst` events of `key` were logged in the current window
   * (default 1): then it is counted, and reported with its count when the window ends.
   */
  fold(
    key: string,
    type: string,
    fields: Record<string, unknown> = {},
    level: LogLevel = "info",
    burst = 1,
  ): void {
    const seen = this.#keys.get(key);
    if (seen !== undefined) {
      if (seen.passed < burst) {
        seen.passed++;
        this.#inner.log(type, fields, level);
        return;
      }
      seen.repeated++;
      seen.fields = fields;
      seen.level = level;
      return;
    }
    if (this.#keys.size >= this.#maxKeys) {
      this.#overflow.set(type, (this.#overflow.get(type) ?? 0) + 1);
      this.#arm();
      return;
    }
    this.#keys.set(key, { type, fields, level, passed: 1, repeated: 0 });
    this.#inner.log(type, fields, level);
    this.#arm();
  }

  /** Reports the counts of the current window now and stops its timer. */
  flush(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const keys = this.#keys;
    const overflow = this.#overflow;
    this.#keys = new Map();
    this.#overflow = new Map();
    for (const f of keys.values()) {
      if (f.repeated > 0) this.#inner.log(f.type, { ...f.fields, repeated: f.repeated }, f.level);
    }
    for (const [type, count] of overflow) {
      this.#inner.log("log-folded", { type, count, windowMs: this.#windowMs }, "warn");
    }
  }

  /** Reports what is counted, then closes the logger behind. */
  close(): Promise<void> {
    this.flush();
    return this.#inner.close();
  }

  #arm(): void {
    if (this.#timer !== undefined) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.flush();
    }, this.#windowMs);
  }
}
