/**
 * Coalescing (option `coalesce`, used by the server): messages sent while the window is full
 * are packed into one frame's payload; messages sent while it has room leave at once, alone.
 */
import assert from "node:assert/strict";
import { ArqEndpoint, type OutFrame } from "../lib/arq/mod.ts";
import { FrameType, onesSum, type SessionParams } from "../lib/protocol/mod.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();

/** A server sending to a client, frames passed by hand until both are quiet. */
function run(coalesce: boolean, lines: string[], withSums = false) {
  const params: SessionParams = { mode: "gbn", window: 2, ackPolicy: "frame", maxPayload: 16 };
  const toServer: OutFrame[] = [];
  const toClient: OutFrame[] = [];
  const delivered: string[] = [];
  const client = ArqEndpoint.client(params, {}, {
    output: (f) => toServer.push(f),
    deliver: (m) => delivered.push(dec.decode(m)),
  }, 0);
  const server = ArqEndpoint.server({ isn: 100, coalesce }, {
    output: (f) => toClient.push(f),
    deliver: () => {},
  });
  server.input(toServer.shift()!, 1); // SYN
  client.input(toClient.shift()!, 2); // SYN-ACK
  server.input(toServer.shift()!, 3); // ACK
  for (const l of lines) {
    const bytes = enc.encode(l);
    server.send(bytes, 4, withSums ? onesSum(bytes) : undefined);
  }
  const dataSizes: number[] = [];
  const sums: { payload: Uint8Array; sum: number | undefined }[] = [];
  let now = 5;
  for (let turn = 0; turn < 100 && (toClient.length > 0 || toServer.length > 0); turn++) {
    for (const f of toClient.splice(0)) {
      if (f.type === FrameType.DATA) {
        dataSizes.push(f.payload.length);
        sums.push({ payload: f.payload.slice(), sum: f.payloadSum });
      }
      client.input(f, now);
    }
    client.flush(now);
    for (const f of toServer.splice(0)) server.input(f, now);
    server.flush(now);
    now++;
  }
  return { delivered, dataSizes, sums, stats: server.stats };
}

const LINES = Array.from({ length: 10 }, (_, i) => `l${i}\n`);

Deno.test("coalesce packs lines queued behind a full window into shared frames, in order", () => {
  const { delivered, dataSizes, stats } = run(true, LINES);
  // Two leave at once (window 2); the other eight wait and are packed up to 16 bytes a frame.
  assert.deepEqual(dataSizes, [3, 3, 15, 9]);
  assert.deepEqual(delivered, ["l0\n", "l1\n", "l2\nl3\nl4\nl5\nl6\n", "l7\nl8\nl9\n"]);
  assert.equal(delivered.join(""), LINES.join(""));
  assert.equal(stats.messagesSent, 10);
  assert.equal(stats.messagesCoalesced, 6);
});

Deno.test("without coalesce every message is its own frame (the textbook)", () => {
  const { delivered, dataSizes, stats } = run(false, LINES);
  assert.deepEqual(dataSizes, LINES.map(() => 3));
  assert.deepEqual(delivered, LINES);
  assert.equal(stats.messagesCoalesced, 0);
});

Deno.test("coalesce never packs past one frame nor into a message being fragmented", () => {
  const big = "x".repeat(40) + "\n"; // three fragments
  const { delivered, dataSizes } = run(true, ["a\n", "b\n", big, "c\n", "d\n"]);
  assert.ok(dataSizes.every((n) => n <= 16));
  assert.deepEqual(delivered, ["a\n", "b\n", big, "c\nd\n"]);
});

Deno.test("resolveOptions rejects a non-boolean coalesce", () => {
  assert.throws(
    () =>
      ArqEndpoint.server({ coalesce: 1 as unknown as boolean }, {
        output: () => {},
        deliver: () => {},
      }),
    /coalesce must be true or false/,
  );
});

Deno.test("coalesce keeps each packed frame's payload sum exact (odd and even offsets)", () => {
  // Lines of odd and even lengths, so parts land at odd offsets and their sums are swapped.
  const lines = ["a\n", "bcd\n", "e\n", "fgh\n", "ij\n", "k\n", "lmnop\n", "q\n", "rs\n"];
  const { delivered, sums } = run(true, lines, true);
  assert.equal(delivered.join(""), lines.join(""));
  assert.ok(sums.some((s) => s.payload.length > 4), "some frames were packed");
  for (const s of sums) assert.equal(s.sum, onesSum(s.payload), dec.decode(s.payload));
  // Without sums from the caller, packed frames leave the sum to the encoder.
  const plain = run(true, lines, false);
  for (const s of plain.sums) assert.equal(s.sum, undefined);
});
