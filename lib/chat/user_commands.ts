/**
 * The commands every registered user may send: chat (MSG, ME, PRIV), rooms (JOIN, ROOMS, LIST),
 * identity (NICK, TOKEN, OP), and HELP, STATS, LIMITS, QUIT. Each is one registry entry (`commands.ts`)
 * whose handler runs on the lobby's services.
 * @module
 */

import { splitWord } from "./command.ts";
import type { CommandSpec } from "./commands.ts";
import type { Member } from "./chat_client.ts";
import type { Lobby } from "./lobby.ts";
import { nickKeys, validateNick } from "./nick.ts";
import { validateRoomName } from "./rooms.ts";
import { SERVER_CATALOG, type ServerText } from "./messages.ts";
import { status } from "./status.ts";
import { displayValue } from "../text/escape.ts";
import { LANGS } from "../i18n/lang.ts";

/** `200 OK` / `Message sent` in every language, made once (the reply to most chat lines). */
const MSG_OK: ReadonlyMap<ServerText, Uint8Array> = new Map(
  LANGS.map((l) => [SERVER_CATALOG[l], status(200, SERVER_CATALOG[l].messageSent)]),
);
/** Wrong operator passwords after which the connection is closed. */
export const MAX_FAILED_OPS = 3;

function msg(lobby: Lobby, m: Member, typed: string, now: number): void {
  const text = lobby.acceptText(m, typed, now);
  if (text === undefined || !lobby.outputAllows(m, text, now)) return;
  m.room.say(m, text, lobby.wallTime(now));
  lobby.send(m, MSG_OK.get(m.text) ?? status(200, m.text.messageSent));
  logSaid(lobby, m, text);
}

/** The `message` event of a line `m` said (sizes and names, not the text). */
function logSaid(lobby: Lobby, m: Member, text: string): void {
  lobby.event({
    type: "message",
    id: m.client.id,
    nick: m.nick,
    bytes: text.length,
    room: m.room.name,
  });
}

/** `ME waves` → `* ana waves` to the others in the room (like MSG, not echoed). */
function me(lobby: Lobby, m: Member, typed: string, now: number): void {
  const text = lobby.acceptText(m, typed, now);
  if (text === undefined || !lobby.outputAllows(m, text, now)) return;
  m.room.line(`* ${m.nick} ${text}`, lobby.wallTime(now), m);
  lobby.reply(m, 200, m.text.actionSent);
  logSaid(lobby, m, text);
}

/**
 * `LIST`: the nicknames of the room, `ana, bia, João` (the seed 000 form, unchanged);
 * `LIST sessions`: each with how its session talks, `ana (text tcp), bia (sr window=8 ack=sack
 * tcp)` (docs/PROTOCOL.md). Any other argument is ignored, as it always was.
 */
function list(lobby: Lobby, m: Member, rest: string): void {
  if (rest.trim().toLowerCase() !== "sessions") {
    return lobby.reply(m, 200, m.room.nicks().join(", "), "User List");
  }
  const entries = [...m.room.members()].map((x) => `${x.nick} (${sessionText(x)})`);
  lobby.reply(m, 200, entries.join(", "), "User Sessions");
}

/** `text tcp`, `sr window=8 ack=sack tcp`, or `unknown` for a client that cannot say. */
export function sessionText(m: Member): string {
  const d = m.client.describe?.();
  if (d === undefined) return "unknown";
  const binary = d.protocol === "text"
    ? []
    : [`window=${d.window ?? "?"}`, `ack=${d.ackPolicy ?? "?"}`];
  return [d.protocol, ...binary, d.transport].join(" ");
}

function nick(lobby: Lobby, m: Member, rest: string, now: number): void {
  const check = validateNick(rest);
  if (!check.ok) return lobby.reply(m, 400, m.text.invalidNick(m.text.nameProblem(check.problem)));
  const keys = nickKeys(check.nick);
  if (lobby.bans.nameBanned(keys, now) > 0) {
    return lobby.reply(m, 403, m.text.nickBanned(check.nick));
  }
  if (lobby.nickInUse(keys, now, m)) {
    return lobby.reply(m, 409, m.text.nickTaken(check.nick));
  }
  // A rename is a notice to the whole room: it pays like a message.
  if (!lobby.takeToken(m, now)) return;
  const old = m.nick;
  lobby.rename(m, check.nick, keys);
  lobby.reply(m, 200, m.text.nowKnownAs(m.nick), "Nickname changed");
  lobby.event({ type: "rename", id: m.client.id, from: old, to: m.nick });
  if (old !== m.nick) m.room.notice(lobby.text.renamedNotice(old, m.nick), m);
}

function priv(lobby: Lobby, m: Member, rest: string, now: number): void {
  const [target, typed] = splitWord(rest);
  if (target === "" || typed === "") {
    return lobby.reply(m, 400, m.text.usage(m.text.usages.PRIV));
  }
  const to = lobby.findMember(target);
  if (to === undefined) return lobby.reply(m, 404, m.text.noSuchUser(displayValue(target)));
  const text = lobby.acceptText(m, typed, now);
  if (text === undefined) return;
  lobby.send(to, encoder.encode(`[${m.nick} -> ${to.nick}]: ${text}\n`));
  lobby.reply(m, 200, m.text.privateSent(to.nick));
  lobby.event({ type: "private", id: m.client.id, from: m.nick, to: to.nick });
}

function join(lobby: Lobby, m: Member, rest: string, now: number): void {
  if (rest.trim() === "") return lobby.reply(m, 400, m.text.usage(m.text.usages.JOIN));
  const check = validateRoomName(rest);
  if (!check.ok) return lobby.reply(m, 400, m.text.invalidRoom(m.text.nameProblem(check.problem)));
  if (!lobby.takeToken(m, now)) return;
  const to = lobby.rooms.open(check.nick, m.room);
  if (to === undefined) return lobby.reply(m, 503, m.text.tooManyRooms(lobby.rooms.max));
  const moved = to !== m.room;
  lobby.moveTo(m, to, lobby.text.movedTo(to.name));
  lobby.reply(m, 200, m.text.youAreIn(to.name, to.size), "Joined");
  if (moved) lobby.welcomeTo(m);
}

function rooms(lobby: Lobby, m: Member, _rest: string, now: number): void {
  lobby.expireHeld(now);
  const names = [...lobby.rooms.all()].map((r) => `${r.name} (${r.size})`);
  lobby.reply(m, 200, names.join(", "), "Room List");
}

function token(lobby: Lobby, m: Member): void {
  lobby.reply(m, 200, lobby.tokenOf(m), "Token");
}

function quit(lobby: Lobby, m: Member): void {
  lobby.reply(m, 200, m.text.bye(m.nick), "Disconnecting");
  lobby.remove(m, lobby.text.quitReason);
  m.client.close();
}

/** `LIMITS`: the limits in force, one line of JSON (a client can pace itself to them). */
function limits(lobby: Lobby, m: Member): void {
  lobby.reply(m, 200, JSON.stringify(lobby.limitFacts()), "Limits");
}

function help(lobby: Lobby, m: Member): void {
  lobby.reply(m, 200, lobby.commands.help(m.operator, m.text.usages), "Help");
}

function stats(lobby: Lobby, m: Member, _rest: string, now: number): void {
  const f = lobby.flood;
  const facts: Record<string, unknown> = {
    users: lobby.size,
    rooms: lobby.rooms.size,
    room: m.room.name,
    roomUsers: m.room.size,
    // The limits in force (as LIMITS states them: a client such as chat bench paces to them).
    limits: {
      ...lobby.limitFacts(),
      maxClients: lobby.maxClients,
      maxRooms: lobby.rooms.max,
      maxText: lobby.maxText,
      flood: f ? `${f.burst}/${f.perSeconds}` : "off",
      history: lobby.historyLines,
      reconnectGraceS: lobby.graceMs / 1000,
    },
  };
  if (m.operator) {
    let operators = 0;
    for (const x of lobby.members()) if (x.operator) operators++;
    Object.assign(facts, {
      operators,
      held: lobby.reservations.size,
      bans: lobby.bans.count(now),
      ...lobby.serverStats(),
    });
  }
  lobby.reply(m, 200, JSON.stringify(facts), "Stats");
}

function op(lobby: Lobby, m: Member, rest: string, now: number): void {
  if (m.operator) return lobby.reply(m, 200, m.text.alreadyOperator, "Operator");
  if (!lobby.takeToken(m, now)) return;
  if (!lobby.hasOperatorPassword) {
    return lobby.deny(m, "OP", m.text.noOperatorPassword);
  }
  if (!lobby.isOperatorPassword(rest.trim())) {
    m.failedOps++;
    lobby.deny(m, "OP", m.text.wrongOperatorPassword);
    if (m.failedOps >= MAX_FAILED_OPS) {
      lobby.remove(m, lobby.text.wrongPasswordsReason);
      m.client.close();
    }
    return;
  }
  m.operator = true;
  lobby.event({ type: "operator", id: m.client.id, nick: m.nick, action: "op" });
  lobby.reply(m, 200, m.text.nowOperator, "Operator");
}

/** `LANG tag`: this connection's replies in that language from now on (the reply too). */
function lang(lobby: Lobby, m: Member, rest: string): void {
  const r = lobby.language(m.text, rest);
  m.text = r.text;
  lobby.reply(m, r.code, r.body, r.code === 200 ? "Language" : undefined);
}

const encoder = new TextEncoder();

/** The registry entries of every user's commands, in HELP's order. */
export const USER_COMMANDS: readonly CommandSpec[] = [
  { verb: "MSG", aliases: [], usage: "MSG <text>", help: "send to your room", run: msg },
  { verb: "ME", aliases: [], usage: "ME <action>", help: "an action: * nick action", run: me },
  {
    verb: "LIST",
    aliases: ["WHO"],
    usage: "LIST [sessions]",
    help: "users in your room (sessions: with their protocol and window)",
    run: list,
  },
  { verb: "NICK", aliases: [], usage: "NICK <name>", help: "change nickname", run: nick },
  {
    verb: "PRIV",
    aliases: [],
    usage: "PRIV <nick> <text>",
    help: "private message",
    run: priv,
  },
  {
    verb: "JOIN",
    aliases: [],
    usage: "JOIN <room>",
    help: "go to a room (made if new)",
    run: join,
  },
  { verb: "ROOMS", aliases: [], usage: "ROOMS", help: "rooms and their users", run: rooms },
  {
    verb: "TOKEN",
    aliases: [],
    usage: "TOKEN",
    help: "a token to RESUME after a lost connection",
    run: token,
  },
  { verb: "QUIT", aliases: [], usage: "QUIT", help: "leave", run: quit },
  { verb: "HELP", aliases: [], usage: "HELP", help: "this list", run: help },
  { verb: "STATS", aliases: [], usage: "STATS", help: "server statistics", run: stats },
  { verb: "LIMITS", aliases: [], usage: "LIMITS", help: "the server's limits", run: limits },
  { verb: "OP", aliases: [], usage: "OP <password>", help: "become an operator", run: op },
  {
    verb: "LANG",
    aliases: [],
    usage: "LANG <en|pt-BR>",
    help: "the language of the replies",
    run: lang,
  },
].map((s) => ({ ...s, operator: false }));
