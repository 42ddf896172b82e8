/**
 * Seed 000 registration: the `NICK` prompt, then a nickname answered with status 200.
 * @module
 */

import type { TestSpec } from "../spec.ts";

/** Registration tests of the seed 000 text protocol. */
export const TEXT_REGISTER: readonly TestSpec[] = [
  {
    id: "text/register/nick-prompt",
    level: "text",
    section: "The `chat` protocols",
    rule: "A client that stays silent gets the text prompt NICK (within 150 ms, waited for 2 s).",
    async run(t) {
      const c = await t.text("ana");
      const start = performance.now();
      const r = c.received;
      await r.wait(() => r.prompted || r.text.length > 0 || undefined, 2000, t.signal);
      if (!r.prompted) {
        t.fail(
          r.text === ""
            ? "No NICK prompt within 2000 ms of connecting"
            : `The server's first bytes were ${JSON.stringify(r.text.slice(0, 40))}, not NICK`,
        );
      }
      return `NICK after ${Math.round(performance.now() - start)} ms`;
    },
  },
  {
    id: "text/register/200-connected",
    level: "text",
    section: "Client to server",
    rule: "The first line a client sends is its nickname, answered with status 200.",
    async run(t) {
      await t.user("ana");
    },
  },
];
