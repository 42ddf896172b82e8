/**
 * A logger that keeps every event it is given, in order, for tests to read.
 * @module
 */

import type { LogLevel } from "../../lib/log/event.ts";
import type { Logger } from "../../lib/log/logger.ts";

/** One event as the server logged it. */
export interface KeptEvent {
  readonly event: string;
  readonly fields: Record<string, unknown>;
  readonly level?: LogLevel;
}

/** Keeps the events, nothing else: no formatting, no Worker. */
export class KeptLog implements Logger {
  readonly events: KeptEvent[] = [];
  log(event: string, fields: Record<string, unknown> = {}, level?: LogLevel): void {
    this.events.push({ event, fields, level });
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}
