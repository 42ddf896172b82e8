/**
 * A plain-text session (seed 000 client, netcat, telnet, load generators): lines in, the
 * room's replies and broadcasts out through a batching outbox.
 * @module
 */

import type { ChatClient, Room } from "../chat/mod.ts";
import { Outbox } from "../net/outbox.ts";
import type { Wakeable, WakeScheduler } from "../net/scheduler.ts";
import { LineFramer } from "./line_framer.ts";

/** Options of a {@link TextSession}. */
export interface TextSessionOptions {
  /** Longest command line in bytes (longer lines get 413). */
  readonly maxLine: number;
  /** Outbox bound in bytes. */
  readonly outboxBytes: number;
  /** Shared timer service (idle flush of unterminated commands). */
  readonly scheduler: WakeScheduler;
  /** Called once the connection should be closed (after the outbox drained). */
  readonly onDone: (reason: string) => void;
  /** Receives each line in and out (`--trace`). */
  readonly trace?: (dir: "send" | "recv", text: string) => void;
  /** Clock in milliseconds. */
  readonly clock: () => number;
}

const decoder = new TextDecoder();
const encoder = new TextEncoder();

/** One plain-text connection as a chat client. */
export class TextSession implements ChatClient, Wakeable {
  /** Unique connection id. */
  readonly id: number;
  /** The outbox queues the room's bytes as views: the room may hand over whole turns at once. */
  readonly followsLog = true;
  readonly #room: Room;
  readonly #framer: LineFramer;
  readonly #outbox: Outbox;
  readonly #opts: TextSessionOptions;
  #closing = false;
  #done = false;

  /** Creates the session; `writer` is the TCP connection. */
  constructor(
    id: number,
    room: Room,
    writer: { write(p: Uint8Array): Promise<number> },
    options: TextSessionOptions,
  ) {
    this.id = id;
    this.#room = room;
    this.#opts = options;
    this.#framer = new LineFramer(options.maxLine);
    this.#outbox = new Outbox(writer, {
      maxBytes: options.outboxBytes,
      onOverflow: (queued) => this.#fail(`too slow: ${queued} bytes queued`),
      onError: () => this.#fail("connection lost"),
    });
    room.connect(this);
  }

  /** Bytes queued for the socket. */
  get queuedBytes(): number {
    return this.#outbox.queued;
  }

  /** Queues bytes from the room (already newline-terminated; never changed, so not copied). */
  send(bytes: Uint8Array): void {
    if (this.#done) return;
    this.#outbox.appendShared(bytes);
    this.#opts.trace?.("send", decoder.decode(bytes));
  }

  /** Writes raw text before the room is involved (the `NICK` prompt). */
  sendRaw(text: string): void {
    this.#outbox.append(encoder.encode(text));
    this.#opts.trace?.("send", text);
  }

  /** Closes after everything queued was written. */
  close(): void {
    if (!this.#closing) this.#finishWhenDrained("closed");
  }

  /** Feeds bytes read from the socket. */
  receive(chunk: Uint8Array): void {
    if (this.#closing) return;
    const now = this.#opts.clock();
    const { lines, overlong } = this.#framer.push(chunk, now);
    for (const line of lines) this.#input(line, now);
    for (let i = 0; i < overlong; i++) this.#tooLong();
    this.#opts.scheduler.schedule(this, this.#framer.nextFlushAt());
  }

  /**
   * End of stream: a held unterminated command still counts, then the client leaves. What is
   * queued still goes out (a client may half-close once it has sent its commands, as
   * `printf 'ana\nLIST\n' | nc -N host 55555` does); the session is done once it is written.
   */
  end(): void {
    const now = this.#opts.clock();
    if (!this.#closing) {
      const last = this.#framer.flushEnd();
      if (last !== undefined) this.#input(last, now);
    }
    this.#room.leave(this, "connection closed");
    this.#finishWhenDrained("connection closed");
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
    this.#opts.scheduler.schedule(this, this.#framer.nextFlushAt());
  }

  #input(line: string, now: number): void {
    if (this.#closing) return;
    this.#opts.trace?.("recv", line);
    this.#room.input(this, line, now);
  }

  #tooLong(): void {
    this.send(
      encoder.encode(`413 Payload Too Large\nLine too long (max ${this.#opts.maxLine} bytes)\n`),
    );
  }

  #fail(reason: string): void {
    this.#room.leave(this, reason);
    this.#finish(reason);
  }

  #finish(reason: string): void {
    if (this.#done) return;
    this.#done = true;
    this.#closing = true;
    this.#opts.scheduler.cancel(this);
    this.#opts.onDone(reason);
  }
}
