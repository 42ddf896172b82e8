/**
 * A reliable binary session as a chat client: application messages travel as DATA messages of
 * the ARQ layer, the same text commands and replies as a plain-text session.
 * @module
 */

import { ArqEndpoint, type EndpointOptions, SendQueueFullError } from "../arq/mod.ts";
import type { ChatClient, Room } from "../chat/mod.ts";
import { BinaryLink, type BinaryLinkOptions } from "../net/binary_link.ts";
import type { ByteWriter } from "../net/outbox.ts";
import { onesSum } from "../protocol/checksum.ts";

const decoder = new TextDecoder();
/** The last message summed, and its `onesSum` (a one-entry cache for broadcasts). */
let lastBytes: Uint8Array | undefined;
let lastSum = -1;

/** Options of a {@link BinarySession}. */
export interface BinarySessionOptions extends Omit<BinaryLinkOptions, "onClosed" | "onMessage"> {
  /** ARQ engine options (timeouts, window limit, ...). */
  readonly arq: Partial<EndpointOptions>;
  /** Called once the connection should be closed. */
  readonly onDone: (reason: string) => void;
}

/** One binary connection as a chat client. */
export class BinarySession implements ChatClient {
  /** Unique connection id. */
  readonly id: number;
  /** The link (decoder, ARQ endpoint, outbox). */
  readonly link: BinaryLink;
  readonly #room: Room;
  readonly #clock: () => number;
  #done = false;

  /** Creates the session on `writer` and registers it with the room. */
  constructor(id: number, room: Room, writer: ByteWriter, options: BinarySessionOptions) {
    this.id = id;
    this.#room = room;
    this.#clock = options.clock ?? (() => performance.now());
    this.link = new BinaryLink(
      writer,
      (hooks, now) => ArqEndpoint.server(options.arq, hooks, now),
      {
        ...options,
        onMessage: (m) => this.#onMessage(m),
        onClosed: (reason) => {
          this.#room.leave(this, reason);
          this.#done = true;
          options.onDone(reason);
        },
      },
    );
    room.connect(this);
  }

  /** Sends one reply or broadcast as one message. */
  send(bytes: Uint8Array): void {
    if (this.#done) return;
    // A broadcast hands the same bytes to every session in turn: sum them once.
    if (bytes !== lastBytes) {
      lastBytes = bytes;
      lastSum = onesSum(bytes);
    }
    try {
      this.link.send(bytes, lastSum);
    } catch (error) {
      if (error instanceof SendQueueFullError) this.link.abort("too slow: send queue full");
      else if (!(error instanceof RangeError)) throw error;
    }
  }

  /** Feeds bytes read from the socket. */
  receive(chunk: Uint8Array): void {
    this.link.receive(chunk);
  }

  /** Graceful close: FIN after everything sent was acknowledged. */
  close(): void {
    this.link.close();
  }

  #onMessage(message: Uint8Array): void {
    let end = message.length;
    if (end > 0 && message[end - 1] === 0x0a) end--;
    if (end > 0 && message[end - 1] === 0x0d) end--;
    this.#room.input(this, decoder.decode(message.subarray(0, end)), this.#clock());
  }
}
