import assert from "node:assert/strict";
import { DatagramWriter } from "../lib/net/datagram_writer.ts";
import { UDP_MAX_DATAGRAM } from "../lib/net/udp_transport.ts";
import { encodeFrame, type Frame, frame, FrameDecoder, FrameType } from "../lib/protocol/mod.ts";

/** A writer that records each datagram. */
function recorder(): { writer: { write(p: Uint8Array): Promise<number> }; sent: Uint8Array[] } {
  const sent: Uint8Array[] = [];
  return {
    sent,
    writer: {
      write(p) {
        sent.push(p.slice());
        return Promise.resolve(p.length);
      },
    },
  };
}

function frames(sizes: number[]): Uint8Array {
  const parts = sizes.map((n, i) =>
    encodeFrame(frame(FrameType.DATA, i, 1, new Uint8Array(n).fill(i & 0xff)))
  );
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function decode(d: Uint8Array): Frame[] {
  const got: Frame[] = [];
  const err = new FrameDecoder().push(d, {
    frame: (f) => got.push({ ...f, payload: f.payload.slice() }),
    corrupt: () => assert.fail("checksum"),
  });
  assert.equal(err, undefined);
  return got;
}

Deno.test("a buffer that fits is one datagram", async () => {
  const { writer, sent } = recorder();
  const p = frames([10, 20, 0]);
  assert.equal(await new DatagramWriter(writer, UDP_MAX_DATAGRAM).write(p), p.length);
  assert.equal(sent.length, 1);
  assert.deepEqual(sent[0], p);
});

Deno.test("frames are cut into datagrams at frame ends, in order, none over the limit", async () => {
  const sizes = [1024, 11, 0, 1024, 1024, 300, 400, 500, 1, 1024];
  const { writer, sent } = recorder();
  const p = frames(sizes);
  assert.equal(await new DatagramWriter(writer, UDP_MAX_DATAGRAM).write(p), p.length);
  const seqs: number[] = [];
  for (const d of sent) {
    assert.ok(d.length <= UDP_MAX_DATAGRAM, `${d.length} bytes`);
    for (const f of decode(d)) seqs.push(f.seq); // whole frames only: the decoder keeps none
  }
  assert.deepEqual(seqs, sizes.map((_, i) => i));
  // Packed: a datagram is cut only when the next frame would not fit.
  for (let i = 0; i + 1 < sent.length; i++) {
    const next = sent[i + 1]!;
    const firstNext = 11 + ((next[1]! << 8) | next[2]!);
    assert.ok(sent[i]!.length + firstNext > UDP_MAX_DATAGRAM);
  }
});
