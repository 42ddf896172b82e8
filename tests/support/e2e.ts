/**
 * End-to-end test helpers: every test body runs over real TCP on 127.0.0.1 and over the
 * in-memory transport; a raw client that collects what it reads (netcat, or a binary session
 * opened by hand), a chat client on the client core, a server per test.
 * @module
 */

import assert from "node:assert/strict";
import { LOSSY_LINK_OPTIONS } from "../../lib/arq/mod.ts";
import { ChatConnection } from "../../lib/client/connection.ts";
import type { ServerEvent } from "../../lib/client/server_lines.ts";
import { FaultInjector } from "../../lib/faults/mod.ts";
import { NullLogger } from "../../lib/log/logger.ts";
import { MemoryNetwork } from "../../lib/net/memory_transport.ts";
import { WakeScheduler } from "../../lib/net/scheduler.ts";
import { listenTcp, TCP_DIALER } from "../../lib/net/tcp_transport.ts";
import type { Conn, Dialer, Listener } from "../../lib/net/transport.ts";
import { Turn } from "../../lib/net/turn.ts";
import { encodeFrame, encodeSyn, frame, FrameType } from "../../lib/protocol/mod.ts";
import { ChatServer, type ServerOptions } from "../../lib/server/server.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();

/** Waits until `cond()`, at most `ms`. */
export async function waitFor(what: string, cond: () => boolean, ms = 10_000): Promise<void> {
  const end = performance.now() + ms;
  while (!cond()) {
    if (performance.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** A transport the tests run over: how a server listens and how its clients dial. */
export interface Transport {
  readonly name: string;
  readonly dialer: Dialer;
  listen(): Listener;
}

/** The in-memory network of these tests. */
export const memory = new MemoryNetwork();
/** TCP and memory. */
export const TRANSPORTS: readonly Transport[] = [
  { name: "tcp", dialer: TCP_DIALER, listen: () => listenTcp("127.0.0.1", 0) },
  { name: "memory", dialer: memory, listen: () => memory.listen() },
];

/** Registers `fn` once per transport, named `name (tcp)`, `name (memory)`. */
export function e2e(name: string, fn: (t: Transport) => Promise<void>): void {
  for (const t of TRANSPORTS) Deno.test(`${name} (${t.name})`, () => fn(t));
}

/** The dialer that reaches each server the tests started. */
const dialers = new WeakMap<ChatServer, Dialer>();
export function dialerOf(server: ChatServer): Dialer {
  return dialers.get(server)!;
}

/** The turn (flush pass) of every client in these tests. */
export const clientTurn = new Turn();

/** A test server on transport `t` (on `listener`, when given). */
export function startServer(
  t: Transport,
  options: Partial<ServerOptions>,
  listener: Listener = t.listen(),
): ChatServer {
  const server = new ChatServer({ logger: new NullLogger(), promptDelayMs: 50, ...options });
  server.serve(listener);
  dialers.set(server, t.dialer);
  return server;
}

/** A raw client that collects everything it reads. */
export class Raw {
  text = "";
  bytes: number[] = [];
  closed = false;
  readonly done: Promise<void>;
  constructor(readonly conn: Conn) {
    this.done = (async () => {
      const buf = new Uint8Array(65536);
      for (;;) {
        const n = await conn.read(buf).catch(() => null);
        if (n === null) break;
        this.bytes.push(...buf.subarray(0, n));
        this.text += dec.decode(buf.subarray(0, n), { stream: true });
      }
      this.closed = true;
    })();
  }
  static async open(server: ChatServer): Promise<Raw> {
    return new Raw(await dialerOf(server).dial("127.0.0.1", server.addr.port));
  }
  /** Opens a binary session by hand: SYN, wait for the SYN-ACK, ACK. */
  static async binary(server: ChatServer, mode: "gbn" | "sr"): Promise<Raw> {
    const raw = await Raw.open(server);
    const syn = encodeSyn({ mode, window: 4, ackPolicy: "frame", maxPayload: 1024 });
    await raw.write(encodeFrame(frame(FrameType.SYN, 0, 0, syn)));
    await waitFor("SYN-ACK", () => raw.bytes.length >= 22);
    await raw.write(encodeFrame(frame(FrameType.ACK, 0)));
    return raw;
  }
  async write(s: string | Uint8Array): Promise<void> {
    const b = typeof s === "string" ? enc.encode(s) : s;
    let off = 0;
    while (off < b.length) off += await this.conn.write(b.subarray(off));
  }
  async close(): Promise<void> {
    try {
      this.conn.close();
    } catch { /* closed */ }
    await this.done;
  }
}

/** Runs `fn` with a server on `t`, shut down after. */
export async function withServer(
  t: Transport,
  options: Partial<ServerOptions>,
  fn: (server: ChatServer, scheduler: WakeScheduler) => Promise<void>,
): Promise<void> {
  const server = startServer(t, options);
  const scheduler = new WakeScheduler();
  try {
    await fn(server, scheduler);
  } finally {
    await server.shutdown("test over", 1000);
    scheduler.stop();
  }
}

/** A chat client on the client core, with every event it got. */
export interface Client {
  conn: ChatConnection;
  events: ServerEvent[];
  chat: () => string[];
}

/** Connects a chat client and registers it as `nick` (asserting 200). */
export async function client(
  server: ChatServer,
  scheduler: WakeScheduler,
  nick: string,
  kind: "gbn" | "sr" | "text",
  faults?: { loss: number; corrupt: number; seed: number },
  maxPayload = 1024,
): Promise<Client> {
  const events: ServerEvent[] = [];
  const conn = await ChatConnection.open({
    dialer: dialerOf(server),
    turn: clientTurn,
    host: "127.0.0.1",
    port: server.addr.port,
    text: kind === "text",
    params: { mode: kind === "sr" ? "sr" : "gbn", window: 8, ackPolicy: "sack", maxPayload },
    arq: faults ? LOSSY_LINK_OPTIONS : {},
    faults: faults ? new FaultInjector(faults, `client:${nick}`) : undefined,
    scheduler,
    onEvent: (e) => events.push(e),
  });
  conn.send(nick);
  await waitFor(`${nick} registered`, () => events.some((e) => e.kind === "status"), 30_000);
  const first = events.find((e) => e.kind === "status")!;
  assert.equal(first.kind === "status" && first.code, 200, JSON.stringify(first));
  return {
    conn,
    events,
    chat: () => events.filter((e) => e.kind === "chat").map((e) => (e as { line: string }).line),
  };
}

/** Sends QUIT from each and waits (3 s at most) for the server to close them. */
export async function quitAll(...cs: Client[]): Promise<void> {
  for (const c of cs) {
    c.conn.send("QUIT");
  }
  await Promise.all(cs.map(async (c) => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([c.conn.closed, new Promise((r) => timer = setTimeout(r, 3000))]);
    clearTimeout(timer);
    c.conn.close();
  }));
}
