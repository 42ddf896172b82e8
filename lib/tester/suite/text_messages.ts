/**
 * Seed 000 commands: MSG reaches everyone else exactly once and in order, UTF-8 and long lines
 * intact; LIST names the users; errors have their codes (400, 404).
 * @module
 */

import type { TestSpec } from "../spec.ts";
import { command, expectNone, expectOnce, PORTUGUESE, SETTLE_MS, users } from "./helpers.ts";

/** Chat text of `bytes` UTF-8 bytes (Portuguese words), ending in `token`. */
export function longText(bytes: number, token: string): string {
  const words = "Olá ação coração pão canção não ";
  let text = "";
  const enc = new TextEncoder();
  while (enc.encode(text + words).length + token.length + 1 <= bytes) text += words;
  while (enc.encode(text).length + token.length + 1 < bytes) text += "x";
  return `${text} ${token}`;
}

/** MSG, LIST and error tests of the seed 000 text protocol. */
export const TEXT_MESSAGES: readonly TestSpec[] = [
  {
    id: "text/msg/200-ok",
    level: "text",
    section: "Client to server",
    rule: "MSG <text> is answered with status 200.",
    async run(t) {
      const [a] = await users(t, "ana");
      await command(t, a!, `MSG ${t.token()}`, 200, "MSG");
    },
  },
  {
    id: "text/msg/broadcast-once",
    level: "text",
    section: "Client to server",
    rule: "MSG goes to every other user exactly once, and not back to the sender.",
    async run(t) {
      const [a, b, c] = await users(t, "ana", "bia", "caio");
      const tok = t.token();
      const marks = [a!.mark(), b!.mark(), c!.mark()] as const;
      await command(t, a!, `MSG ${tok}`, 200, "MSG");
      await expectOnce(
        t,
        tok,
        [{ client: b!, since: marks[1] }, { client: c!, since: marks[2] }],
        "the message",
      );
      expectNone(t, tok, a!, marks[0], "its own message");
    },
  },
  {
    id: "text/msg/order",
    level: "text",
    section: "Client to server",
    rule: "Messages from one user reach the others in the order they were sent.",
    async run(t) {
      const [a, b] = await users(t, "ana", "bia");
      const since = b!.mark();
      const tokens = Array.from({ length: 5 }, () => t.token());
      for (const tok of tokens) await command(t, a!, `MSG ${tok}`, 200, "MSG");
      await t.received(b!, tokens[4]!, since);
      await t.sleep(SETTLE_MS);
      const text = b!.received.text.slice(since);
      const at = tokens.map((tok) => text.indexOf(tok));
      const missing = at.findIndex((i) => i < 0);
      if (missing >= 0) t.fail(`bia never received message ${missing + 1} of 5`);
      for (const tok of tokens) {
        const n = b!.received.count(tok, since);
        t.check(n === 1, `bia received one message ${n} times, expected once`);
      }
      for (let i = 1; i < at.length; i++) {
        t.check(at[i]! > at[i - 1]!, `bia received message ${i + 1} before message ${i}`);
      }
    },
  },
  {
    id: "text/msg/utf8",
    level: "text",
    section: "Client to server",
    rule: "Chat text is UTF-8: accents, cedillas and tildes arrive unchanged.",
    async run(t) {
      const [a, b] = await users(t, "ana", "bia");
      const text = `${PORTUGUESE} ${t.token()}`;
      const since = b!.mark();
      await command(t, a!, `MSG ${text}`, 200, "MSG with accents");
      const n = await t.received(b!, text, since);
      if (n === 0) {
        const got = b!.received.text.slice(since).slice(0, 100);
        t.fail(`bia did not receive the text unchanged; got ${JSON.stringify(got)}`);
      }
    },
  },
  {
    id: "text/msg/long-line",
    level: "text",
    section: "Client to server",
    rule: "A 3000-byte message (more than one 1024-byte read) arrives whole, as one message.",
    async run(t) {
      const [a, b] = await users(t, "ana", "bia");
      const tok = t.token();
      const text = longText(3000, tok);
      const since = b!.mark();
      const asked = a!.mark();
      await command(t, a!, `MSG ${text}`, 200, "the 3000-byte MSG");
      await t.received(b!, tok, since);
      await t.sleep(SETTLE_MS);
      const n = b!.received.count(text, since);
      if (n === 1) return;
      const replies = a!.received.statuses(asked).length;
      t.fail(
        n === 0
          ? `bia did not receive the 3000-byte message whole (ana got ${replies} replies to it)`
          : `bia received the long message ${n} times`,
      );
    },
  },
  {
    id: "text/msg/400-empty",
    level: "text",
    section: "Status codes",
    rule: "MSG without text is refused with status 400 (Bad Request).",
    async run(t) {
      const [a] = await users(t, "ana");
      await command(t, a!, "MSG", 400, "MSG without text");
    },
  },
  {
    id: "text/command/404-unknown",
    level: "text",
    section: "Status codes",
    rule: "An unknown command (TESTE) is answered with status 404 (Not Found).",
    async run(t) {
      const [a] = await users(t, "ana");
      await command(t, a!, "TESTE", 404, "the unknown command TESTE");
    },
  },
  {
    id: "text/list/200-users",
    level: "text",
    section: "Client to server",
    rule: "LIST is answered with status 200 and names every user online.",
    async run(t) {
      const [a] = await users(t, "ana", "bia");
      const since = a!.mark();
      await command(t, a!, "LIST", 200, "LIST");
      const wanted = [t.nick("ana"), t.nick("bia")];
      const all = await a!.received.wait(
        () => wanted.every((n) => a!.received.text.includes(n, since)) || undefined,
        t.replyMs,
        t.signal,
      );
      if (!all) {
        const missing = wanted.filter((n) => !a!.received.text.includes(n, since));
        t.fail(`The LIST reply does not name ${missing.join(" and ")}`);
      }
    },
  },
];
