/**
 * A session the server ends in the middle of a run ends the run at once, with the server's
 * reason (a binary session's RST carries it), instead of leaving the run to its deadline.
 */

import assert from "node:assert/strict";
import { runBench } from "../lib/bench/run.ts";
import type { ChatServer } from "../lib/server/server.ts";
import { e2e, startServer } from "./support/e2e.ts";
import { runParams } from "./support/bench_fixtures.ts";

/** Resets the session of the first member of a room, with `reason`. */
function resetOneBenchClient(server: ChatServer, reason: string): boolean {
  for (const room of server.lobby.rooms.all()) {
    for (const m of room.members()) {
      const session = m.client as unknown as { drop?: (reason: string) => void };
      if (session.drop === undefined) return false;
      session.drop(reason);
      return true;
    }
  }
  return false;
}

for (const mode of ["gbn", "text"] as const) {
  e2e(
    `bench (${mode}): a session the server resets ends the run at once with its reason`,
    async (t) => {
      const server = startServer(t, { flood: null, limits: "off" });
      try {
        let reset = false;
        const started = performance.now();
        const result = await runBench(runParams(server.addr.port, {
          dialer: t.dialer,
          mode,
          clients: 3,
          messages: 100_000,
          timeoutS: 60,
          onProgress: (done) => {
            if (!reset && done > 1000) reset = resetOneBenchClient(server, "too slow: a test");
          },
        }));
        const took = performance.now() - started;
        assert.ok(reset, "a bench client was reset mid-run");
        assert.equal(result.status, "failed");
        // The binary protocol's RST carries the reason; a text connection is only closed.
        const why = mode === "text" ? /connection closed by the server/ : /too slow: a test/;
        assert.match(result.problems.join("; "), /the server ended a session: /);
        assert.match(result.problems.join("; "), why);
        assert.ok(took < 20_000, `the run ended after ${Math.round(took)} ms, not at its deadline`);
      } finally {
        await server.shutdown("test over", 1000);
      }
    },
  );
}
