/**
 * A plain-text tester client: one TCP connection, everything it receives kept in a
 * {@link ReceivedText} and in the test's transcript. Reading can be paused to play a client
 * that never reads.
 * @module
 */

import type { Conn } from "../net/transport.ts";
import { type ConnectTarget, openNoted, writeAll } from "./connect.ts";
import { ReceivedText } from "./received_text.ts";
import type { Transcript } from "./transcript.ts";

const encoder = new TextEncoder();

/** One text connection driven by a test. */
export class TextClient {
  /** Name in the transcript (the nickname it means to use, before the test's tag). */
  readonly name: string;
  /** What it received. */
  readonly received = new ReceivedText({ prompt: true });
  readonly #conn: Conn;
  readonly #transcript: Transcript;
  readonly #reading: Promise<void>;
  #paused: PromiseWithResolvers<void> | undefined;
  #closedLocally = false;
  #serverClosed = false;

  private constructor(conn: Conn, name: string, transcript: Transcript) {
    this.#conn = conn;
    this.name = name;
    this.#transcript = transcript;
    this.#reading = this.#readLoop();
  }

  /** Connects (see {@link connectTcp}). */
  static async open(
    target: ConnectTarget,
    name: string,
    transcript: Transcript,
    signal: AbortSignal,
  ): Promise<TextClient> {
    const conn = await openNoted(target, signal, transcript, name);
    return new TextClient(conn, name, transcript);
  }

  /** True once the server closed the connection (end of stream or reset). */
  get serverClosed(): boolean {
    return this.#serverClosed;
  }

  /** Offset in {@link received} where the next bytes will land. */
  mark(): number {
    return this.received.text.length;
  }

  /** Writes exactly `data`; resolves false when the connection is gone. */
  async write(data: string | Uint8Array): Promise<boolean> {
    const bytes = typeof data === "string" ? encoder.encode(data) : data;
    this.#transcript.data(this.name, "send", bytes);
    return await writeAll(this.#conn, bytes);
  }

  /** Writes `line` and a newline. */
  send(line: string): Promise<boolean> {
    return this.write(line + "\n");
  }

  /** Half-closes: no more bytes from this side (as `nc -N` at the end of its input). */
  async closeWrite(): Promise<void> {
    this.#transcript.line(this.name, "close", "half-close (no more input)");
    try {
      await this.#conn.closeWrite();
    } catch { /* already gone */ }
  }

  /** Stops reading: the server's bytes pile up in the kernel buffers, then in the server. */
  pauseReading(): void {
    this.#paused ??= Promise.withResolvers<void>();
    this.#transcript.line(this.name, "note", "stops reading");
  }

  /** Reads again after {@link pauseReading}. */
  resumeReading(): void {
    const p = this.#paused;
    this.#paused = undefined;
    p?.resolve();
  }

  /** Resolves true once the server closed the connection, false after `timeoutMs`. */
  async waitServerClose(timeoutMs: number, signal?: AbortSignal): Promise<boolean> {
    return await this.received.wait(() => this.#serverClosed || undefined, timeoutMs, signal) ??
      false;
  }

  /** Closes the connection at once (a client that vanishes) and waits for the reader. */
  async close(reason = "closes the connection"): Promise<void> {
    if (!this.#closedLocally) {
      this.#closedLocally = true;
      if (!this.#serverClosed) this.#transcript.line(this.name, "close", reason);
      try {
        this.#conn.close();
      } catch { /* already closed */ }
      this.#paused?.resolve();
    }
    await this.#reading;
  }

  async #readLoop(): Promise<void> {
    const buf = new Uint8Array(64 * 1024);
    for (;;) {
      if (this.#paused) await this.#paused.promise;
      if (this.#closedLocally) break;
      let n: number | null;
      try {
        n = await this.#conn.read(buf);
      } catch {
        n = null;
      }
      if (n === null) {
        if (!this.#closedLocally) {
          this.#serverClosed = true;
          this.#transcript.line(this.name, "close", "the server closed the connection");
        }
        break;
      }
      const chunk = buf.slice(0, n);
      this.#transcript.data(this.name, "recv", chunk);
      this.received.append(chunk);
    }
    this.received.end();
  }
}
