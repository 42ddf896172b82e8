/**
 * Rooms, actions, history, the operator role and reconnection, as PROTOCOL.md's "Rooms",
 * "History", "Reconnection" and "Status codes" state them. Every test's users meet in rooms of
 * their own (named with the test's tag), so lines and users of other tests never reach them.
 * @module
 */

import type { TestContext } from "../context.ts";
import type { StatusLine } from "../received_text.ts";
import type { TestSpec } from "../spec.ts";
import type { TextClient } from "../text_client.ts";
import { bodyOf, command, expectNone, expectOnce, SETTLE_MS, users } from "./helpers.ts";

/** The history a room keeps by default (PROTOCOL.md "History": the last 20 lines). */
const DEFAULT_HISTORY = 20;
/** A resume token: 32 hexadecimal digits (PROTOCOL.md "Reconnection"). */
const TOKEN = /^[0-9a-f]{32}$/i;

/** Room, action, history, operator and reconnection tests of the full text protocol. */
export const FULL_ROOMS: readonly TestSpec[] = [
  {
    id: "full/rooms/join-moves-user",
    level: "full",
    section: "Rooms",
    rule:
      "JOIN <room> answers 200 and moves the user: it leaves the old room's LIST and is in the new one's, alone with who is there.",
    async run(t) {
      const [a, b] = await users(t, "ana", "bia");
      const [ana, bia] = [t.nick("ana"), t.nick("bia")];
      const room = t.nick("sala");
      await joinRoom(t, a!, room);
      const lobby = await listOf(t, b!, "bia's LIST (in the default room)");
      t.check(
        !lobby.includes(ana),
        `${ana} is still in the default room's LIST: ${lobby.join(", ")}`,
      );
      t.check(lobby.includes(bia), `bia's LIST does not name bia: ${lobby.join(", ")}`);
      const alone = await listOf(t, a!, `LIST in ${room}`);
      t.check(
        alone.includes(ana) && !alone.includes(bia),
        `LIST in ${room} should name ${ana} alone: ${alone.join(", ")}`,
      );
      await joinRoom(t, b!, `#${room}`);
      const both = await listOf(t, a!, `LIST in ${room} after bia's JOIN #${room}`);
      t.check(
        both.includes(ana) && both.includes(bia),
        `JOIN #${room} should enter ${room} (the # is dropped); its LIST: ${both.join(", ")}`,
      );
    },
  },
  {
    id: "full/rooms/move-notices",
    level: "full",
    section: "Server to client, unsolicited",
    rule:
      "A user's JOIN is told to both rooms: the old one gets a notice (*** ...) naming it and the new room, the new one a notice naming it.",
    async run(t) {
      const [here, there] = [t.nick("sala"), t.nick("outra")];
      const [a, b] = await usersIn(t, here, "ana", "bia");
      const [c] = await usersIn(t, there, "caio");
      const [old, now] = [b!.mark(), c!.mark()];
      await joinRoom(t, a!, there);
      const ana = t.nick("ana");
      const left = await notice(t, b!, old, [ana, there]);
      t.check(left, `bia (in ${here}) got no notice naming ${ana} and ${there} when ana moved`);
      const joined = await notice(t, c!, now, [ana]);
      t.check(joined, `caio (in ${there}) got no notice naming ${ana} when ana came in`);
    },
  },
  {
    id: "full/rooms/look-alike-names",
    level: "full",
    section: "Rooms",
    rule:
      "Room names clash like nicknames: JOIN #SALA and JOIN with Cyrillic look-alikes enter the room sala, named as its first member spelled it.",
    async run(t) {
      const room = t.nick("sala");
      const [a, b, c] = await users(t, "ana", "bia", "caio");
      await joinRoom(t, a!, room);
      await joinRoom(t, b!, `#${room.toUpperCase()}`);
      // U+0455 CYRILLIC SMALL LETTER DZE and U+0430 CYRILLIC SMALL LETTER A for s and a.
      await joinRoom(t, c!, room.replace("sala", "\u0455\u0430l\u0430"));
      const list = await listOf(t, a!, `LIST in ${room}`);
      for (const base of ["bia", "caio"]) {
        t.check(
          list.includes(t.nick(base)),
          `${t.nick(base)} joined a look-alike of ${room} but is not in it: ${list.join(", ")}`,
        );
      }
      const body = await bodyOf(t, a!, await known(t, a!, "ROOMS", 200), "ROOMS");
      t.check(
        body.split(",").some((r) => r.trim() === `${room} (3)`),
        `ROOMS should list ${room} (3) once, as its first member spelled it: ${body.slice(0, 200)}`,
      );
    },
  },
  {
    id: "full/rooms/join-before-register",
    level: "full",
    section: "Client to server",
    rule:
      "A first line JOIN <room> answers 200 and the nickname that follows registers the user straight into that room.",
    async run(t) {
      const room = t.nick("sala");
      const c = await t.prompted("ana");
      await command(t, c, `JOIN ${room}`, 200, `JOIN ${room} as the first line`);
      await command(t, c, t.nick("ana"), 200, "the nickname after JOIN");
      const [b] = await users(t, "bia");
      await joinRoom(t, b!, room);
      const list = await listOf(t, b!, `LIST in ${room}`);
      t.check(
        list.includes(t.nick("ana")),
        `${t.nick("ana")} is not in ${room}: ${list.join(", ")}`,
      );
    },
  },
  {
    id: "full/rooms/broadcast-stays-in-room",
    level: "full",
    section: "Rooms",
    rule:
      "A line said in a room reaches each other member of that room once, and nobody in another room (nor the default one).",
    async run(t) {
      const [a, b, c, d] = await users(t, "ana", "bia", "caio", "dani");
      const [here, there] = [t.nick("sala"), t.nick("outra")];
      for (const u of [a!, b!]) await joinRoom(t, u, here);
      await joinRoom(t, c!, there);
      const marks = [a!, b!, c!, d!].map((u) => u.mark());
      const tok = t.token();
      await command(t, a!, `MSG ${tok}`, 200, `MSG in ${here}`);
      await expectOnce(t, tok, [{ client: b!, since: marks[1]! }], `the line said in ${here}`);
      expectNone(t, tok, c!, marks[2]!, `a line said in ${here} (caio is in ${there})`);
      expectNone(t, tok, d!, marks[3]!, `a line said in ${here} (dani is in the default room)`);
      expectNone(t, tok, a!, marks[0]!, "its own line");
    },
  },
  {
    id: "full/rooms/list-counts",
    level: "full",
    section: "Client to server",
    rule: "ROOMS answers 200 and one line naming every room with its number of users: name (n).",
    async run(t) {
      const [a, b, c] = await users(t, "ana", "bia", "caio");
      const [here, there] = [t.nick("sala"), t.nick("outra")];
      for (const u of [a!, b!]) await joinRoom(t, u, here);
      await joinRoom(t, c!, there);
      const body = await bodyOf(t, c!, await known(t, c!, "ROOMS", 200), "ROOMS");
      const counts = new Map(
        body.split(", ").map((item) => /^(.+) \((\d+)\)$/.exec(item.trim()))
          .filter((m) => m !== null).map((m) => [m[1]!, Number(m[2])]),
      );
      for (const [name, n] of [[here, 2], [there, 1]] as const) {
        t.check(
          counts.get(name) === n,
          `ROOMS should list ${name} (${n}): ${JSON.stringify(body.slice(0, 200))}`,
        );
      }
      t.check(counts.has("lobby"), `ROOMS does not list the default room, lobby: ${body}`);
    },
  },
  {
    id: "full/rooms/join-bad-name",
    level: "full",
    section: "Status codes",
    rule:
      "JOIN with an invalid room name (a space, punctuation, over 32 characters, an escape) gets 400 and the user stays where it was.",
    async run(t) {
      const [a] = await users(t, "ana");
      const room = t.nick("sala");
      await joinRoom(t, a!, room);
      for (
        const [what, bad] of [
          ["punctuation", `${room}!`],
          ["33 characters", "s".repeat(33)],
          ["an escape sequence", `\x1b[31m${room}`],
          ["no name", "#"],
        ]
      ) await command(t, a!, `JOIN ${bad}`, 400, `JOIN with ${what}`);
      const list = await listOf(t, a!, "LIST after the refused JOINs");
      t.check(
        list.includes(t.nick("ana")),
        `ana left ${room} after refused JOINs: ${list.join(", ")}`,
      );
      const unregistered = await t.prompted("bia");
      await command(t, unregistered, `JOIN ${room}!`, 400, "JOIN with a bad name as first line");
      await command(
        t,
        unregistered,
        t.nick("bia"),
        200,
        "the nickname after a refused JOIN (the connection stays unregistered, not closed)",
      );
    },
  },
  {
    id: "full/me/action",
    level: "full",
    section: "Server to client, unsolicited",
    rule: "ME <action> answers 200; the others in the room get the line * nick action, once.",
    async run(t) {
      const room = t.nick("sala");
      const [a, b] = await usersIn(t, room, "ana", "bia");
      const tok = t.token();
      const [mine, since] = [a!.mark(), b!.mark()];
      await known(t, a!, `ME waves ${tok}`, 200, "ME");
      const line = `\n* ${t.nick("ana")} waves ${tok}\n`;
      await t.received(b!, tok, since);
      const n = ("\n" + b!.received.text.slice(since)).split(line).length - 1;
      t.check(
        n === 1,
        () =>
          `bia should get the line ${JSON.stringify(line.trim())} once, got ${
            JSON.stringify(around(b!.received.text.slice(since), tok))
          }`,
      );
      await t.sleep(SETTLE_MS);
      t.check(b!.received.count(tok, since) === 1, "bia got the action more than once");
      expectNone(t, tok, a!, mine, "its own action");
    },
  },
  {
    id: "full/history/marked-on-join",
    level: "full",
    section: "History",
    rule:
      "A user entering a room gets, after the JOIN reply, its last 20 lines (or STATS' limits.history), in order, each after (HH:MM:SS) and a space.",
    timeoutMs: 25_000,
    async run(t) {
      const keep = await historyLimit(t);
      // One more line than the room keeps, from enough users to stay within each one's flood
      // limit (10 commands per 5 s: a JOIN and at most 8 lines each).
      const bases = Array.from({ length: Math.ceil((keep + 1) / 8) }, (_, i) => `u${i}`);
      const room = t.nick("sala");
      const speakers = await usersIn(t, room, ...bases);
      const said: string[] = [];
      for (let i = 0; i <= keep; i++) {
        const who = speakers[i % speakers.length]!;
        const tok = t.token();
        await command(t, who, `MSG ${tok}`, 200, `MSG ${i + 1} of ${keep + 1}`);
        said.push(`[${t.nick(who.name)}]: ${tok}`);
      }
      const [late] = await users(t, "dani");
      const since = late!.mark();
      const reply = await joinRoom(t, late!, room);
      const last = said.at(-1)!;
      await t.received(late!, last, since);
      const lines = late!.received.text.slice(since).split("\n").map((l) => l.replace(/\r$/, ""));
      const history = lines.filter((l) => said.some((s) => l.endsWith(s)));
      const marked = history.filter((l) => /^\(\d\d:\d\d:\d\d\) \[/.test(l));
      const notices = lines.filter((l) => /^\(\d\d:\d\d:\d\d\) \*\*\* /.test(l));
      t.check(notices.length === 0, `A notice was replayed as history: ${notices[0]}`);
      t.check(
        history.length > 0,
        `dani got none of the ${said.length} lines said in ${room} before it joined`,
      );
      t.check(
        marked.length === history.length,
        () =>
          `A history line is not marked "(HH:MM:SS) " before the original line: ${
            JSON.stringify(history.find((l) => !marked.includes(l)))
          }`,
      );
      const expected = said.slice(-keep);
      const got = marked.map((l) => l.slice("(00:00:00) ".length));
      t.check(
        got.length === expected.length,
        `dani got ${got.length} history lines, expected the last ${keep} of ${said.length}`,
      );
      t.check(
        got.every((l, i) => l === expected[i]),
        `The history is not the last ${keep} lines in order: got ${
          JSON.stringify(got.slice(0, 3))
        }...`,
      );
      const firstHistory = late!.received.text.indexOf(marked[0]!, since);
      t.check(firstHistory > reply.offset, "The history arrived before the JOIN reply");
    },
  },
  {
    id: "full/op/403-wrong-password",
    level: "full",
    section: "Status codes",
    rule:
      "OP with a wrong password gets 403 and the user stays served, still no operator; the third wrong password closes the connection.",
    async run(t) {
      const [a, b] = await users(t, "ana", "bia");
      for (let i = 1; i <= 2; i++) {
        await known(t, a!, `OP ${t.token()}`, 403, `OP with a wrong password (${i} of 3)`);
      }
      await command(t, a!, "LIST", 200, "LIST after two wrong OP passwords");
      await command(t, a!, `KICK ${t.nick("bia")}`, 403, "KICK after a refused OP");
      await command(t, a!, `OP ${t.token()}`, 403, "the third wrong OP password");
      t.check(
        await a!.waitServerClose(t.replyMs, t.signal),
        `The server did not close the connection within ${t.replyMs} ms of the third wrong OP password`,
      );
      await command(t, b!, "LIST", 200, "bia's LIST after ana was closed");
    },
  },
  {
    id: "full/op/403-operator-verb",
    level: "full",
    section: "Client to server",
    rule:
      "An operator command (KICK, MUTE, UNMUTE, BAN, UNBAN, ANNOUNCE, FAULTS, CLOSE) from a user that gave no OP gets 403 and does nothing.",
    async run(t) {
      const room = t.nick("sala");
      const [a, b] = await usersIn(t, room, "ana", "bia");
      const bia = t.nick("bia");
      const tok = t.token();
      const since = b!.mark();
      for (
        const line of [
          `KICK ${bia} ${tok}`,
          `MUTE ${bia} 5`,
          `UNMUTE ${bia}`,
          `BAN ${bia} 5 ${tok}`,
          `UNBAN ${bia}`,
          `ANNOUNCE ${tok}`,
          `FAULTS ${bia} 0.5 0.5`,
          `CLOSE ${room}`,
        ]
      ) await known(t, a!, line, 403, line.split(" ")[0]!);
      await t.sleep(SETTLE_MS);
      t.check(!b!.serverClosed, "bia was disconnected by a refused KICK or BAN");
      expectNone(t, tok, b!, since, "the text of a refused KICK, BAN or ANNOUNCE");
      const tok2 = t.token();
      const after = a!.mark();
      await command(t, b!, `MSG ${tok2}`, 200, "bia's MSG after a refused MUTE");
      await expectOnce(t, tok2, [{ client: a!, since: after }], "bia's line after a refused MUTE");
      const list = await listOf(t, b!, "bia's LIST after a refused CLOSE");
      t.check(list.includes(t.nick("ana")), `A refused CLOSE moved the room: ${list.join(", ")}`);
    },
  },
  {
    id: "full/reconnect/token-resume",
    level: "full",
    section: "Reconnection",
    rule:
      "After a lost connection the nickname is held (409), a wrong token gets 403, and RESUME with the TOKEN (32 hex digits) gets 200 and its room back.",
    async run(t) {
      const room = t.nick("sala");
      const [a, b] = await usersIn(t, room, "ana", "bia");
      const token = await bodyOf(t, a!, await known(t, a!, "TOKEN", 200), "TOKEN");
      t.check(TOKEN.test(token), `TOKEN's body is not 32 hexadecimal digits: ${token}`);
      const again = await bodyOf(t, a!, await known(t, a!, "TOKEN", 200), "the second TOKEN");
      t.check(again === token, `A second TOKEN gave another token: ${token}, then ${again}`);
      const ana = t.nick("ana");
      const since = b!.mark();
      await a!.close("drops the connection (no QUIT)");
      const left = await b!.received.wait(
        () => b!.received.text.slice(since).split("\n").find((l) => l.includes(ana)),
        t.replyMs,
        t.signal,
      );
      t.check(left, `bia got no notice that ${ana} lost its connection`);
      const taker = await t.prompted("other");
      await command(t, taker, ana, 409, `registering ${ana}, held for its reconnection`);
      const wrong = token.replace(/^./, (c) => c === "0" ? "1" : "0");
      const guess = await t.text("guess");
      await command(t, guess, `RESUME ${ana} ${wrong}`, 403, "RESUME with a wrong token");
      t.check(
        await guess.waitServerClose(t.replyMs, t.signal),
        "The server did not close the connection after refusing a wrong token",
      );
      const back = await t.text("ana-again");
      await command(t, back, `RESUME ${ana} ${token}`, 200, "RESUME with the token");
      const list = await listOf(t, b!, `bia's LIST in ${room} after the RESUME`);
      t.check(list.includes(ana), `${ana} is not back in ${room}: ${list.join(", ")}`);
      const tok = t.token();
      const after = back.mark();
      await command(t, b!, `MSG ${tok}`, 200, "bia's MSG after the RESUME");
      await expectOnce(t, tok, [{ client: back, since: after }], "bia's line after the RESUME");
    },
  },
];

/** Registers one user per base name, then moves each into `room` (in order). */
async function usersIn(t: TestContext, room: string, ...bases: string[]): Promise<TextClient[]> {
  const clients = await users(t, ...bases);
  for (const c of clients) await joinRoom(t, c, room);
  return clients;
}

/** Sends `JOIN room` and expects 200; returns the reply. */
function joinRoom(t: TestContext, c: TextClient, room: string): Promise<StatusLine> {
  return known(t, c, `JOIN ${room}`, 200, `JOIN ${room}`);
}

/**
 * Like {@link command}, for a verb a server without rooms, history or operators may not have:
 * a 404 (unknown command) where another code was due says so.
 */
async function known(
  t: TestContext,
  c: TextClient,
  line: string,
  code: number,
  what = line,
): Promise<StatusLine> {
  const mark = c.mark();
  await c.send(line);
  const s = await t.status(c, mark, what);
  const verb = line.split(" ")[0]!.toUpperCase();
  if (s.code === 404 && code !== 404) {
    t.fail(
      `${what} got ${JSON.stringify(c.received.lineAt(s.offset).slice(0, 60))}: ` +
        `the server does not know ${verb} (PROTOCOL.md "Client to server" lists it)`,
    );
  }
  return await t.expectStatus(c, mark, code, what);
}

/** The nicknames LIST names, as the body's comma-separated items. */
async function listOf(t: TestContext, c: TextClient, what: string): Promise<string[]> {
  const body = await bodyOf(t, c, await command(t, c, "LIST", 200, what), what);
  return body.split(",").map((n) => n.trim());
}

/** The first notice line (`*** ...`) `c` received from `since` on naming every one of `words`. */
function notice(
  t: TestContext,
  c: TextClient,
  since: number,
  words: readonly string[],
): Promise<string | undefined> {
  return c.received.wait(
    () =>
      c.received.text.slice(since).split("\n").find((l) =>
        l.startsWith("*** ") && words.every((w) => l.includes(w))
      ),
    t.replyMs,
    t.signal,
  );
}

/** The history size STATS reports (`limits.history`), else the documented default. */
async function historyLimit(t: TestContext): Promise<number> {
  const [c] = await users(t, "stats");
  const body = await bodyOf(t, c!, await command(t, c!, "STATS", 200), "STATS");
  let n: unknown;
  try {
    n = (JSON.parse(body) as { limits?: { history?: unknown } })?.limits?.history;
  } catch { /* judged below */ }
  if (n === undefined) return DEFAULT_HISTORY;
  t.check(
    typeof n === "number" && Number.isInteger(n) && n > 0 && n <= 60,
    `STATS limits.history is ${JSON.stringify(n)}: this test needs a history of 1 to 60 lines`,
  );
  return n as number;
}

/** The text around `token` in `text`, for a reason. */
function around(text: string, token: string): string {
  const at = text.indexOf(token);
  return at < 0
    ? "nothing with the token"
    : text.slice(Math.max(0, at - 40), at + token.length + 2);
}
