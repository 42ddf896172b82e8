/**
 * Clients that make the server hold output, over the memory transport (a peer that never reads
 * stalls its writer after 256 KiB, as a TCP socket does after its buffers): a client that asks
 * for replies and never reads them is dropped once they pass its bound, and more than 4,096
 * long lines at once drop no binary client.
 */

import assert from "node:assert/strict";
import { ChatConnection } from "../lib/client/connection.ts";
import type { ServerEvent } from "../lib/client/server_lines.ts";
import { NullLogger } from "../lib/log/logger.ts";
import { MemoryNetwork } from "../lib/net/memory_transport.ts";
import { WakeScheduler } from "../lib/net/scheduler.ts";
import { Turn } from "../lib/net/turn.ts";
import { type Conn, writeAll } from "../lib/net/transport.ts";
import { ChatServer, type ServerOptions } from "../lib/server/server.ts";

const enc = new TextEncoder();

async function until(what: string, cond: () => boolean, ms = 15_000): Promise<void> {
  const end = performance.now() + ms;
  while (!cond()) {
    if (performance.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function withServer(
  options: ServerOptions,
  fn: (net: MemoryNetwork, port: number, server: ChatServer) => Promise<void>,
): Promise<void> {
  const net = new MemoryNetwork();
  const server = new ChatServer({ logger: new NullLogger(), promptDelayMs: 50, ...options });
  server.serve(net.listen());
  try {
    await fn(net, server.addr.port, server);
  } finally {
    await server.shutdown("test over", 500);
  }
}

/** A witness: a client core over the memory network, with every event it got. */
async function witness(
  net: MemoryNetwork,
  port: number,
  nick: string,
  kind: "text" | "gbn" | "sr",
  scheduler: WakeScheduler,
) {
  const events: ServerEvent[] = [];
  const conn = await ChatConnection.open({
    dialer: net,
    host: "127.0.0.1",
    port,
    text: kind === "text",
    params: { mode: kind === "sr" ? "sr" : "gbn", window: 8, ackPolicy: "sack", maxPayload: 1024 },
    scheduler,
    turn: new Turn(),
    onEvent: (e) => events.push(e),
  });
  conn.send(nick);
  await until(`${nick} welcome`, () => events.some((e) => e.kind === "status"));
  return { conn, events };
}

Deno.test("a client that asks for replies and never reads them is dropped past its bound", async () => {
  // Command limits off: the bound on what it may leave unread is what is tested.
  const options = { limits: { commands: null, addressCommands: null } } as const;
  await withServer(options, async (net, port) => {
    const scheduler = new WakeScheduler();
    const w = await witness(net, port, "wit", "text", scheduler);
    const hogs: Conn[] = [];
    for (let i = 0; i < 5; i++) {
      const c = await net.dial("127.0.0.1", port, "127.0.0.2");
      hogs.push(c);
      // About 100 bytes of reply per HELP: 800 KB asked for, 256 KiB fit in the pipe.
      await writeAll(c, enc.encode(`hog${i}\n` + "HELP\n".repeat(8000)));
    }
    await until(
      "five leave notices",
      () => w.events.filter((e) => e.kind === "notice" && /^hog\d left/.test(e.text)).length === 5,
    );
    for (const e of w.events) {
      if (e.kind === "notice" && /^hog\d left/.test(e.text)) {
        assert.match(e.text, /^hog\d left \(too slow: \d+ bytes of replies queued\)$/);
      }
    }
    w.conn.send("LIST");
    await until("LIST", () => w.events.some((e) => e.kind === "status" && e.body === "wit"));
    for (const c of hogs) c.close();
    w.conn.close();
    await w.conn.closed;
    scheduler.stop();
  });
});

Deno.test("more than 4,096 long lines at once drop no binary client", async () => {
  // Five talkers (limits off: their count, not the limits, is the point) send 4,500 lines of
  // 1.5 KB in one go: each is a message of its own in a binary client's queue, more than the
  // 4,096 messages a session used to hold before it was dropped as too slow.
  await withServer({ flood: null, limits: "off" }, async (net, port) => {
    const scheduler = new WakeScheduler();
    const gbn = await witness(net, port, "gbn", "gbn", scheduler);
    const sr = await witness(net, port, "sr", "sr", scheduler);
    const talkers = await Promise.all(Array.from({ length: 5 }, async (_, i) => {
      const c = await net.dial("127.0.0.1", port, "127.0.0.2");
      await c.write(enc.encode(`t${i}\n`));
      // Each reads (and forgets) what it gets, as a well-behaved client would.
      const drained = (async () => {
        const buf = new Uint8Array(65536);
        while ((await c.read(buf).catch(() => null)) !== null) { /* discard */ }
      })();
      return { c, drained };
    }));
    const line = `MSG ${"l".repeat(1500)}\n`;
    await Promise.all(talkers.map(({ c }) => writeAll(c, enc.encode(line.repeat(900)))));
    await until(
      "4,500 lines at the witnesses",
      () => [gbn, sr].every((w) => w.events.filter((e) => e.kind === "chat").length === 4500),
      60_000,
    );
    gbn.conn.send("MSG still here");
    await until(
      "sr got gbn's line",
      () => sr.events.some((e) => e.kind === "chat" && e.text === "still here"),
    );
    assert.equal(gbn.conn.closeReason, undefined);
    assert.equal(sr.conn.closeReason, undefined);
    for (const { c } of talkers) c.close();
    await Promise.all(talkers.map((t) => t.drained));
    for (const w of [gbn, sr]) {
      w.conn.close();
      await w.conn.closed;
    }
    scheduler.stop();
  });
});
