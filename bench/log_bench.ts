/**
 * `deno bench`: the room's line log, the per-line and per-turn work of a broadcast. Appending a
 * chat line (prefix, text, running sum), and one turn of 26 lines taken by 200 cursors: as
 * whole views (text sessions) and as frame-sized pieces with their sums (binary sessions).
 * @module
 */

import { LineLog, LogCursor } from "../lib/chat/line_log.ts";
import { benchPayload } from "../lib/bench/workload.ts";

const prefix = new TextEncoder().encode("[b00012]: ");
const text = benchPayload(12345.678, 12, 345, 64);

const appendLog = new LineLog();
Deno.bench("append one 64-byte chat line to the log", { group: "line" }, () => {
  appendLog.encodeLine(prefix, text);
});

function turn(maxPiece: number): () => void {
  const log = new LineLog();
  const cursors = Array.from({ length: 200 }, () => new LogCursor(log, maxPiece));
  let pieces = 0;
  const sink = {
    send(view: Uint8Array, sum: number) {
      pieces += view.length > 0 && sum >= 0 ? 1 : 0;
    },
  };
  return () => {
    for (let i = 0; i < 26; i++) log.encodeLine(prefix, text);
    for (const c of cursors) c.take(sink);
  };
}

Deno.bench(
  "one turn: 26 lines to 200 text cursors (whole views)",
  { group: "turn" },
  turn(Infinity),
);
Deno.bench(
  "one turn: 26 lines to 200 binary cursors (1 KiB pieces)",
  { group: "turn" },
  turn(1024),
);
