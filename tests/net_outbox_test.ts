/**
 * Outbox: one write per turn, partial writes, the bound, idle buffers given back, shared views
 * written without copying.
 */
import assert from "node:assert/strict";
import { Outbox } from "../lib/net/outbox.ts";
import { Turn } from "../lib/net/turn.ts";

/** The flush pass every outbox of these tests runs in. */
const pass = new Turn();

/** A writer that records each write call and accepts at most `chunk` bytes per call. */
class Recorder {
  readonly calls: number[] = [];
  readonly buffers: ArrayBufferLike[] = [];
  readonly bytes: number[] = [];
  constructor(readonly chunk = Infinity) {}
  write(p: Uint8Array): Promise<number> {
    const n = Math.min(p.length, this.chunk);
    this.calls.push(n);
    this.buffers.push(p.buffer);
    this.bytes.push(...p.subarray(0, n));
    return new Promise((r) => setTimeout(() => r(n), 0));
  }
}

const turn = () => new Promise((r) => setTimeout(r, 5));

Deno.test("Outbox writes everything appended in one turn with one write, in order", async () => {
  const w = new Recorder();
  const o = new Outbox(w, pass);
  for (let i = 0; i < 100; i++) o.append(Uint8Array.of(i, i));
  await o.drained();
  assert.deepEqual(w.calls, [200]);
  assert.deepEqual(w.bytes, Array.from({ length: 200 }, (_, i) => i >> 1));
});

Deno.test("Outbox loops over partial writes and keeps appends made during a write", async () => {
  const w = new Recorder(7);
  const o = new Outbox(w, pass);
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
  const o = new Outbox(w, pass, { maxBytes: 100, onOverflow: (q) => overflows.push(q) });
  for (let i = 0; i < 10; i++) o.append(new Uint8Array(30));
  assert.deepEqual(overflows, [120]);
  await turn();
  assert.ok(w.bytes.length <= 120);
});

Deno.test("Outbox gives back its buffers after a second idle, keeps them while busy", async () => {
  const w = new Recorder();
  const big = new Outbox(w, pass);
  const small = new Outbox(new Recorder(), pass);
  big.append(new Uint8Array(64 * 1024));
  small.append(new TextEncoder().encode("200 OK - Connected\n")); // a welcome, then silence
  await big.drained();
  await small.drained();
  assert.ok(big.capacity >= 64 * 1024, "kept right after the write (busy connections reuse it)");
  assert.ok(small.capacity > 0);
  // Another connection's output runs the flush pass that checks idle outboxes.
  const other = new Outbox(new Recorder(), pass);
  const deadline = performance.now() + 5000;
  while ((big.capacity > 0 || small.capacity > 0) && performance.now() < deadline) {
    other.append(Uint8Array.of(1));
    await turn();
  }
  assert.equal(big.capacity, 0, "a big buffer is given back after idling");
  assert.equal(small.capacity, 0, "so is a small one: ten thousand quiet clients hold none");
  await other.drained();
});

/** `n` bytes counting up from `from`. */
const run = (from: number, n: number) => Array.from({ length: n }, (_, i) => (from + i) & 0xff);

Deno.test("Outbox writes adjacent shared views straight from their buffer, in one write", async () => {
  const block = Uint8Array.from(run(0, 100));
  const w = new Recorder();
  const o = new Outbox(w, pass);
  o.appendShared(block.subarray(10, 20));
  o.appendShared(block.subarray(20, 35));
  o.appendShared(block.subarray(35, 36));
  assert.equal(o.queued, 26);
  await o.drained();
  assert.deepEqual(w.calls, [26]);
  assert.equal(w.buffers[0], block.buffer, "no copy: the write got a view of the block");
  assert.deepEqual(w.bytes, run(10, 26));
  assert.equal(o.capacity, 0, "no buffer of its own was needed");
});

Deno.test("Outbox keeps the order of shared views, copies and reserved bytes in one write", async () => {
  const block = Uint8Array.from(run(0, 100));
  const w = new Recorder();
  const o = new Outbox(w, pass);
  o.appendShared(block.subarray(0, 10)); // shared
  o.append(Uint8Array.of(200, 201)); // copied
  o.appendShared(block.subarray(10, 12)); // adjacent to the first view, but after the copy
  o.appendShared(block.subarray(50, 53)); // not adjacent
  const at = o.reserve(2); // a frame encoded in place
  o.buffer.set([210, 211], at);
  o.commit(2);
  o.appendShared(block.subarray(53, 55)); // adjacent to 50..53, but after the frame
  await o.drained();
  assert.deepEqual(w.calls, [21], "several pieces still leave as one write");
  assert.deepEqual(w.bytes, [
    ...run(0, 10),
    200,
    201,
    ...run(10, 2),
    ...run(50, 3),
    210,
    211,
    ...run(53, 2),
  ]);
  assert.equal(o.queued, 0);
});

Deno.test("Outbox keeps shared views in order across partial writes and a write in flight", async () => {
  const block = Uint8Array.from(run(0, 256));
  const w = new Recorder(3);
  const o = new Outbox(w, pass);
  const expected: number[] = [];
  for (let i = 0; i < 20; i++) {
    o.appendShared(block.subarray(i * 5, i * 5 + 5));
    expected.push(...run(i * 5, 5));
    if (i % 3 === 0) {
      o.append(Uint8Array.of(250 - i));
      expected.push(250 - i);
    }
  }
  await turn(); // a write is in flight now
  o.appendShared(block.subarray(100, 140));
  expected.push(...run(100, 40));
  o.append(Uint8Array.of(7));
  expected.push(7);
  await o.drained();
  assert.deepEqual(w.bytes, expected);
  assert.ok(w.calls.every((n) => n <= 3));
});

Deno.test("Outbox counts shared bytes against its bound", async () => {
  const block = new Uint8Array(1000);
  const overflows: number[] = [];
  const o = new Outbox(new Recorder(), pass, {
    maxBytes: 100,
    onOverflow: (q) => overflows.push(q),
  });
  o.appendShared(block.subarray(0, 60));
  o.appendShared(block.subarray(60, 120));
  o.appendShared(block.subarray(120, 180));
  assert.deepEqual(overflows, [120]);
  assert.equal(o.queued, 120, "nothing queued after the overflow");
  await turn();
});

Deno.test("Turn.beforeFlush runs at the end of the turn; what it appends leaves in that pass", async () => {
  const w = new Recorder();
  const o = new Outbox(w, pass);
  const order: string[] = [];
  o.append(Uint8Array.of(1));
  pass.beforeFlush(() => {
    order.push("pre");
    o.append(Uint8Array.of(2));
  });
  order.push("turn");
  await o.drained();
  assert.deepEqual(order, ["turn", "pre"]);
  assert.deepEqual(w.calls, [2], "one write with both bytes");
  assert.deepEqual(w.bytes, [1, 2]);
});

Deno.test("Outbox reports a failed write once, whether it throws or rejects, and wakes drained()", async () => {
  for (const how of ["throws", "rejects"] as const) {
    const errors: unknown[] = [];
    let calls = 0;
    const o = new Outbox(
      {
        write(): Promise<number> {
          calls++;
          if (how === "throws") throw new Error("gone");
          return Promise.reject(new Error("gone"));
        },
      },
      pass,
      { onError: (e) => errors.push(e) },
    );
    o.append(Uint8Array.of(1, 2, 3));
    await o.drained();
    assert.equal(calls, 1, how);
    assert.equal(errors.length, 1, how);
    assert.equal(o.failed, true, how);
    assert.equal(o.queued, 0, how);
    o.append(Uint8Array.of(4));
    await turn();
    assert.equal(calls, 1, `${how}: nothing written after the failure`);
    assert.equal(errors.length, 1, `${how}: reported once`);
  }
});

Deno.test("Outbox hands a lone shared view to the writer as it is, not a copy or a new view", async () => {
  const seen: Uint8Array[] = [];
  const o = new Outbox({
    write(p: Uint8Array): Promise<number> {
      seen.push(p);
      return Promise.resolve(p.length);
    },
  }, pass);
  const log = new Uint8Array(64).fill(7);
  const line = log.subarray(8, 20);
  o.appendShared(line);
  await o.drained();
  o.appendShared(log.subarray(20, 30));
  o.appendShared(log.subarray(30, 40));
  await o.drained();
  assert.equal(seen.length, 2);
  assert.equal(seen[0], line);
  assert.equal(seen[1]!.buffer, log.buffer);
  assert.deepEqual([seen[1]!.byteOffset, seen[1]!.length], [20, 20]);
});
