/**
 * The logging Worker: prints human lines and appends JSON lines to the log file, off the main
 * thread. Protocol: see `LogWorkerRequest` / `LogWorkerReply` in logger.ts.
 * @module
 */

/// <reference lib="deno.worker" />

import { formatLogLine } from "./event.ts";
import type { LogWorkerReply, LogWorkerRequest } from "./logger.ts";

const encoder = new TextEncoder();
let file: Deno.FsFile | undefined;
let toConsole = true;
let queue: Promise<void> = Promise.resolve();

function reply(message: LogWorkerReply): void {
  self.postMessage(message);
}

async function writeAll(
  f: { write(p: Uint8Array): Promise<number> },
  bytes: Uint8Array,
): Promise<void> {
  let off = 0;
  while (off < bytes.length) off += await f.write(bytes.subarray(off));
}

self.onmessage = (e: MessageEvent<LogWorkerRequest>) => {
  const msg = e.data;
  queue = queue.then(async () => {
    switch (msg.kind) {
      case "open":
        toConsole = msg.console;
        if (msg.file !== undefined) {
          try {
            file = await Deno.open(msg.file, { create: true, append: true });
          } catch (error) {
            const why = error instanceof Error ? error.message : String(error);
            reply({ kind: "opened", error: `Cannot open log file ${msg.file}: ${why}` });
            return;
          }
        }
        reply({ kind: "opened" });
        return;
      case "events": {
        if (toConsole) {
          const text = msg.events.map(formatLogLine).join("\n") + "\n";
          await writeAll(Deno.stdout, encoder.encode(text)).catch(() => {});
        }
        if (file) {
          const text = msg.events.map((ev) => JSON.stringify(ev)).join("\n") + "\n";
          await writeAll(file, encoder.encode(text)).catch(() => {});
        }
        // The main thread sends the next batch only now: a blocked stdout holds one batch here.
        reply({ kind: "written" });
        return;
      }
      case "close":
        file?.close();
        file = undefined;
        reply({ kind: "closed" });
        return;
    }
  });
};
