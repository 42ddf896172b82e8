/**
 * Reconnection end to end, over TCP and over the in-memory transport, binary and text sessions
 * alike, without a keystroke: a connection cut between client and server (the server still up)
 * is back in its room with its nickname within 5 s, the lines said meanwhile replayed, and nobody
 * could take the nickname meanwhile; after a server restart (tokens lost) every client is back in
 * its room within 5 s of the server's return; a kicked client does not come back.
 */

import assert from "node:assert/strict";
import type { ServerEvent } from "../lib/client/server_lines.ts";
import { type LinkState, ReconnectingChat } from "../lib/client/reconnecting_chat.ts";
import { WakeScheduler } from "../lib/net/scheduler.ts";
import { listenTcp } from "../lib/net/tcp_transport.ts";
import type { Listener } from "../lib/net/transport.ts";
import type { ChatServer } from "../lib/server/server.ts";
import {
  client,
  clientTurn,
  memory,
  quitAll,
  Raw,
  startServer,
  type Transport,
  TRANSPORTS,
  waitFor,
} from "./support/e2e.ts";
import { CutProxy } from "./support/cut_proxy.ts";

/** A reconnecting chat client and what it saw. */
interface Kept {
  chat: ReconnectingChat;
  events: ServerEvent[];
  states: LinkState[];
}

async function keep(
  t: Transport,
  port: number,
  scheduler: WakeScheduler,
  nick: string,
  text: boolean,
): Promise<Kept> {
  const events: ServerEvent[] = [];
  const states: LinkState[] = [];
  const joined = await ReconnectingChat.join({
    connect: {
      dialer: t.dialer,
      turn: clientTurn,
      host: "127.0.0.1",
      port,
      text,
      params: { mode: "sr", window: 8, ackPolicy: "sack", maxPayload: 1024 },
      scheduler,
    },
    nick,
    onEvent: (e) => events.push(e),
    onState: (s) => states.push(s),
    reconnectForMs: 30_000,
  });
  assert.equal(joined.kind, "joined");
  if (joined.kind !== "joined") throw new Error("not joined");
  return { chat: joined.chat, events, states };
}

function saw(k: { events: ServerEvent[] }, re: RegExp): boolean {
  return k.events.some((e) =>
    (e.kind === "status" ? `${e.title}\n${e.body}` : "line" in e ? e.line : "").match(re)
  );
}

function listenOn(t: Transport, port: number): Listener {
  return t.name === "tcp" ? listenTcp("127.0.0.1", port) : memory.listen("127.0.0.1", port);
}

for (const t of TRANSPORTS) {
  for (const text of [false, true]) {
    const kind = text ? "text" : "binary";
    Deno.test(`a cut connection is back in its room with its nickname, nobody took it (${kind}, ${t.name})`, async () => {
      const server = startServer(t, { flood: null });
      const proxy = new CutProxy(t.listen(), t.dialer, {
        hostname: "127.0.0.1",
        port: server.addr.port,
      });
      const scheduler = new WakeScheduler();
      try {
        const ana = await keep(t, proxy.port, scheduler, "ana", text);
        ana.chat.send("JOIN sala");
        const bia = await client(server, scheduler, "bia", "gbn");
        bia.conn.send("JOIN sala");
        await waitFor(
          "both in sala",
          () => saw(ana, /You are in sala/) && saw(bia, /You are in sala/),
        );
        await waitFor("the token", () => ana.states.length === 0 && ana.chat.connected);
        await new Promise((r) => setTimeout(r, 100)); // the TOKEN reply
        const cutAt = performance.now();
        proxy.cut(1500); // the link is down, and stays down for 1.5 s
        await waitFor(
          "the server saw ana leave",
          () => bia.events.some((e) => e.kind === "notice" && e.text.startsWith("ana left")),
        );
        const thief = await Raw.open(server);
        await thief.write("ana\n");
        await waitFor("thief refused", () => thief.closed);
        assert.equal(thief.text, "409 Conflict\nNickname taken: ana\n");
        await thief.close();
        bia.conn.send("MSG enquanto fora 1");
        bia.conn.send("MSG enquanto fora 2");
        await waitFor("ana back", () => ana.states.some((s) => s.kind === "back"), 10_000);
        const took = performance.now() - cutAt;
        assert.ok(took < 5000, `back ${took.toFixed(0)} ms after the cut`);
        const back = ana.states.find((s) => s.kind === "back")!;
        assert.deepEqual(back, {
          kind: "back",
          resumed: true,
          room: "sala",
          nick: "ana",
          queued: 0,
        });
        assert.ok(ana.states[0]?.kind === "lost", JSON.stringify(ana.states[0]));
        assert.ok(
          saw(ana, /Resumed\nWelcome back, ana! You are in sala \(2 users\); 2 lines were said/),
        );
        const replayed = ana.events.filter((e) => e.kind === "history").map((e) =>
          e.line.slice(11)
        );
        assert.deepEqual(replayed.slice(-2), ["[bia]: enquanto fora 1", "[bia]: enquanto fora 2"]);
        ana.chat.send("MSG voltei");
        await waitFor("bia hears ana", () => bia.chat().includes("[ana]: voltei"));
        await ana.chat.leave();
        await quitAll(bia);
      } finally {
        await proxy.close();
        await server.shutdown("test over", 1000);
        scheduler.stop();
      }
    });
  }

  Deno.test(`after a server restart every client is back in its room within 5 s (${t.name})`, async () => {
    const first = startServer(t, { flood: null });
    const port = first.addr.port;
    const scheduler = new WakeScheduler();
    let second: ChatServer | undefined;
    const clients: Kept[] = [];
    try {
      for (const [nick, text] of [["ana", false], ["bia", true], ["caio", false]] as const) {
        const k = await keep(t, port, scheduler, nick, text);
        k.chat.send(nick === "caio" ? "JOIN outra" : "JOIN lab");
        clients.push(k);
      }
      await waitFor("in their rooms", () => clients.every((k) => k.chat.room !== undefined));
      await first.shutdown("restarting", 1000);
      await waitFor(
        "all lost",
        () => clients.every((k) => k.states.some((s) => s.kind === "lost")),
      );
      await new Promise((r) => setTimeout(r, 1500)); // the server is away for a while
      const again = startServer(t, { flood: null }, listenOn(t, port));
      second = again;
      const returned = performance.now();
      await waitFor(
        "all back",
        () => clients.every((k) => k.states.some((s) => s.kind === "back")),
        10_000,
      );
      const took = performance.now() - returned;
      assert.ok(took < 5000, `back ${took.toFixed(0)} ms after the server's return`);
      const rooms = new Map<string, string[]>();
      for (const room of again.lobby.rooms.all()) rooms.set(room.name, room.nicks().sort());
      assert.deepEqual(rooms.get("lab"), ["ana", "bia"]);
      assert.deepEqual(rooms.get("outra"), ["caio"]);
      for (const k of clients) {
        const back = k.states.find((s) => s.kind === "back")!;
        assert.equal(back.kind === "back" && back.resumed, false, "the new server knew no token");
      }
      clients[0]!.chat.send("MSG de volta");
      await waitFor(
        "heard in lab",
        () => clients[1]!.events.some((e) => e.kind === "chat" && e.line === "[ana]: de volta"),
      );
      for (const k of clients) await k.chat.leave();
    } finally {
      await first.shutdown("test over", 500);
      await second?.shutdown("test over", 1000);
      scheduler.stop();
    }
  });

  Deno.test(`a kicked client does not come back, and its token is refused (${t.name})`, async () => {
    const server = startServer(t, { teacherPassword: "pw" });
    const scheduler = new WakeScheduler();
    try {
      const ana = await keep(t, server.addr.port, scheduler, "ana", false);
      const prof = await client(server, scheduler, "prof", "text");
      prof.conn.send("OP pw");
      await new Promise((r) => setTimeout(r, 200)); // ana's TOKEN reply
      prof.conn.send("KICK ana");
      const end = await ana.chat.ended;
      assert.deepEqual(end, { reason: "Kicked by prof", final: true });
      assert.ok(!ana.states.some((s) => s.kind === "lost"), "it did not try to reconnect");
      assert.equal(server.lobby.reservations.size, 0, "nothing held for a kicked user");
      await quitAll(prof);
    } finally {
      await server.shutdown("test over", 1000);
      scheduler.stop();
    }
  });
}

for (const t of TRANSPORTS) {
  Deno.test(`a server that stops before answering TOKEN is heard: its 503 is shown, the end is clean (${t.name})`, async () => {
    const server = startServer(t, { flood: null });
    const scheduler = new WakeScheduler();
    try {
      const events: ServerEvent[] = [];
      const joined = await ReconnectingChat.join({
        connect: {
          dialer: t.dialer,
          turn: clientTurn,
          host: "127.0.0.1",
          port: server.addr.port,
          text: true,
          params: { mode: "sr", window: 8, ackPolicy: "sack", maxPayload: 1024 },
          scheduler,
        },
        nick: "ana",
        onEvent: (e) => events.push(e),
        onState: () => {},
        reconnectForMs: 0,
      });
      assert.equal(joined.kind, "joined");
      if (joined.kind !== "joined") return;
      // At once: the server's 503 comes where the reply to the client's TOKEN was awaited.
      await server.shutdown("class is over", 500);
      const end = await joined.chat.ended;
      assert.ok(saw({ events }, /Server shutting down: class is over/), JSON.stringify(events));
      assert.equal(end.serverStopped, "Server shutting down: class is over");
    } finally {
      await server.shutdown("test over", 300);
      scheduler.stop();
    }
  });
}
