/**
 * `LIST sessions` (`/who` in `chat join`): each user of the room with how its session talks to
 * the server (text, or GBN/SR with the window the handshake agreed and the ACK policy, and the
 * transport), while plain `LIST` keeps the seed 000 form `ana, bia, João` a seed client parses.
 */

import assert from "node:assert/strict";
import { ChatConnection } from "../lib/client/connection.ts";
import type { ServerEvent } from "../lib/client/server_lines.ts";
import type { SessionParams } from "../lib/protocol/control.ts";
import { clientTurn, dialerOf, e2e, Raw, waitFor, withServer } from "./support/e2e.ts";
import type { ChatServer } from "../lib/server/server.ts";
import type { WakeScheduler } from "../lib/net/scheduler.ts";

/** A registered client on the client core with session parameters `params` (or text). */
async function user(
  server: ChatServer,
  scheduler: WakeScheduler,
  nick: string,
  params: SessionParams | "text",
): Promise<{ conn: ChatConnection; events: ServerEvent[] }> {
  const events: ServerEvent[] = [];
  const conn = await ChatConnection.open({
    dialer: dialerOf(server),
    turn: clientTurn,
    host: "127.0.0.1",
    port: server.addr.port,
    text: params === "text",
    params: params === "text"
      ? { mode: "gbn", window: 8, ackPolicy: "sack", maxPayload: 1024 }
      : params,
    scheduler,
    onEvent: (e) => events.push(e),
  });
  conn.send(nick);
  await waitFor(`${nick} in`, () => events.some((e) => e.kind === "status"));
  return { conn, events };
}

e2e(
  "LIST sessions shows each user's protocol, window, ACK policy and transport",
  (t) =>
    withServer(t, {}, async (server, scheduler) => {
      const nc = await Raw.open(server);
      await nc.write("ana\n");
      await waitFor("ana in", () => nc.text.includes("Welcome"));
      const bia = await user(server, scheduler, "bia", {
        mode: "sr",
        window: 8,
        ackPolicy: "sack",
        maxPayload: 1024,
      });
      const joao = await user(server, scheduler, "João", {
        mode: "gbn",
        window: 4,
        ackPolicy: "frame",
        maxPayload: 512,
      });
      const caio = await user(server, scheduler, "caio", "text");
      const transport = t.name === "tcp" ? "tcp" : "memory";
      await nc.write("LIST sessions\n");
      await waitFor("the sessions", () => nc.text.includes("User Sessions"));
      const body = nc.text.split("200 OK - User Sessions\n")[1]!.split("\n")[0]!;
      assert.equal(
        body,
        `ana (text ${transport}), bia (sr window=8 ack=sack ${transport}), ` +
          `João (gbn window=4 ack=frame ${transport}), caio (text ${transport})`,
      );
      // The seed 000 form is unchanged: names only, split at ", ".
      const mark = nc.text.length;
      await nc.write("LIST\n");
      await waitFor("the list", () => nc.text.slice(mark).includes("User List"));
      assert.equal(nc.text.slice(mark), "200 OK - User List\nana, bia, João, caio\n");
      // WHO is LIST, and an argument it does not know changes nothing.
      const mark2 = nc.text.length;
      await nc.write("who everyone\n");
      await waitFor("the list", () => nc.text.slice(mark2).includes("User List"));
      assert.equal(nc.text.slice(mark2), "200 OK - User List\nana, bia, João, caio\n");
      // A binary client asks the same way (chat join's /who).
      const before = bia.events.length;
      bia.conn.send("LIST sessions");
      await waitFor(
        "bia's answer",
        () =>
          bia.events.slice(before).some((e) => e.kind === "status" && /Sessions$/.test(e.title)),
      );
      for (const c of [bia, joao, caio]) c.conn.close();
      await nc.close();
    }),
);

e2e(
  "LIST sessions shows the window the server agreed to, not the one asked for",
  (t) =>
    withServer(t, { arq: { maxWindow: 16 } }, async (server, scheduler) => {
      const big = await user(server, scheduler, "big", {
        mode: "sr",
        window: 256,
        ackPolicy: "sack",
        maxPayload: 1024,
      });
      big.conn.send("LIST sessions");
      await waitFor(
        "the sessions",
        () => big.events.some((e) => e.kind === "status" && /Sessions$/.test(e.title)),
      );
      const reply = big.events.find((e) => e.kind === "status" && /Sessions$/.test(e.title));
      assert.match(reply?.kind === "status" ? reply.body : "", /^big \(sr window=16 ack=sack /);
      big.conn.close();
    }),
);
