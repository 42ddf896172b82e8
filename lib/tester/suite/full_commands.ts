/**
 * This project's commands and chat rules beyond seed 000: the chat line format, refused text
 * (control characters, too long), CRLF, case-insensitive verbs, WHO, NICK, PRIV, HELP, STATS,
 * join/leave notices and the flood limit.
 * @module
 */

import type { TestSpec } from "../spec.ts";
import { bodyOf, command, expectNone, expectOnce, SETTLE_MS, users } from "./helpers.ts";
import { longText } from "./text_messages.ts";

/** Command tests of the full text protocol. */
export const FULL_COMMANDS: readonly TestSpec[] = [
  {
    id: "full/msg/chat-line-format",
    level: "full",
    section: "Server to client, unsolicited",
    rule: "A chat message reaches the others as the line [nick]: text.",
    async run(t) {
      const [a, b] = await users(t, "ana", "bia");
      const tok = t.token();
      const since = b!.mark();
      await command(t, a!, `MSG ${tok}`, 200, "MSG");
      const line = `[${t.nick("ana")}]: ${tok}\n`;
      const n = await t.received(b!, line, since);
      if (n === 0) {
        const got = b!.received.text.slice(since);
        const at = got.indexOf(tok);
        const shown = at < 0
          ? "nothing with the token"
          : JSON.stringify(got.slice(Math.max(0, at - 30), at + tok.length + 2));
        t.fail(`bia should get the line ${JSON.stringify(line)}, got ${shown}`);
      }
    },
  },
  {
    id: "full/msg/400-control-characters",
    level: "full",
    section: "Rules",
    rule:
      "Chat text with control characters (an escape sequence, a bidi override) is refused with 400.",
    async run(t) {
      const [a, b] = await users(t, "ana", "bia");
      const since = b!.mark();
      const tokens: string[] = [];
      for (
        const [what, bad] of [["an ESC sequence", "\x1b[31m"], [
          "a right-to-left override",
          "\u202e",
        ]]
      ) {
        const tok = t.token();
        tokens.push(tok);
        await command(t, a!, `MSG ${bad}${tok}`, 400, `MSG with ${what}`);
      }
      await t.sleep(SETTLE_MS);
      for (const tok of tokens) expectNone(t, tok, b!, since, "a refused message");
    },
  },
  {
    id: "full/msg/413-too-long",
    level: "full",
    section: "Status codes",
    rule:
      "Chat text over 32768 bytes is refused with 413, not broadcast, and the sender stays served.",
    async run(t) {
      const [a, b] = await users(t, "ana", "bia");
      const tok = t.token();
      const since = b!.mark();
      await command(t, a!, `MSG ${longText(40000, tok)}`, 413, "a 40000-byte MSG");
      await command(t, a!, "LIST", 200, "LIST after the refused message");
      expectNone(t, tok, b!, since, "the refused 40000-byte message");
    },
  },
  {
    id: "full/msg/crlf",
    level: "full",
    section: "The application protocol",
    rule: "A line may end in \\r\\n; the \\r is not part of the text.",
    async run(t) {
      const [a, b] = await users(t, "ana", "bia");
      const tok = t.token();
      const since = b!.mark();
      const asked = a!.mark();
      await a!.write(`MSG ${tok}\r\n`);
      await t.expectStatus(a!, asked, 200, "MSG ending in \\r\\n");
      await t.received(b!, tok, since);
      const text = b!.received.text.slice(since);
      t.check(
        text.includes(`${tok}\n`) && !text.includes(`${tok}\r`),
        `bia got the text with its \\r: ${JSON.stringify(text.slice(-60))}`,
      );
    },
  },
  {
    id: "full/msg/case-insensitive-verbs",
    level: "full",
    section: "Client to server",
    rule: "Verbs are case-insensitive: msg and list work like MSG and LIST.",
    async run(t) {
      const [a, b] = await users(t, "ana", "bia");
      const tok = t.token();
      const since = b!.mark();
      await command(t, a!, `msg ${tok}`, 200, "msg (lower case)");
      await expectOnce(t, tok, [{ client: b!, since }], "the lower-case msg");
      await command(t, a!, "list", 200, "list (lower case)");
    },
  },
  {
    id: "full/list/who-alias",
    level: "full",
    section: "Client to server",
    rule: "WHO is another name for LIST.",
    async run(t) {
      const [a] = await users(t, "ana", "bia");
      const list = await bodyOf(t, a!, await command(t, a!, "WHO", 200), "WHO");
      for (const n of [t.nick("ana"), t.nick("bia")]) {
        t.check(list.includes(n), `WHO does not name ${n}: ${list}`);
      }
    },
  },
  {
    id: "full/nick/rename",
    level: "full",
    section: "Client to server",
    rule:
      "NICK <name> renames: 200, a notice to the others, new chat lines and LIST use the new name.",
    async run(t) {
      const [a, b] = await users(t, "ana", "bia");
      const [old, now] = [t.nick("ana"), t.nick("anabela")];
      const since = b!.mark();
      await command(t, a!, `NICK ${now}`, 200, `NICK ${now}`);
      const notice = await b!.received.wait(
        () => noticeWith(b!.received.text.slice(since), [old, now]),
        t.replyMs,
        t.signal,
      );
      t.check(notice !== undefined, `bia got no notice (*** ...) naming ${old} and ${now}`);
      const tok = t.token();
      await command(t, a!, `MSG ${tok}`, 200, "MSG after NICK");
      const n = await t.received(b!, `[${now}]: ${tok}`, since);
      t.check(n === 1, `The chat line after NICK is not signed [${now}]`);
      const list = await bodyOf(t, b!, await command(t, b!, "LIST", 200), "LIST");
      t.check(
        list.includes(now) && !list.includes(old),
        `LIST after NICK should name ${now}, not ${old}: ${list}`,
      );
    },
  },
  {
    id: "full/nick/409-taken",
    level: "full",
    section: "Status codes",
    rule: "NICK to a name someone else has gets 409; the user keeps its name and its connection.",
    async run(t) {
      const [a] = await users(t, "ana", "bia");
      await command(
        t,
        a!,
        `NICK ${t.nick("BIA")}`,
        409,
        `NICK ${t.nick("BIA")} (taken by ${t.nick("bia")})`,
      );
      const list = await bodyOf(t, a!, await command(t, a!, "LIST", 200), "LIST");
      t.check(list.includes(t.nick("ana")), `ana lost its name after a refused NICK: ${list}`);
    },
  },
  {
    id: "full/priv/deliver",
    level: "full",
    section: "Server to client, unsolicited",
    rule: "PRIV <nick> <text> reaches only that user, as [from -> to]: text; the sender gets 200.",
    async run(t) {
      const [a, b, c] = await users(t, "ana", "bia", "caio");
      const tok = t.token();
      const marks = [a!.mark(), b!.mark(), c!.mark()];
      await command(t, a!, `PRIV ${t.nick("bia")} ${tok}`, 200, "PRIV");
      const line = `[${t.nick("ana")} -> ${t.nick("bia")}]: ${tok}`;
      await expectOnce(
        t,
        line,
        [{ client: b!, since: marks[1]! }],
        `the private line ${JSON.stringify(line)}`,
      );
      expectNone(t, tok, c!, marks[2]!, "a private message for bia");
      expectNone(t, tok, a!, marks[0]!, "its own private message");
    },
  },
  {
    id: "full/priv/404-unknown",
    level: "full",
    section: "Status codes",
    rule: "PRIV to a nickname nobody has gets 404.",
    async run(t) {
      const [a] = await users(t, "ana");
      await command(t, a!, `PRIV ${t.nick("ninguem")} ${t.token()}`, 404, "PRIV to nobody");
    },
  },
  {
    id: "full/help/one-line",
    level: "full",
    section: "Client to server",
    rule: "HELP gets 200 and one line naming the commands (MSG, LIST, QUIT at least).",
    async run(t) {
      const [a] = await users(t, "ana");
      const body = await bodyOf(t, a!, await command(t, a!, "HELP", 200), "HELP");
      for (const verb of ["MSG", "LIST", "QUIT"]) {
        t.check(body.includes(verb), `HELP does not name ${verb}: ${body}`);
      }
    },
  },
  {
    id: "full/stats/json",
    level: "full",
    section: "Client to server",
    rule: "STATS gets 200 and one line of JSON with the number of users.",
    async run(t) {
      const [a] = await users(t, "ana");
      const body = await bodyOf(t, a!, await command(t, a!, "STATS", 200), "STATS");
      let facts: unknown;
      try {
        facts = JSON.parse(body);
      } catch {
        t.fail(`The STATS body is not JSON: ${body.slice(0, 80)}`);
      }
      const online = (facts as { users?: unknown } | null)?.users;
      t.check(
        typeof online === "number" && online >= 1,
        `The STATS JSON has no "users" count of at least 1: ${body.slice(0, 80)}`,
      );
    },
  },
  {
    id: "full/notice/join-leave",
    level: "full",
    section: "Server to client, unsolicited",
    rule: "Others see a notice (*** ...) when a user joins and when it leaves.",
    async run(t) {
      const [a] = await users(t, "ana");
      const since = a!.mark();
      const b = await t.user("bia");
      const nick = t.nick("bia");
      const joined = await a!.received.wait(
        () => noticeWith(a!.received.text.slice(since), [nick]),
        t.replyMs,
        t.signal,
      );
      t.check(joined !== undefined, `ana got no notice (*** ...) naming ${nick} when it joined`);
      const after = a!.mark();
      await command(t, b, "QUIT", 200, "QUIT");
      const left = await a!.received.wait(
        () => noticeWith(a!.received.text.slice(after), [nick]),
        t.replyMs,
        t.signal,
      );
      t.check(left !== undefined, `ana got no notice (*** ...) naming ${nick} when it left`);
    },
  },
  {
    id: "full/flood/429-after-burst",
    level: "full",
    section: "Rules",
    rule:
      "The flood limit (default 10 messages per 5 s): the 11th quick MSG gets 429 and is not broadcast.",
    required: false,
    async run(t) {
      const [a, b] = await users(t, "ana", "bia");
      const since = b!.mark();
      const sent: { tok: string; code: number }[] = [];
      for (let i = 0; i < 12; i++) {
        const tok = t.token();
        const s = await t.status(a!, await mark(a!, `MSG ${tok}`), `MSG ${i + 1} of 12`);
        sent.push({ tok, code: s.code });
      }
      const limited = sent.filter((s) => s.code === 429);
      t.check(
        limited.length > 0,
        `12 messages in a row all got ${
          [...new Set(sent.map((s) => s.code))].join("/")
        }: no flood limit (is it off?)`,
      );
      await t.sleep(SETTLE_MS);
      for (const s of sent) {
        const n = b!.received.count(s.tok, since);
        if (s.code === 429) t.check(n === 0, "A message refused with 429 was broadcast anyway");
        else if (s.code === 200) {
          t.check(n === 1, `A message accepted with 200 reached bia ${n} times`);
        }
      }
      return `${limited.length} of 12 refused with 429`;
    },
  },
];

/** Sends `line` on `c` and returns the mark before it. */
async function mark(
  c: { mark(): number; send(line: string): Promise<boolean> },
  line: string,
): Promise<number> {
  const m = c.mark();
  await c.send(line);
  return m;
}

/** The first notice line (`*** ...`) in `text` that contains every one of `words`. */
function noticeWith(text: string, words: readonly string[]): string | undefined {
  return text.split("\n").find((l) => l.startsWith("*** ") && words.every((w) => l.includes(w)));
}
