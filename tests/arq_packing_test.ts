/**
 * Packing: `send` only queues and `flush` transmits, so the lines (messages ending in LF) sent
 * in one turn, or queued behind a full window, are packed into one frame's payload. A message
 * that does not end in LF (a client's command) is never packed into. Adjacent views of one
 * buffer are packed as one longer view, without a copy.
 */
import assert from "node:assert/strict";
import { ArqEndpoint, type OutFrame } from "../lib/arq/mod.ts";
import { MessageQueue } from "../lib/arq/send_window.ts";
import { FrameType, onesSum, type SessionParams } from "../lib/protocol/mod.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();

/** A server sending to a client, frames passed by hand until both are quiet. */
function run(lines: string[] | Uint8Array[], withSums = false, flushEach = false) {
  const params: SessionParams = { mode: "gbn", window: 2, ackPolicy: "frame", maxPayload: 16 };
  const toServer: OutFrame[] = [];
  const toClient: OutFrame[] = [];
  const delivered: string[] = [];
  const client = ArqEndpoint.client(params, {}, {
    output: (f) => toServer.push(f),
    deliver: (m) => delivered.push(dec.decode(m)),
  }, 0);
  const server = ArqEndpoint.server({ isn: 100 }, {
    output: (f) => toClient.push(f),
    deliver: () => {},
  });
  server.input(toServer.shift()!, 1); // SYN
  client.input(toClient.shift()!, 2); // SYN-ACK
  server.input(toServer.shift()!, 3); // ACK
  for (const l of lines) {
    const bytes = typeof l === "string" ? enc.encode(l) : l;
    server.send(bytes, 4, withSums ? onesSum(bytes) : undefined);
    if (flushEach) server.flush(4); // one line per turn
  }
  const beforeFlush = toClient.length;
  const dataSizes: number[] = [];
  const sums: { payload: Uint8Array; sum: number | undefined }[] = [];
  const buffers: ArrayBufferLike[] = [];
  server.flush(4);
  let now = 5;
  for (let turn = 0; turn < 100 && (toClient.length > 0 || toServer.length > 0); turn++) {
    for (const f of toClient.splice(0)) {
      if (f.type === FrameType.DATA) {
        dataSizes.push(f.payload.length);
        sums.push({ payload: f.payload.slice(), sum: f.payloadSum });
        buffers.push(f.payload.buffer);
      }
      client.input(f, now);
    }
    client.flush(now);
    for (const f of toServer.splice(0)) server.input(f, now);
    server.flush(now);
    now++;
  }
  return { delivered, dataSizes, sums, buffers, beforeFlush, stats: server.stats };
}

const LINES = Array.from({ length: 10 }, (_, i) => `l${i}\n`);

Deno.test("send only queues; the lines of one turn leave at flush, packed into full frames", () => {
  const { delivered, dataSizes, beforeFlush, stats } = run(LINES);
  assert.equal(beforeFlush, 0, "send only queued");
  // All ten wait for the flush: 15 bytes in the first frame, 15 in the second (window 2).
  assert.deepEqual(dataSizes, [15, 15]);
  assert.deepEqual(delivered, ["l0\nl1\nl2\nl3\nl4\n", "l5\nl6\nl7\nl8\nl9\n"]);
  assert.equal(stats.messagesSent, 10);
  assert.equal(stats.messagesPacked, 8);
});

Deno.test("lines sent one per turn are packed only while they wait behind a full window", () => {
  const { delivered, dataSizes, stats } = run(LINES, false, true);
  // Two leave at their own flush (window 2); the other eight wait and are packed.
  assert.deepEqual(dataSizes, [3, 3, 15, 9]);
  assert.deepEqual(delivered, ["l0\n", "l1\n", "l2\nl3\nl4\nl5\nl6\n", "l7\nl8\nl9\n"]);
  assert.equal(delivered.join(""), LINES.join(""));
  assert.equal(stats.messagesPacked, 6);
});

Deno.test("messages that do not end in LF are never packed into: one message each", () => {
  const commands = Array.from({ length: 10 }, (_, i) => `MSG ${i}`);
  const { delivered, dataSizes, stats } = run(commands);
  assert.deepEqual(dataSizes, commands.map((c) => c.length));
  assert.deepEqual(delivered, commands);
  assert.equal(stats.messagesPacked, 0);
});

Deno.test("a line may be packed behind a line, then nothing behind what does not end in LF", () => {
  const { delivered } = run(["a\n", "b", "c\n", "d\n"]);
  assert.deepEqual(delivered, ["a\nb", "c\nd\n"]);
});

Deno.test("an empty message is never packed (it would vanish)", () => {
  const { delivered } = run(["a\n", "", "b\n"]);
  assert.deepEqual(delivered, ["a\n", "", "b\n"]);
});

Deno.test("packing never goes past one frame nor into a message being fragmented", () => {
  const big = "x".repeat(40) + "\n"; // three fragments
  const { delivered, dataSizes } = run(["a\n", "b\n", big, "c\n", "d\n"], false, true);
  assert.ok(dataSizes.every((n) => n <= 16));
  assert.deepEqual(delivered, ["a\n", "b\n", big, "c\nd\n"]);
});

Deno.test("packing keeps each packed frame's payload sum exact (odd and even offsets)", () => {
  // Lines of odd and even lengths, so parts land at odd offsets and their sums are swapped.
  const lines = ["a\n", "bcd\n", "e\n", "fgh\n", "ij\n", "k\n", "lmnop\n", "q\n", "rs\n"];
  const { delivered, sums } = run(lines, true);
  assert.equal(delivered.join(""), lines.join(""));
  assert.ok(sums.some((s) => s.payload.length > 4), "some frames were packed");
  for (const s of sums) assert.equal(s.sum, onesSum(s.payload), dec.decode(s.payload));
  // Without sums from the caller, packed frames leave the sum to the encoder.
  const plain = run(lines, false);
  for (const s of plain.sums) assert.equal(s.sum, undefined);
});

Deno.test("adjacent views of one buffer are packed as one view, others are copied; sums exact", () => {
  const log = enc.encode("a\nbcd\ne\nfgh\nij\nk\nlm\n");
  const cuts = [0, 2, 6, 8, 12, 15, 17, 20];
  const views = cuts.slice(1).map((end, i) => log.subarray(cuts[i], end));
  // Five adjacent views (15 bytes), a line from elsewhere, two more views of the log.
  const lines = [...views.slice(0, 5), enc.encode("zz\n"), ...views.slice(5)];
  const { delivered, sums, buffers } = run(lines, true);
  assert.deepEqual(delivered, ["a\nbcd\ne\nfgh\nij\n", "zz\nk\nlm\n"]);
  assert.equal(buffers[0], log.buffer, "the first frame is a view of the log: no copy");
  assert.notEqual(buffers[1], log.buffer, "the second starts with a foreign line: copied");
  for (const s of sums) assert.equal(s.sum, onesSum(s.payload), dec.decode(s.payload));
});

Deno.test("MessageQueue keeps messages in order through wrap-around, growth and shrinking (seeded)", () => {
  const queue = new MessageQueue();
  let seed = 5;
  const random = () => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32;
  let pushed = 0;
  let taken = 0;
  for (let step = 0; step < 5000; step++) {
    // Bursts now and then: the ring grows past its kept size, then drains and shrinks.
    const burst = step % 500 === 0 ? 100 : Math.floor(random() * 4);
    for (let i = 0; i < burst; i++) queue.push(Uint8Array.of(pushed & 255, pushed >> 8), pushed++);
    const shifts = Math.floor(random() * 4);
    for (let i = 0; i < shifts && queue.length > 0; i++) {
      const m = queue.peek()!;
      assert.deepEqual([m.bytes[0], m.bytes[1], m.sum, m.offset], [
        taken & 255,
        taken >> 8,
        taken,
        0,
      ]);
      queue.shift();
      taken++;
    }
    assert.equal(queue.length, pushed - taken);
  }
  assert.ok(pushed > 1000 && taken > 1000, `${pushed} pushed, ${taken} taken`);
  assert.equal(queue.pending, pushed, "pending counts until acknowledged, not until taken");
});
