/**
 * Every sentence the chat server writes to people, one table per language
 * ({@link SERVER_CATALOG}; the Brazilian Portuguese one is `messages_pt_br.ts`). What is not here
 * stays as it is on the wire in every language: status codes, reason phrases and details
 * (`200 OK - Connected`), verbs, nicknames, room names, chat text, JSON.
 *
 * Two kinds of text, chosen differently: the body line of a reply and a notice told to one user
 * (`*** prof muted you ...`) are in that connection's language (`LANG`, else the server's);
 * what a room shares (join, leave and rename notices, announcements, the history), encoded once
 * for every member, is in the server's language.
 * @module
 */

import type { Catalog } from "../i18n/catalog.ts";
import { describeNameProblem, type NameProblem } from "./nick.ts";
import { SERVER_TEXT_PT_BR } from "./messages_pt_br.ts";

const plural = (n: number, one: string, many: string) => n === 1 ? one : many;

/** The server's text, English. Strings, or functions of the values they show. */
export const SERVER_TEXT = {
  /** This language, in itself, as `LANG`'s reply names it. */
  languageName: "English",
  /** `LANG`'s reply body: the language now spoken to this connection. */
  languageSet: (tag: string, others: string) => `Language: English (${tag}); also: ${others}`,
  unknownLanguage: (value: string, choices: string) =>
    `Unknown language: ${value} (one of ${choices})`,

  // ---- registration
  /**
   * The line after `NICK` for a person who did not answer it (netcat, telnet): starts on a line of
   * its own, and ends where the nickname is to be typed. (`NICK` itself is protocol, not text.)
   */
  nickHint: "\nType a nickname (letters, digits, _ or -) and press Enter: ",
  shuttingDown: "Server shutting down",
  shuttingDownBecause: (reason: string) => `Server shutting down: ${reason}`,
  stoppedByOperator: "server stopped by its operator",
  invalidRoom: (why: string) => `Invalid room name: ${why}`,
  willBeIn: (room: string) => `You will be in ${room} once registered`,
  invalidNick: (why: string) => `Invalid nickname: ${why}`,
  nameProblem: (problem: NameProblem) => describeNameProblem(problem),
  nickTaken: (nick: string) => `Nickname taken: ${nick}`,
  nickBanned: (nick: string) => `Nickname banned: ${nick}`,
  serverFull: (max: number) => `Server full (${max} users)`,
  tooManyRooms: (max: number) => `Too many rooms (${max})`,
  welcome: (nick: string, users: number) =>
    `Welcome, ${nick}! ${users} ${plural(users, "user", "users")} online. Type HELP for commands.`,
  replaced: "This nickname came back on another connection",
  unknownToken: "Unknown or expired token: register again",
  welcomeBack: (nick: string, room: string, users: number, missed: number) =>
    `Welcome back, ${nick}! You are in ${room} (${users} ${plural(users, "user", "users")}); ${
      plural(missed, "1 line was", `${missed} lines were`)
    } said while you were away.`,
  bannedUntil: (clock: string, minutes: number) =>
    `Banned until ${clock} (${minutes} more minutes)`,

  // ---- every user's commands
  unknownCommand: (verb: string) => `Unknown command: ${verb}`,
  operatorCommand: (verb: string) => `Operator command: ${verb} (type OP <password> first)`,
  usage: (syntax: string) => `Usage: ${syntax}`,
  slowDown: (burst: number, seconds: number) => `Slow down: ${burst} messages per ${seconds} s`,
  commandsSlowDown: (burst: number, seconds: number) =>
    `Slow down: ${burst} commands per ${seconds} s`,
  excessFlood: (refused: number) => `Excess flood: ${refused} commands refused in a row`,
  addressCommandsSlowDown: (burst: number, seconds: number) =>
    `Slow down: ${burst} commands per ${seconds} s from your address`,
  addressFloodSlowDown: (burst: number, seconds: number) =>
    `Slow down: ${burst} messages per ${seconds} s from your address`,
  roomBusy: (mbPerSecond: number) => `Slow down: the room is busy (${mbPerSecond} MB/s of output)`,

  // ---- refused at the door (before the connection has a language: the server's)
  tooManyNewConnections: (address: string, burst: number, seconds: number) =>
    `Too many new connections from ${address} (${burst} per ${seconds} s)`,
  serverFullConnections: (max: number) => `Server full (${max} connections)`,
  tooManyConnections: (address: string, max: number) =>
    `Too many connections from ${address} (${max})`,
  serverBusyUnregistered: (max: number) =>
    `Server busy: ${max} connections are waiting to register`,
  tooManyUnregistered: (address: string, max: number) =>
    `Too many connections from ${address} waiting to register (${max})`,
  controlCharacters: (codePoint: string) => `Control characters are not allowed: ${codePoint}`,
  emptyMessage: "Empty message",
  messageTooLong: (size: number, max: number) => `Message too long (${size} bytes, max ${max})`,
  lineTooLong: (max: number) => `Line too long (max ${max} bytes)`,
  muted: (minutes: number) => `You are muted for ${minutes} more minutes`,
  messageSent: "Message sent",
  actionSent: "Action sent",
  nowKnownAs: (nick: string) => `You are now ${nick}`,
  noSuchUser: (name: string) => `No such user: ${name}`,
  privateSent: (nick: string) => `Private message sent to ${nick}`,
  youAreIn: (room: string, users: number) =>
    `You are in ${room} (${users} ${plural(users, "user", "users")})`,
  bye: (nick: string) => `Bye, ${nick}`,
  alreadyOperator: "You are an operator already",
  noOperatorPassword: "This server has no operator password",
  wrongOperatorPassword: "Wrong operator password",
  nowOperator: "You are an operator: HELP lists your commands",
  /** HELP's words for each verb's arguments (the verbs stay). */
  usages: {
    MSG: "MSG <text>",
    ME: "ME <action>",
    LIST: "LIST",
    NICK: "NICK <name>",
    PRIV: "PRIV <nick> <text>",
    JOIN: "JOIN <room>",
    ROOMS: "ROOMS",
    TOKEN: "TOKEN",
    QUIT: "QUIT",
    HELP: "HELP",
    STATS: "STATS",
    OP: "OP <password>",
    LANG: "LANG <en|pt-BR>",
    KICK: "KICK <nick> [reason]",
    MUTE: "MUTE <nick> [minutes]",
    UNMUTE: "UNMUTE <nick>",
    BAN: "BAN <nick|address> [minutes] [reason]",
    UNBAN: "UNBAN <nick|address>",
    ANNOUNCE: "ANNOUNCE <text>",
    FAULTS: "FAULTS <nick|#room> <loss> <corruption>|off",
    CLOSE: "CLOSE <room>",
  },

  // ---- operators' commands (replies to the operator, notices to the one acted on)
  minutesRange: (max: number, given: string) => `Minutes must be from 1 to ${max}: ${given}`,
  cannotKickYourself: "You cannot kick yourself",
  cannotBanYourself: "You cannot ban yourself",
  kickedBy: (op: string, reason: string) =>
    reason === "" ? `Kicked by ${op}` : `Kicked by ${op}: ${reason}`,
  kicked: (nick: string) => `Kicked ${nick}`,
  mutedYou: (op: string, minutes: number) =>
    `${op} muted you for ${minutes} minutes: your messages are not sent`,
  mutedFor: (nick: string, minutes: number) => `Muted ${nick} for ${minutes} minutes`,
  unmutedYou: (op: string) => `${op} unmuted you`,
  mayTalk: (nick: string) => `${nick} may talk`,
  banAddress: (address: string) => `address ${address}`,
  banNickAndAddress: (nick: string, address: string) => `${nick} and address ${address}`,
  banNickname: (nick: string) => `nickname ${nick}`,
  banned: (what: string, minutes: number, disconnected: readonly string[]) =>
    `Banned ${what} for ${minutes} minutes${
      disconnected.length > 0 ? `; ${disconnected.join(", ")} disconnected` : ""
    }`,
  noBan: (who: string) => `No ban on ${who}`,
  unbanned: (who: string) => `Lifted the ban on ${who}`,
  announced: (rooms: number) => `Announced in ${rooms} ${plural(rooms, "room", "rooms")}`,
  badProbability: (what: "loss" | "corruption", value: string) =>
    `${what === "loss" ? "Loss" : "Corruption"} must be a probability between 0 and 1 ` +
    `(or 0% to 100%): ${value}`,
  serverFaults: "the server's own fault settings",
  faultsWhat: (loss: string, corrupt: string) => `loss ${loss} and corruption ${corrupt}`,
  noSuchUserOrRoom: (name: string) => `No such user or room: ${name}`,
  plainTextUser: (nick: string) =>
    `${nick} uses the plain-text protocol: the server sends it no frames`,
  faultsSetOnYou: (op: string, what: string) =>
    `${op} set ${what} on the frames the server sends you`,
  faultsFor: (name: string, what: string, binary: number, users: number | undefined) =>
    `Faults for ${name}: ${what}${
      users === undefined ? "" : ` (${binary} binary of ${users} users)`
    }`,
  noSuchRoom: (room: string) => `No such room: ${room}`,
  defaultRoomStays: (room: string) => `The default room cannot be closed: ${room}`,
  closedYourRoom: (op: string, room: string, home: string) =>
    `${op} closed ${room}: you are in ${home} now`,
  closedRoom: (room: string, users: number, home: string) =>
    `Closed ${room}: ${users} users moved to ${home}`,

  // ---- what a room shares (the server's language)
  joinedNotice: (nick: string, online: number) => `*** ${nick} joined (${online} online)`,
  leftNotice: (nick: string, why: string) => `*** ${nick} left (${why})`,
  backNotice: (nick: string, online: number) => `*** ${nick} is back (${online} online)`,
  renamedNotice: (old: string, nick: string) => `*** ${old} is now known as ${nick}`,
  announcement: (op: string, text: string) => `*** Announcement from ${op}: ${text}`,
  cameFrom: (users: number, room: string, op: string) =>
    `*** ${users} users came from ${room} (closed by ${op})`,
  /** Why a user left, as its room's notice says it. */
  movedTo: (room: string) => `joined ${room}`,
  quitReason: "quit",
  wrongPasswordsReason: "wrong operator passwords",
  kickedReason: (op: string, reason: string) =>
    reason === "" ? `kicked by ${op}` : `kicked by ${op}: ${reason}`,
  bannedReason: (op: string, reason: string) =>
    reason === "" ? `banned by ${op}` : `banned by ${op}: ${reason}`,
  /**
   * A transport's reason for a lost session (`connection closed`, `link dead: ...`), in this
   * language where it is one the server makes; a peer's own words (an RST reason) as they are.
   */
  transportReason: (reason: string) => reason,
};

/** The shape of every language's table of {@link SERVER_CATALOG}. */
export type ServerText = typeof SERVER_TEXT;

/** The server's text in every language. */
export const SERVER_CATALOG: Catalog<ServerText> = { en: SERVER_TEXT, "pt-BR": SERVER_TEXT_PT_BR };
