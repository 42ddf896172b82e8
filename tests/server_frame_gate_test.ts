/**
 * The frame gate of a binary session: control frames pay the command budget, a NACK is answered
 * once per frame per RTO, a SYN with a max payload below 32 resets the session.
 */

import assert from "node:assert/strict";
import { AddressBudget, ConnectionBudget } from "../lib/chat/limits.ts";
import { encodeSyn, frame, FrameType } from "../lib/protocol/mod.ts";
import { FrameGate } from "../lib/server/frame_gate.ts";

function gate(burst: number, rto = 200): { g: FrameGate; resets: string[] } {
  const budget = new ConnectionBudget(
    new AddressBudget({
      commands: { burst, perSeconds: burst },
      addressCommands: null,
      addressFlood: null,
    }, 0),
    0,
  );
  const resets: string[] = [];
  return { g: new FrameGate(budget, () => rto, (r) => resets.push(r)), resets };
}

Deno.test("a NACK of the same frame is answered once per RTO", () => {
  const { g } = gate(1000);
  const nack = frame(FrameType.NACK, 42);
  assert.equal(g.admit(nack, 0), true);
  for (let t = 1; t < 200; t += 10) assert.equal(g.admit(nack, t), false);
  assert.equal(g.admit(frame(FrameType.NACK, 43), 50), true, "another frame may be NACKed");
  assert.equal(g.admit(nack, 200), true, "again after an RTO");
});

Deno.test("control frames pay the budget; DATA, ACK and RST never do", () => {
  const { g, resets } = gate(3);
  for (let i = 0; i < 100; i++) {
    assert.equal(g.admit(frame(FrameType.DATA, i), 0), true);
    assert.equal(g.admit(frame(FrameType.ACK, i), 0), true);
  }
  const pings = Array.from({ length: 10 }, (_, i) => g.admit(frame(FrameType.PING, i), 0));
  assert.deepEqual(pings.slice(0, 4), [true, true, true, false]);
  assert.equal(resets.length, 1, "a PING flood far past the budget resets the session");
  assert.match(resets[0]!, /^429 Too Many Requests: control frame flood$/);
  assert.equal(g.admit(frame(FrameType.RST, 0), 0), true);
});

Deno.test("a SYN asking for less than 64 bytes of payload resets the session", () => {
  const { g, resets } = gate(100);
  const syn = (maxPayload: number) =>
    frame(
      FrameType.SYN,
      0,
      0,
      encodeSyn({ mode: "gbn", window: 8, ackPolicy: "frame", maxPayload }),
    );
  assert.equal(g.admit(syn(1), 0), false);
  assert.deepEqual(resets, ["Protocol error: SYN: Max payload out of range: 1 (32..1024)"]);
  assert.equal(g.admit(syn(64), 0), true);
});
