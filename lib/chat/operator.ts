/**
 * The teacher's commands, for operators only (`OP <password>` first; anyone else gets 403):
 * KICK, MUTE, UNMUTE, BAN, UNBAN, ANNOUNCE, FAULTS and CLOSE. Every action is logged (an
 * `operator` event naming who did what to whom) and answered with a status code. A user who is
 * acted on is told, in a line only it gets; a kicked or banned one gets `403 Forbidden - Kicked`
 * (or `- Banned`) and is disconnected, and its resume token dies with the session.
 * @module
 */

import { splitWord } from "./command.ts";
import type { CommandSpec } from "./commands.ts";
import type { LinkFaults, Member } from "./chat_client.ts";
import { DEFAULT_BAN_MINUTES, isAddress, MAX_BAN_MINUTES, normalizeAddress } from "./bans.ts";
import type { Lobby } from "./lobby.ts";
import type { ServerText } from "./messages.ts";
import { nickKeys } from "./nick.ts";
import type { Room } from "./room.ts";
import { validateRoomName } from "./rooms.ts";
import { status } from "./status.ts";
import { parseProbability } from "../faults/injector.ts";
import { cleanChatText } from "../text/sanitize.ts";
import { displayReason, displayValue, escapeForDisplay } from "../text/escape.ts";

const encoder = new TextEncoder();

/** Tells one member something only it sees, as a notice (in its language: the caller's `text`). */
function tell(lobby: Lobby, m: Member, text: string): void {
  lobby.send(m, encoder.encode(`*** ${text}\n`));
}

function logAction(
  lobby: Lobby,
  m: Member,
  action: string,
  target?: string,
  detail?: string,
): void {
  lobby.event({
    type: "operator",
    id: m.client.id,
    nick: m.nick,
    action,
    ...(target !== undefined ? { target } : {}),
    ...(detail !== undefined ? { detail } : {}),
  });
}

/** The live member `name` names, or a 404 reply (and `undefined`); `verb` names the usage. */
function target(
  lobby: Lobby,
  m: Member,
  name: string,
  verb: keyof ServerText["usages"],
): Member | undefined {
  if (name === "") {
    lobby.reply(m, 400, m.text.usage(m.text.usages[verb]));
    return undefined;
  }
  const t = lobby.findMember(name);
  if (t === undefined) lobby.reply(m, 404, m.text.noSuchUser(displayValue(name)));
  return t;
}

/** `[minutes] [rest]`: the minutes when the first word is a number (1..a day), else the default. */
function minutesAndRest(
  lobby: Lobby,
  m: Member,
  text: string,
  def: number,
): [number, string] | undefined {
  const [first, rest] = splitWord(text);
  if (!/^\d+$/.test(first)) return [def, text.trim()];
  const n = Number(first);
  if (n < 1 || n > MAX_BAN_MINUTES) {
    lobby.reply(m, 400, m.text.minutesRange(MAX_BAN_MINUTES, first));
    return undefined;
  }
  return [n, rest.trim()];
}

/** Disconnects `t` with a final status line (`403 Forbidden - Kicked`/`- Banned`). */
function expel(lobby: Lobby, t: Member, detail: "Kicked" | "Banned", body: string, why: string) {
  lobby.revokeToken(t);
  lobby.send(t, status(403, body, detail));
  lobby.remove(t, why);
  t.client.close();
}

function kick(lobby: Lobby, m: Member, rest: string): void {
  const [name, reasonText] = splitWord(rest);
  const t = target(lobby, m, name, "KICK");
  if (t === undefined) return;
  if (t === m) return lobby.reply(m, 400, m.text.cannotKickYourself);
  const reason = reasonText.trim() === "" ? "" : displayReason(reasonText.trim());
  const why = lobby.text.kickedReason(m.nick, reason);
  expel(lobby, t, "Kicked", t.text.kickedBy(m.nick, reason), why);
  logAction(lobby, m, "kick", t.nick, reason || undefined);
  lobby.reply(m, 200, m.text.kicked(t.nick), "Kicked");
}

function mute(lobby: Lobby, m: Member, rest: string, now: number): void {
  const [name, more] = splitWord(rest);
  const t = target(lobby, m, name, "MUTE");
  if (t === undefined) return;
  const parsed = minutesAndRest(lobby, m, more, DEFAULT_BAN_MINUTES);
  if (parsed === undefined) return;
  const [minutes] = parsed;
  t.mutedUntil = now + minutes * 60_000;
  tell(lobby, t, t.text.mutedYou(m.nick, minutes));
  logAction(lobby, m, "mute", t.nick, `${minutes} min`);
  lobby.reply(m, 200, m.text.mutedFor(t.nick, minutes), "Muted");
}

function unmute(lobby: Lobby, m: Member, rest: string): void {
  const [name] = splitWord(rest);
  const t = target(lobby, m, name, "UNMUTE");
  if (t === undefined) return;
  const was = t.mutedUntil;
  t.mutedUntil = 0;
  if (was > 0) tell(lobby, t, t.text.unmutedYou(m.nick));
  logAction(lobby, m, "unmute", t.nick);
  lobby.reply(m, 200, m.text.mayTalk(t.nick), "Unmuted");
}

function ban(lobby: Lobby, m: Member, rest: string, now: number): void {
  const [who, more] = splitWord(rest);
  if (who === "") return lobby.reply(m, 400, m.text.usage(m.text.usages.BAN));
  const parsed = minutesAndRest(lobby, m, more, DEFAULT_BAN_MINUTES);
  if (parsed === undefined) return;
  const [minutes, reasonText] = parsed;
  const until = now + minutes * 60_000;
  const reason = reasonText === "" ? "" : displayReason(reasonText);
  const body = (t: Member) =>
    `${lobby.bannedText(until, now, t.text)}${reason ? `: ${reason}` : ""}`;
  const why = lobby.text.bannedReason(m.nick, reason);
  let gone: Member[] = [];
  let what: string;
  if (isAddress(who)) {
    const address = normalizeAddress(who);
    lobby.bans.banAddress(address, until);
    gone = [...lobby.members()].filter((x) =>
      !x.operator && x.client.address !== undefined &&
      normalizeAddress(x.client.address) === address
    );
    for (const r of [...lobby.reservations.all()]) {
      if (r.address !== undefined && normalizeAddress(r.address) === address) lobby.release(r);
    }
    what = m.text.banAddress(address);
  } else {
    const keys = nickKeys(who);
    const t = lobby.findMember(who);
    if (t === m) return lobby.reply(m, 400, m.text.cannotBanYourself);
    lobby.bans.banName(keys, until);
    const held = lobby.reservations.holding(keys, now);
    const address = t?.client.address ?? held?.address;
    if (address !== undefined) lobby.bans.banAddress(address, until);
    if (held !== undefined) lobby.release(held);
    if (t !== undefined) gone = [t];
    what = address !== undefined
      ? m.text.banNickAndAddress(t?.nick ?? held?.nick ?? who, normalizeAddress(address))
      : m.text.banNickname(displayValue(who));
  }
  for (const t of gone) expel(lobby, t, "Banned", body(t), why);
  logAction(lobby, m, "ban", what, `${minutes} min${reason ? `: ${reason}` : ""}`);
  const names = gone.map((t) => t.nick);
  lobby.reply(m, 200, m.text.banned(what, minutes, names), "Banned");
}

function unban(lobby: Lobby, m: Member, rest: string): void {
  const [who] = splitWord(rest);
  if (who === "") return lobby.reply(m, 400, m.text.usage(m.text.usages.UNBAN));
  const lifted = isAddress(who)
    ? lobby.bans.unbanAddress(who)
    : lobby.bans.unbanName(nickKeys(who));
  if (!lifted) return lobby.reply(m, 404, m.text.noBan(displayValue(who)));
  logAction(lobby, m, "unban", who);
  lobby.reply(m, 200, m.text.unbanned(displayValue(who)), "Unbanned");
}

function announce(lobby: Lobby, m: Member, rest: string, now: number): void {
  const text = cleanChatText(rest);
  if (typeof text !== "string") {
    return lobby.reply(m, 400, m.text.controlCharacters(text.codePoint));
  }
  if (text.trim() === "") return lobby.reply(m, 400, m.text.usage(m.text.usages.ANNOUNCE));
  // A notice never holds `]`: it cannot be taken for a chat line.
  const line = lobby.text.announcement(m.nick, escapeForDisplay(text, Infinity, "]"));
  let rooms = 0;
  for (const room of lobby.rooms.all()) {
    room.line(line, lobby.wallTime(now));
    rooms++;
  }
  logAction(lobby, m, "announce", undefined, `${text.length} characters`);
  lobby.reply(m, 200, m.text.announced(rooms), "Announced");
}

/** `loss corrupt` or `off`; a reply (and `undefined`) when neither. */
function readFaults(lobby: Lobby, m: Member, text: string): LinkFaults | null | undefined {
  const words = text.trim().split(/\s+/).filter((w) => w !== "");
  if (words.length === 1 && /^(off|none)$/i.test(words[0]!)) return null;
  if (words.length !== 2) {
    lobby.reply(m, 400, m.text.usage(m.text.usages.FAULTS));
    return undefined;
  }
  const probability = (text: string, what: "loss" | "corruption") => {
    try {
      return parseProbability(text, what);
    } catch {
      lobby.reply(m, 400, m.text.badProbability(what, text));
      return undefined;
    }
  };
  const loss = probability(words[0]!, "loss");
  if (loss === undefined) return undefined;
  const corrupt = probability(words[1]!, "corruption");
  if (corrupt === undefined) return undefined;
  return { loss, corrupt };
}

function describeFaults(f: LinkFaults | null, text: ServerText): string {
  if (f === null) return text.serverFaults;
  return text.faultsWhat(percent(f.loss), percent(f.corrupt));
}

function percent(p: number): string {
  return `${Math.round(p * 1000) / 10}%`;
}

function faults(lobby: Lobby, m: Member, rest: string): void {
  const [who, more] = splitWord(rest);
  if (who === "") return lobby.reply(m, 400, m.text.usage(m.text.usages.FAULTS));
  const setting = readFaults(lobby, m, more);
  if (setting === undefined) return;
  const user = who.startsWith("#") ? undefined : lobby.findMember(who);
  let room: Room | undefined;
  if (user === undefined) {
    const check = validateRoomName(who);
    room = check.ok ? lobby.rooms.find(check.nick) : undefined;
    if (room === undefined) {
      return lobby.reply(m, 404, m.text.noSuchUserOrRoom(displayValue(who)));
    }
  }
  const affected = user !== undefined ? [user] : [...room!.members()];
  const binary = affected.filter((x) => x.client.setFaults !== undefined);
  if (user !== undefined && binary.length === 0) {
    return lobby.reply(m, 400, m.text.plainTextUser(user.nick));
  }
  if (user !== undefined) user.faults = setting ?? undefined;
  else room!.faults = setting ?? undefined;
  for (const x of binary) {
    lobby.applyFaults(x);
    tell(lobby, x, x.text.faultsSetOnYou(m.nick, describeFaults(setting, x.text)));
  }
  const name = user?.nick ?? `#${room!.name}`;
  logAction(lobby, m, "faults", name, describeFaults(setting, lobby.text));
  const users = user !== undefined ? undefined : affected.length;
  const what = describeFaults(setting, m.text);
  lobby.reply(m, 200, m.text.faultsFor(name, what, binary.length, users), "Faults");
}

function close(lobby: Lobby, m: Member, rest: string): void {
  const check = validateRoomName(rest);
  if (rest.trim() === "" || !check.ok) {
    return lobby.reply(m, 400, m.text.usage(m.text.usages.CLOSE));
  }
  const room = lobby.rooms.find(check.nick);
  if (room === undefined) return lobby.reply(m, 404, m.text.noSuchRoom(check.nick));
  const home = lobby.rooms.lobby;
  if (room === home) return lobby.reply(m, 400, m.text.defaultRoomStays(home.name));
  const moving = [...room.members()];
  // Told before they come in: the newcomers have their own line.
  if (moving.length > 0) {
    home.notice(lobby.text.cameFrom(moving.length, room.name, m.nick));
  }
  for (const x of moving) {
    tell(lobby, x, x.text.closedYourRoom(m.nick, room.name, home.name));
    room.remove(x);
    home.add(x);
    lobby.applyFaults(x);
  }
  for (const r of lobby.reservations.all()) {
    if (r.room !== room) continue;
    r.room = home;
    room.held--;
    home.held++;
  }
  lobby.rooms.drop(room);
  logAction(lobby, m, "close", room.name, `${moving.length} users moved`);
  lobby.reply(m, 200, m.text.closedRoom(room.name, moving.length, home.name), "Closed");
}

/** The registry entries of the operators' commands, in HELP's order. */
export const OPERATOR_COMMANDS: readonly CommandSpec[] = [
  {
    verb: "KICK",
    aliases: [],
    usage: "KICK <nick> [reason]",
    help: "disconnect a user",
    run: kick,
  },
  {
    verb: "MUTE",
    aliases: [],
    usage: "MUTE <nick> [minutes]",
    help: "refuse a user's messages",
    run: mute,
  },
  { verb: "UNMUTE", aliases: [], usage: "UNMUTE <nick>", help: "end a mute", run: unmute },
  {
    verb: "BAN",
    aliases: [],
    usage: "BAN <nick|address> [minutes] [reason]",
    help: "disconnect and refuse for a time",
    run: ban,
  },
  { verb: "UNBAN", aliases: [], usage: "UNBAN <nick|address>", help: "end a ban", run: unban },
  {
    verb: "ANNOUNCE",
    aliases: [],
    usage: "ANNOUNCE <text>",
    help: "a line to every room",
    run: announce,
  },
  {
    verb: "FAULTS",
    aliases: [],
    usage: "FAULTS <nick|#room> <loss> <corruption>|off",
    help: "faults on the frames sent to a user or room",
    run: faults,
  },
  {
    verb: "CLOSE",
    aliases: [],
    usage: "CLOSE <room>",
    help: "move everyone out, drop it",
    run: close,
  },
].map((s) => ({ ...s, operator: true }));
