/**
 * Chat tests without sockets: a client that keeps what the lobby sends it, and a lobby to join.
 * @module
 */

import { type ChatClient, Lobby, type LobbyOptions } from "../../lib/chat/mod.ts";

const decoder = new TextDecoder();

/** Records every `send`; `close` only sets a flag. */
export class FakeClient implements ChatClient {
  readonly sent: Uint8Array[] = [];
  closed = false;
  constructor(readonly id: number, readonly address = "127.0.0.1") {}
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
 * A lobby (its turn ends after every broadcast, so each line reaches the members at once) and
 * `join(nick)`, which connects a new {@link FakeClient} (from `address`) and sends its nickname.
 * `room` is the lobby too (the name older tests use).
 */
export function roomWithClients(options: LobbyOptions = {}): {
  lobby: Lobby;
  room: Lobby;
  join: (nick: string, address?: string) => FakeClient;
} {
  const lobby = new Lobby({ endOfTurn: (fn) => fn(), ...options });
  let id = 0;
  const join = (nick: string, address?: string) => {
    const c = new FakeClient(++id, address);
    lobby.connect(c);
    lobby.input(c, nick, 0);
    return c;
  };
  return { lobby, room: lobby, join };
}
