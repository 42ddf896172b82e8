/**
 * Bytes received and not read yet, as a queue of chunks: a transport that is handed whole
 * messages (a WebSocket) gives them to `Conn.read` callers whatever the size of their buffer.
 * The queue keeps the chunks it is given (the caller gives it copies it will not change).
 * @module
 */

/** A FIFO of byte chunks read out into buffers of any size. */
export class ByteQueue {
  #chunks: Uint8Array[] = [];
  #bytes = 0;

  /** Bytes queued. */
  get bytes(): number {
    return this.#bytes;
  }

  /** True when nothing is queued. */
  get empty(): boolean {
    return this.#chunks.length === 0;
  }

  /** Appends a chunk (kept, not copied); an empty one is ignored. */
  push(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    this.#chunks.push(chunk);
    this.#bytes += chunk.length;
  }

  /** Moves as many queued bytes as fit into `buf`, oldest first; returns how many. */
  take(buf: Uint8Array): number {
    let n = 0;
    while (n < buf.length && this.#chunks.length > 0) {
      const head = this.#chunks[0]!;
      const k = Math.min(head.length, buf.length - n);
      buf.set(head.subarray(0, k), n);
      n += k;
      if (k === head.length) this.#chunks.shift();
      else this.#chunks[0] = head.subarray(k);
    }
    this.#bytes -= n;
    return n;
  }

  /** Forgets everything queued. */
  clear(): void {
    this.#chunks = [];
    this.#bytes = 0;
  }
}
