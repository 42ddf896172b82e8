/**
 * The writer of a binary session on a datagram path: the outbox hands it one buffer of whole
 * frames per turn, and it sends them as datagrams of at most `maxDatagram` bytes each, cut only
 * at frame ends, in order. A frame is never split across datagrams, so a datagram lost loses
 * whole frames and the ARQ resends them.
 * @module
 */

import { HEADER_SIZE, Offset } from "../protocol/header.ts";
import type { ByteWriter } from "./outbox.ts";

/** Cuts buffers of whole frames into datagrams (see the module comment). */
export class DatagramWriter implements ByteWriter {
  readonly #conn: ByteWriter;
  readonly #max: number;

  /** `conn.write` sends one datagram; `maxDatagram` bounds each (a frame must fit in one). */
  constructor(conn: ByteWriter, maxDatagram: number) {
    this.#conn = conn;
    this.#max = maxDatagram;
  }

  /** Sends every frame of `p` and resolves to `p.length` once every datagram was sent. */
  write(p: Uint8Array): Promise<number> {
    // A datagram write takes all of `p` (it resolves to `p.length`).
    if (p.length <= this.#max) return this.#conn.write(p);
    const sends: Promise<number>[] = [];
    let start = 0;
    let at = 0;
    while (at < p.length) {
      const total = HEADER_SIZE + ((p[at + Offset.length]! << 8) | p[at + Offset.length + 1]!);
      if (at > start && at + total - start > this.#max) {
        sends.push(this.#conn.write(p.subarray(start, at)));
        start = at;
      }
      at += total;
    }
    sends.push(this.#conn.write(p.subarray(start, Math.min(at, p.length))));
    return Promise.all(sends).then(() => p.length);
  }
}
