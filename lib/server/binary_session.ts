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
import { MAX_PAYLOAD } from "../protocol/header.ts";

const decoder = new TextDecoder();
/** The last reply summed, and its `onesSum` (replies such as "200 Message sent" are shared). */
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
  /** Takes broadcasts from the room's line log, a frame's worth of lines per piece at most. */
  readonly followsLog = true;
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

  /** The longest piece of the line log to take at once: one frame's payload. */
  get logPieceMax(): number {
    return this.link.endpoint.params?.maxPayload ?? MAX_PAYLOAD;
  }

  /**
   * Sends a reply, or a piece of the room's line log, as one message (the ARQ packs adjacent
   * ones into one frame). `sum` = `onesSum(bytes)` when known.
   */
  send(bytes: Uint8Array, sum?: number): void {
    if (this.#done) return;
    if (sum === undefined) {
      if (bytes !== lastBytes) {
        lastBytes = bytes;
        lastSum = onesSum(bytes);
      }
      sum = lastSum;
    }
    try {
      this.link.send(bytes, sum);
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
