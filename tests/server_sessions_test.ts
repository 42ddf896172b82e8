/**
 * The server's one way in: two servers in one process, one server on several listeners at
 * once, the session-kinds table (a new kind is one more entry), and `chat bench`'s clients on
 * the client core over the in-memory transport.
 */

import assert from "node:assert/strict";
import { runBench } from "../lib/bench/run.ts";
import { ChatConnection } from "../lib/client/connection.ts";
import type { ServerEvent } from "../lib/client/server_lines.ts";
import { NullLogger } from "../lib/log/logger.ts";
import { MemoryNetwork } from "../lib/net/memory_transport.ts";
import { WakeScheduler } from "../lib/net/scheduler.ts";
import { listenTcp, TCP_DIALER } from "../lib/net/tcp_transport.ts";
import { type Conn, type Dialer, writeAll } from "../lib/net/transport.ts";
import { Turn } from "../lib/net/turn.ts";
import { MAX_PAYLOAD } from "../lib/protocol/header.ts";
import { ChatServer } from "../lib/server/server.ts";
import type { ServerSession, SessionContext, SessionKind } from "../lib/server/session.ts";
import { classify, SESSION_KINDS } from "../lib/server/session_kinds.ts";
import { runParams } from "./support/bench_fixtures.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();

async function waitFor(what: string, cond: () => boolean, ms = 10_000): Promise<void> {
  const end = performance.now() + ms;
  while (!cond()) {
    if (performance.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

interface User {
  readonly conn: ChatConnection;
  readonly events: ServerEvent[];
  chat(): string[];
}

/** A registered user of the server on `port`, binary or text. */
async function user(
  dialer: Dialer,
  port: number,
  nick: string,
  text: boolean,
  scheduler: WakeScheduler,
  turn: Turn,
): Promise<User> {
  const events: ServerEvent[] = [];
  const conn = await ChatConnection.open({
    dialer,
    host: "127.0.0.1",
    port,
    text,
    params: { mode: "sr", window: 8, ackPolicy: "sack", maxPayload: MAX_PAYLOAD },
    scheduler,
    turn,
    onEvent: (e) => events.push(e),
  });
  conn.send(nick);
  await waitFor(`${nick} registered`, () => events.some((e) => e.kind === "status"));
  const first = events.find((e) => e.kind === "status");
  assert.equal(first?.kind === "status" && first.code, 200, JSON.stringify(first));
  return {
    conn,
    events,
    chat: () => events.flatMap((e) => e.kind === "chat" ? [e.line] : []),
  };
}

for (const transport of ["tcp", "memory"] as const) {
  Deno.test(`two servers in one process keep their rooms apart and both shut down (${transport})`, async () => {
    const memory = new MemoryNetwork();
    const dialer = transport === "tcp" ? TCP_DIALER : memory;
    const listen = () => transport === "tcp" ? listenTcp("127.0.0.1", 0) : memory.listen();
    const servers = [0, 1].map(() => {
      const s = new ChatServer({ logger: new NullLogger(), flood: null, promptDelayMs: 50 });
      s.serve(listen());
      return s;
    });
    const scheduler = new WakeScheduler();
    const turn = new Turn();
    try {
      const users: User[][] = [];
      for (const [i, s] of servers.entries()) {
        // The same nicknames on both: each room has its own.
        users.push([
          await user(dialer, s.addr.port, "ana", false, scheduler, turn),
          await user(dialer, s.addr.port, "bia", true, scheduler, turn),
        ]);
        assert.equal(s.lobby.size, 2, `server ${i}`);
      }
      for (const [i, [ana, bia]] of users.entries()) {
        for (let k = 0; k < 20; k++) ana!.conn.send(`MSG from ${i} #${k}`);
        bia!.conn.send(`MSG reply ${i}`);
      }
      for (const [i, [ana, bia]] of users.entries()) {
        await waitFor(`room ${i}`, () => bia!.chat().length === 20 && ana!.chat().length === 1);
        assert.deepEqual(
          bia!.chat(),
          Array.from({ length: 20 }, (_, k) => `[ana]: from ${i} #${k}`),
        );
        assert.deepEqual(ana!.chat(), [`[bia]: reply ${i}`]);
      }
      assert.deepEqual(
        servers.map((s) => [s.counters.accepted, s.counters.text, s.counters.binary]),
        [
          [2, 1, 1],
          [2, 1, 1],
        ],
      );
      await servers[0]!.shutdown("first one stops", 2000);
      await servers[0]!.finished;
      for (const u of users[0]!) await u.conn.closed;
      // The other server goes on as if nothing happened.
      const [ana, bia] = users[1]!;
      ana!.conn.send("MSG still here");
      await waitFor("the second room still works", () => bia!.chat().length === 21);
      assert.equal(servers[1]!.lobby.size, 2);
      assert.ok(
        users[0]!.every((u) => u.events.some((e) => e.kind === "status" && e.code === 503)),
      );
      assert.ok(
        !users[1]!.some((u) => u.events.some((e) => e.kind === "status" && e.code === 503)),
      );
      await servers[1]!.shutdown("second one stops", 2000);
      for (const u of users[1]!) await u.conn.closed;
    } finally {
      for (const s of servers) await s.shutdown("test over", 500);
      scheduler.stop();
    }
  });
}

Deno.test("one server takes connections from several listeners into one room", async () => {
  const memory = new MemoryNetwork();
  const server = new ChatServer({ logger: new NullLogger(), promptDelayMs: 50 });
  server.serve(listenTcp("127.0.0.1", 0));
  server.serve(memory.listen("127.0.0.1", 7000));
  const scheduler = new WakeScheduler();
  const turn = new Turn();
  try {
    assert.deepEqual(server.addrs.map((a) => [a.transport, a.port !== 0]), [
      ["tcp", true],
      ["memory", true],
    ]);
    const overTcp = await user(TCP_DIALER, server.addrs[0]!.port, "tcp", false, scheduler, turn);
    const inMemory = await user(memory, 7000, "mem", true, scheduler, turn);
    overTcp.conn.send("MSG hello from tcp");
    inMemory.conn.send("MSG hello from memory");
    await waitFor("both lines", () => overTcp.chat().length === 1 && inMemory.chat().length === 1);
    assert.deepEqual(overTcp.chat(), ["[mem]: hello from memory"]);
    assert.deepEqual(inMemory.chat(), ["[tcp]: hello from tcp"]);
  } finally {
    await server.shutdown("test over", 1000);
    scheduler.stop();
  }
});

Deno.test("classify: the frame magic is binary, anything else text, one table for every kind", () => {
  const kind = (head: number[], path: "stream" | "datagram" = "stream", ended = false) => {
    const k = classify(SESSION_KINDS, Uint8Array.from(head), path, ended);
    return typeof k === "object" ? k.name : k;
  };
  assert.equal(kind([0xc1, 0x00]), "binary");
  assert.equal(kind([0xc1]), "binary");
  assert.equal(kind([...enc.encode("ana\n")]), "text");
  assert.equal(kind([0x16, 0x03]), "text", "no TLS kind yet: the text session answers it");
  assert.equal(kind([0xc1], "datagram"), "binary", "the binary protocol runs over UDP too");
  assert.equal(kind([...enc.encode("ana\n")], "datagram"), undefined, "text needs a stream");
  // A kind with a longer magic waits for bytes that decide.
  const http: SessionKind = { ...SESSION_KINDS[1]!, name: "http", magic: enc.encode("GET ") };
  const kinds = [http, ...SESSION_KINDS];
  const k = (text: string, ended = false) => {
    const r = classify(kinds, enc.encode(text), "stream", ended);
    return typeof r === "object" ? r.name : r;
  };
  assert.equal(k("G"), "more");
  assert.equal(k("GET"), "more");
  assert.equal(k("GET / HTTP/1.1"), "http");
  assert.equal(k("GEORGE"), "text");
  assert.equal(k("GE", true), "text", "at end of stream the fallback decides");
});

/** A test-only kind: answers `PONG <rest of the first read>` and closes. */
class PingSession implements ServerSession {
  readonly awaitingRegistration = false;
  constructor(readonly ctx: SessionContext) {}
  receive(chunk: Uint8Array): void {
    const text = dec.decode(chunk);
    writeAll(this.ctx, enc.encode(`PONG ${text.slice(4)}`)).then(() => this.ctx.close("answered"));
  }
  end(): void {
    this.ctx.close("end");
  }
  dispose(): void {}
}

async function readAll(conn: Conn): Promise<string> {
  let text = "";
  const buf = new Uint8Array(1024);
  for (;;) {
    const n = await conn.read(buf).catch(() => null);
    if (n === null) return text;
    text += dec.decode(buf.subarray(0, n));
  }
}

Deno.test("a new session kind is one more table entry; its magic may come in pieces", async () => {
  const ping: SessionKind = {
    name: "ping",
    magic: enc.encode("PING"),
    paths: ["stream"],
    open: (ctx) => new PingSession(ctx),
  };
  const memory = new MemoryNetwork();
  const server = new ChatServer({
    logger: new NullLogger(),
    promptDelayMs: 50,
    kinds: [ping, ...SESSION_KINDS],
  });
  server.serve(memory.listen());
  const port = server.addr.port;
  try {
    const a = await memory.dial("127.0.0.1", port);
    await writeAll(a, enc.encode("PI"));
    await new Promise((r) => setTimeout(r, 20));
    await writeAll(a, enc.encode("NG x"));
    assert.equal(await readAll(a), "PONG  x", "one session saw all four magic bytes and more");
    a.close();
    // A text client whose nickname starts like the magic is still a text client.
    const b = await memory.dial("127.0.0.1", port);
    await writeAll(b, enc.encode("PIA\n"));
    let text = "";
    const buf = new Uint8Array(512);
    while (!text.includes("Welcome")) text += dec.decode(buf.subarray(0, (await b.read(buf))!));
    assert.match(text, /^200 OK - Connected\nWelcome, PIA!/);
    b.close();
    // Silence still gets the NICK prompt, whatever the table holds.
    const c = await memory.dial("127.0.0.1", port);
    const n = await c.read(buf);
    assert.equal(dec.decode(buf.subarray(0, n!)), "NICK");
    c.close();
    await waitFor("all counted", () => server.counters.open === 0);
    assert.deepEqual([server.counters.ping, server.counters.text, server.counters.accepted], [
      1,
      1,
      3,
    ]);
  } finally {
    await server.shutdown("test over", 500);
  }
});

Deno.test("chat bench's clients run on the client core over any transport (memory)", async () => {
  const memory = new MemoryNetwork();
  const server = new ChatServer({ logger: new NullLogger(), flood: null });
  server.serve(memory.listen());
  try {
    for (const mode of ["gbn", "sr", "text"] as const) {
      const params = runParams(server.addr.port, {
        dialer: memory,
        mode,
        clients: 4,
        messages: 30,
      });
      const r = await runBench(params);
      assert.equal(r.status, "complete", `${mode}: ${r.problems.join("; ")}`);
      assert.equal(r.deliveries, 4 * 30 * 3, mode);
      assert.deepEqual([r.lost, r.duplicated, r.outOfOrder], [0, 0, 0], mode);
    }
  } finally {
    await server.shutdown("test over", 1000);
  }
});
