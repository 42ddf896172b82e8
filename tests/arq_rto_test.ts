import assert from "node:assert/strict";
import { CLOCK_GRANULARITY_MS, RtoEstimator } from "../lib/arq/rto.ts";

const limits = { minRto: 100, maxRto: 2000, initialRto: 1000 };

Deno.test("RtoEstimator starts at initialRto without samples", () => {
  const r = new RtoEstimator(limits);
  assert.equal(r.rto, 1000);
  assert.equal(r.srtt, 0);
  assert.equal(r.hasSample, false);
});

Deno.test("RtoEstimator clamps initialRto into [minRto, maxRto]", () => {
  assert.equal(new RtoEstimator({ ...limits, initialRto: 5000 }).rto, 2000);
  assert.equal(new RtoEstimator({ ...limits, initialRto: 10 }).rto, 100);
});

Deno.test("RtoEstimator first sample sets SRTT = R and RTTVAR = R/2 (RFC 6298 2.2)", () => {
  const r = new RtoEstimator(limits);
  r.sample(100);
  assert.equal(r.srtt, 100);
  assert.equal(r.rttvar, 50);
  assert.equal(r.rto, 300); // 100 + 4 * 50
});

Deno.test("RtoEstimator later samples use alpha 1/8 and beta 1/4 (RFC 6298 2.3)", () => {
  const r = new RtoEstimator(limits);
  r.sample(100);
  r.sample(200);
  assert.equal(r.rttvar, 62.5); // 3/4 * 50 + 1/4 * |100 - 200|
  assert.equal(r.srtt, 112.5); // 7/8 * 100 + 1/8 * 200
  assert.equal(r.rto, 362.5); // 112.5 + 4 * 62.5
});

Deno.test("RtoEstimator uses the clock granularity when RTTVAR vanishes", () => {
  const r = new RtoEstimator({ minRto: 1, maxRto: 2000, initialRto: 1000 });
  for (let i = 0; i < 200; i++) r.sample(50);
  assert.ok(r.rttvar < 1e-9);
  assert.equal(r.rto, 50 + CLOCK_GRANULARITY_MS);
});

Deno.test("RtoEstimator clamps the computed RTO to minRto and maxRto", () => {
  const low = new RtoEstimator(limits);
  low.sample(10); // 10 + 4 * 5 = 30
  assert.equal(low.rto, 100);
  const high = new RtoEstimator(limits);
  high.sample(5000);
  assert.equal(high.rto, 2000);
});

Deno.test("RtoEstimator backoff doubles up to maxRto", () => {
  const r = new RtoEstimator(limits);
  r.sample(100); // 300
  const seen: number[] = [];
  for (let i = 0; i < 5; i++) {
    r.backoff();
    seen.push(r.rto);
  }
  assert.deepEqual(seen, [600, 1200, 2000, 2000, 2000]);
  assert.equal(r.backoffs, 5);
});

Deno.test("RtoEstimator fresh sample undoes the back-off", () => {
  const r = new RtoEstimator(limits);
  r.sample(100);
  r.backoff();
  r.backoff();
  assert.equal(r.rto, 1200);
  r.sample(100); // rttvar = 37.5, srtt = 100
  assert.equal(r.backoffs, 0);
  assert.equal(r.rto, 250);
});

Deno.test("RtoEstimator treats a negative sample as zero", () => {
  const r = new RtoEstimator(limits);
  r.sample(-5);
  assert.equal(r.srtt, 0);
  assert.equal(r.rto, 100);
});
