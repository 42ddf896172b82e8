/**
 * A plain-text session (seed 000 client, netcat, telnet, load generators): lines in, the
 * room's replies and broadcasts out through a batching outbox.
 * @module
 */

import type { ChatClient, Lobby, SessionDescription } from "../chat/mod.ts";
import type { CommandBudget } from "../chat/limits.ts";
import { status } from "../chat/status.ts";
import { Outbox } from "../net/outbox.ts";
import { formatTextTrace } from "../net/trace.ts";
import type { Wakeable } from "../net/scheduler.ts";
import { isBlank } from "../chat/command.ts";
import { LineFramer } from "./line_framer.ts";
import type { MemoryCharge, ServerSession, SessionContext } from "./session.ts";

/** Bytes a line may hold beyond the longest chat text (the verb, a nickname, spaces). */
const LINE_OVERHEAD = 64;
/**
 * How long a text connection stays open after its peer's end of stream, at most, while its last
 * replies are written (a peer that half-closed and stopped reading).
 */
const END_LINGER_MS = 1000;

const decoder = new TextDecoder();
const encoder = new TextEncoder();

/** Builds the plain-text session of a connection (the `text` kind's `open`). */
export function openTextSession(ctx: SessionContext): TextSession {
  return new TextSession(ctx);
}

/** One plain-text connection as a chat client. */
export class TextSession implements ChatClient, Wakeable, ServerSession {
  /** Unique connection id. */
  readonly id: number;
  /** What the connection may ask of the lobby. */
  readonly budget: CommandBudget | undefined;
  /** The peer's address without the port (bans). */
  readonly address: string;
  readonly #ctx: SessionContext;
  readonly #lobby: Lobby;
  readonly #framer: LineFramer;
  readonly #outbox: Outbox;
  readonly #maxLine: number;
  readonly #trace: ((dir: "send" | "recv", text: string) => void) | undefined;
  #closing = false;
  #done = false;
  /** The nickname hint was sent (once per session). */
  #hinted = false;

  /** Creates the session on the connection of `ctx` and registers it with the lobby. */
  constructor(ctx: SessionContext) {
    const env = ctx.env;
    this.id = ctx.id;
    this.budget = ctx.budget;
    this.address = ctx.conn.remoteAddr.hostname;
    this.#ctx = ctx;
    this.#lobby = env.lobby;
    this.#maxLine = env.maxText + LINE_OVERHEAD;
    this.#framer = new LineFramer(this.#maxLine);
    const capture = ctx.capture;
    const writer = capture === undefined ? ctx : {
      write: (p: Uint8Array) => {
        capture.sent(p, env.turn.now());
        return ctx.write(p);
      },
    };
    this.#outbox = new Outbox(writer, env.turn, {
      maxBytes: env.outboxBytes,
      // How far behind the room it may fall is the server's to judge (against the others).
      maxSharedBytes: Infinity,
      onOverflow: (bytes) => this.#fail(`too slow: ${bytes} bytes of replies queued`),
      onError: () => this.#fail("connection lost"),
    });
    const trace = env.trace;
    this.#trace = trace
      ? (dir, text) => {
        for (const line of text.replace(/\n$/, "").split("\n")) {
          trace(formatTextTrace(`text ${ctx.peer}`, dir, line, env.turn.now()));
        }
      }
      : undefined;
    env.lobby.connect(this);
  }

  /** Bytes queued for the connection. */
  get queuedBytes(): number {
    return this.#outbox.queued;
  }

  /**
   * Queues bytes from the room (already newline-terminated). The room's shared lines (they come
   * with their sum) are queued as views, never copied; a reply is copied, so a client that asks
   * for many holds its bytes and not an object each.
   */
  send(bytes: Uint8Array, sum?: number): void {
    if (this.#done) return;
    if (sum !== undefined) this.#outbox.appendShared(bytes);
    else this.#outbox.append(bytes);
    this.#trace?.("send", decoder.decode(bytes));
  }

  /** The output it holds unsent: replies (and a held partial line), and the lines it lags by. */
  memory(): MemoryCharge {
    return {
      own: this.#outbox.privateBytes + this.#framer.buffered,
      shared: this.#outbox.pinnedBytes,
    };
  }

  /** Drops the client: it leaves with `reason`, the connection closes. */
  drop(reason: string): void {
    this.#fail(reason);
  }

  /**
   * Closes after everything queued was written, or after {@link END_LINGER_MS} at most (a peer
   * that does not read is not waited for).
   */
  close(): void {
    if (this.#closing) return;
    this.#finishWhenDrained("closed");
    if (!this.#done) this.#ctx.closeWithin("closed", END_LINGER_MS);
  }

  /** A plain-text session, and its transport. */
  describe(): SessionDescription {
    return { protocol: "text", transport: this.#ctx.conn.remoteAddr.transport };
  }

  /** True until the client registered a nickname. */
  get awaitingRegistration(): boolean {
    return this.#lobby.nickOf(this) === undefined;
  }

  /** Feeds bytes read from the connection. */
  receive(chunk: Uint8Array): void {
    if (this.#closing) return;
    const now = this.#ctx.env.turn.now();
    const { lines, overlong } = this.#framer.push(chunk, now);
    for (const line of lines) this.#input(line, now);
    for (let i = 0; i < overlong; i++) this.#tooLong();
    this.#ctx.env.scheduler.schedule(this, this.#framer.nextFlushAt());
  }

  /**
   * End of stream: a held unterminated command still counts, then the client leaves. What is
   * queued still goes out (a client may half-close once it has sent its commands, as
   * `printf 'ana\nLIST\n' | nc -N host 55555` does): the connection closes once it is written,
   * or after {@link END_LINGER_MS} at most.
   */
  end(): void {
    const now = this.#ctx.env.turn.now();
    if (!this.#closing) {
      const last = this.#framer.flushEnd();
      if (last !== undefined) this.#input(last, now);
    }
    this.#lobby.leave(this, "connection closed");
    this.#finishWhenDrained("connection closed");
    if (!this.#done) this.#ctx.closeWithin("connection closed", END_LINGER_MS);
  }

  /** The connection is closing: the client leaves, its idle flush is forgotten. */
  dispose(): void {
    this.#done = true;
    this.#closing = true;
    this.#lobby.leave(this, "connection closed");
    this.#ctx.env.scheduler.cancel(this);
  }

  /** Takes no more input; done once everything queued was written. */
  #finishWhenDrained(reason: string): void {
    this.#closing = true;
    this.#outbox.drained().then(() => this.#finish(reason));
  }

  /** Idle flush of an unterminated command (seed 000 clients). */
  wake(now: number): void {
    const line = this.#framer.flushIdle(now);
    if (line !== undefined) this.#input(line, now);
    this.#ctx.env.scheduler.schedule(this, this.#framer.nextFlushAt());
  }

  #input(line: string, now: number): void {
    if (this.#closing) return;
    this.#trace?.("recv", line);
    // A blank line is no command (the lobby ignores it); before the nickname, it is a person
    // pressing Enter at "NICK": told once what to type.
    if (!this.#hinted && isBlank(line) && this.awaitingRegistration) {
      this.#hinted = true;
      this.send(encoder.encode(this.#lobby.textOf(this).nickHint));
    }
    this.#lobby.input(this, line, now);
  }

  #tooLong(): void {
    this.send(status(413, this.#lobby.textOf(this).lineTooLong(this.#maxLine)));
  }

  #fail(reason: string): void {
    this.#lobby.leave(this, reason);
    this.#finish(reason);
  }

  #finish(reason: string): void {
    if (this.#done) return;
    this.#done = true;
    this.#closing = true;
    this.#ctx.env.scheduler.cancel(this);
    this.#ctx.close(reason);
  }
}
