/** WakeScheduler: one timer, earliest first, never early, superseded times never fire. */
import assert from "node:assert/strict";
import { type Wakeable, WakeScheduler } from "../lib/net/scheduler.ts";

class Target implements Wakeable {
  readonly woken: number[] = [];
  constructor(readonly log: string[], readonly name: string) {}
  wake(now: number): void {
    this.woken.push(now);
    this.log.push(this.name);
  }
}

Deno.test("WakeScheduler wakes targets in time order, once each, earliest request winning", async () => {
  const s = new WakeScheduler();
  const log: string[] = [];
  const t = Array.from({ length: 50 }, (_, i) => new Target(log, `t${i}`));
  const now = performance.now();
  // Reverse order, and every target first asks for a later time, then an earlier one.
  for (let i = 49; i >= 0; i--) {
    s.schedule(t[i]!, now + 500 + i);
    s.schedule(t[i]!, now + 20 + i * 2); // 1 ms resolution: distinct milliseconds
    s.schedule(t[i]!, now + 400); // later than pending: ignored
  }
  s.schedule(t[7]!, undefined); // cancelled
  const deadline = performance.now() + 5000;
  while (log.length < 49 && performance.now() < deadline) {
    await new Promise((r) => setTimeout(r, 10));
  }
  await new Promise((r) => setTimeout(r, 600)); // nothing else may fire
  s.stop();
  assert.deepEqual(log, t.filter((_, i) => i !== 7).map((x) => x.name));
  for (let i = 0; i < 50; i++) {
    if (i !== 7) assert.ok(t[i]!.woken[0]! >= now + 20 + i * 2, `t${i} woken early`);
  }
  assert.equal(s.size, 0);
});

Deno.test("WakeScheduler keeps one entry per distinct time when sessions are rescheduled constantly", async () => {
  const s = new WakeScheduler();
  const log: string[] = [];
  const targets = Array.from({ length: 1000 }, (_, i) => new Target(log, `t${i}`));
  const now = performance.now();
  // 200 rounds of every target moving its wake-up earlier: 200,000 superseded entries.
  for (let round = 0; round < 200; round++) {
    for (const x of targets) s.schedule(x, now + 60_000 - round * 100);
  }
  assert.equal(s.size, 1000);
  assert.ok(s.heapSize <= 200, `heap ${s.heapSize}`);
  // The earliest request of each still fires: move them all to "soon".
  for (const x of targets) s.schedule(x, now + 30);
  const deadline = performance.now() + 5000;
  while (log.length < 1000 && performance.now() < deadline) {
    await new Promise((r) => setTimeout(r, 10));
  }
  s.stop();
  assert.equal(log.length, 1000);
  assert.equal(new Set(log).size, 1000);
});
