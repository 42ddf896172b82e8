/**
 * Framing of the text protocol: commands are lines, so two of them in one write are two
 * commands (the seed 000 server took one read for one command and merged them).
 * @module
 */

import type { TestSpec } from "../spec.ts";
import { users } from "./helpers.ts";

/** Framing tests of the seed 000 text protocol. */
export const TEXT_FRAMING: readonly TestSpec[] = [
  {
    id: "text/framing/two-commands-one-write",
    level: "text",
    section: "The application protocol",
    rule:
      "Two commands sent back to back in one write are two commands: two replies, two messages.",
    async run(t) {
      const [a, b] = await users(t, "ana", "bia");
      const [t1, t2] = [t.token(), t.token()];
      const asked = a!.mark();
      const since = b!.mark();
      await a!.write(`MSG ${t1}\nMSG ${t2}\n`);
      const replies = await t.statuses(a!, asked, 2);
      t.check(
        replies.length === 2,
        () =>
          `One write of two MSG lines got ${replies.length} replies, expected 2 (lines merged?)`,
      );
      t.check(
        replies.every((r) => r.code === 200),
        () => `Replies ${replies.map((r) => r.code).join(", ")}, expected 200, 200`,
      );
      for (const [i, tok] of [t1, t2].entries()) {
        const n = await t.received(b!, `: ${tok}`, since);
        t.check(
          n >= 1,
          `bia did not receive message ${i + 1} of the two as a chat line of its own`,
        );
      }
    },
  },
];
