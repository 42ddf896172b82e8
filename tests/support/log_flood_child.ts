/**
 * A child for the blocked-stdout test: logs events to the console through a `WorkerLogger` as
 * fast as it can for `--ms` while its parent never reads its stdout, then reports on stderr, as
 * one JSON line, the most events that ever waited for the Worker and how many were dropped.
 * @module
 */

import { WorkerLogger } from "../../lib/log/logger.ts";

const ms = Number(Deno.args[0] ?? 2000);
const logger = await WorkerLogger.start({ console: true });
let maxQueued = 0;
let logged = 0;
const end = performance.now() + ms;
while (performance.now() < end) {
  for (let i = 0; i < 1000; i++) {
    logger.log("reject", { id: logged++, code: 404, reason: "Unknown command: X" });
  }
  maxQueued = Math.max(maxQueued, logger.queued);
  await new Promise((r) => setTimeout(r, 1));
}
const report = { logged, maxQueued, dropped: logger.droppedTotal };
console.error(JSON.stringify(report));
await logger.close();
Deno.exit(0);
