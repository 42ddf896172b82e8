/**
 * A person at netcat: the prompt stays exactly `NICK` (the seed 000 client compares its whole
 * read with it), a person who says nothing for a few seconds more is told what to type, and
 * blank lines (Enter pressed twice) are no command: ignored before and after registration,
 * never `Unknown command:` with nothing after it, never a closed connection.
 */

import assert from "node:assert/strict";
import { SERVER_TEXT } from "../lib/chat/messages.ts";
import { e2e, Raw, waitFor, withServer } from "./support/e2e.ts";

const HINT_MS = 300;

e2e(
  "a silent connection gets NICK alone, then the nickname hint on a line of its own",
  (t) =>
    withServer(t, { nickHintMs: HINT_MS }, async (server) => {
      const nc = await Raw.open(server);
      await waitFor("the prompt", () => nc.text.length >= 4);
      assert.equal(nc.text, "NICK", "the prompt is exactly those four bytes");
      await new Promise((r) => setTimeout(r, HINT_MS / 3));
      assert.equal(nc.text, "NICK", "nothing else right after the prompt");
      await waitFor("the hint", () => nc.text.length > 4, 5000);
      assert.equal(nc.text, `NICK${SERVER_TEXT.nickHint}`);
      assert.ok(SERVER_TEXT.nickHint.startsWith("\n"), "not typed onto NICK");
      await nc.write("davi\n");
      await waitFor("the welcome", () => nc.text.includes("Welcome, davi!"));
      await nc.close();
    }),
);

e2e(
  "a client that answers NICK at once (the seed 000 client) never sees the hint",
  (t) =>
    withServer(t, { nickHintMs: HINT_MS }, async (server) => {
      const seed = await Raw.open(server);
      await waitFor("the prompt", () => seed.text === "NICK");
      await seed.write("ana"); // the seed client's nickname: no newline
      await waitFor("the welcome", () => seed.text.includes("Welcome, ana!"));
      await new Promise((r) => setTimeout(r, HINT_MS * 2));
      assert.ok(!seed.text.includes(SERVER_TEXT.nickHint.trim()), seed.text);
      assert.ok(seed.text.startsWith("NICK200 OK - Connected\n"), seed.text);
      await seed.close();
    }),
);

e2e(
  "blank lines are ignored: a blank first line gets the hint, not a 400 and a closed connection",
  (t) =>
    withServer(t, { nickHintMs: 60_000 }, async (server) => {
      const nc = await Raw.open(server);
      await waitFor("the prompt", () => nc.text === "NICK");
      await nc.write("\n");
      await waitFor("the hint", () => nc.text.length > 4);
      assert.equal(nc.text, `NICK${SERVER_TEXT.nickHint}`);
      await nc.write("   \r\n\t\n"); // more blank lines: the hint is not repeated
      await nc.write("bia\n");
      await waitFor("the welcome", () => nc.text.includes("Welcome, bia!"));
      assert.equal(nc.text.split(SERVER_TEXT.nickHint).length, 2, "one hint");
      assert.ok(!nc.closed);
      // Registered: blank lines get no answer at all; the next command's reply comes next.
      const before = nc.text.length;
      await nc.write("\n\n  \nLIST\n");
      await waitFor("the list", () => nc.text.includes("User List"));
      assert.equal(nc.text.slice(before), "200 OK - User List\nbia\n");
      assert.ok(!nc.text.includes("Unknown command"), nc.text);
      await nc.close();
    }),
);
