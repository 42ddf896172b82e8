/**
 * `chat serve`'s web side end to end, each test over real TCP on 127.0.0.1 and over the
 * in-memory transport: the page's files from the chat's own port, the teacher's token, a text
 * and binary (GBN, SR, 20 % loss each way) session inside a WebSocket chatting with TCP clients,
 * the Origin check, the teacher's feed (every session listed; a watched session's frames; "drop
 * the next frame" making a retransmission the server's trace shows), and the hostile cases: a
 * huge head, a slowloris, bad upgrades, binary garbage after `GET `, bad frames, a peer that
 * vanishes mid-frame. Hostile clients bind 127.0.0.2 and up on TCP.
 */

import assert from "node:assert/strict";
import net from "node:net";
import { LOSSY_LINK_OPTIONS } from "../lib/arq/mod.ts";
import { ChatConnection } from "../lib/client/connection.ts";
import type { ServerEvent } from "../lib/client/server_lines.ts";
import { FaultInjector } from "../lib/faults/mod.ts";
import { NullLogger } from "../lib/log/logger.ts";
import { MemoryNetwork } from "../lib/net/memory_transport.ts";
import { WakeScheduler } from "../lib/net/scheduler.ts";
import { listenTcp, TCP_DIALER } from "../lib/net/tcp_transport.ts";
import type { Conn, Dialer, Listener, NetAddress } from "../lib/net/transport.ts";
import { Turn } from "../lib/net/turn.ts";
import { WsOpcode } from "../lib/net/websocket_frame.ts";
import { WebSocketDialer } from "../lib/net/ws_transport.ts";
import { ChatServer, type ServerOptions } from "../lib/server/server.ts";
import type { SessionSummary } from "../lib/server/session_summary.ts";
import type { FrameRecord, ViewRecord } from "../lib/web/view_record.ts";
import { closeAllWebSockets, TestWebSocket, upgrade, wsDialer } from "./support/ws_client.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();
const TOKEN = "k7fq-3mzt-9p2w";

async function waitFor(what: string, cond: () => boolean, ms = 15_000): Promise<void> {
  const end = performance.now() + ms;
  while (!cond()) {
    if (performance.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

interface Transport {
  readonly name: string;
  readonly dialer: Dialer;
  listen(): Listener;
  /** A dialer whose connections come from another address (a hostile client of its own). */
  from(n: number): Dialer;
}

const memory = new MemoryNetwork();
const TRANSPORTS: readonly Transport[] = [
  {
    name: "tcp",
    dialer: TCP_DIALER,
    listen: () => listenTcp("127.0.0.1", 0),
    from: (n) => ({ transport: "tcp", dial: (host, port) => dialFrom(`127.0.0.${n}`, host, port) }),
  },
  {
    name: "memory",
    dialer: memory,
    listen: () => memory.listen(),
    from: (n) => ({ transport: "memory", dial: (h, p) => memory.dial(h, p, `127.0.0.${n}`) }),
  },
];

/**
 * A TCP connection from the local address `local` (all of 127/8 is loopback), with `node:net`:
 * `Deno.connect` cannot bind one.
 */
function dialFrom(local: string, host: string, port: number): Promise<Conn> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port, localAddress: local });
    const queue: Uint8Array[] = [];
    let ended = false;
    let waiter: (() => void) | undefined;
    const wake = () => {
      const w = waiter;
      waiter = undefined;
      w?.();
    };
    socket.on("data", (b: Uint8Array) => {
      queue.push(new Uint8Array(b));
      wake();
    });
    socket.on("close", () => {
      ended = true;
      wake();
    });
    socket.on("error", (e) => {
      ended = true;
      wake();
      reject(e);
    });
    socket.on("connect", () => {
      const addr = (h: string | undefined, p: number | undefined): NetAddress => ({
        transport: "tcp",
        hostname: h ?? "",
        port: p ?? 0,
      });
      resolve({
        path: "stream",
        maxDatagram: Infinity,
        localAddr: addr(socket.localAddress, socket.localPort),
        remoteAddr: addr(socket.remoteAddress, socket.remotePort),
        async read(buf) {
          while (queue.length === 0) {
            if (ended) return null;
            await new Promise<void>((r) => waiter = r);
          }
          const head = queue[0]!;
          const k = Math.min(head.length, buf.length);
          buf.set(head.subarray(0, k));
          if (k === head.length) queue.shift();
          else queue[0] = head.subarray(k);
          return k;
        },
        write: (p) =>
          new Promise((res, rej) => {
            if (ended) return rej(new Error("closed"));
            socket.write(p.slice(), (e) => e ? rej(e) : res(p.length));
          }),
        closeWrite: () => new Promise<void>((r) => socket.end(r)),
        close: () => {
          socket.destroy();
        },
      });
    });
  });
}

function web(name: string, fn: (t: Transport) => Promise<void>): void {
  for (const t of TRANSPORTS) Deno.test(`${name} (${t.name})`, () => fn(t));
}

/** A raw connection that collects what it reads. */
class Raw {
  text = "";
  closed = false;
  readonly done: Promise<void>;
  constructor(readonly conn: Conn) {
    this.done = (async () => {
      const buf = new Uint8Array(65536);
      for (;;) {
        const n = await conn.read(buf).catch(() => null);
        if (n === null) break;
        this.text += dec.decode(buf.subarray(0, n), { stream: true });
      }
      this.closed = true;
    })();
  }
  async write(s: string | Uint8Array): Promise<void> {
    const b = typeof s === "string" ? enc.encode(s) : s;
    let off = 0;
    while (off < b.length) off += await this.conn.write(b.subarray(off));
  }
  async close(): Promise<void> {
    this.conn.close();
    await this.done;
  }
}

interface Ctx {
  server: ChatServer;
  t: Transport;
  port: number;
  trace: string[];
  dial(): Promise<Conn>;
  raw(): Promise<Raw>;
}

async function withServer(
  t: Transport,
  options: Partial<ServerOptions>,
  fn: (ctx: Ctx) => Promise<void>,
): Promise<void> {
  const trace: string[] = [];
  const server = new ChatServer({
    logger: new NullLogger(),
    promptDelayMs: 50,
    flood: null,
    trace: (line) => trace.push(line),
    teacherPassword: TOKEN,
    web: { origins: [], ...options.web },
    ...options,
  });
  server.serve(t.listen());
  const port = server.addr.port;
  const opened: Raw[] = [];
  const ctx: Ctx = {
    server,
    t,
    port,
    trace,
    dial: () => t.dialer.dial("127.0.0.1", port),
    raw: async () => {
      const r = new Raw(await t.dialer.dial("127.0.0.1", port));
      opened.push(r);
      return r;
    },
  };
  try {
    await fn(ctx);
  } finally {
    for (const r of opened) await r.close();
    await closeAllWebSockets();
    await server.shutdown("test over", 500);
  }
}

/** GET `path` on a fresh connection: the whole response as text (the server closes after it). */
async function get(ctx: Ctx, path: string, method = "GET", headers = ""): Promise<string> {
  const r = await ctx.raw();
  await r.write(`${method} ${path} HTTP/1.1\r\nHost: 127.0.0.1:${ctx.port}\r\n${headers}\r\n`);
  await waitFor(`the answer to ${method} ${path}`, () => r.closed);
  return r.text;
}

function status(response: string): number {
  return Number(/^HTTP\/1\.1 (\d{3}) /.exec(response)?.[1] ?? 0);
}

web(
  "GET / serves the embedded page with its security headers; the bundle and stylesheet too",
  (t) =>
    withServer(t, {}, async (ctx) => {
      const page = await get(ctx, "/");
      assert.equal(status(page), 200);
      assert.match(page, /\r\nContent-Type: text\/html; charset=utf-8\r\n/);
      assert.match(page, /\r\nContent-Security-Policy: default-src 'self'; connect-src 'self';/);
      assert.match(page, /\r\nX-Content-Type-Options: nosniff\r\n/);
      assert.match(page, /<script type="module" src="\/app.js">/);
      // Nothing on the page comes from elsewhere.
      assert.doesNotMatch(page.split("\r\n\r\n")[1]!, /(src|href)="(https?:)?\/\//);
      const js = await get(ctx, "/app.js");
      assert.equal(status(js), 200);
      assert.match(js, /\r\nContent-Type: text\/javascript/);
      const length = Number(/\r\nContent-Length: (\d+)\r\n/.exec(js)![1]);
      assert.equal(enc.encode(js.split("\r\n\r\n").slice(1).join("\r\n\r\n")).length, length);
      assert.equal(status(await get(ctx, "/style.css")), 200);
      const head = await get(ctx, "/", "HEAD");
      assert.equal(status(head), 200);
      assert.equal(head.split("\r\n\r\n")[1], "", "HEAD has no body");
      assert.equal(ctx.server.counters.http, 4);
    }),
);

web(
  "unknown paths get 404, other methods 405 with Allow, and the connection closes",
  (t) =>
    withServer(t, {}, async (ctx) => {
      const missing = await get(ctx, "/etc/passwd");
      assert.equal(status(missing), 404);
      assert.equal(status(await get(ctx, "/../index.html")), 404);
      const post = await get(ctx, "/", "POST", "Content-Length: 9\r\n");
      assert.equal(status(post), 405);
      assert.match(post, /\r\nAllow: GET, HEAD\r\n/);
      for (const m of ["PUT", "DELETE", "OPTIONS", "PATCH"]) {
        assert.equal(status(await get(ctx, "/ws", m)), 405, m);
      }
      // A chat session was never opened for them.
      assert.equal(ctx.server.counters.text, 0);
    }),
);

web(
  "the teacher's page asks for the password; its feed opens only with the teacher password",
  (t) =>
    withServer(t, {}, async (ctx) => {
      const page = await get(ctx, "/teacher");
      assert.equal(status(page), 200);
      assert.match(page, /data-page="teacher"/);
      assert.match(page, /type="password"/);
      assert.match(page, /\r\nCache-Control: no-store\r\n/);
      // Refused, each after a pause (guessing costs a second a guess), all at once here.
      const start = performance.now();
      const queries = [
        "",
        "?password=",
        "?password=wrong",
        `?password=${TOKEN}x`,
        `?token=${TOKEN}`,
      ];
      await Promise.all(queries.map(async (query) => {
        const feed = await upgrade(await ctx.dial(), { path: `/teacher/ws${query}` });
        assert.equal(feed.ws, undefined, query);
        assert.match(feed.head, /^HTTP\/1\.1 403 /, query);
      }));
      assert.ok(performance.now() - start >= 900, "a wrong password waits before its 403");
      const ok = await upgrade(await ctx.dial(), {
        path: `/teacher/ws?password=${encodeURIComponent(TOKEN)}`,
      });
      assert.ok(ok.ws, ok.head);
    }),
);

web(
  "without a teacher password the teacher's feed is off",
  (t) =>
    withServer(t, { teacherPassword: undefined }, async (ctx) => {
      const r = await upgrade(await ctx.dial(), { path: "/teacher/ws?password=" });
      assert.equal(r.ws, undefined);
      assert.match(r.head, /^HTTP\/1\.1 403 /);
    }),
);

/** A registered text client over a raw connection (TCP or memory). */
async function textClient(ctx: Ctx, nick: string): Promise<Raw> {
  const r = await ctx.raw();
  await r.write(`${nick}\n`);
  await waitFor(`${nick} registered`, () => r.text.includes(`Welcome, ${nick}!`));
  return r;
}

web(
  "a text session inside a WebSocket chats with a TCP text client both ways",
  (t) =>
    withServer(t, {}, async (ctx) => {
      const bia = await textClient(ctx, "bia");
      const host = `127.0.0.1:${ctx.port}`;
      const { ws } = await upgrade(await ctx.dial(), { host, origin: `http://${host}` });
      assert.ok(ws);
      const got = new Raw(ws);
      // A text line can come as a text message or in pieces of binary ones.
      await ws.sendText("ana\n");
      await waitFor("ana registered", () => got.text.includes("Welcome, ana!"));
      await ws.write(enc.encode("MSG Olá, "));
      await ws.write(enc.encode("bia\n"));
      await waitFor("bia gets ana's line", () => bia.text.includes("[ana]: Olá, bia\n"));
      await bia.write("MSG oi ana\n");
      await waitFor("ana gets bia's line", () => got.text.includes("[bia]: oi ana\n"));
      // The session inside is a text session over the "ws" transport.
      assert.equal(ctx.server.counters.text, 2);
      await ws.sendText("QUIT\n");
      await waitFor("ana's socket closed", () => got.closed);
      await waitFor("bia sees ana leave", () => /\*\*\* ana left/.test(bia.text));
    }),
);

/** A binary client over a WebSocket through the client core (`ChatConnection`). */
async function binaryOverWs(
  ctx: Ctx,
  nick: string,
  mode: "gbn" | "sr",
  loss: number,
  scheduler: WakeScheduler,
  turn: Turn,
) {
  const events: ServerEvent[] = [];
  const conn = await ChatConnection.open({
    dialer: wsDialer(ctx.t.dialer),
    host: "127.0.0.1",
    port: ctx.port,
    text: false,
    params: { mode, window: 8, ackPolicy: mode === "sr" ? "sack" : "frame", maxPayload: 1024 },
    arq: LOSSY_LINK_OPTIONS,
    faults: loss > 0 ? new FaultInjector({ loss, seed: 7 }, nick) : undefined,
    scheduler,
    turn,
    onEvent: (e) => events.push(e),
  });
  conn.send(nick);
  await waitFor(`${nick} registered`, () => events.some((e) => e.kind === "status"));
  assert.ok(events.some((e) => e.kind === "status" && e.code === 200), JSON.stringify(events));
  return {
    conn,
    chat: () => events.filter((e) => e.kind === "chat").map((e) => (e as { line: string }).line),
  };
}

for (const mode of ["gbn", "sr"] as const) {
  web(
    `a binary ${mode.toUpperCase()} session inside a WebSocket under 20 % loss each way: every line exactly once, in order`,
    (t) =>
      withServer(t, { faults: { loss: 0.2, seed: 3 }, arq: LOSSY_LINK_OPTIONS }, async (ctx) => {
        const scheduler = new WakeScheduler();
        const turn = new Turn();
        const bia = await textClient(ctx, "bia");
        const ana = await binaryOverWs(ctx, "ana", mode, 0.2, scheduler, turn);
        try {
          const n = 30;
          for (let i = 1; i <= n; i++) ana.conn.send(`MSG a${i}`);
          for (let i = 1; i <= n; i++) await bia.write(`MSG b${i}\n`);
          const want = (who: string) =>
            Array.from({ length: n }, (_, i) => `[${who}]: ${who[0]}${i + 1}`);
          await waitFor(
            "bia gets all of ana's lines",
            () => bia.text.split("\n").filter((l) => l.startsWith("[ana]")).length >= n,
            60_000,
          );
          await waitFor("ana gets all of bia's lines", () => ana.chat().length >= n, 60_000);
          assert.deepEqual(bia.text.split("\n").filter((l) => l.startsWith("[ana]")), want("ana"));
          assert.deepEqual(ana.chat(), want("bia"));
          // Loss was real: the server's trace shows frames it dropped and sent again.
          assert.ok(ctx.trace.some((l) => l.includes("DROPPED (fault)")));
          assert.ok(ctx.trace.some((l) => /retx#\d/.test(l)));
          assert.ok(ana.conn.endpoint!.stats.retransmissions > 0);
        } finally {
          ana.conn.close();
          await ana.conn.closed;
          scheduler.stop();
        }
      }),
  );
}

web(
  "a page from another origin may not open a WebSocket; the page's own, an allowed one, or none may",
  (t) =>
    withServer(
      t,
      { web: { origins: ["http://10.0.0.9:8080"] } },
      async (ctx) => {
        const host = `127.0.0.1:${ctx.port}`;
        const cases: [string | undefined, boolean][] = [
          ["http://evil.example", false],
          [`http://${host}.evil.example`, false],
          ["null", false],
          [`http://${host}`, true],
          [`HTTP://${host.toUpperCase()}`, true],
          ["http://10.0.0.9:8080", true],
          [undefined, true],
        ];
        for (const [origin, ok] of cases) {
          const r = await upgrade(await ctx.dial(), { host, origin });
          assert.equal(r.ws !== undefined, ok, `Origin ${origin}: ${r.head.split("\r\n")[0]}`);
          if (!ok) assert.match(r.head, /^HTTP\/1\.1 403 /);
          r.ws?.close();
          await r.ws?.ended;
        }
        assert.equal(ctx.server.counters.text, 0, "a refused WebSocket opens no chat session");
      },
    ),
);

web(
  "any origin may connect with --web-origin '*'",
  (t) =>
    withServer(t, { web: { origins: ["*"] } }, async (ctx) => {
      const r = await upgrade(await ctx.dial(), { origin: "http://anything.example" });
      assert.ok(r.ws);
      r.ws.close();
      await r.ws.ended;
    }),
);

// ---- hostile cases ----

web(
  "a request head over 16 KiB gets 431 and is closed, before its end arrives",
  (t) =>
    withServer(t, {}, async (ctx) => {
      const r = new Raw(await ctx.t.from(2).dial("127.0.0.1", ctx.port));
      await r.write(`GET / HTTP/1.1\r\nHost: x\r\nX-Huge: ${"a".repeat(20_000)}`);
      await waitFor("closed", () => r.closed);
      assert.equal(status(r.text), 431);
      await r.close();
    }),
);

web(
  "a slowloris (one header byte at a time, never done) is answered 408 and closed at the head deadline",
  (t) =>
    withServer(
      t,
      { web: { origins: [], headTimeoutMs: 300 } },
      async (ctx) => {
        const r = new Raw(await ctx.t.from(3).dial("127.0.0.1", ctx.port));
        await r.write("GET / HTTP/1.1\r\nHost: x\r\n");
        const start = performance.now();
        for (let i = 0; i < 40 && !r.closed; i++) {
          await r.write("X").catch(() => {});
          await new Promise((res) => setTimeout(res, 25));
        }
        await waitFor("closed", () => r.closed, 5000);
        assert.ok(performance.now() - start < 3000, "closed near its deadline");
        assert.equal(status(r.text), 408);
        await r.close();
      },
    ),
);

web(
  "binary garbage after GET gets 400 and never becomes a chat session",
  (t) =>
    withServer(t, {}, async (ctx) => {
      const r = await ctx.raw();
      await r.write(
        Uint8Array.of(0x47, 0x45, 0x54, 0x20, 0xc1, 0x00, 0x07, 0x01, 0xff, 0xfe, 0, 1),
      );
      await waitFor("closed", () => r.closed);
      assert.equal(status(r.text), 400);
      assert.equal(ctx.server.counters.binary + ctx.server.counters.text, 0);
    }),
);

web(
  "bad upgrades are refused with their status: no key, version 8, GET /ws without Upgrade",
  (t) =>
    withServer(t, {}, async (ctx) => {
      const noKey = await ctx.raw();
      await noKey.write(
        "GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
          "Sec-WebSocket-Version: 13\r\n\r\n",
      );
      await waitFor("closed", () => noKey.closed);
      assert.equal(status(noKey.text), 400);
      const v8 = await upgrade(await ctx.dial(), {
        headers: ["Sec-WebSocket-Version: 8"],
      });
      // The request carries both 13 and 8: joined, they are not "13".
      assert.match(v8.head, /^HTTP\/1\.1 426 /);
      assert.match(v8.head, /\r\nSec-WebSocket-Version: 13\r\n/);
      assert.equal(status(await get(ctx, "/ws")), 426);
    }),
);

/** An open WebSocket with a registered text user `nick`, and the others' view of it. */
async function wsUser(ctx: Ctx, nick: string): Promise<{ ws: TestWebSocket; got: Raw }> {
  const { ws } = await upgrade(await ctx.dial());
  assert.ok(ws);
  const got = new Raw(ws);
  await ws.write(enc.encode(`${nick}\n`));
  await waitFor(`${nick} registered`, () => got.text.includes(`Welcome, ${nick}!`));
  return { ws, got };
}

web(
  "an unmasked frame after the upgrade: Close 1002, the connection closes, the user leaves",
  (t) =>
    withServer(t, {}, async (ctx) => {
      const bia = await textClient(ctx, "bia");
      const { ws } = await wsUser(ctx, "ana");
      // What a server would send: no mask.
      await ws.raw.write(Uint8Array.of(0x82, 0x03, 0x4d, 0x53, 0x47));
      await ws.ended;
      assert.deepEqual(ws.closeCodes, [1002]);
      await waitFor("bia sees ana leave", () => /\*\*\* ana left/.test(bia.text));
      assert.doesNotMatch(bia.text, /\[ana\]/);
    }),
);

web(
  "a WebSocket message over 1 MiB is refused from its header (1009)",
  (t) =>
    withServer(t, {}, async (ctx) => {
      const { ws } = await wsUser(ctx, "ana");
      // Header of a 2 MiB binary frame, masked, and no payload.
      await ws.raw.write(Uint8Array.of(0x82, 0xff, 0, 0, 0, 0, 0, 0x20, 0, 0, 1, 2, 3, 4));
      await ws.ended;
      assert.deepEqual(ws.closeCodes, [1009]);
    }),
);

web(
  "ping gets pong; a Close gets its Close back and the session ends",
  (t) =>
    withServer(t, {}, async (ctx) => {
      const bia = await textClient(ctx, "bia");
      const { ws } = await wsUser(ctx, "ana");
      await ws.sendFrame(WsOpcode.ping, enc.encode("are you there"));
      await waitFor("pong", () => ws.pongs.length === 1);
      assert.deepEqual(ws.pongs, ["are you there"]);
      await ws.closeWrite();
      await ws.ended;
      assert.deepEqual(ws.closeCodes, [1000]);
      await waitFor("bia sees ana leave", () => /\*\*\* ana left/.test(bia.text));
    }),
);

web(
  "a browser that vanishes in the middle of a frame: the user leaves, nothing is left open",
  (t) =>
    withServer(t, {}, async (ctx) => {
      const bia = await textClient(ctx, "bia");
      const { ws } = await wsUser(ctx, "ana");
      await ws.raw.write(Uint8Array.of(0x82, 0x8a, 1, 2, 3, 4, 0x41, 0x42));
      ws.raw.close();
      await waitFor("bia sees ana leave", () => /\*\*\* ana left/.test(bia.text));
      await waitFor("only bia is open", () => ctx.server.counters.open === 1);
    }),
);

Deno.test("a seed 000 client named GET (no newline, waiting for an answer) is registered after a silence", async () => {
  const server = new ChatServer({ logger: new NullLogger(), promptDelayMs: 50 });
  server.serve(listenTcp("127.0.0.1", 0));
  const conn = await Deno.connect({ hostname: "127.0.0.1", port: server.addr.port });
  try {
    await conn.write(enc.encode("GET"));
    const buf = new Uint8Array(4096);
    let text = "";
    // Bounded: an answer that never comes ends the read.
    const deadline = setTimeout(() => conn.close(), 5000);
    while (!text.includes("Welcome")) {
      const n = await conn.read(buf).catch(() => null);
      if (n === null) break;
      text += dec.decode(buf.subarray(0, n));
    }
    clearTimeout(deadline);
    assert.match(text, /^200 OK - Connected\nWelcome, GET!/);
  } finally {
    try {
      conn.close();
    } catch { /* closed by the deadline */ }
    await server.shutdown("test over", 500);
  }
});

// ---- the teacher's feed ----

/** The teacher's feed: every message it sent, parsed. */
class Feed {
  readonly messages: Record<string, unknown>[] = [];
  readonly done: Promise<void>;
  constructor(readonly ws: TestWebSocket) {
    this.done = (async () => {
      const buf = new Uint8Array(65536);
      let carry = "";
      for (;;) {
        const n = await ws.read(buf);
        if (n === null) break;
        const lines = (carry + dec.decode(buf.subarray(0, n), { stream: true })).split("\n");
        carry = lines.pop()!;
        for (const l of lines) if (l) this.messages.push(JSON.parse(l));
      }
    })();
  }
  static async open(ctx: Ctx): Promise<Feed> {
    const r = await upgrade(await ctx.dial(), {
      path: `/teacher/ws?password=${encodeURIComponent(TOKEN)}`,
    });
    assert.ok(r.ws, r.head);
    return new Feed(r.ws);
  }
  send(msg: unknown): Promise<void> {
    return this.ws.sendText(JSON.stringify(msg) + "\n");
  }
  lastTable(): SessionSummary[] {
    const t = this.messages.filter((m) => m.type === "sessions").at(-1);
    return (t?.list ?? []) as SessionSummary[];
  }
  records(): ViewRecord[] {
    return this.messages.filter((m) => m.type === "records").flatMap((m) =>
      m.records as ViewRecord[]
    );
  }
  async close(): Promise<void> {
    this.ws.close();
    await this.done;
  }
}

web(
  "the teacher's feed lists every session (text, GBN, SR, browser) with its figures",
  (t) =>
    withServer(t, {}, async (ctx) => {
      const scheduler = new WakeScheduler();
      const turn = new Turn();
      const bia = await textClient(ctx, "bia");
      const gbn = await binaryOverWs(ctx, "gus", "gbn", 0, scheduler, turn);
      const { ws } = await wsUser(ctx, "wanda");
      const feed = await Feed.open(ctx);
      try {
        const sr = await ChatConnection.open({
          dialer: ctx.t.dialer,
          host: "127.0.0.1",
          port: ctx.port,
          text: false,
          params: { mode: "sr", window: 16, ackPolicy: "sack", maxPayload: 1024 },
          scheduler,
          turn,
          onEvent: () => {},
        });
        sr.send("sara");
        await waitFor(
          "four sessions listed",
          () => feed.lastTable().filter((s) => s.nick).length === 4,
          5000,
        );
        const byNick = new Map(feed.lastTable().map((s) => [s.nick, s]));
        assert.equal(byNick.get("bia")!.kind, "text");
        assert.equal(byNick.get("bia")!.transport, ctx.t.name);
        assert.equal(byNick.get("bia")!.arq, undefined);
        assert.equal(byNick.get("wanda")!.kind, "text");
        assert.equal(byNick.get("wanda")!.transport, "ws");
        const g = byNick.get("gus")!;
        assert.equal(g.transport, "ws");
        assert.equal(g.arq?.mode, "gbn");
        assert.equal(g.arq?.window, 8);
        assert.ok(g.arq!.rto > 0);
        const s = byNick.get("sara")!;
        assert.equal(s.transport, ctx.t.name);
        assert.equal(s.arq?.mode, "sr");
        assert.equal(s.arq?.window, 16);
        assert.equal(s.arq?.ackPolicy, "sack");
        // The feed's own connection and page loads are not sessions.
        assert.equal(feed.lastTable().length, 4);
        sr.close();
        await sr.closed;
      } finally {
        await feed.close();
        ws.close();
        gbn.conn.close();
        await gbn.conn.closed;
        await bia.close();
        scheduler.stop();
      }
    }),
);

web(
  "drop the next frame from the teacher's feed: the watched session's records and the server's trace show the retransmission",
  (t) =>
    withServer(t, {}, async (ctx) => {
      const scheduler = new WakeScheduler();
      const turn = new Turn();
      const bia = await textClient(ctx, "bia");
      const gus = await binaryOverWs(ctx, "gus", "gbn", 0, scheduler, turn);
      const feed = await Feed.open(ctx);
      try {
        await waitFor("gus listed", () => feed.lastTable().some((s) => s.nick === "gus"));
        const id = feed.lastTable().find((s) => s.nick === "gus")!.id;
        await feed.send({ op: "watch", id });
        await waitFor("watching", () =>
          feed.messages.some((m) => m.type === "watching" && m.id === id));
        await feed.send({ op: "fault", fault: "drop" });
        // Give the fault time to reach the server before bia speaks.
        await waitFor("the start record", () =>
          feed.records().some((r) => r.r === "start"));
        await new Promise((r) => setTimeout(r, 100));
        await bia.write("MSG lost once\n");
        await waitFor("gus gets the line", () => gus.chat().includes("[bia]: lost once"));
        await waitFor("the records of the resend", () =>
          feed.records().some((r) =>
            r.r === "frame" && r.dir === "send" && r.type === 5 && r.attempt > 1
          ));
        const frames = feed.records().filter((r): r is FrameRecord =>
          r.r === "frame" && r.type === 5 && r.dir === "send"
        );
        const dropped = frames.find((f) =>
          f.fault === "drop"
        )!;
        assert.ok(dropped, JSON.stringify(frames));
        assert.equal(dropped.attempt, 1);
        const resent = frames.find((f) =>
          f.seq === dropped.seq && f.attempt === 2
        );
        assert.ok(resent, "the dropped frame was sent again");
        assert.ok(
          feed.records().some((r) =>
            r.r === "arq" && r.e.kind === "retransmit" && r.e.seq === dropped.seq
          ),
        );
        // The server's own trace says the same.
        const mine = ctx.trace.filter((l) =>
          l.includes("→ DATA") && l.includes(` seq=${dropped.seq} `)
        );
        assert.ok(mine.some((l) => l.includes("DROPPED (fault)")), mine.join("\n"));
        assert.ok(mine.some((l) => l.includes("retx#1")), mine.join("\n"));
        // Exactly once for gus.
        assert.equal(gus.chat().filter((l) => l === "[bia]: lost once").length, 1);
      } finally {
        await feed.close();
        gus.conn.close();
        await gus.conn.closed;
        scheduler.stop();
      }
    }),
);

web(
  "the teacher's feed answers nonsense with an error line and drops an endless line",
  (t) =>
    withServer(t, {}, async (ctx) => {
      const feed = await Feed.open(ctx);
      await feed.send("not json");
      await feed.send({ op: "watch", id: 99999 });
      await feed.send({ op: "fault", fault: "explode" });
      await feed.send({ op: "rm -rf" });
      await waitFor(
        "four errors",
        () => feed.messages.filter((m) => m.type === "error").length === 4,
      );
      await feed.ws.sendText("x".repeat(10_000));
      await feed.done;
      assert.ok(
        feed.messages.some((m) => m.type === "error" && /too long/.test(String(m.message))),
      );
      await feed.close();
    }),
);

Deno.test("Deno's own WebSocket client (as a browser's) runs a binary session through the client core", async () => {
  const server = new ChatServer({ logger: new NullLogger(), promptDelayMs: 50 });
  server.serve(listenTcp("127.0.0.1", 0));
  const scheduler = new WakeScheduler();
  const turn = new Turn();
  const events: ServerEvent[] = [];
  try {
    const conn = await ChatConnection.open({
      dialer: new WebSocketDialer(),
      host: "127.0.0.1",
      port: server.addr.port,
      text: false,
      params: { mode: "sr", window: 4, ackPolicy: "frame", maxPayload: 1024 },
      scheduler,
      turn,
      onEvent: (e) => events.push(e),
    });
    conn.send("dora");
    conn.send("LIST");
    await waitFor(
      "the user list",
      () => events.some((e) => e.kind === "status" && e.body === "dora"),
    );
    conn.close();
    await conn.closed;
  } finally {
    scheduler.stop();
    await server.shutdown("test over", 500);
  }
});

Deno.test("a WebSocket to a port where nothing listens is refused with a sentence", async () => {
  const l = listenTcp("127.0.0.1", 0);
  const port = l.addr.port;
  l.close();
  await assert.rejects(new WebSocketDialer().dial("127.0.0.1", port), /WebSocket/);
});
