/**
 * The chat room: registration, commands, broadcasts and notices, knowing nothing about
 * sockets (ssh-chat style). Session edges feed it complete command lines; it answers through
 * {@link ChatClient.send} with UTF-8 bytes that already end in a newline. A broadcast is
 * encoded once into the room's line log, and every member takes all of a turn's lines at once
 * at the end of the turn (or before its own next reply, so the order stays), as views of the
 * log's shared bytes.
 * @module
 */

import { parseCommand, splitWord } from "./command.ts";
import { DEFAULT_FLOOD, type FloodLimit, TokenBucket } from "./flood.ts";
import { nickKeys, validateNick } from "./nick.ts";
import { cleanChatText } from "../text/sanitize.ts";
import { displayReason, displayValue } from "../text/escape.ts";
import { status } from "./status.ts";
import { LineLog, LogCursor } from "./line_log.ts";

/** What the room needs from a connection; implemented by the server's session edges. */
export interface ChatClient {
  /** Unique per connection. */
  readonly id: number;
  /**
   * Queues bytes (ending in `\n`); must not throw. The room never changes bytes it has sent, so
   * a client keeps views of them instead of copies. Broadcasts come as runs of whole lines of
   * the room's line log with `sum` = `onesSum(bytes)` (RFC 1071), for a client that checksums
   * what it sends; replies come alone, without a sum.
   */
  send(bytes: Uint8Array, sum?: number): void;
  /** Closes after pending sends are written; idempotent. */
  close(): void;
  /**
   * The longest run of broadcast lines it wants in one `send` (a binary session's frame
   * payload); runs are cut at line ends, a longer line comes alone. Read once, when the client
   * registers. Default: no limit.
   */
  readonly logPieceMax?: number;
}

/** Largest room in which join, leave and rename notices are broadcast, by default. */
export const DEFAULT_ANNOUNCE_MAX = 1000;

/** Options of a {@link Room}. */
export interface RoomOptions {
  /** Most registered users (default 10000). */
  readonly maxClients?: number;
  /** Longest chat text in UTF-8 bytes (default 32768). */
  readonly maxText?: number;
  /** Flood limit for MSG/PRIV; `null` = off (default 10/5). */
  readonly flood?: FloodLimit | null;
  /**
   * Join, leave and rename notices go to everyone while the room has at most this many users
   * (default 1000). Above it they are not sent: ten thousand joins would otherwise cost fifty
   * million notice lines (N²/2), as IRC's "auditorium" channels know. `LIST` still works.
   */
  readonly announceMax?: number;
  /** Extra facts for `STATS` (server counters, CPU, memory). */
  readonly stats?: () => Record<string, unknown>;
  /**
   * Runs `fn` at the end of the current event-loop turn, before output is written (the server
   * passes its turn's `beforeFlush`), where members take the turn's broadcasts. Default:
   * `queueMicrotask`.
   */
  readonly endOfTurn?: (fn: () => void) => void;
}

/** Something that happened in the room, for the log. */
export type RoomEvent =
  | { readonly type: "join"; readonly id: number; readonly nick: string; readonly users: number }
  | { readonly type: "leave"; readonly id: number; readonly nick: string; readonly reason: string }
  | { readonly type: "rename"; readonly id: number; readonly from: string; readonly to: string }
  | { readonly type: "message"; readonly id: number; readonly nick: string; readonly bytes: number }
  | { readonly type: "private"; readonly id: number; readonly from: string; readonly to: string }
  | {
    readonly type: "reject";
    readonly id: number;
    readonly code: number;
    readonly reason: string;
  };

interface Member {
  readonly client: ChatClient;
  nick: string;
  /**
   * `[nick]: ` in UTF-8, the start of each of its chat lines; made at its first line (most of a
   * large room only listens).
   */
  prefix: Uint8Array | undefined;
  /** Its nickname's keys in `#byNick` (see `nickKeys`). */
  keys: readonly string[];
  bucket: TokenBucket | undefined;
  /** Its position in the line log: everything before it was handed over or skipped. */
  readonly cursor: LogCursor;
}

/** One entry of the command registry. */
type Handler = "msg" | "list" | "nick" | "priv" | "quit" | "help" | "stats";

interface CommandSpec {
  readonly verb: string;
  readonly aliases: readonly string[];
  readonly usage: string;
  readonly help: string;
  readonly handler: Handler;
}

const encoder = new TextEncoder();
const MSG_OK = status(200, "Message sent");

/** The chat room shared by every session. */
export class Room {
  readonly #maxClients: number;
  readonly #announceMax: number;
  readonly #maxText: number;
  readonly #flood: FloodLimit | null;
  readonly #stats: (() => Record<string, unknown>) | undefined;
  readonly #onEvent: ((e: RoomEvent) => void) | undefined;
  readonly #pending = new Map<number, ChatClient>();
  readonly #members = new Map<number, Member>();
  /** Broadcast lines, encoded once into shared blocks. */
  readonly #lines = new LineLog();
  readonly #endOfTurn: (fn: () => void) => void;
  #catchUpScheduled = false;
  readonly #byNick = new Map<string, Member>();
  readonly #commands = new Map<string, CommandSpec>();
  #closed = false;

  /** Creates an empty room. */
  constructor(options: RoomOptions = {}, onEvent?: (e: RoomEvent) => void) {
    this.#maxClients = options.maxClients ?? 10000;
    this.#announceMax = options.announceMax ?? DEFAULT_ANNOUNCE_MAX;
    this.#maxText = options.maxText ?? 32768;
    this.#flood = options.flood === undefined ? DEFAULT_FLOOD : options.flood;
    this.#stats = options.stats;
    this.#endOfTurn = options.endOfTurn ?? queueMicrotask;
    this.#onEvent = onEvent;
    for (const spec of COMMANDS) {
      this.#commands.set(spec.verb, spec);
      for (const a of spec.aliases) this.#commands.set(a, spec);
    }
  }

  /** Registered members. */
  get size(): number {
    return this.#members.size;
  }

  /** Nickname of a registered client. */
  nickOf(client: ChatClient): string | undefined {
    return this.#members.get(client.id)?.nick;
  }

  /** Nicknames in registration order. */
  nicks(): string[] {
    return [...this.#members.values()].map((m) => m.nick);
  }

  /** A connection arrived; its first line will be its nickname. */
  connect(client: ChatClient): void {
    if (this.#closed) {
      client.send(status(503, "Server shutting down"));
      client.close();
      return;
    }
    this.#pending.set(client.id, client);
  }

  /** Handles one complete command line from `client` at time `now` (ms). */
  input(client: ChatClient, line: string, now: number): void {
    const member = this.#members.get(client.id);
    if (member === undefined) {
      if (this.#pending.has(client.id)) this.#register(client, line, now);
      return;
    }
    const { verb, rest } = parseCommand(line);
    const spec = this.#commands.get(verb);
    if (spec === undefined) {
      this.#reply(member, 404, `Unknown command: ${displayValue(verb)}`);
      return;
    }
    switch (spec.handler) {
      case "msg":
        return this.#msg(member, rest, now);
      case "list":
        return this.#list(member);
      case "nick":
        return this.#nick(member, rest);
      case "priv":
        return this.#priv(member, rest, now);
      case "quit":
        return this.#quit(member);
      case "help":
        return this.#help(member);
      case "stats":
        return this.#statsCommand(member);
    }
  }

  /**
   * A client left for a transport reason; idempotent. The reason may come from the peer (a
   * binary client's RST reason): the notice shows it escaped and bounded (`displayReason`).
   */
  leave(client: ChatClient, transportReason: string): void {
    this.#pending.delete(client.id);
    const member = this.#members.get(client.id);
    if (member === undefined) return;
    const reason = displayReason(transportReason);
    this.#members.delete(client.id);
    this.#forgetKeys(member);
    this.#event({ type: "leave", id: client.id, nick: member.nick, reason });
    this.#notice(`*** ${member.nick} left (${reason})`);
  }

  /** Tells everyone the server is stopping and closes them. */
  shutdown(reason: string): void {
    this.#closed = true;
    const bytes = status(503, `Server shutting down: ${reason}`);
    for (const c of this.#pending.values()) {
      c.send(bytes);
      c.close();
    }
    this.#pending.clear();
    for (const m of this.#members.values()) {
      this.#send(m, bytes);
      m.client.close();
    }
    this.#members.clear();
    this.#byNick.clear();
  }

  #register(client: ChatClient, line: string, now: number): void {
    const check = validateNick(line);
    if (!check.ok) return this.#refuse(client, 400, `Invalid nickname: ${check.reason}`);
    const keys = nickKeys(check.nick);
    if (this.#holder(keys) !== undefined) {
      return this.#refuse(client, 409, `Nickname taken: ${check.nick}`);
    }
    if (this.#members.size >= this.#maxClients) {
      return this.#refuse(client, 503, `Server full (${this.#maxClients} users)`);
    }
    this.#pending.delete(client.id);
    const member: Member = {
      client,
      nick: check.nick,
      prefix: undefined,
      keys,
      bucket: this.#flood ? new TokenBucket(this.#flood, now) : undefined,
      cursor: new LogCursor(this.#lines, client.logPieceMax),
    };
    this.#members.set(client.id, member);
    for (const k of keys) this.#byNick.set(k, member);
    const n = this.#members.size;
    this.#send(
      member,
      status(
        200,
        `Welcome, ${check.nick}! ${n} user${n === 1 ? "" : "s"} online. Type HELP for commands.`,
        "Connected",
      ),
    );
    this.#event({ type: "join", id: client.id, nick: check.nick, users: n });
    this.#notice(`*** ${check.nick} joined (${n} online)`, member);
  }

  #refuse(client: ChatClient, code: number, body: string): void {
    this.#pending.delete(client.id);
    this.#event({ type: "reject", id: client.id, code, reason: body });
    client.send(status(code, body));
    client.close();
  }

  #reply(m: Member, code: number, body: string, detail?: string): void {
    if (code >= 400) this.#event({ type: "reject", id: m.client.id, code, reason: body });
    this.#send(m, status(code, body, detail));
  }

  #notice(text: string, except?: Member): void {
    if (this.#members.size > this.#announceMax) return;
    this.#broadcast(this.#lines.encode(text + "\n"), except);
  }

  /** `line` must be the line the log encoded last. */
  #broadcast(line: Uint8Array, except?: Member): void {
    // Members take the line at the end of the turn, with every other line of the turn; the
    // sender steps over its own.
    except?.cursor.takeAllBut(line, except.client);
    if (!this.#catchUpScheduled) {
      this.#catchUpScheduled = true;
      this.#endOfTurn(this.#catchUp);
    }
  }

  readonly #catchUp = (): void => {
    this.#catchUpScheduled = false;
    for (const m of this.#members.values()) m.cursor.take(m.client);
  };

  /** Sends to one member, after the broadcasts it has not taken yet (keeps the order). */
  #send(m: Member, bytes: Uint8Array): void {
    m.cursor.take(m.client);
    m.client.send(bytes);
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

  /**
   * Checks and cleans chat text (`cleanChatText`: controls refused, tabs to spaces, invisible
   * characters removed, mark stacks bounded); replies with the error and returns `undefined`
   * when it is not acceptable.
   */
  #acceptText(m: Member, typed: string, now: number): string | undefined {
    const text = cleanChatText(typed);
    if (typeof text !== "string") {
      this.#reply(m, 400, `Control characters are not allowed: ${text.codePoint}`);
      return undefined;
    }
    if (text === "") {
      this.#reply(m, 400, "Empty message");
      return undefined;
    }
    if (text.length * 3 > this.#maxText) {
      const size = encoder.encode(text).length;
      if (size > this.#maxText) {
        this.#reply(m, 413, `Message too long (${size} bytes, max ${this.#maxText})`);
        return undefined;
      }
    }
    if (m.bucket && !m.bucket.take(now)) {
      const f = m.bucket.limit;
      this.#reply(m, 429, `Slow down: ${f.burst} messages per ${f.perSeconds} s`);
      return undefined;
    }
    return text;
  }

  #msg(m: Member, typed: string, now: number): void {
    const text = this.#acceptText(m, typed, now);
    if (text === undefined) return;
    m.prefix ??= encoder.encode(`[${m.nick}]: `);
    this.#broadcast(this.#lines.encodeLine(m.prefix, text), m);
    this.#send(m, MSG_OK);
    this.#event({ type: "message", id: m.client.id, nick: m.nick, bytes: text.length });
  }

  #list(m: Member): void {
    this.#reply(m, 200, this.nicks().join(", "), "User List");
  }

  #nick(m: Member, rest: string): void {
    const check = validateNick(rest);
    if (!check.ok) return this.#reply(m, 400, `Invalid nickname: ${check.reason}`);
    const keys = nickKeys(check.nick);
    if (this.#holder(keys, m) !== undefined) {
      return this.#reply(m, 409, `Nickname taken: ${check.nick}`);
    }
    const old = m.nick;
    this.#forgetKeys(m);
    m.nick = check.nick;
    m.prefix = undefined;
    m.keys = keys;
    for (const k of keys) this.#byNick.set(k, m);
    this.#reply(m, 200, `You are now ${m.nick}`, "Nickname changed");
    this.#event({ type: "rename", id: m.client.id, from: old, to: m.nick });
    if (old !== m.nick) this.#notice(`*** ${old} is now known as ${m.nick}`, m);
  }

  #priv(m: Member, rest: string, now: number): void {
    const [target, typed] = splitWord(rest);
    if (target === "" || typed === "") {
      return this.#reply(m, 400, "Usage: PRIV <nick> <text>");
    }
    const to = this.#holder(nickKeys(target));
    if (to === undefined) return this.#reply(m, 404, `No such user: ${displayValue(target)}`);
    const text = this.#acceptText(m, typed, now);
    if (text === undefined) return;
    this.#send(to, encoder.encode(`[${m.nick} -> ${to.nick}]: ${text}\n`));
    this.#reply(m, 200, `Private message sent to ${to.nick}`);
    this.#event({ type: "private", id: m.client.id, from: m.nick, to: to.nick });
  }

  #quit(m: Member): void {
    this.#reply(m, 200, `Bye, ${m.nick}`, "Disconnecting");
    this.leave(m.client, "quit");
    m.client.close();
  }

  #help(m: Member): void {
    const list = COMMANDS.map((c) => c.usage).join(" | ");
    this.#reply(m, 200, list, "Help");
  }

  #statsCommand(m: Member): void {
    const facts = { users: this.size, ...(this.#stats?.() ?? {}) };
    this.#reply(m, 200, JSON.stringify(facts), "Stats");
  }

  #event(e: RoomEvent): void {
    this.#onEvent?.(e);
  }
}

/** The command registry: verb, aliases, usage, help; HELP is generated from it. */
const COMMANDS: readonly CommandSpec[] = [
  {
    verb: "MSG",
    aliases: [],
    usage: "MSG <text>",
    help: "send to everyone",
    handler: "msg",
  },
  {
    verb: "LIST",
    aliases: ["WHO"],
    usage: "LIST (WHO)",
    help: "list users",
    handler: "list",
  },
  {
    verb: "NICK",
    aliases: [],
    usage: "NICK <name>",
    help: "change nickname",
    handler: "nick",
  },
  {
    verb: "PRIV",
    aliases: [],
    usage: "PRIV <nick> <text>",
    help: "private message",
    handler: "priv",
  },
  {
    verb: "QUIT",
    aliases: [],
    usage: "QUIT",
    help: "leave",
    handler: "quit",
  },
  {
    verb: "HELP",
    aliases: [],
    usage: "HELP",
    help: "this list",
    handler: "help",
  },
  {
    verb: "STATS",
    aliases: [],
    usage: "STATS",
    help: "server statistics",
    handler: "stats",
  },
];

/** Verbs the room understands (with aliases), for docs and tests. */
export const VERBS: readonly string[] = COMMANDS.flatMap((c) => [c.verb, ...c.aliases]);
