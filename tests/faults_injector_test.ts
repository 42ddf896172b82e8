/** Seeded, scriptable fault injection. */

import assert from "node:assert/strict";
import {
  FaultInjector,
  FaultScriptError,
  flipBit,
  parseFaultScript,
  parseProbability,
} from "../lib/faults/mod.ts";
import {
  ChecksumError,
  encodeFrame,
  frame,
  FrameDecoder,
  FrameType,
  HEADER_SIZE,
} from "../lib/protocol/mod.ts";

Deno.test("FaultInjector decisions are a pure function of seed, direction, type, seq, attempt", () => {
  const a = new FaultInjector({ loss: 0.3, corrupt: 0.3, seed: 7 }, "client");
  const b = new FaultInjector({ loss: 0.3, corrupt: 0.3, seed: 7 }, "client");
  const seqs = Array.from({ length: 200 }, (_, i) => i);
  const da = seqs.map((s) => a.decide(FrameType.DATA, s, 1, 75));
  // Another order of asking gives the same answers.
  const db = [...seqs].reverse().map((s) => b.decide(FrameType.DATA, s, 1, 75)).reverse();
  assert.deepEqual(da, db);
  const other = new FaultInjector({ loss: 0.3, corrupt: 0.3, seed: 8 }, "client");
  assert.notDeepEqual(da, seqs.map((s) => other.decide(FrameType.DATA, s, 1, 75)));
  const server = new FaultInjector({ loss: 0.3, corrupt: 0.3, seed: 7 }, "server:1");
  assert.notDeepEqual(da, seqs.map((s) => server.decide(FrameType.DATA, s, 1, 75)));
});

Deno.test("FaultInjector rates match the probabilities within 1%", () => {
  const f = new FaultInjector({ loss: 0.2, corrupt: 0.3, duplicate: 0.1, seed: 1 }, "x");
  const n = 100_000;
  let drop = 0, corrupt = 0, dup = 0;
  for (let i = 0; i < n; i++) {
    const d = f.decide(FrameType.DATA, i, 1 + (i % 3), 100);
    if (d.drop) drop++;
    else {
      if (d.corruptBit >= 0) corrupt++;
      if (d.duplicate) dup++;
    }
  }
  assert.ok(Math.abs(drop / n - 0.2) < 0.01, `loss ${drop / n}`);
  assert.ok(Math.abs(corrupt / (n - drop) - 0.3) < 0.01, `corrupt ${corrupt / (n - drop)}`);
  assert.ok(Math.abs(dup / (n - drop) - 0.1) < 0.01, `dup ${dup / (n - drop)}`);
  assert.equal(f.stats.dropped, drop);
});

Deno.test("a corrupted bit is past magic and length, so the decoder reports it and stays in step", () => {
  const f = new FaultInjector({ corrupt: 1, seed: 3 }, "x");
  for (let seq = 0; seq < 300; seq++) {
    const bytes = encodeFrame(frame(FrameType.DATA, seq, 1, new Uint8Array(seq % 40)));
    const d = f.decide(FrameType.DATA, seq, 1, bytes.length);
    assert.ok(d.corruptBit >= 24 && d.corruptBit < bytes.length * 8, String(d.corruptBit));
    flipBit(bytes, d.corruptBit);
    const next = encodeFrame(frame(FrameType.ACK, 9));
    const stream = new Uint8Array([...bytes, ...next]);
    const seen: string[] = [];
    const err = new FrameDecoder().push(stream, {
      frame: (fr) => seen.push(`frame ${fr.type} ${fr.seq}`),
      corrupt: (e) => seen.push(e instanceof ChecksumError ? "corrupt" : "?"),
    });
    assert.equal(err, undefined);
    assert.deepEqual(seen, ["corrupt", `frame ${FrameType.ACK} 9`]);
  }
  assert.equal(HEADER_SIZE, 11);
});

Deno.test("fault scripts hit exactly the named frame and transmission", () => {
  const rules = parseFaultScript(
    "drop:data#3, corrupt:ack#5@2,drop:syn,dup:DATA#7,delay=300:data#4",
  );
  const f = new FaultInjector({ script: rules }, "client");
  assert.ok(f.decide(FrameType.DATA, 3, 1, 20).drop);
  assert.ok(!f.decide(FrameType.DATA, 3, 2, 20).drop, "only the first transmission");
  assert.ok(!f.decide(FrameType.DATA, 2, 1, 20).drop);
  assert.ok(f.decide(FrameType.ACK, 5, 2, 11).corruptBit >= 24);
  assert.equal(f.decide(FrameType.ACK, 5, 1, 11).corruptBit, -1);
  assert.ok(f.decide(FrameType.SYN, 0, 1, 18).drop);
  assert.ok(f.decide(FrameType.DATA, 7, 1, 20).duplicate);
  assert.equal(f.decide(FrameType.DATA, 4, 1, 20).delayMs, 300);
});

Deno.test("parseFaultScript explains every bad rule", () => {
  assert.deepEqual(parseFaultScript(""), []);
  assert.throws(() => parseFaultScript("explode:data#1"), /unknown action "explode"/);
  assert.throws(() => parseFaultScript("drop:datum"), /unknown frame type "datum"/);
  assert.throws(() => parseFaultScript("drop data 3"), /expected ACTION:TYPE\[#SEQ\]\[@ATTEMPT\]/);
  assert.throws(() => parseFaultScript("drop:data#1,,drop:ack"), FaultScriptError);
  assert.throws(() => parseFaultScript("delay:data#1"), /delay needs milliseconds/);
  assert.throws(() => parseFaultScript("drop:data#1@0"), /attempts count from 1/);
});

Deno.test("parseProbability accepts 0.2 and 20% and names the flag on errors", () => {
  assert.equal(parseProbability("0.2", "--loss"), 0.2);
  assert.equal(parseProbability("20%", "--loss"), 0.2);
  assert.throws(
    () => parseProbability("1.5", "--loss"),
    /--loss must be a probability between 0 and 1/,
  );
  assert.throws(() => parseProbability("lots", "--corrupt"), /--corrupt/);
});

Deno.test("setLoss and setCorrupt change the rates live", () => {
  const f = new FaultInjector({}, "c");
  assert.ok(!f.decide(FrameType.DATA, 1, 1, 20).drop);
  f.setLoss(1);
  assert.ok(f.decide(FrameType.DATA, 1, 1, 20).drop);
  f.setLoss(0);
  f.setCorrupt(1);
  assert.ok(f.decide(FrameType.DATA, 1, 1, 20).corruptBit >= 24);
  assert.throws(() => f.setLoss(2), RangeError);
});
