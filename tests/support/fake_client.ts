/**
 * Room tests without sockets: a client that keeps what the room sends it, and a room to join.
 * @module
 */

import { type ChatClient, Room, type RoomOptions } from "../../lib/chat/mod.ts";

const decoder = new TextDecoder();

/** Records every `send`; `close` only sets a flag. */
export class FakeClient implements ChatClient {
  readonly sent: Uint8Array[] = [];
  closed = false;
  constructor(readonly id: number) {}
  send(bytes: Uint8Array): void {
    this.sent.push(bytes);
  }
  close(): void {
    this.closed = true;
  }
  /** Everything received so far, decoded. */
  text(): string {
    return this.sent.map((b) => decoder.decode(b)).join("");
  }
  /** Forgets what was received. */
  clear(): void {
    this.sent.length = 0;
  }
}

/**
 * A room (its turn ends after every broadcast, so each line reaches the members at once) and
 * `join(nick)`, which connects a new {@link FakeClient} and sends its nickname.
 */
export function roomWithClients(options: RoomOptions = {}): {
  room: Room;
  join: (nick: string) => FakeClient;
} {
  const room = new Room({ endOfTurn: (fn) => fn(), ...options });
  let id = 0;
  const join = (nick: string) => {
    const c = new FakeClient(++id);
    room.connect(c);
    room.input(c, nick, 0);
    return c;
  };
  return { room, join };
}
