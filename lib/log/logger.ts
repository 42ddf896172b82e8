/**
 * Logging off the main thread, as seed 004 did with its logging process: the main thread posts
 * events to a Worker, which prints human lines and, with a log file, appends JSON lines. The
 * Worker is drained before exit (`close()` resolves after everything posted was written).
 * @module
 */

import type { LogEvent, LogLevel } from "./event.ts";

/** Where events go. */
export interface Logger {
  /** Records one event. Never throws, never blocks. */
  log(event: string, fields?: Record<string, unknown>, level?: LogLevel): void;
  /** Writes everything pending and stops. */
  close(): Promise<void>;
}

/** A logger that drops everything (tests, benchmarks). */
export class NullLogger implements Logger {
  /** Drops the event. */
  log(): void {}
  /** Resolves at once. */
  close(): Promise<void> {
    return Promise.resolve();
  }
}

/** Messages from the main thread to the logging Worker. */
export type LogWorkerRequest =
  | { readonly kind: "open"; readonly file: string | undefined; readonly console: boolean }
  | { readonly kind: "events"; readonly events: LogEvent[] }
  | { readonly kind: "close" };

/** Messages from the logging Worker to the main thread. */
export type LogWorkerReply =
  | { readonly kind: "opened"; readonly error?: string }
  /** A batch of events was written (or failed to be): the next one may be sent. */
  | { readonly kind: "written" }
  | { readonly kind: "closed" };

/** Options of a {@link WorkerLogger}. */
export interface WorkerLoggerOptions {
  /** Append JSON lines to this file. */
  readonly file?: string;
  /** Print human lines on stdout (default true). */
  readonly console?: boolean;
  /** Most events waiting for the Worker; more are dropped and counted (default 4096). */
  readonly maxQueued?: number;
}

/** Default bound of the events waiting for the logging Worker. */
export const DEFAULT_LOG_QUEUE = 4096;

/**
 * Logs through a Worker (`lib/log/worker.ts`), batching events per event-loop turn. At most one
 * batch is with the Worker at a time: the next leaves once the Worker has written the last (so
 * a blocked stdout holds one batch there, not an unbounded mailbox), and events waiting meanwhile
 * are bounded by `maxQueued`. Events past the bound are dropped and counted; the count goes out
 * as a `log-dropped` event (`dropped=N`) at the head of the next batch the Worker takes.
 */
export class WorkerLogger implements Logger {
  readonly #worker: Worker;
  readonly #maxQueued: number;
  #batch: LogEvent[] = [];
  #scheduled = false;
  #inFlight = false;
  #dropped = 0;
  /** Events dropped since the logger started. */
  droppedTotal = 0;
  #closed = false;
  #closing: (() => void) | undefined;

  private constructor(worker: Worker, maxQueued: number) {
    this.#worker = worker;
    this.#maxQueued = maxQueued;
    worker.onmessage = (e: MessageEvent<LogWorkerReply>) => this.#onReply(e.data);
  }

  /** Starts the Worker; rejects with a clear message when the log file cannot be opened. */
  static async start(options: WorkerLoggerOptions = {}): Promise<WorkerLogger> {
    const worker = new Worker(new URL("./worker.ts", import.meta.url), { type: "module" });
    const opened = new Promise<LogWorkerReply>((resolve, reject) => {
      worker.onmessage = (e: MessageEvent<LogWorkerReply>) => resolve(e.data);
      worker.onerror = (e) => {
        e.preventDefault();
        reject(new Error(`Logging worker failed: ${e.message}`));
      };
    });
    const request: LogWorkerRequest = {
      kind: "open",
      file: options.file,
      console: options.console ?? true,
    };
    worker.postMessage(request);
    const reply = await opened.catch((error) => {
      worker.terminate();
      throw error;
    });
    if (reply.kind === "opened" && reply.error) {
      worker.terminate();
      throw new Error(reply.error);
    }
    return new WorkerLogger(worker, options.maxQueued ?? DEFAULT_LOG_QUEUE);
  }

  /** Events waiting for the Worker (not counting the batch it is writing). */
  get queued(): number {
    return this.#batch.length;
  }

  /** Queues one event for the Worker; drops and counts it when the queue is full. */
  log(event: string, fields: Record<string, unknown> = {}, level: LogLevel = "info"): void {
    if (this.#closed) return;
    if (this.#batch.length >= this.#maxQueued) {
      this.#dropped++;
      this.droppedTotal++;
      return;
    }
    this.#batch.push({ ...fields, time: new Date().toISOString(), level, event });
    if (!this.#scheduled && !this.#inFlight) {
      this.#scheduled = true;
      queueMicrotask(() => this.#send());
    }
  }

  /**
   * Sends what is pending, waits until the Worker wrote it all (at most 5 s: a stdout that
   * stays blocked does not hold the exit), and stops the Worker.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const done = new Promise<void>((resolve) => this.#closing = resolve);
    if (!this.#inFlight) this.#send();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<void>((resolve) => timer = setTimeout(resolve, 5000));
    await Promise.race([done, timeout]);
    clearTimeout(timer);
    this.#worker.terminate();
  }

  #onReply(reply: LogWorkerReply): void {
    if (reply.kind === "written") {
      this.#inFlight = false;
      this.#send();
    } else if (reply.kind === "closed") {
      this.#closing?.();
    }
  }

  /** Hands the waiting events to the Worker, unless a batch is still with it. */
  #send(): void {
    this.#scheduled = false;
    if (this.#inFlight) return;
    if (this.#dropped > 0) {
      const dropped = this.#dropped;
      this.#dropped = 0;
      this.#batch.unshift({
        time: new Date().toISOString(),
        level: "warn",
        event: "log-dropped",
        dropped,
      });
    }
    if (this.#batch.length > 0) {
      const request: LogWorkerRequest = { kind: "events", events: this.#batch };
      this.#batch = [];
      this.#inFlight = true;
      this.#worker.postMessage(request);
      return;
    }
    if (this.#closed) {
      const request: LogWorkerRequest = { kind: "close" };
      this.#worker.postMessage(request);
    }
  }
}
