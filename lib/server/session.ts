/**
 * What the server's one entry point and a kind of session agree on. The entry point
 * (`ChatServer.accept`) owns the connection: it reads, tells the kind apart by the first bytes
 * (`session_kinds.ts`), and closes. A kind's `open` builds the session that turns the bytes
 * read into room input and room output into bytes written; it never reads the connection
 * itself, and closes it only through its {@link SessionContext}.
 * @module
 */

import type { ArqStats, EndpointOptions } from "../arq/mod.ts";
import type { Lobby } from "../chat/mod.ts";
import type { FaultSettings } from "../faults/mod.ts";
import type { LogLevel } from "../log/event.ts";
import type { LinkCapture } from "../net/binary_link.ts";
import type { WakeScheduler } from "../net/scheduler.ts";
import type { Conn, PathKind } from "../net/transport.ts";
import type { Turn } from "../net/turn.ts";
import type { WebSettings } from "./web_settings.ts";

/** One connection's session, as the entry point drives it. */
export interface ServerSession {
  /** Bytes read from the connection, in order (the first call gets the bytes that chose it). */
  receive(chunk: Uint8Array): void;
  /**
   * The peer ended its stream (or the read failed). The session closes the connection through
   * its context: at once, or once its last replies are written.
   */
  end(): void;
  /** The connection is being closed, whatever the reason: leave the room, forget timers. */
  dispose(): void;
  /**
   * True while the peer still owes the server its identity (a text client's nickname): the
   * entry point closes a connection that stays so past the registration deadline. A binary
   * session owes nothing here (its handshake has a deadline of its own).
   */
  readonly awaitingRegistration: boolean;
  /** The ARQ counters of a session that has an ARQ endpoint (`STATS` sums them). */
  readonly arqStats?: ArqStats;
}

/** What is shared by every session of one server. */
export interface ServerEnv {
  /** The chat: rooms, users, commands. */
  readonly lobby: Lobby;
  /** The server's end-of-turn flush pass and turn clock. */
  readonly turn: Turn;
  /** The server's timer service. */
  readonly scheduler: WakeScheduler;
  /** Longest chat text in bytes. */
  readonly maxText: number;
  /** Outbox bound per connection in bytes. */
  readonly outboxBytes: number;
  /** ARQ engine options for binary sessions. */
  readonly arq: Partial<EndpointOptions>;
  /** Fault injection on frames the server sends (seeded per session), if any. */
  readonly faults: Partial<FaultSettings> | undefined;
  /** Receives one line per frame and per text line (`--trace`), if any. */
  readonly trace: ((line: string) => void) | undefined;
  /** Writes one event to the server's log. */
  log(type: string, fields: Record<string, unknown>, level?: LogLevel): void;
  /**
   * Hands the entry point a connection of a session's own making (the WebSocket of an upgraded
   * HTTP request): its first bytes pick its kind like those of any other connection.
   */
  accept(conn: Conn): void;
  /** The connections open now, in the order they came (the teacher's page lists them). */
  connections(): Iterable<OpenConnection>;
  /** What the web page and the teacher's page are allowed (Origin policy, teacher's token). */
  readonly web: WebSettings;
}

/** One open connection as the server's own pages see it. */
export interface OpenConnection extends SessionContext {
  /** Its kind's name once its first bytes picked one. */
  readonly kind: string | undefined;
  /** Its session, once its kind is known. */
  readonly session: ServerSession | undefined;
}

/** One connection as its session sees it. */
export interface SessionContext {
  /** Unique per connection, from 1. */
  readonly id: number;
  /** The peer's address as logs show it (`127.0.0.1:51234`). */
  readonly peer: string;
  /** The connection (its addresses, path kind, datagram size). Read only by the entry point. */
  readonly conn: Conn;
  /** The server's shared parts. */
  readonly env: ServerEnv;
  /** True when the server sent the `NICK` prompt before the first byte arrived. */
  readonly prompted: boolean;
  /** Records the bytes written (`--pcap`), if any; the entry point records what it reads. */
  readonly capture: LinkCapture | undefined;
  /** Writes some prefix of `p` to the connection (counted in the server's `writes`). */
  write(p: Uint8Array): Promise<number>;
  /** Closes the connection now; idempotent. */
  close(reason: string): void;
  /** Closes the connection after `ms` unless it was closed before (replaces an earlier one). */
  closeWithin(reason: string, ms: number): void;
}

/** A kind of session, told apart from the others by the first bytes a connection sends. */
export interface SessionKind {
  /** Name in logs and in the server's counters (`STATS`). */
  readonly name: string;
  /**
   * The bytes a session of this kind starts with (the frame magic, `GET `, a TLS record type);
   * empty for the kind that takes every connection no other kind claims.
   */
  readonly magic: Uint8Array;
  /** The paths it runs on (a text session needs a byte stream). */
  readonly paths: readonly PathKind[];
  /** Builds the session; the entry point then feeds it every byte read, the first ones too. */
  open(ctx: SessionContext): ServerSession;
}
