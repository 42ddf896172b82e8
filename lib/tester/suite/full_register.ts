/**
 * This project's registration rules beyond seed 000: the prompt comes alone, replies have the
 * shape status line + one body line, nicknames are Unicode, NFC-normalised and unique without
 * regard to case, and a refused nickname closes the connection.
 * @module
 */

import type { TestSpec } from "../spec.ts";
import { bodyOf, command, users } from "./helpers.ts";

/** A history line replayed on joining a room (PROTOCOL.md). */
const HISTORY_LINE = /^\(\d\d:\d\d:\d\d\) /;

/** How long a server may take to close a refused connection. */
const CLOSE_MS = 2000;

/** Registration tests of the full text protocol. */
export const FULL_REGISTER: readonly TestSpec[] = [
  {
    id: "full/register/prompt-alone",
    level: "full",
    section: "The `chat` protocols",
    rule: "The prompt is exactly the four bytes NICK, with nothing else before the nickname.",
    async run(t) {
      const c = await t.text("ana");
      await t.sleep(600);
      const r = c.received;
      t.check(
        r.prompted,
        () => `No NICK prompt within 600 ms (got ${JSON.stringify(r.text.slice(0, 40))})`,
      );
      t.check(
        r.text === "",
        () =>
          `After NICK the server sent ${JSON.stringify(r.text.slice(0, 60))} before any nickname`,
      );
    },
  },
  {
    id: "full/reply/status-and-body",
    level: "full",
    section: "Client to server",
    rule:
      "Every reply is a status line (NNN Reason) and exactly one body line, each ending in \\n.",
    async run(t) {
      const [a] = await users(t, "ana");
      for (const line of [`MSG ${t.token()}`, "LIST", "TESTE"]) {
        const s = await command(t, a!, line, line === "TESTE" ? 404 : 200);
        await bodyOf(t, a!, s, line);
      }
      // One client alone: nothing but the four replies may have arrived.
      await t.sleep(100);
      const text = a!.received.text;
      t.check(
        text.endsWith("\n"),
        () => `The last reply does not end in \\n: ${JSON.stringify(text.slice(-40))}`,
      );
      // History lines of the room (`(HH:MM:SS) ...`, PROTOCOL.md) come unasked after the welcome.
      const lines = text.slice(0, -1).split("\n").filter((l) => !HISTORY_LINE.test(l));
      t.check(
        lines.length === 8,
        () =>
          `Four replies came as ${lines.length} lines, expected 8 (status + body each): ${
            JSON.stringify(text.slice(0, 160))
          }`,
      );
      lines.forEach((l, i) => {
        const isStatus = /^\d{3} \S/.test(l);
        if (i % 2 === 0) {
          t.check(isStatus, `Line ${i + 1} should be a status line: ${JSON.stringify(l)}`);
        } else {t.check(
            !isStatus,
            `Line ${i + 1} should be a body line, not a second status: ${JSON.stringify(l)}`,
          );}
      });
    },
  },
  {
    id: "full/reply/reason-phrases",
    level: "full",
    section: "Status codes",
    rule: "Status lines carry the standard reason phrase: 200 OK, 400 Bad Request, 404 Not Found.",
    required: false,
    async run(t) {
      const [a] = await users(t, "ana");
      for (
        const [line, code, phrase] of [["LIST", 200, "OK"], ["MSG", 400, "Bad Request"], [
          "TESTE",
          404,
          "Not Found",
        ]] as const
      ) {
        const s = await command(t, a!, line, code);
        const got = a!.received.lineAt(s.offset);
        t.check(
          got.startsWith(`${code} ${phrase}`),
          `The status line ${JSON.stringify(got)} should start with "${code} ${phrase}"`,
        );
      }
    },
  },
  {
    id: "full/register/409-duplicate",
    level: "full",
    section: "Rules",
    rule: "A nickname already in use, in any letter case, gets 409 and the connection is closed.",
    async run(t) {
      const [a] = await users(t, "ana");
      const b = await t.prompted("ana2");
      const since = b.mark();
      await b.send(t.nick("ana").toUpperCase());
      await t.expectStatus(
        b,
        since,
        409,
        `registering ${t.nick("ana").toUpperCase()} while ${t.nick("ana")} is online`,
      );
      t.check(
        await b.waitServerClose(CLOSE_MS, t.signal),
        `The connection was not closed within ${CLOSE_MS} ms of the 409`,
      );
      await command(t, a!, "LIST", 200, "LIST from the first ana");
    },
  },
  {
    id: "full/register/400-invalid",
    level: "full",
    section: "Rules",
    rule: "An invalid nickname (a space, a !) gets 400 and the connection is closed.",
    async run(t) {
      const c = await t.prompted("bad");
      const since = c.mark();
      await c.send("bad nick!");
      await t.expectStatus(c, since, 400, `registering "bad nick!"`);
      t.check(
        await c.waitServerClose(CLOSE_MS, t.signal),
        `The connection was not closed within ${CLOSE_MS} ms of the 400`,
      );
    },
  },
  {
    id: "full/register/utf8-nickname",
    level: "full",
    section: "Rules",
    rule: "Nicknames are Unicode letters: João can register, is listed and signs chat lines.",
    async run(t) {
      const [j, b] = await Promise.all([t.user("joão"), t.user("bia")]);
      const nick = t.nick("joão");
      const list = await bodyOf(t, b, await command(t, b, "LIST", 200), "LIST");
      t.check(list.includes(nick), `LIST does not name ${nick}: ${list}`);
      const tok = t.token();
      const since = b.mark();
      await command(t, j, `MSG ${tok}`, 200, "MSG");
      const n = await t.received(b, `[${nick}]: ${tok}`, since);
      t.check(n === 1, `bia did not get the chat line "[${nick}]: ${tok}"`);
    },
  },
  {
    id: "full/register/nfc-unique",
    level: "full",
    section: "Rules",
    rule: "Nicknames are normalised to NFC: a decomposed João is listed as João and taken for it.",
    async run(t) {
      const nfc = t.nick("joão");
      const nfd = nfc.normalize("NFD");
      const j = await t.user("joão", nfd);
      const list = await bodyOf(t, j, await command(t, j, "LIST", 200), "LIST");
      t.check(
        list.includes(nfc),
        `LIST should show the NFC form of the decomposed nickname: ${JSON.stringify(list)}`,
      );
      const other = await t.prompted("joão2");
      const since = other.mark();
      await other.send(nfc);
      await t.expectStatus(
        other,
        since,
        409,
        `registering ${nfc} (NFC) while its NFD form is online`,
      );
    },
  },
];
