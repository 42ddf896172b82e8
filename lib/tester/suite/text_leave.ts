/**
 * Leaving: QUIT is answered and the connection closed, and the server keeps serving everyone
 * else after a client quits or vanishes mid-line (the seed 000 server froze after the first
 * user left: a lock taken twice).
 * @module
 */

import type { TestContext } from "../context.ts";
import type { TestSpec } from "../spec.ts";
import type { TextClient } from "../text_client.ts";
import { bodyOf, command, expectOnce, users } from "./helpers.ts";

/** How long a server may take to close a connection after QUIT. */
const CLOSE_MS = 2000;

/**
 * The checks after someone left: each of `stay` still gets LIST answered (without `gone`), a
 * newcomer can register, and a message from the first reaches the others.
 */
async function stillServed(t: TestContext, stay: TextClient[], gone: string): Promise<void> {
  for (const c of stay) {
    const what = `LIST from ${c.name} after ${gone} left`;
    const list = await bodyOf(t, c, await command(t, c, "LIST", 200, what), what);
    t.check(!list.includes(t.nick(gone)), `LIST still names ${gone} after it left: ${list}`);
  }
  const newcomer = await t.user("duda");
  const tok = t.token();
  const others = [...stay.slice(1), newcomer].map((client) => ({ client, since: client.mark() }));
  await command(t, stay[0]!, `MSG ${tok}`, 200, `MSG from ${stay[0]!.name} after ${gone} left`);
  await expectOnce(t, tok, others, `the message sent after ${gone} left`);
}

/** Leave tests of the seed 000 text protocol. */
export const TEXT_LEAVE: readonly TestSpec[] = [
  {
    id: "text/quit/200-and-close",
    level: "text",
    section: "Client to server",
    rule: "QUIT is answered with status 200, then the server closes the connection.",
    async run(t) {
      const [a] = await users(t, "ana");
      await command(t, a!, "QUIT", 200, "QUIT");
      const closed = await a!.waitServerClose(CLOSE_MS, t.signal);
      t.check(closed, `The server did not close the connection within ${CLOSE_MS} ms of QUIT`);
    },
  },
  {
    id: "text/quit/others-still-served",
    level: "text",
    section: "Client to server",
    rule: "After one user QUITs, the others are still answered and a new user can join.",
    async run(t) {
      const [a, b, c] = await users(t, "ana", "bia", "caio");
      await command(t, a!, "QUIT", 200, "QUIT");
      await a!.waitServerClose(CLOSE_MS, t.signal);
      await stillServed(t, [b!, c!], "ana");
    },
  },
  {
    id: "text/leave/vanish-mid-line",
    level: "text",
    section: "Rules",
    rule:
      "A client that vanishes in the middle of a line is cleaned up; everyone else is still served.",
    async run(t) {
      // The one who vanishes joins first: a server that drops the wrong connection shows it.
      const [v] = await users(t, "vito");
      const [a, b] = await users(t, "ana", "bia");
      await v!.write("MSG meia li");
      await v!.close("vanishes in the middle of a line");
      await t.sleep(300);
      await stillServed(t, [a!, b!], "vito");
    },
  },
];
