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
export type LogWorkerReply = { readonly kind: "opened"; readonly error?: string } | {
  readonly kind: "closed";
};

/** Options of a {@link WorkerLogger}. */
export interface WorkerLoggerOptions {
  /** Append JSON lines to this file. */
  readonly file?: string;
  /** Print human lines on stdout (default true). */
  readonly console?: boolean;
}

/** Logs through a Worker (`lib/log/worker.ts`), batching events per event-loop turn. */
export class WorkerLogger implements Logger {
  readonly #worker: Worker;
  #batch: LogEvent[] = [];
  #scheduled = false;
  #closed = false;

  private constructor(worker: Worker) {
    this.#worker = worker;
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
    return new WorkerLogger(worker);
  }

  /** Queues one event for the Worker. */
  log(event: string, fields: Record<string, unknown> = {}, level: LogLevel = "info"): void {
    if (this.#closed) return;
    this.#batch.push({ ...fields, time: new Date().toISOString(), level, event });
    if (!this.#scheduled) {
      this.#scheduled = true;
      queueMicrotask(() => this.#send());
    }
  }

  /** Sends what is pending, waits until the Worker wrote it all, and stops the Worker. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#send();
    this.#closed = true;
    const done = new Promise<void>((resolve) => {
      this.#worker.onmessage = (e: MessageEvent<LogWorkerReply>) => {
        if (e.data.kind === "closed") resolve();
      };
    });
    const request: LogWorkerRequest = { kind: "close" };
    this.#worker.postMessage(request);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<void>((resolve) => timer = setTimeout(resolve, 5000));
    await Promise.race([done, timeout]);
    clearTimeout(timer);
    this.#worker.terminate();
  }

  #send(): void {
    this.#scheduled = false;
    if (this.#batch.length === 0 || this.#closed) return;
    const request: LogWorkerRequest = { kind: "events", events: this.#batch };
    this.#batch = [];
    this.#worker.postMessage(request);
  }
}
