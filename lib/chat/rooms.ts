/**
 * The rooms of one server, by name. The default room always exists (everyone starts there); any
 * other is made by the first `JOIN` to its name and dropped once nobody is in it and nobody who
 * lost the connection will come back to it. Room names follow the nickname rules (letters,
 * digits, `_`, `-`, at most {@link MAX_ROOM_NAME} characters, a leading `#` dropped), and two
 * names clash when they look alike, as nicknames do: `Sala`, `sala` and Cyrillic `ѕаlа` are one
 * room.
 * @module
 */

import { type NickCheck, nickKeys, validateName } from "./nick.ts";
import { Room, type RoomSettings } from "./room.ts";

/** Longest room name, in code points. */
export const MAX_ROOM_NAME = 32;
/** The room everyone starts in, unless told otherwise. */
export const DEFAULT_ROOM = "lobby";
/** Most rooms at once, unless told otherwise (the default room included). */
export const DEFAULT_MAX_ROOMS = 1000;

/** Validates and normalises a room name: the nickname rules, after one leading `#`. */
export function validateRoomName(raw: string): NickCheck {
  const t = raw.trim();
  return validateName(t.startsWith("#") ? t.slice(1) : t, MAX_ROOM_NAME);
}

/** Every room of a server. */
export class RoomRegistry {
  /** The room everyone starts in; never dropped. */
  readonly lobby: Room;
  readonly #settings: RoomSettings;
  readonly #maxRooms: number;
  readonly #byKey = new Map<string, Room>();
  readonly #rooms = new Set<Room>();

  /** A registry holding only the default room, named `defaultName`. */
  constructor(settings: RoomSettings, maxRooms = DEFAULT_MAX_ROOMS, defaultName = DEFAULT_ROOM) {
    this.#settings = settings;
    this.#maxRooms = maxRooms;
    this.lobby = this.#make(defaultName);
  }

  /** Rooms now, the default one included. */
  get size(): number {
    return this.#rooms.size;
  }

  /** Most rooms at once. */
  get max(): number {
    return this.#maxRooms;
  }

  /** Every room, the default first, then in the order they were made. */
  all(): IterableIterator<Room> {
    return this.#rooms.values();
  }

  /** The room whose name looks like `name` (already validated), if there is one. */
  find(name: string): Room | undefined {
    for (const k of nickKeys(name)) {
      const room = this.#byKey.get(k);
      if (room !== undefined) return room;
    }
    return undefined;
  }

  /**
   * The room named `name` (validated), made if needed; `undefined` when there are too many.
   * `leaving` is the room of the member who asks: when it is its last member, that room is about
   * to go and does not count.
   */
  open(name: string, leaving?: Room): Room | undefined {
    const found = this.find(name);
    if (found !== undefined) return found;
    const goes = leaving !== undefined && leaving !== this.lobby && leaving.size === 1 &&
      leaving.held === 0;
    if (this.#rooms.size - (goes ? 1 : 0) >= this.#maxRooms) return undefined;
    return this.#make(name);
  }

  /** Drops `room` when it is empty, nobody will come back to it, and it is not the default. */
  dropIfUnused(room: Room): void {
    if (room.size === 0 && room.held === 0) this.drop(room);
  }

  /** Drops `room` (not the default one) whoever is in it: the caller moved them first. */
  drop(room: Room): void {
    if (room === this.lobby || !this.#rooms.delete(room)) return;
    for (const k of room.keys) if (this.#byKey.get(k) === room) this.#byKey.delete(k);
    room.history.clear();
  }

  /** True while `room` is one of the registry's rooms. */
  has(room: Room): boolean {
    return this.#rooms.has(room);
  }

  #make(name: string): Room {
    const room = new Room(name, nickKeys(name), this.#settings);
    this.#rooms.add(room);
    for (const k of room.keys) this.#byKey.set(k, room);
    return room;
  }
}
