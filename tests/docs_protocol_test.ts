/** docs/PROTOCOL.md cannot drift: its example bytes decode to the fields it states. */

import assert from "node:assert/strict";
import {
  decodeSynAck,
  type Frame,
  FrameDecoder,
  frameTypeName,
  HEADER_SIZE,
  MAX_PAYLOAD,
} from "../lib/protocol/mod.ts";

const doc = Deno.readTextFileSync(new URL("../docs/PROTOCOL.md", import.meta.url));

interface Example {
  readonly fields: Record<string, string>;
  readonly bytes: Uint8Array;
}

function examples(): Example[] {
  const out: Example[] = [];
  const re = /\(([^()]*type=[^()]*)\):\s*```hex\n([\s\S]*?)```/g;
  for (const m of doc.matchAll(re)) {
    const fields: Record<string, string> = {};
    for (const kv of m[1]!.split(/\s+/)) {
      const [k, v] = kv.split("=");
      if (k && v) fields[k] = v;
    }
    const bytes = Uint8Array.from(m[2]!.trim().split(/\s+/).map((h) => parseInt(h, 16)));
    out.push({ fields, bytes });
  }
  return out;
}

Deno.test("PROTOCOL.md has its four worked examples", () => {
  assert.equal(examples().length, 4);
});

Deno.test("PROTOCOL.md handshake ACK example echoes a SYN-ACK payload", () => {
  const ack = examples().find((e) => e.fields.type === "ACK" && e.fields.length === "11")!;
  const echo = decodeSynAck(ack.bytes.subarray(HEADER_SIZE));
  assert.deepEqual(echo, {
    params: { mode: "gbn", window: 8, ackPolicy: "frame", maxPayload: 1024 },
    ackedIsn: 0,
  });
});

Deno.test("PROTOCOL.md example bytes decode to the fields stated beside them", () => {
  for (const ex of examples()) {
    const frames: Frame[] = [];
    const err = new FrameDecoder().push(ex.bytes, {
      frame: (f) => frames.push({ ...f, payload: f.payload.slice() }),
      corrupt: (e) => assert.fail(e.message),
    });
    assert.equal(err, undefined);
    assert.equal(frames.length, 1);
    const f = frames[0]!;
    assert.equal(frameTypeName(f.type), ex.fields.type);
    assert.equal(f.seq, Number(ex.fields.seq));
    assert.equal(f.payload.length, Number(ex.fields.length));
    assert.equal(f.flags, Number(ex.fields.flags));
    assert.equal(ex.bytes.length, HEADER_SIZE + f.payload.length);
  }
});

Deno.test("PROTOCOL.md DATA example carries MSG Olá", () => {
  const data = examples().find((e) => e.fields.type === "DATA")!;
  const text = new TextDecoder().decode(data.bytes.subarray(HEADER_SIZE));
  assert.equal(text, "MSG Olá");
});

Deno.test("PROTOCOL.md states the limits the code uses", () => {
  assert.match(doc, new RegExp(`at most \\*\\*${MAX_PAYLOAD} payload bytes per frame\\*\\*`));
  assert.match(doc, /11-byte header/);
});
