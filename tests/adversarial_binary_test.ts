/**
 * Hostile binary clients, over real TCP from their own addresses (and over the memory transport
 * where thousands of connections are needed): a NACK storm is not amplified, the SYN's
 * parameters are checked and clamped as PROTOCOL.md says, the server's ISN is random, and a
 * LIST longer than a message still reaches a binary client.
 */

import assert from "node:assert/strict";
import { ChatConnection } from "../lib/client/connection.ts";
import type { ServerEvent } from "../lib/client/server_lines.ts";
import { NullLogger } from "../lib/log/logger.ts";
import { MemoryNetwork } from "../lib/net/memory_transport.ts";
import { WakeScheduler } from "../lib/net/scheduler.ts";
import { Turn } from "../lib/net/turn.ts";
import {
  decodeSynAck,
  encodeFrame,
  encodeSyn,
  frame,
  FrameType,
  MAX_MESSAGE,
} from "../lib/protocol/mod.ts";
import { piecesOf } from "../lib/server/binary_session.ts";
import { ChatServer } from "../lib/server/server.ts";
import { dataFrame, framesIn, handshake, HostileSocket, withTcpServer } from "./support/hostile.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();

function syn(window: number, maxPayload: number): Uint8Array {
  return encodeFrame(
    frame(FrameType.SYN, 7, 0, encodeSyn({ mode: "gbn", window, ackPolicy: "frame", maxPayload })),
  );
}

Deno.test("a NACK storm gets at most a frame's resend per NACK, not a window's per NACK", async () => {
  await withTcpServer({}, async (port) => {
    const s = await HostileSocket.open(port, { local: "127.0.0.2" });
    const isn = await handshake(s, { window: 256 });
    assert.notEqual(isn, undefined);
    await s.write(dataFrame(1, "nacker"));
    const talker = await HostileSocket.open(port, { local: "127.0.0.3" });
    await talker.write("talker\n");
    assert.ok(await talker.waitFor(/Welcome/));
    // Its window fills with long lines it never acknowledges.
    await talker.write(`MSG ${"n".repeat(20_000)}\n`.repeat(5));
    assert.ok(await s.waitForBytes(50_000, 5000), "the window filled");
    await new Promise((r) => setTimeout(r, 200));
    const before = s.received;
    const nack = encodeFrame(frame(FrameType.NACK, isn! + 1));
    for (let i = 0; i < 300 && !s.closed; i++) {
      await s.write(nack);
      await new Promise((r) => setTimeout(r, 1));
    }
    await new Promise((r) => setTimeout(r, 300));
    const back = s.received - before;
    const sent = 300 * nack.length;
    // A frame of 1035 bytes is 94 times a NACK; the old server resent the window (about 250 KB)
    // for every one of them.
    assert.ok(back < sent * 200, `${back} bytes back for ${sent} bytes of NACKs`);
    await s.close();
    await talker.close();
  });
});

Deno.test("a SYN asking for a max payload below 32 gets an RST naming the range", async () => {
  await withTcpServer({}, async (port) => {
    const s = await HostileSocket.open(port, { local: "127.0.0.2" });
    await s.write(syn(8, 1));
    assert.ok(await s.waitClosed(3000));
    const rst = framesIn(s.bytes).find((f) => f.type === FrameType.RST);
    assert.equal(
      rst && dec.decode(rst.payload),
      "Protocol error: SYN: Max payload out of range: 1 (32..1024)",
    );
  });
});

Deno.test("a SYN asking for a window of 1000 is clamped to 256, as PROTOCOL.md says", async () => {
  await withTcpServer({}, async (port) => {
    const s = await HostileSocket.open(port, { local: "127.0.0.2" });
    await s.write(syn(1000, 1024));
    assert.ok(await s.waitForBytes(22, 3000));
    const synAck = framesIn(s.bytes).find((f) => f.type === FrameType.SYN_ACK);
    assert.ok(synAck, `no SYN-ACK: ${JSON.stringify(s.text)}`);
    const { params, ackedIsn } = decodeSynAck(synAck.payload);
    assert.equal(params.window, 256);
    assert.equal(ackedIsn, 7);
    await s.close();
  });
});

Deno.test("the server's initial sequence number is random", async () => {
  await withTcpServer({}, async (port) => {
    const isns: number[] = [];
    for (let i = 0; i < 4; i++) {
      const s = await HostileSocket.open(port, { local: "127.0.0.2" });
      isns.push((await handshake(s))!);
      await s.close();
    }
    assert.ok(new Set(isns).size > 1, `the same ISN every time: ${isns}`);
    assert.ok(isns.some((n) => n !== 0));
  });
});

Deno.test("piecesOf cuts a long reply at line ends, else at a character boundary", () => {
  const text = "é".repeat(40_000) + "\nabc\n"; // 80,005 bytes, one 80,000-byte line
  const bytes = enc.encode(text);
  const pieces = piecesOf(bytes, MAX_MESSAGE);
  assert.ok(pieces.every((p) => p.length <= MAX_MESSAGE));
  assert.equal(pieces.map((p) => dec.decode(p, { stream: false })).join(""), text);
  assert.ok(pieces.every((p) => (p[0]! & 0xc0) !== 0x80), "no piece starts inside a character");
  const lines = enc.encode("a".repeat(40_000) + "\n" + "b".repeat(40_000) + "\n");
  assert.deepEqual(piecesOf(lines, MAX_MESSAGE).map((p) => p.length), [40_001, 40_001]);
});

Deno.test("a binary client gets a LIST of more than 64 KiB, in consecutive messages", async () => {
  const net = new MemoryNetwork();
  const server = new ChatServer({ logger: new NullLogger(), announceMax: 0, promptDelayMs: 50 });
  server.serve(net.listen());
  const scheduler = new WakeScheduler();
  try {
    const port = server.addr.port;
    // 2,800 users with 24-character names (about 72 KB of names), 100 per address.
    const users = await Promise.all(Array.from({ length: 2800 }, async (_, i) => {
      const conn = await net.dial("127.0.0.1", port, `127.0.${10 + Math.floor(i / 100)}.1`);
      await conn.write(enc.encode(`u${String(i).padStart(23, "0")}\n`));
      return conn;
    }));
    const events: ServerEvent[] = [];
    const conn = await ChatConnection.open({
      dialer: net,
      host: "127.0.0.1",
      port,
      text: false,
      params: { mode: "sr", window: 64, ackPolicy: "sack", maxPayload: 1024 },
      scheduler,
      turn: new Turn(),
      onEvent: (e) => events.push(e),
    });
    conn.send("lister");
    const end = performance.now() + 20_000;
    while (server.lobby.size < 2801 && performance.now() < end) {
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.equal(server.lobby.size, 2801);
    conn.send("LIST");
    const list = () => events.find((e) => e.kind === "status" && e.title.includes("User List"));
    while (list() === undefined && performance.now() < end) {
      await new Promise((r) => setTimeout(r, 20));
    }
    const reply = list() as ServerEvent & { kind: "status" };
    assert.ok(reply, "no reply to LIST");
    const names = reply.body.split(", ");
    assert.equal(names.length, 2801);
    assert.ok(enc.encode(reply.body).length > MAX_MESSAGE);
    assert.equal(names[2799], "u00000000000000000002799");
    conn.close();
    await conn.closed;
    for (const u of users) u.close();
  } finally {
    await server.shutdown("test over", 500);
    scheduler.stop();
  }
});
