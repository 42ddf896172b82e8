/** Outbox: one write per turn, partial writes, the bound, idle buffers given back. */
import assert from "node:assert/strict";
import { Outbox } from "../lib/net/outbox.ts";

/** A writer that records each write call and accepts at most `chunk` bytes per call. */
class Recorder {
  readonly calls: number[] = [];
  readonly bytes: number[] = [];
  constructor(readonly chunk = Infinity) {}
  write(p: Uint8Array): Promise<number> {
    const n = Math.min(p.length, this.chunk);
    this.calls.push(n);
    this.bytes.push(...p.subarray(0, n));
    return new Promise((r) => setTimeout(() => r(n), 0));
  }
}

const turn = () => new Promise((r) => setTimeout(r, 5));

Deno.test("Outbox writes everything appended in one turn with one write, in order", async () => {
  const w = new Recorder();
  const o = new Outbox(w);
  for (let i = 0; i < 100; i++) o.append(Uint8Array.of(i, i));
  await o.drained();
  assert.deepEqual(w.calls, [200]);
  assert.deepEqual(w.bytes, Array.from({ length: 200 }, (_, i) => i >> 1));
});

Deno.test("Outbox loops over partial writes and keeps appends made during a write", async () => {
  const w = new Recorder(7);
  const o = new Outbox(w);
  const expected: number[] = [];
  for (let i = 0; i < 50; i++) {
    o.append(Uint8Array.of(i));
    expected.push(i);
  }
  await turn();
  for (let i = 50; i < 80; i++) {
    o.append(Uint8Array.of(i)); // while a write is in flight
    expected.push(i);
  }
  await o.drained();
  assert.deepEqual(w.bytes, expected);
  assert.ok(w.calls.every((n) => n <= 7));
  assert.equal(o.queued, 0);
});

Deno.test("Outbox reports an overflow once and drops what comes after", async () => {
  const w = new Recorder();
  const overflows: number[] = [];
  const o = new Outbox(w, { maxBytes: 100, onOverflow: (q) => overflows.push(q) });
  for (let i = 0; i < 10; i++) o.append(new Uint8Array(30));
  assert.deepEqual(overflows, [120]);
  await turn();
  assert.ok(w.bytes.length <= 120);
});

Deno.test("Outbox gives back big buffers after a second idle, keeps them while busy", async () => {
  const w = new Recorder();
  const big = new Outbox(w);
  big.append(new Uint8Array(64 * 1024));
  await big.drained();
  assert.ok(big.capacity >= 64 * 1024, "kept right after the write (busy connections reuse it)");
  // Another connection's output runs the flush pass that checks idle outboxes.
  const other = new Outbox(new Recorder());
  const deadline = performance.now() + 5000;
  while (big.capacity > 8192 && performance.now() < deadline) {
    other.append(Uint8Array.of(1));
    await turn();
  }
  assert.ok(big.capacity <= 8192, `capacity ${big.capacity} after idling`);
  await other.drained();
});
