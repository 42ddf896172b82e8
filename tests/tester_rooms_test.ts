/**
 * The room tests can fail: a server that sends a room's chat lines to every room
 * (tests/support/broken_servers/leaks_rooms.ts, the project's server with that one mistake)
 * fails `full/rooms/broadcast-stays-in-room` and passes the other room tests; and a server
 * without rooms (the seed-level student server) still passes `--level text`, while each room
 * test fails with the reply it got.
 */

import assert from "node:assert/strict";
import { selectTests } from "../lib/tester/registry.ts";
import { runChat } from "./support/live_session.ts";

const DIR = new URL("./support/broken_servers/", import.meta.url).pathname;
const HAS_PYTHON = await new Deno.Command("python3", {
  args: ["--version"],
  stdout: "null",
  stderr: "null",
}).output().then((o) => o.success, () => false);

/** The room, action, history, operator and reconnection tests. */
const ROOM_TESTS = "full/rooms/*,full/me/*,full/history/*,full/op/*,full/reconnect/*";

interface JsonReport {
  servers: {
    name: string;
    results: { id: string; status: string; reason: string }[];
  }[];
}

/** Runs `chat test --servers` over one `name command` line; the verdicts by id. */
async function verdicts(
  line: string,
  level: string,
  only?: string,
): Promise<Map<string, { status: string; reason: string }>> {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/servers.txt`, `${line}\n`);
    const r = await runChat(
      ["test", "--servers", `${dir}/servers.txt`, "--level", level, "--json", "--out", `${dir}/m`]
        .concat(only ? ["--only", only] : []),
      { timeoutMs: 90_000 },
    );
    const [server] = (JSON.parse(r.stdout) as JsonReport).servers;
    return new Map(server!.results.map((t) => [t.id, t]));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("a server that broadcasts across rooms fails full/rooms/broadcast-stays-in-room alone", async () => {
  const got = await verdicts(
    `leaks-rooms deno run -A ${DIR}leaks_rooms.ts --port {port}`,
    "full",
    ROOM_TESTS,
  );
  assert.ok(got.size >= 9, `only ${got.size} room tests ran`);
  const failed = [...got].filter(([, v]) => v.status !== "pass").map(([id]) => id);
  assert.deepEqual(failed, ["full/rooms/broadcast-stays-in-room"]);
  assert.match(
    got.get("full/rooms/broadcast-stays-in-room")!.reason,
    /caio received a line said in sala_\w+ \(caio is in outra_\w+\)/,
  );
});

Deno.test({
  name: "a server without rooms passes --level text and fails each room test with its reply",
  ignore: !HAS_PYTHON,
  async fn() {
    const line = `student python3 ${DIR}student_server.py --port {port}`;
    const text = await verdicts(line, "text");
    assert.deepEqual(
      [...text].filter(([, v]) => v.status !== "pass"),
      [],
      "the seed-level server should pass --level text",
    );
    assert.equal(text.size, selectTests("text").length);
    const rooms = await verdicts(line, "full", ROOM_TESTS);
    for (const [id, v] of rooms) {
      assert.equal(v.status, "fail", id);
      assert.match(
        v.reason,
        /the server does not know (JOIN|OP)|got "\d{3} /,
        `${id}: ${v.reason}`,
      );
    }
  },
});
