/**
 * Logging a peer cannot use against the server: repeats folded into counts per key and window,
 * a bounded queue in front of the logging Worker with its drops counted and reported.
 */

import assert from "node:assert/strict";
import { RepeatFolder } from "../lib/log/fold.ts";
import { type Logger, WorkerLogger } from "../lib/log/logger.ts";

class Recorder implements Logger {
  readonly lines: { type: string; fields: Record<string, unknown> }[] = [];
  log(type: string, fields: Record<string, unknown> = {}): void {
    this.lines.push({ type, fields });
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

Deno.test("a thousand repeats of one key are two lines: the first and one with the count", () => {
  const r = new Recorder();
  const f = new RepeatFolder(r, 60_000);
  for (let i = 0; i < 1000; i++) f.fold("reject:10.0.0.2:404", "reject", { i });
  assert.equal(r.lines.length, 1);
  f.flush();
  assert.deepEqual(r.lines, [
    { type: "reject", fields: { i: 0 } },
    { type: "reject", fields: { i: 999, repeated: 999 } },
  ]);
});

Deno.test("a burst per key passes before counting; unkeyed events pass straight", () => {
  const r = new Recorder();
  const f = new RepeatFolder(r, 60_000);
  for (let i = 0; i < 10; i++) f.fold("join:10.0.0.2", "join", { i }, "info", 3);
  f.log("shutdown", {});
  f.flush();
  assert.deepEqual(r.lines.map((l) => l.fields.i ?? l.type), [0, 1, 2, "shutdown", 9]);
  assert.equal(r.lines[4]!.fields.repeated, 7);
});

Deno.test("keys past the bound are counted by type: many addresses cost no more lines", () => {
  const r = new Recorder();
  const f = new RepeatFolder(r, 60_000, 16);
  for (let i = 0; i < 5000; i++) f.fold(`connect:10.0.${i >> 8}.${i & 255}`, "connect", {});
  f.flush();
  assert.equal(r.lines.length, 17);
  assert.deepEqual(r.lines.at(-1), {
    type: "log-folded",
    fields: { type: "connect", count: 4984, windowMs: 60_000 },
  });
});

Deno.test("the window ends by itself and reports its counts", async () => {
  const r = new Recorder();
  const f = new RepeatFolder(r, 30);
  f.fold("k", "reject", {});
  f.fold("k", "reject", {});
  await new Promise((res) => setTimeout(res, 80));
  assert.equal(r.lines.length, 2);
  assert.equal(r.lines[1]!.fields.repeated, 1);
});

Deno.test("WorkerLogger keeps at most maxQueued events waiting and reports how many it dropped", async () => {
  const dir = await Deno.makeTempDir({ prefix: "chat-log-" });
  const file = `${dir}/log.jsonl`;
  const logger = await WorkerLogger.start({ file, console: false, maxQueued: 50 });
  try {
    for (let i = 0; i < 10_000; i++) {
      logger.log("reject", { i });
      assert.ok(logger.queued <= 50);
    }
    assert.ok(logger.droppedTotal >= 10_000 - 100, `${logger.droppedTotal} dropped`);
    const dropped = logger.droppedTotal;
    await logger.close();
    const events = (await Deno.readTextFile(file)).trim().split("\n").map((l) => JSON.parse(l));
    const report = events.find((e) => e.event === "log-dropped");
    assert.ok(report, "a log-dropped event was written");
    assert.equal(report.dropped, dropped);
    assert.equal(events.filter((e) => e.event === "reject").length, 10_000 - dropped);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
