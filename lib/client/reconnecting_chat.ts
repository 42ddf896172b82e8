/**
 * A chat session of `chat join` that outlives its connections. Once registered it asks the
 * server for a resume token (`TOKEN`); when the connection drops it says so, waits (see
 * `backoff.ts`) and connects again: first `RESUME nick token`, which puts it back in its room with
 * its nickname (held for it meanwhile) and the lines it missed; when the server no longer knows
 * the token (it restarted), it registers again with the same nickname, straight into the same
 * room. Lines typed while it is away wait (a bounded number) and are sent once it is back.
 *
 * It does not come back after its own QUIT, nor after the server said it must not
 * (`403 Forbidden - Kicked`, `403 Forbidden - Banned`, `409 Conflict - Replaced`), nor when it
 * could not get in again (its nickname taken, a ban), nor after `reconnectForMs` without a
 * server.
 * @module
 */

import type { ArqEndpoint } from "../arq/mod.ts";
import { backoffDelay } from "./backoff.ts";
import type { ChatConnection, ConnectOptions } from "./connection.ts";
import { joinAs, type JoinResult, leave, resumeAs } from "./join_leave.ts";
import type { ServerEvent } from "./server_lines.ts";

/** What happened to the link, for the person to see. */
export type LinkState =
  | { readonly kind: "lost"; readonly reason: string }
  | {
    readonly kind: "retrying";
    /** From 1. */
    readonly attempt: number;
    readonly delayMs: number;
    /** Why the attempt before failed. */
    readonly error?: string;
  }
  | {
    readonly kind: "back";
    /** True when the server knew the session (RESUME); false when it registered anew. */
    readonly resumed: boolean;
    readonly room: string | undefined;
    readonly nick: string;
    /** Lines typed while away, sent now. */
    readonly queued: number;
  };

/** Options of {@link ReconnectingChat.join}. */
export interface ReconnectOptions {
  /** How to connect (every connection of the session is opened with these). */
  readonly connect: Omit<ConnectOptions, "onEvent">;
  /** The nickname to register. */
  readonly nick: string;
  /** Everything the server says, from every connection in turn (internal replies left out). */
  readonly onEvent: (e: ServerEvent) => void;
  /** The link went down, is being retried, is back. */
  readonly onState: (s: LinkState) => void;
  /** Give up after this long without getting back, ms; 0: do not reconnect at all. */
  readonly reconnectForMs: number;
  /** Random numbers in [0, 1) for the back-off's spread (default `Math.random`). */
  readonly random?: () => number;
}

/** How the session ended, when it ended on its own (not by {@link ReconnectingChat.leave}). */
export interface ChatEnd {
  readonly reason: string;
  /** True when the server sent it away (kicked, banned, replaced) or would not take it back. */
  readonly final: boolean;
}

/**
 * What the server's words say about where this session is, in every language it speaks (its
 * tables in `lib/chat/messages*.ts`; a test holds them together): the reply to `JOIN`, to
 * `NICK`, and the notice of a closed room.
 */
export const IN_ROOM: RegExp = /^(?:You are in|Você está em) (\S+) \(/;
/** See {@link IN_ROOM}: the reply to `NICK`. */
export const NOW_NAMED: RegExp = /^(?:You are now|Agora você é) (\S+)$/;
/** See {@link IN_ROOM}: the notice of a closed room (the room in group 1 or 2). */
export const MOVED: RegExp = /: (?:you are in (\S+) now|agora você está em (\S+))$/;

/** Lines typed while away that wait for the connection, at most. */
export const MAX_QUEUED_LINES = 100;

/** A chat session that reconnects by itself. */
export class ReconnectingChat {
  /** Resolves when the session ended without {@link leave} (then it is closed). */
  readonly ended: Promise<ChatEnd>;
  readonly #opts: ReconnectOptions;
  readonly #queue: string[] = [];
  #conn: ChatConnection | undefined;
  /** Which connection's events count (a closed one's late events do not). */
  #generation = 0;
  #nick: string;
  #room: string | undefined;
  #token: string | undefined;
  #tokenPending = false;
  /** The server answered JOIN or TOKEN: it knows rooms, so `JOIN` before the nickname is safe. */
  #roomsKnown = false;
  #final: string | undefined;
  #leaving = false;
  #resolveEnded!: (e: ChatEnd) => void;
  #wake: (() => void) | undefined;
  #back = Promise.withResolvers<void>();

  private constructor(opts: ReconnectOptions) {
    this.#opts = opts;
    this.#nick = opts.nick;
    this.ended = new Promise((r) => this.#resolveEnded = r);
  }

  /** Connects and registers; a refusal or failure is returned as {@link joinAs} does. */
  static async join(
    opts: ReconnectOptions,
  ): Promise<
    | { readonly kind: "joined"; readonly chat: ReconnectingChat }
    | Exclude<JoinResult, { kind: "joined" }>
  > {
    const chat = new ReconnectingChat(opts);
    const joined = await joinAs(opts.connect, opts.nick, chat.#listener());
    if (joined.kind !== "joined") return joined;
    chat.#attach(joined.conn);
    return { kind: "joined", chat };
  }

  /** The nickname now (a rename is followed). */
  get nick(): string {
    return this.#nick;
  }

  /** The room it is in, once the server named it (JOIN, RESUME, a room closed). */
  get room(): string | undefined {
    return this.#room;
  }

  /** True while a connection is up. */
  get connected(): boolean {
    return this.#conn !== undefined;
  }

  /** ARQ counters and timers of the connection now (binary sessions). */
  get endpoint(): ArqEndpoint | undefined {
    return this.#conn?.endpoint;
  }

  /**
   * Sends one command line; while away it waits for the connection (false when
   * {@link MAX_QUEUED_LINES} already wait: the line is dropped).
   */
  send(line: string): boolean {
    if (this.#conn !== undefined) {
      this.#conn.send(line);
      return true;
    }
    if (this.#queue.length >= MAX_QUEUED_LINES) return false;
    this.#queue.push(line);
    return true;
  }

  /** Resolves when what was sent on the connection now is answered (at once while away). */
  settled(): Promise<void> {
    return this.#conn?.settled() ?? Promise.resolve();
  }

  /**
   * Leaves: no more reconnecting; lines still waiting get up to `waitMs` for the connection to
   * come back; then QUIT as {@link leave} does (`hurry` closes at once).
   */
  async leave(hurry?: Promise<unknown>, waitMs = 10_000): Promise<void> {
    if (this.#conn === undefined && this.#queue.length > 0 && !this.#leaving) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([
        this.#back.promise,
        hurry,
        new Promise((r) => timer = setTimeout(r, waitMs)),
      ]);
      clearTimeout(timer);
    }
    this.#leaving = true;
    this.#wake?.();
    const conn = this.#conn;
    if (conn !== undefined) await leave(conn, hurry);
  }

  /** The listener of the connection of this generation. */
  #listener(): (e: ServerEvent) => void {
    const generation = ++this.#generation;
    return (e) => {
      if (generation === this.#generation) this.#event(e);
    };
  }

  #attach(conn: ChatConnection): void {
    this.#conn = conn;
    const generation = this.#generation;
    conn.closed.then((reason) => this.#closed(generation, reason));
    // A session that already has a token keeps it (RESUME gave the same one back).
    if (this.#token === undefined) {
      this.#tokenPending = true;
      conn.send("TOKEN");
    }
    const queued = this.#queue.splice(0);
    for (const line of queued) conn.send(line);
    this.#back.resolve();
  }

  #event(e: ServerEvent): void {
    if (e.kind === "status") {
      if (this.#tokenPending) {
        // The reply to TOKEN (sent before anything typed): kept, not shown.
        this.#tokenPending = false;
        if (e.code === 200 && /- Token$/.test(e.title)) {
          this.#token = e.body.trim();
          this.#roomsKnown = true;
        }
        return;
      }
      this.#follow(e);
    } else if (e.kind === "notice") {
      const moved = MOVED.exec(e.text);
      if (moved) this.#room = moved[1] ?? moved[2];
    }
    this.#opts.onEvent(e);
  }

  /** Follows the room and nickname the server confirms, and the lines that end the session. */
  #follow(e: ServerEvent & { kind: "status" }): void {
    if (e.code === 200) {
      const room = IN_ROOM.exec(e.body);
      if (room && /- (Joined|Resumed)$/.test(e.title)) {
        this.#room = room[1];
        this.#roomsKnown = true;
      }
      const nick = NOW_NAMED.exec(e.body);
      if (nick && /- Nickname changed$/.test(e.title)) this.#nick = nick[1]!;
    } else if (
      (e.code === 403 && /- (Kicked|Banned)$/.test(e.title)) ||
      (e.code === 409 && /- Replaced$/.test(e.title))
    ) {
      this.#final = e.body;
    }
  }

  #closed(generation: number, reason: string): void {
    if (generation !== this.#generation || this.#leaving) return;
    this.#conn = undefined;
    this.#back = Promise.withResolvers<void>();
    if (this.#final !== undefined) return this.#end(this.#final, true);
    if (this.#opts.reconnectForMs <= 0) return this.#end(reason, false);
    this.#opts.onState({ kind: "lost", reason });
    this.#reconnect();
  }

  async #reconnect(): Promise<void> {
    const started = performance.now();
    let error: string | undefined;
    for (let attempt = 0;; attempt++) {
      if (this.#leaving) return;
      const delayMs = backoffDelay(attempt, (this.#opts.random ?? Math.random)());
      if (performance.now() + delayMs - started > this.#opts.reconnectForMs) {
        const seconds = Math.round(this.#opts.reconnectForMs / 1000);
        return this.#end(`no server for ${seconds} s${error ? ` (${error})` : ""}`, false);
      }
      this.#opts.onState({ kind: "retrying", attempt: attempt + 1, delayMs, error });
      await this.#sleep(delayMs);
      if (this.#leaving) return;
      const outcome = await this.#attempt();
      if (outcome.kind === "back") return;
      if (outcome.kind === "final") return this.#end(outcome.reason, true);
      error = outcome.reason;
    }
  }

  /** One try: RESUME with the token, else register again. */
  async #attempt(): Promise<{ kind: "back" | "retry" | "final"; reason: string }> {
    const { connect } = this.#opts;
    const queued = this.#queue.length;
    if (this.#token !== undefined) {
      const resumed = await resumeAs(connect, this.#nick, this.#token, this.#listener());
      if (this.#leaving) {
        if (resumed.kind === "joined") resumed.conn.close();
        return { kind: "final", reason: "left" };
      }
      if (resumed.kind === "joined") {
        this.#attach(resumed.conn);
        this.#state(true, queued);
        return { kind: "back", reason: "" };
      }
      if (resumed.kind === "failed") return { kind: "retry", reason: resumed.message };
      // The server does not know the token (it restarted, or the grace period ended).
      this.#token = undefined;
    }
    const room = this.#roomsKnown ? this.#room : undefined;
    const joined = await joinAs(connect, this.#nick, this.#listener(), room);
    if (this.#leaving) {
      if (joined.kind === "joined") joined.conn.close();
      return { kind: "final", reason: "left" };
    }
    if (joined.kind === "joined") {
      this.#attach(joined.conn);
      this.#state(false, queued);
      return { kind: "back", reason: "" };
    }
    if (joined.kind === "failed") return { kind: "retry", reason: joined.message };
    // Full or shutting down: try again; anything else will not change by itself.
    if (joined.code === 503) return { kind: "retry", reason: joined.reason };
    return { kind: "final", reason: joined.reason };
  }

  #state(resumed: boolean, queued: number): void {
    this.#opts.onState({ kind: "back", resumed, room: this.#room, nick: this.#nick, queued });
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.#wake = done;
    });
  }

  #end(reason: string, final: boolean): void {
    this.#leaving = true;
    this.#resolveEnded({ reason, final });
  }
}
