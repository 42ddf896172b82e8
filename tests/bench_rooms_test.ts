/**
 * `chat bench` in a room of its own, over TCP and memory: two runs at once and a chatting
 * netcat user share one server, each run gets exactly its own traffic (no loss, duplicate or
 * reordering, which another run's lines would show as), and the user sees no line, notice or
 * history of either. The bench reads the server's CPU from STATS only as an operator; against a
 * server without rooms it runs in that server's one room.
 */

import assert from "node:assert/strict";
import { benchRoomName, runBench, type RunParams } from "../lib/bench/run.ts";
import { e2e, Raw, startServer, type Transport, waitFor } from "./support/e2e.ts";
import { FakeChatServer } from "./support/bench_fake_server.ts";
import { runParams } from "./support/bench_fixtures.ts";
import type { ChatServer } from "../lib/server/server.ts";

function params(
  t: Transport,
  server: ChatServer,
  mode: RunParams["mode"],
  room: string | undefined,
  messages: number,
  operatorPassword?: string,
): RunParams {
  return runParams(server.addr.port, {
    dialer: t.dialer,
    mode,
    clients: 5,
    messages,
    timeoutS: 60,
    ...(room !== undefined ? { room } : {}),
    ...(operatorPassword !== undefined ? { operatorPassword } : {}),
  });
}

for (const flood of ["off", "default"] as const) {
  e2e(
    `two bench runs and a chatting user share a server (flood limit ${flood}) without seeing each other's traffic`,
    (t) => twoRunsAndAUser(t, flood),
  );
}

/**
 * Two runs at once (one an operator) beside a netcat user who chats; with the server's default
 * flood limit (a server started as `chat serve` is) both runs pace themselves to it.
 */
async function twoRunsAndAUser(t: Transport, flood: "off" | "default"): Promise<void> {
  const server = startServer(t, {
    ...(flood === "off" ? { flood: null } : {}),
    teacherPassword: "pw",
  });
  try {
    const nc = await Raw.open(server);
    await nc.write("ana\n");
    await waitFor("ana in", () => nc.text.includes("Welcome"));
    const chatting = (async () => {
      // (Within the flood limit, when there is one.)
      for (let i = 0; i < (flood === "off" ? 20 : 8); i++) {
        await nc.write(`MSG conversa ${i}\n`);
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    // At the default limit (10 per 5 s) 20 messages each take 5 s.
    const messages = flood === "off" ? 30 : 20;
    const [a, b] = await Promise.all([
      runBench(params(t, server, "gbn", benchRoomName(), messages, "pw")),
      runBench(params(t, server, "text", benchRoomName(), messages)),
      chatting,
    ]);
    for (const r of [a!, b!]) {
      assert.equal(r.status, "complete", `${r.mode}: ${r.problems.join("; ")}`);
      assert.equal(r.deliveries, 5 * messages * 4, r.mode);
      assert.deepEqual([r.lost, r.duplicated, r.outOfOrder, r.refused], [0, 0, 0, 0], r.mode);
      if (flood === "default") assert.match(r.pacedTo ?? "", /10 messages per 5 s per user/);
    }
    assert.ok(a!.server !== null, "an operator's STATS has the server's CPU");
    assert.equal(b!.server, null, "without the password the bench gets no CPU figures");
    await new Promise((r) => setTimeout(r, 100));
    const seen = nc.text.split("\n").filter((l) => l !== "" && !/^(200 OK|Message sent)/.test(l));
    assert.deepEqual(seen.filter((l) => !l.startsWith("Welcome")), [], "ana saw nothing of them");
    assert.equal(server.lobby.rooms.size, 1, "the bench rooms are gone");
    nc.conn.close();
    await nc.done;
  } finally {
    await server.shutdown("test over", 1000);
  }
}

Deno.test("bench against a server without rooms runs in its one room", async () => {
  const fake = new FakeChatServer({});
  try {
    const r = await runBench(runParams(fake.port, { room: "bench-00000000" }));
    assert.equal(r.status, "complete", r.problems.join("; "));
    assert.equal(r.deliveries, 3 * 5 * 2);
  } finally {
    await fake.close();
  }
});
