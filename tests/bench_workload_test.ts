/** The workload line parser reads back exactly what benchPayload wrote, and nothing else. */
import assert from "node:assert/strict";
import { benchPayload, parseWorkloadLine } from "../lib/bench/workload.ts";
import { mulberry32 as rng } from "./support/sim_channel.ts";

const enc = new TextEncoder();

Deno.test("parseWorkloadLine reads send time, sender and sequence of benchPayload lines (seeded)", () => {
  const random = rng(9);
  const out = new Float64Array(3);
  for (let i = 0; i < 2000; i++) {
    const sent = Math.floor(random() * 1e9) / 1000;
    const sender = Math.floor(random() * 10000);
    const seq = Math.floor(random() * 1e6);
    const size = 24 + Math.floor(random() * 100);
    const text = `[b${sender}]: ${benchPayload(sent, sender, seq, size)}\n`;
    const bytes = enc.encode("junk\n" + text + "[next");
    const nl = parseWorkloadLine(bytes, 5, size, out);
    assert.equal(nl, 5 + text.length - 1, text);
    assert.ok(Math.abs(out[0]! - sent) < 1e-6, `${out[0]} vs ${sent}`);
    assert.equal(out[1], sender);
    assert.equal(out[2], seq);
  }
});

Deno.test("parseWorkloadLine refuses other lines and incomplete ones", () => {
  const out = new Float64Array(3);
  for (
    const line of [
      "[ana]: hello there\n",
      "[b00001]: probe 3\n",
      "*** ana joined (2 online)\n",
      "200 OK\n",
      "[ana -> bia]: psst\n",
      "[b1]: 12.5 3\n",
      "[b1]: 12.5 3 x\n".slice(0, -1),
      "[b1]: 12.5 3 7 xxx",
    ]
  ) {
    assert.equal(parseWorkloadLine(enc.encode(line), 0, 64, out), -1, JSON.stringify(line));
  }
  // A payload shorter than `size` (a long header) still ends at its newline.
  const line = enc.encode("[b1]: 12.5 3 7\n");
  assert.equal(parseWorkloadLine(line, 0, 64, out), line.length - 1);
  assert.deepEqual([...out], [12.5, 3, 7]);
});
