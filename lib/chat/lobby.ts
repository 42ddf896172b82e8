/**
 * The chat of one server, knowing nothing about sockets (ssh-chat style): registration, the
 * rooms, nicknames (unique server-wide), reconnection, operators and bans. Session edges feed it
 * complete command lines; it answers through {@link ChatClient.send} with UTF-8 bytes that
 * already end in a newline. Every command of a registered user goes through one dispatch (the
 * registry in `commands.ts`); the handlers live in `user_commands.ts` and `operator.ts`, one
 * room's broadcasting in `room.ts`.
 *
 * A connection first sends its nickname (the seed 000 protocol). Before it, it may send
 * `JOIN room` (register straight into that room) or, instead of it, `RESUME nick token` (come
 * back after a lost connection, see `reservations.ts`).
 * @module
 */

import { isBlank, parseCommand, splitWord } from "./command.ts";
import { CommandRegistry } from "./commands.ts";
import type { ChatClient, Member } from "./chat_client.ts";
import { BanList, minutesLeft } from "./bans.ts";
import type { ChatEvent } from "./events.ts";
import { DEFAULT_FLOOD, type FloodLimit, TokenBucket } from "./flood.ts";
import { clockTime, DEFAULT_HISTORY_BYTES, DEFAULT_HISTORY_LINES } from "./history.ts";
import { LineLog, LogCursor } from "./line_log.ts";
import { nickKeys, validateNick } from "./nick.ts";
import { OPERATOR_COMMANDS } from "./operator.ts";
import {
  DEFAULT_RECONNECT_GRACE_MS,
  newToken,
  type Reservation,
  Reservations,
} from "./reservations.ts";
import { DEFAULT_ANNOUNCE_MAX, type Room } from "./room.ts";
import { DEFAULT_MAX_ROOMS, DEFAULT_ROOM, RoomRegistry, validateRoomName } from "./rooms.ts";
import { SERVER_CATALOG, type ServerText } from "./messages.ts";
import { status } from "./status.ts";
import { USER_COMMANDS } from "./user_commands.ts";
import { DEFAULT_ROOM_OUTPUT, type Refusal, RoomOutput, type RoomOutputLimit } from "./limits.ts";
import { DEFAULT_LANG, type Lang, langOfLocale, LANGS } from "../i18n/mod.ts";
import { cleanChatText } from "../text/sanitize.ts";
import { displayReason, displayValue } from "../text/escape.ts";

export type { ChatClient, LinkFaults, Member } from "./chat_client.ts";
export type { ChatEvent } from "./events.ts";

/** Options of a {@link Lobby}. */
export interface LobbyOptions {
  /** Most registered users (default 10000). */
  readonly maxClients?: number;
  /** Longest chat text in UTF-8 bytes (default 32768). */
  readonly maxText?: number;
  /** Flood limit for MSG, ME, PRIV, JOIN and OP; `null` = off (default 10/5). */
  readonly flood?: FloodLimit | null;
  /** Join, leave and rename notices go to a room while it has at most this many users. */
  readonly announceMax?: number;
  /** Extra facts for an operator's `STATS` (server counters, CPU, memory). */
  readonly stats?: () => Record<string, unknown>;
  /** The limits in force, for `LIMITS` (the server's rates and counts). */
  readonly limits?: () => Record<string, unknown>;
  /**
   * Output the rooms may fan out together (`limits.ts`); `null` = unlimited (default 16 MB/s,
   * lines under 64 KiB of output always pass).
   */
  readonly output?: RoomOutputLimit | null;
  /**
   * Runs `fn` at the end of the current event-loop turn, before output is written (the server
   * passes its turn's `beforeFlush`). Default: `queueMicrotask`.
   */
  readonly endOfTurn?: (fn: () => void) => void;
  /** Lines of history a room replays on join (default 20; 0: off). */
  readonly history?: number;
  /** Bytes of history a room keeps at most (default 64 KiB). */
  readonly historyBytes?: number;
  /** Most rooms at once, the default one included (default 1000). */
  readonly maxRooms?: number;
  /** Name of the room everyone starts in (default `lobby`). */
  readonly defaultRoom?: string;
  /** How long a dropped user's nickname is held for it (default 60 s; 0: not held). */
  readonly reconnectGraceMs?: number;
  /** The password `OP` wants; none: nobody can become an operator. */
  readonly operatorPassword?: string;
  /** The clock of `leave`, ms, the same as the `now` given to `input` (default `performance.now`). */
  readonly clock?: () => number;
  /** Wall-clock ms of a `now` (history times; default `performance.timeOrigin + now`). */
  readonly wallClock?: (now: number) => number;
  /** Makes resume tokens (default: 128 random bits in hex). */
  readonly newToken?: () => string;
  /**
   * The server's language: of what rooms share (notices, announcements) and of the replies to a
   * connection that did not ask for its own with `LANG` (default English).
   */
  readonly lang?: Lang;
}

/** A connection that has not registered yet. */
interface Pending {
  readonly client: ChatClient;
  /** The room asked for with `JOIN` before the nickname. */
  room: string | undefined;
  /** The language asked for with `LANG` before the nickname, else the server's. */
  text: ServerText;
}

/** How a member leaves, beyond the reason shown. */
interface Removal {
  /** Hold its nickname for it (a lost connection of a member with a token). */
  readonly hold?: boolean;
  /** Tell its room (default true). */
  readonly notice?: boolean;
}

/** The registry every lobby dispatches through. */
const COMMANDS = new CommandRegistry([...USER_COMMANDS, ...OPERATOR_COMMANDS]);

/** Every verb a registered user can send (with aliases), for docs and tests. */
export const VERBS: readonly string[] = COMMANDS.verbs();
/** The verbs a connection may send before it registers, beside its nickname. */
export const REGISTRATION_VERBS: readonly string[] = ["JOIN", "RESUME", "LANG"];

/** The chat of one server: rooms, users, commands. */
export class Lobby {
  /** The rooms. */
  readonly rooms: RoomRegistry;
  /** The bans in force. */
  readonly bans = new BanList();
  /** Nicknames held for users who lost their connection. */
  readonly reservations = new Reservations();
  /** The command registry. */
  readonly commands = COMMANDS;
  /** The server's language (see {@link LobbyOptions.lang}). */
  readonly text: ServerText;
  readonly #maxClients: number;
  readonly #maxText: number;
  readonly #flood: FloodLimit | null;
  readonly #historyLines: number;
  readonly #graceMs: number;
  readonly #password: string | undefined;
  readonly #stats: (() => Record<string, unknown>) | undefined;
  readonly #limits: (() => Record<string, unknown>) | undefined;
  readonly #output: RoomOutput | undefined;
  readonly #onEvent: ((e: ChatEvent) => void) | undefined;
  readonly #clock: () => number;
  readonly #wallClock: (now: number) => number;
  readonly #newToken: () => string;
  readonly #pending = new Map<number, Pending>();
  readonly #members = new Map<number, Member>();
  readonly #byNick = new Map<string, Member>();
  readonly #byToken = new Map<string, Member>();
  #closed = false;

  /** A lobby with only the default room. */
  constructor(options: LobbyOptions = {}, onEvent?: (e: ChatEvent) => void) {
    this.#maxClients = options.maxClients ?? 10000;
    this.#maxText = options.maxText ?? 32768;
    this.#flood = options.flood === undefined ? DEFAULT_FLOOD : options.flood;
    this.#historyLines = options.history ?? DEFAULT_HISTORY_LINES;
    this.#graceMs = options.reconnectGraceMs ?? DEFAULT_RECONNECT_GRACE_MS;
    this.#password = options.operatorPassword;
    this.#stats = options.stats;
    this.#limits = options.limits;
    const output = options.output === undefined ? DEFAULT_ROOM_OUTPUT : options.output;
    this.#output = output === null ? undefined : new RoomOutput(output, 0);
    this.#onEvent = onEvent;
    this.#clock = options.clock ?? (() => performance.now());
    const origin = performance.timeOrigin;
    this.#wallClock = options.wallClock ?? ((now) => origin + now);
    this.#newToken = options.newToken ?? newToken;
    this.text = SERVER_CATALOG[options.lang ?? DEFAULT_LANG];
    this.rooms = new RoomRegistry(
      {
        endOfTurn: options.endOfTurn ?? queueMicrotask,
        announceMax: options.announceMax ?? DEFAULT_ANNOUNCE_MAX,
        historyLines: this.#historyLines,
        historyBytes: options.historyBytes ?? DEFAULT_HISTORY_BYTES,
      },
      options.maxRooms ?? DEFAULT_MAX_ROOMS,
      options.defaultRoom ?? DEFAULT_ROOM,
    );
  }

  /** Registered members, every room. */
  get size(): number {
    return this.#members.size;
  }

  /** Nickname of a registered client. */
  nickOf(client: ChatClient): string | undefined {
    return this.#members.get(client.id)?.nick;
  }

  /** The member of a registered client. */
  memberOf(client: ChatClient): Member | undefined {
    return this.#members.get(client.id);
  }

  /** Nicknames of every room, in registration order. */
  nicks(): string[] {
    return [...this.#members.values()].map((m) => m.nick);
  }

  /** Every registered member. */
  members(): IterableIterator<Member> {
    return this.#members.values();
  }

  /** The language `client` is answered in: its `LANG`, else the server's. */
  textOf(client: ChatClient): ServerText {
    return this.#members.get(client.id)?.text ?? this.#pending.get(client.id)?.text ?? this.text;
  }

  /** A connection arrived; its first line will be its nickname (or `JOIN`, `RESUME`). */
  connect(client: ChatClient): void {
    if (this.#closed) {
      client.send(status(503, this.text.shuttingDown));
      client.close();
      return;
    }
    const now = this.#clock();
    const until = this.bans.addressBanned(client.address, now);
    if (until > 0) {
      this.#event({ type: "reject", id: client.id, code: 403, reason: "banned address" });
      client.send(status(403, this.bannedText(until, now), "Banned"));
      client.close();
      return;
    }
    this.#pending.set(client.id, { client, room: undefined, text: this.text });
  }

  /** Handles one complete command line from `client` at time `now` (ms); a blank one is ignored. */
  input(client: ChatClient, line: string, now: number): void {
    if (isBlank(line)) return;
    const member = this.#members.get(client.id);
    // Every command line pays, whatever it is: one place, before anything is parsed.
    const refused = client.budget?.command(now);
    if (refused !== undefined) return this.#overBudget(client, member, refused);
    if (member === undefined) {
      const p = this.#pending.get(client.id);
      if (p !== undefined) this.#pendingInput(p, line, now);
      return;
    }
    const { verb, rest } = parseCommand(line);
    const spec = this.commands.get(verb);
    if (spec === undefined) {
      this.reply(member, 404, member.text.unknownCommand(displayValue(verb)));
      return;
    }
    if (spec.operator && !member.operator) {
      this.deny(member, verb, member.text.operatorCommand(verb));
      return;
    }
    spec.run(this, member, rest, now);
  }

  /**
   * A client left for a transport reason; idempotent. The reason may come from the peer (a
   * binary client's RST reason): the notice shows it escaped and bounded (`displayReason`). A
   * member with a token keeps its nickname for the grace period. True when a member left (its
   * `leave` event, with the reason, was told).
   */
  leave(client: ChatClient, transportReason: string): boolean {
    this.#pending.delete(client.id);
    const m = this.#members.get(client.id);
    if (m === undefined) return false;
    this.remove(m, displayReason(this.text.transportReason(transportReason)), {
      hold: m.token !== undefined && this.#graceMs > 0,
    });
    return true;
  }

  /** Tells everyone the server is stopping (each in its language) and closes them. */
  shutdown(reason: string): void {
    this.#closed = true;
    const said = new Map<ServerText, Uint8Array>();
    const bytes = (t: ServerText) => {
      let b = said.get(t);
      if (b === undefined) said.set(t, b = status(503, t.shuttingDownBecause(reason)));
      return b;
    };
    for (const p of this.#pending.values()) {
      p.client.send(bytes(p.text));
      p.client.close();
    }
    this.#pending.clear();
    for (const m of this.#members.values()) {
      this.send(m, bytes(m.text));
      m.client.close();
      this.#event({
        type: "leave",
        id: m.client.id,
        nick: m.nick,
        reason: "server shutting down",
        room: m.room.name,
      });
    }
    this.#members.clear();
    this.#byNick.clear();
    this.#byToken.clear();
  }

  // ---- for the command handlers (user_commands.ts, operator.ts)

  /** Most registered users. */
  get maxClients(): number {
    return this.#maxClients;
  }

  /** Longest chat text in bytes. */
  get maxText(): number {
    return this.#maxText;
  }

  /** The flood limit, or `null`. */
  get flood(): FloodLimit | null {
    return this.#flood;
  }

  /** Lines of history replayed on join. */
  get historyLines(): number {
    return this.#historyLines;
  }

  /** How long a dropped user's nickname is held, ms. */
  get graceMs(): number {
    return this.#graceMs;
  }

  /** The server's own facts (operators' `STATS`). */
  serverStats(): Record<string, unknown> {
    return this.#stats?.() ?? {};
  }

  /** Wall-clock ms of the lobby time `now`. */
  wallTime(now: number): number {
    return this.#wallClock(now);
  }

  /** Replies to `m`: a status line and one body line. A code of 400 or more is logged. */
  reply(m: Member, code: number, body: string, detail?: string): void {
    if (code >= 400) this.#event({ type: "reject", id: m.client.id, code, reason: body });
    this.send(m, status(code, body, detail));
  }

  /** Refuses an operator's action to `m` with 403, and logs it. */
  deny(m: Member, verb: string, body: string): void {
    this.#event({ type: "denied", id: m.client.id, nick: m.nick, verb, reason: body });
    this.send(m, status(403, body));
  }

  /** Sends to one member, after the broadcasts it has not taken yet (keeps the order). */
  send(m: Member, bytes: Uint8Array): void {
    m.room.send(m, bytes);
  }

  /** Logs an event. */
  event(e: ChatEvent): void {
    this.#event(e);
  }

  /**
   * Takes a token of `m`'s flood bucket and one of its address's; false (after a 429 reply) when
   * either is empty.
   */
  takeToken(m: Member, now: number): boolean {
    if (m.bucket && !m.bucket.take(now)) {
      const f = m.bucket.limit;
      this.reply(m, 429, m.text.slowDown(f.burst, f.perSeconds));
      return false;
    }
    const shared = m.client.budget?.broadcast(now);
    if (shared === undefined) return true;
    this.reply(m, 429, shared.say(m.text));
    return false;
  }

  /**
   * Takes the output of a line of `text` from `m` to the others in its room from the rooms'
   * output budget; false (after a 429 reply) when it would pass it.
   */
  outputAllows(m: Member, text: string, now: number): boolean {
    const out = this.#output;
    // Its bytes, at most 3 per UTF-16 unit, to every other member of its room.
    const bytes = m.nick.length * 3 + text.length + 8;
    if (out === undefined || out.take(bytes, m.room.size - 1, now)) return true;
    const mb = Math.round(out.limit.bytesPerSecond / (1024 * 1024));
    this.reply(m, 429, m.text.roomBusy(mb));
    return false;
  }

  /** The limits in force (`LIMITS`). */
  limitFacts(): Record<string, unknown> {
    return this.#limits?.() ?? {};
  }

  /**
   * Checks and cleans chat text (`cleanChatText`: controls refused, tabs to spaces, invisible
   * characters removed, mark stacks bounded), refuses it while `m` is muted, and takes a flood
   * token; replies with the error and returns `undefined` when it is not acceptable.
   */
  acceptText(m: Member, typed: string, now: number): string | undefined {
    const text = cleanChatText(typed);
    if (typeof text !== "string") {
      this.reply(m, 400, m.text.controlCharacters(text.codePoint));
      return undefined;
    }
    if (text === "") {
      this.reply(m, 400, m.text.emptyMessage);
      return undefined;
    }
    if (text.length * 3 > this.#maxText) {
      const size = encoder.encode(text).length;
      if (size > this.#maxText) {
        this.reply(m, 413, m.text.messageTooLong(size, this.#maxText));
        return undefined;
      }
    }
    if (m.mutedUntil > now) {
      this.reply(m, 403, m.text.muted(minutesLeft(m.mutedUntil, now)));
      return undefined;
    }
    if (!this.takeToken(m, now)) return undefined;
    return text;
  }

  /** The registered member whose nickname looks like `name`, if any. */
  findMember(name: string): Member | undefined {
    return this.#holder(nickKeys(name));
  }

  /** Changes `m`'s nickname (already validated and free). */
  rename(m: Member, nick: string, keys: readonly string[]): void {
    this.#forgetKeys(m);
    m.nick = nick;
    m.prefix = undefined;
    m.keys = keys;
    for (const k of keys) this.#byNick.set(k, m);
  }

  /** The member (other than `except`) or held reservation whose nickname has one of `keys`. */
  nickInUse(keys: readonly string[], now: number, except?: Member): boolean {
    return this.#holder(keys, except) !== undefined ||
      this.reservations.holding(keys, now) !== undefined;
  }

  /**
   * Moves `m` to `to`: it takes the lines said where it was, its old room hears that it left
   * (`why`, in the server's language), the new one that it came; the old room is dropped if
   * nobody is left. The caller
   * replies; then {@link welcomeTo} sends the history.
   */
  moveTo(m: Member, to: Room, why: string): void {
    const from = m.room;
    if (from === to) return;
    from.remove(m);
    from.notice(this.text.leftNotice(m.nick, why));
    this.rooms.dropIfUnused(from);
    to.add(m);
    to.notice(this.text.joinedNotice(m.nick, to.size), m);
    this.applyFaults(m);
    this.#event({ type: "move", id: m.client.id, nick: m.nick, from: from.name, to: to.name });
  }

  /** Sends `m` the last `count` lines of its room's history (default: the configured number). */
  welcomeTo(m: Member, count = this.#historyLines): void {
    m.room.replay(m, Math.min(count, this.#historyLines));
  }

  /** Sets the faults of `m`'s link from its own setting, else its room's, else the server's. */
  applyFaults(m: Member): void {
    m.client.setFaults?.(m.faults ?? m.room.faults);
  }

  /**
   * Removes `m` from the lobby and its room: the room is told (`*** nick left (reason)`, the
   * reason in the server's language), its token forgotten, and with `hold` its nickname kept
   * for it for the grace period.
   */
  remove(m: Member, reason: string, how: Removal = {}): void {
    if (this.#members.get(m.client.id) !== m) return;
    const now = this.#clock();
    this.#members.delete(m.client.id);
    this.#forgetKeys(m);
    if (m.token !== undefined) this.#byToken.delete(m.token);
    const room = m.room;
    room.remove(m);
    if (how.hold && m.token !== undefined) {
      this.reservations.hold({
        nick: m.nick,
        keys: m.keys,
        token: m.token,
        room,
        linesAtDrop: room.lines,
        operator: m.operator,
        mutedUntil: m.mutedUntil,
        faults: m.faults,
        address: m.client.address,
        expiresAt: now + this.#graceMs,
      });
      room.held++;
      this.#event({ type: "held", id: m.client.id, nick: m.nick, ms: this.#graceMs });
    }
    this.#event({ type: "leave", id: m.client.id, nick: m.nick, reason, room: room.name });
    if (how.notice ?? true) room.notice(this.text.leftNotice(m.nick, reason));
    this.rooms.dropIfUnused(room);
    this.expireHeld(now);
  }

  /** Gives up the nicknames held past their grace period; their rooms may go. */
  expireHeld(now: number): void {
    if (this.reservations.size === 0) return;
    for (const r of this.reservations.expire(now)) this.#unhold(r);
  }

  /** Drops a reservation before its time (kicked, banned). */
  release(r: Reservation): void {
    this.reservations.release(r);
    this.#unhold(r);
  }

  /** `m`'s resume token, made at its first request. */
  tokenOf(m: Member): string {
    if (m.token === undefined) {
      m.token = this.#newToken();
      this.#byToken.set(m.token, m);
    }
    return m.token;
  }

  /** Forgets `m`'s token (kicked, banned): it cannot resume any more. */
  revokeToken(m: Member): void {
    if (m.token !== undefined) this.#byToken.delete(m.token);
    m.token = undefined;
  }

  /** True when `password` is the operator password (compared in constant time). */
  isOperatorPassword(password: string): boolean {
    const want = this.#password;
    if (want === undefined) return false;
    const a = encoder.encode(password);
    const b = encoder.encode(want);
    let diff = a.length ^ b.length;
    for (let i = 0; i < b.length; i++) diff |= (a[i] ?? 0) ^ b[i]!;
    return diff === 0;
  }

  /** True when an operator password is set. */
  get hasOperatorPassword(): boolean {
    return this.#password !== undefined;
  }

  /** `Banned until HH:MM:SS` for a ban ending at `until`, in the language of `text`. */
  bannedText(until: number, now: number, text: ServerText = this.text): string {
    return text.bannedUntil(clockTime(this.wallTime(until)), minutesLeft(until, now));
  }

  /**
   * `LANG tag`: the table `tag` names and the reply, in that language (`LANG` alone: the
   * current one); a language not spoken here is a 400 in the `current` one.
   */
  language(
    current: ServerText,
    rest: string,
  ): { readonly text: ServerText; readonly code: number; readonly body: string } {
    const asked = rest.trim();
    const lang = asked === "" ? langOfText(current) : langOfLocale(asked);
    if (lang === undefined) {
      return {
        text: current,
        code: 400,
        body: current.unknownLanguage(displayValue(asked), LANGS.join(", ")),
      };
    }
    const text = SERVER_CATALOG[lang];
    return {
      text,
      code: 200,
      body: text.languageSet(lang, LANGS.filter((l) => l !== lang).join(", ")),
    };
  }

  // ---- registration

  #pendingInput(p: Pending, line: string, now: number): void {
    const space = line.indexOf(" ");
    if (space > 0) {
      const { verb, rest } = parseCommand(line);
      if (verb === "JOIN") return this.#chooseRoom(p, rest);
      if (verb === "RESUME") return this.#resume(p, rest, now);
      if (verb === "LANG") {
        const r = this.language(p.text, rest);
        p.text = r.text;
        p.client.send(status(r.code, r.body, r.code === 200 ? "Language" : undefined));
        return;
      }
    }
    this.#register(p, line, now);
  }

  #chooseRoom(p: Pending, rest: string): void {
    const check = validateRoomName(rest);
    if (!check.ok) {
      p.client.send(status(400, p.text.invalidRoom(p.text.nameProblem(check.problem))));
      return;
    }
    p.room = check.nick;
    p.client.send(status(200, p.text.willBeIn(check.nick), "Joined"));
  }

  #register(p: Pending, line: string, now: number): void {
    const client = p.client;
    const t = p.text;
    const check = validateNick(line);
    if (!check.ok) return this.#refuse(client, 400, t.invalidNick(t.nameProblem(check.problem)));
    const keys = nickKeys(check.nick);
    const banned = this.bans.nameBanned(keys, now);
    if (banned > 0) return this.#refuse(client, 403, this.bannedText(banned, now, t), "Banned");
    this.expireHeld(now);
    if (this.nickInUse(keys, now)) {
      return this.#refuse(client, 409, t.nickTaken(check.nick));
    }
    if (this.#members.size >= this.#maxClients) {
      return this.#refuse(client, 503, t.serverFull(this.#maxClients));
    }
    const room = p.room === undefined ? this.rooms.lobby : this.rooms.open(p.room);
    if (room === undefined) {
      return this.#refuse(client, 503, t.tooManyRooms(this.rooms.max));
    }
    const m = this.#admit(p, check.nick, keys, room, now);
    const n = this.#members.size;
    this.send(m, status(200, t.welcome(m.nick, n), "Connected"));
    this.#event({ type: "join", id: client.id, nick: m.nick, users: n, room: room.name });
    room.notice(this.text.joinedNotice(m.nick, room.size), m);
    this.welcomeTo(m);
  }

  /** `RESUME nick token`: back where it was, or a takeover of a connection not yet seen dead. */
  #resume(p: Pending, rest: string, now: number): void {
    const client = p.client;
    const [nick, token] = splitWord(rest);
    this.expireHeld(now);
    const keys = nickKeys(nick);
    const held = this.reservations.holding(keys, now);
    if (held !== undefined && held.token === token) {
      this.reservations.release(held);
      const stillThere = this.rooms.has(held.room);
      held.room.held--;
      const room = stillThere ? held.room : this.rooms.lobby;
      const m = this.#admit(p, held.nick, held.keys, room, now);
      m.operator = held.operator;
      m.mutedUntil = held.mutedUntil;
      m.faults = held.faults;
      m.token = held.token;
      this.#byToken.set(held.token, m);
      this.applyFaults(m);
      const missed = stillThere ? room.lines - held.linesAtDrop : 0;
      this.#welcomeBack(m, missed);
      room.notice(this.text.backNotice(m.nick, room.size), m);
      this.welcomeTo(m, missed);
      return;
    }
    const live = this.#byToken.get(token);
    if (live !== undefined && live.keys.some((k) => keys.includes(k))) {
      // The old connection is gone but the server has not seen it yet (a Wi-Fi drop): the new
      // one takes its place, in its room, with its role.
      const room = live.room;
      live.client.send(status(409, live.text.replaced, "Replaced"));
      live.client.close();
      room.held++; // the room stays while it changes hands
      this.remove(live, "replaced", { notice: false });
      room.held--;
      const m = this.#admit(p, live.nick, live.keys, room, now);
      m.operator = live.operator;
      m.mutedUntil = live.mutedUntil;
      m.faults = live.faults;
      m.token = token;
      this.#byToken.set(token, m);
      this.applyFaults(m);
      this.#welcomeBack(m, 0);
      return;
    }
    this.#refuse(client, 403, p.text.unknownToken);
  }

  #welcomeBack(m: Member, missed: number): void {
    const room = m.room;
    this.send(m, status(200, m.text.welcomeBack(m.nick, room.name, room.size, missed), "Resumed"));
    this.#event({ type: "resume", id: m.client.id, nick: m.nick, room: room.name, missed });
  }

  /** Makes `p` a member named `nick` in `room`. */
  #admit(p: Pending, nick: string, keys: readonly string[], room: Room, now: number): Member {
    this.#pending.delete(p.client.id);
    const m: Member = {
      client: p.client,
      nick,
      keys,
      prefix: undefined,
      bucket: this.#flood ? new TokenBucket(this.#flood, now) : undefined,
      room,
      cursor: PLACEHOLDER_CURSOR,
      operator: false,
      failedOps: 0,
      mutedUntil: 0,
      token: undefined,
      faults: undefined,
      text: p.text,
    };
    this.#members.set(p.client.id, m);
    for (const k of keys) this.#byNick.set(k, m);
    room.add(m);
    if (room.faults !== undefined) this.applyFaults(m);
    return m;
  }

  /** A command over its budget: 429, and the connection closed when it would not stop. */
  #overBudget(client: ChatClient, m: Member | undefined, r: Refusal): void {
    if (m === undefined) {
      const p = this.#pending.get(client.id);
      if (p !== undefined) this.#refuse(client, 429, r.say(p.text));
      return;
    }
    this.reply(m, 429, r.say(m.text));
    if (r.close) {
      this.leave(client, "excess flood");
      client.close();
    }
  }

  #refuse(client: ChatClient, code: number, body: string, detail?: string): void {
    this.#pending.delete(client.id);
    this.#event({ type: "reject", id: client.id, code, reason: body });
    client.send(status(code, body, detail));
    client.close();
  }

  #unhold(r: Reservation): void {
    r.room.held--;
    if (this.rooms.has(r.room)) this.rooms.dropIfUnused(r.room);
    this.#event({ type: "released", nick: r.nick });
  }

  /** The member whose nickname has one of `keys`, other than `except`. */
  #holder(keys: readonly string[], except?: Member): Member | undefined {
    for (const k of keys) {
      const holder = this.#byNick.get(k);
      if (holder !== undefined && holder !== except) return holder;
    }
    return undefined;
  }

  #forgetKeys(m: Member): void {
    for (const k of m.keys) if (this.#byNick.get(k) === m) this.#byNick.delete(k);
  }

  #event(e: ChatEvent): void {
    this.#onEvent?.(e);
  }
}

const encoder = new TextEncoder();

/** The language whose table `text` is. */
function langOfText(text: ServerText): Lang {
  return LANGS.find((l) => SERVER_CATALOG[l] === text) ?? DEFAULT_LANG;
}

/** A cursor on an empty log: a member's until `Room.add` gives it its room's. */
const PLACEHOLDER_CURSOR = new LogCursor(new LineLog(16));
