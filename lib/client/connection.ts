/**
 * A user's connection to a chat server (`chat join`): the client core's session, binary or plain
 * text, with the server's output parsed into events and a count of the commands still waiting
 * for their reply.
 * @module
 */

import type { ArqEndpoint } from "../arq/mod.ts";
import { type ServerEvent, ServerLineParser } from "./server_lines.ts";
import { ClientSession, type ClientSessionOptions, ConnectError } from "./session.ts";

export { ConnectError };

/** Options of {@link ChatConnection.open}: the client core's, with events instead of bytes. */
export interface ConnectOptions extends Omit<ClientSessionOptions, "onData" | "onRead"> {
  /**
   * A language to ask the server for (`LANG en`, `LANG pt-BR`) before registering, on every
   * connection (see docs/PROTOCOL.md, Language); none: the server's own.
   */
  readonly serverLang?: string;
  /** Everything the server says. */
  readonly onEvent: (event: ServerEvent) => void;
}

const encoder = new TextEncoder();

/** An open connection to a chat server. */
export class ChatConnection {
  /** Resolves with the reason once the session is over. */
  readonly closed: Promise<string>;
  readonly #session: ClientSession;
  readonly #onEvent: (event: ServerEvent) => void;
  readonly #parser = new ServerLineParser();
  readonly #decoder = new TextDecoder();
  readonly #binary: boolean;
  #awaiting = 0;
  #settleWaiters: (() => void)[] = [];
  #textCarry = "";

  private constructor(session: ClientSession, onEvent: (event: ServerEvent) => void) {
    this.#session = session;
    this.#onEvent = onEvent;
    this.#binary = session.endpoint !== undefined;
    this.closed = session.closed.then((reason) => {
      this.#checkSettled();
      return reason;
    });
  }

  /**
   * Connects (and for binary, completes the handshake). Rejects with a {@link ConnectError}
   * whose message is one sentence for the user.
   */
  static async open(options: ConnectOptions): Promise<ChatConnection> {
    const opened: { conn?: ChatConnection } = {};
    // Bytes that arrive before `open` returns (a shutting-down server's 503).
    const early: Uint8Array[] = [];
    const session = await ClientSession.open({
      ...options,
      onData: (bytes) => opened.conn ? opened.conn.#data(bytes) : early.push(bytes.slice()),
      onRead: () => {
        if (opened.conn) opened.conn.#checkSettled();
      },
    });
    const conn = new ChatConnection(session, options.onEvent);
    opened.conn = conn;
    for (const bytes of early) conn.#data(bytes);
    return conn;
  }

  /** ARQ counters and timers (binary sessions). */
  get endpoint(): ArqEndpoint | undefined {
    return this.#session.endpoint;
  }

  /** Why the session ended, once it has. */
  get closeReason(): string | undefined {
    return this.#session.closeReason;
  }

  /** Sends one command line (nickname, `MSG ...`, `LIST`, ...). */
  send(line: string): void {
    if (this.closeReason !== undefined) return;
    this.#awaiting++;
    this.#session.send(encoder.encode(this.#binary ? line : line + "\n"));
  }

  /**
   * Resolves when every command sent has its reply (text) or was acknowledged and answered
   * (binary), or the session ended.
   */
  settled(): Promise<void> {
    if (this.#isSettled()) return Promise.resolve();
    return new Promise((resolve) => this.#settleWaiters.push(resolve));
  }

  /** Closes now (no QUIT). */
  close(): void {
    this.#session.close();
  }

  #isSettled(): boolean {
    if (this.closeReason !== undefined) return true;
    return this.#awaiting <= 0 && this.#session.pending === 0;
  }

  #checkSettled(): void {
    if (!this.#isSettled()) return;
    const waiters = this.#settleWaiters;
    this.#settleWaiters = [];
    for (const w of waiters) w();
  }

  #event(e: ServerEvent): void {
    if (e.kind === "status") this.#awaiting--;
    this.#onEvent(e);
    this.#checkSettled();
  }

  /** A binary message, or bytes of the text stream. */
  #data(bytes: Uint8Array): void {
    if (this.#binary) {
      for (const e of this.#parser.message(this.#decoder.decode(bytes))) this.#event(e);
      return;
    }
    const lines = (this.#textCarry + this.#decoder.decode(bytes, { stream: true })).split("\n");
    this.#textCarry = lines.pop()!;
    for (const raw of lines) {
      const e = this.#parser.line(raw.endsWith("\r") ? raw.slice(0, -1) : raw);
      if (e) this.#event(e);
    }
  }
}
