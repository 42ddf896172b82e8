/**
 * `chat join` in a pipe: a refused nickname ends it with the server's reason and a non-zero exit
 * (a terminal would ask for another), a line that is just "help" shows the client's help instead
 * of becoming chat text, and `--mode ui` without a terminal is a usage error.
 */

import assert from "node:assert/strict";
import { NullLogger } from "../lib/log/logger.ts";
import { ChatServer } from "../lib/server/server.ts";
import { runChat } from "./support/live_session.ts";
import { rawClient, until } from "./support/tmux.ts";

async function withRoom(
  fn: (port: number, bia: Awaited<ReturnType<typeof rawClient>>) => Promise<void>,
) {
  const server = ChatServer.listen({ host: "127.0.0.1", port: 0, logger: new NullLogger() });
  const bia = await rawClient(server.addr.port, "bia");
  try {
    await until("bia registered", () => bia.text().includes("Welcome"));
    await fn(server.addr.port, bia);
  } finally {
    await bia.close();
    await server.shutdown("test over", 1000);
  }
}

for (const text of [true, false]) {
  Deno.test(`chat join ${text ? "--text " : ""}in a pipe exits 1 with the server's reason for a taken nickname`, () =>
    withRoom(async (port) => {
      const r = await runChat(
        ["join", `127.0.0.1:${port}`, "--nick", "BIA", ...(text ? ["--text"] : [])],
        { stdin: "hello\n" },
      );
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, /^chat join: Nickname taken: BIA$/m);
      assert.equal(r.stdout, "");
    }));
}

Deno.test("chat join in a pipe shows its help for a bare help line and sends the rest", () =>
  withRoom(async (port, bia) => {
    const r = await runChat(["join", `127.0.0.1:${port}`, "--nick", "ana"], {
      stdin: "help\n/say help\nbye\n",
    });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /\/nick NAME/);
    assert.match(r.stderr, /Type \/help for commands/);
    await until("bia gets bye", () => bia.text().includes("[ana]: bye\n"));
    const said = bia.text().split("\n").filter((l) => l.startsWith("[ana]"));
    assert.deepEqual(said, ["[ana]: help", "[ana]: bye"]);
  }));

Deno.test("chat join --mode ui without a terminal is a usage error", async () => {
  const r = await runChat(["join", "127.0.0.1:1", "--mode", "ui"]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--mode ui needs a terminal/);
});
