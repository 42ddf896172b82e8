/**
 * The bench's log-linear latency histogram: percentiles within one bucket (1/64 relative) of
 * the exact ones from a sorted array, over values from sub-microsecond to hours (seeded).
 */
import assert from "node:assert/strict";
import { Histogram } from "../lib/bench/histogram.ts";
import { mulberry32 as rng } from "./support/sim_channel.ts";

function exact(sorted: number[], p: number): number {
  return sorted[Math.max(1, Math.ceil((p / 100) * sorted.length)) - 1]!;
}

Deno.test("Histogram percentiles are within 1/64 of the exact ones (seeded, 0 to 2^33 us)", () => {
  const random = rng(5);
  for (const spread of [6, 20, 33]) {
    const h = new Histogram();
    const values: number[] = [];
    for (let i = 0; i < 20000; i++) {
      const v = 2 ** (random() * spread) - 1 + random();
      values.push(v);
      h.record(v);
    }
    // Powers of two and their neighbours: bucket edges, and the 2^31 switch of the index.
    for (const e of [6, 7, 12, 30, 31, 32]) {
      for (const v of [2 ** e - 0.5, 2 ** e, 2 ** e + 0.5]) {
        values.push(v);
        h.record(v);
      }
    }
    values.sort((a, b) => a - b);
    assert.equal(h.count, values.length);
    assert.equal(h.max, values.at(-1));
    for (const p of [1, 10, 50, 90, 99, 99.9, 100]) {
      const want = exact(values, p);
      const got = h.percentile(p);
      const tolerance = Math.max(1, want / 64);
      assert.ok(Math.abs(got - want) <= tolerance, `spread ${spread} p${p}: ${got} vs ${want}`);
    }
  }
});

Deno.test("Histogram counts negative values as 0 and merges exactly", () => {
  const a = new Histogram();
  const b = new Histogram();
  a.record(-5);
  a.record(100);
  b.record(3e9);
  a.merge(b);
  assert.equal(a.count, 3);
  assert.equal(a.min, 0);
  assert.equal(a.max, 3e9);
  assert.ok(Math.abs(a.percentile(100) - 3e9) <= 3e9 / 64);
});
