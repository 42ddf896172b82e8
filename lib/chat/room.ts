/**
 * One chat room: its members, the line log its broadcasts are encoded into once, and its
 * history. A broadcast is encoded once into the room's log, and every member takes all of a
 * turn's lines at once at the end of the turn (or before its own next reply, so the order
 * stays), as views of the log's shared bytes. Knows nothing about sockets, commands or other
 * rooms: the lobby (`lobby.ts`) decides who is where.
 * @module
 */

import type { LinkFaults, Member } from "./chat_client.ts";
import { History } from "./history.ts";
import { LineLog, LogCursor } from "./line_log.ts";

/** Largest room in which join, leave and rename notices are broadcast, by default. */
export const DEFAULT_ANNOUNCE_MAX = 1000;

/** First block of a room's line log: a quiet room costs a kilobyte, a busy one grows. */
const FIRST_LOG_BLOCK = 1024;

/** Options of a {@link Room}. */
export interface RoomSettings {
  /**
   * Runs `fn` at the end of the current event-loop turn, before output is written (the server
   * passes its turn's `beforeFlush`), where members take the turn's broadcasts.
   */
  readonly endOfTurn: (fn: () => void) => void;
  /**
   * Join, leave and rename notices go to everyone while the room has at most this many users.
   * Above it they are not sent: ten thousand joins would otherwise cost fifty million notice
   * lines (N²/2), as IRC's "auditorium" channels know.
   */
  readonly announceMax: number;
  /** Lines of history kept (0: none). */
  readonly historyLines: number;
  /** Bytes of history kept at most. */
  readonly historyBytes: number;
}

const encoder = new TextEncoder();

/** One room: members, line log, history. */
export class Room {
  /** Its name, as the member who made it spelled it. */
  readonly name: string;
  /** Its name's keys: rooms whose names look alike share one (see `nickKeys`). */
  readonly keys: readonly string[];
  /** The last chat lines, replayed on join. */
  readonly history: History;
  /** Chat lines said in the room since it was made (a returning member's missed lines). */
  lines = 0;
  /** Members who lost their connection and may come back here (the room stays while held). */
  held = 0;
  /** Faults an operator set on every binary link in the room (`FAULTS #room ...`). */
  faults: LinkFaults | undefined;
  readonly #settings: RoomSettings;
  readonly #members = new Map<number, Member>();
  /** Broadcast lines, encoded once into shared blocks. */
  readonly #log = new LineLog(undefined, FIRST_LOG_BLOCK);
  #catchUpScheduled = false;

  /** An empty room. */
  constructor(name: string, keys: readonly string[], settings: RoomSettings) {
    this.name = name;
    this.keys = keys;
    this.#settings = settings;
    this.history = new History(settings.historyLines, settings.historyBytes);
  }

  /** Members in the room. */
  get size(): number {
    return this.#members.size;
  }

  /** The members, in the order they came in. */
  members(): IterableIterator<Member> {
    return this.#members.values();
  }

  /** Nicknames, in the order their owners came in. */
  nicks(): string[] {
    return [...this.#members.values()].map((m) => m.nick);
  }

  /** `m` comes in: from now on it gets the room's broadcasts. */
  add(m: Member): void {
    m.room = this;
    m.cursor = new LogCursor(this.#log, m.client.logPieceMax);
    this.#members.set(m.client.id, m);
  }

  /** `m` goes: it takes the lines said while it was here, then gets no more. */
  remove(m: Member): void {
    if (this.#members.get(m.client.id) !== m) return;
    m.cursor.take(m.client);
    this.#members.delete(m.client.id);
  }

  /** A chat line `[nick]: text` from `m` (which does not get it back), kept in the history. */
  say(m: Member, text: string, at: number): void {
    m.prefix ??= encoder.encode(`[${m.nick}]: `);
    const line = this.#log.encodeLine(m.prefix, text);
    this.history.push(line, at);
    this.lines++;
    this.#broadcast(line, m);
  }

  /** A line every member gets (an action, an announcement), kept in the history. */
  line(text: string, at: number, except?: Member): void {
    const line = this.#log.encode(text + "\n");
    this.history.push(line, at);
    this.lines++;
    this.#broadcast(line, except);
  }

  /** A notice (`*** ...`), unless the room is larger than `announceMax`; not kept. */
  notice(text: string, except?: Member): void {
    if (this.#members.size > this.#settings.announceMax) return;
    this.#broadcast(this.#log.encode(text + "\n"), except);
  }

  /** Sends to one member, after the broadcasts it has not taken yet (keeps the order). */
  send(m: Member, bytes: Uint8Array): void {
    m.cursor.take(m.client);
    m.client.send(bytes);
  }

  /** Sends `m` the last `count` lines of the history, marked (nothing when there are none). */
  replay(m: Member, count: number): void {
    if (count <= 0 || this.history.size === 0) return;
    this.send(m, this.history.replay(count));
  }

  /** `line` must be the line the log encoded last. */
  #broadcast(line: Uint8Array, except?: Member): void {
    // Members take the line at the end of the turn, with every other line of the turn; the
    // sender steps over its own.
    if (except !== undefined && except.room === this) except.cursor.takeAllBut(line, except.client);
    if (!this.#catchUpScheduled) {
      this.#catchUpScheduled = true;
      this.#settings.endOfTurn(this.#catchUp);
    }
  }

  readonly #catchUp = (): void => {
    this.#catchUpScheduled = false;
    for (const m of this.#members.values()) m.cursor.take(m.client);
  };
}
