/**
 * A client's connection to a chat server, binary (reliable ARQ session) or plain text, with
 * the server's output parsed into events. Used by `chat join`.
 * @module
 */

import { ArqEndpoint, type ArqEvent, type EndpointOptions } from "../arq/mod.ts";
import type { FaultInjector } from "../faults/mod.ts";
import { BinaryLink, type LinkCapture } from "../net/binary_link.ts";
import { Outbox } from "../net/outbox.ts";
import type { WakeScheduler } from "../net/scheduler.ts";
import type { SessionParams } from "../protocol/control.ts";
import { type ServerEvent, ServerLineParser } from "./server_lines.ts";

/** Options of {@link ChatConnection.open}. */
export interface ConnectOptions {
  /** Server host name or address. */
  readonly host: string;
  /** Server port. */
  readonly port: number;
  /** Speak the plain-text protocol instead of the binary one. */
  readonly text: boolean;
  /** ARQ parameters asked for in the SYN (binary). */
  readonly params: SessionParams;
  /** ARQ engine options (binary). */
  readonly arq?: Partial<EndpointOptions>;
  /** Fault injection on frames this client sends (binary). */
  readonly faults?: FaultInjector;
  /** One line per frame (`--trace`). */
  readonly trace?: (line: string) => void;
  /** Makes a capture of the connection's bytes (`--pcap`). */
  readonly makeCapture?: (local: Deno.NetAddr, remote: Deno.NetAddr) => LinkCapture & {
    close(): void;
  };
  /** The process's timer service. */
  readonly scheduler: WakeScheduler;
  /** Everything the server says. */
  readonly onEvent: (event: ServerEvent) => void;
  /** ARQ events (binary). */
  readonly onArqEvent?: (event: ArqEvent) => void;
}

/** Why a connection could not be opened, in one sentence. */
export class ConnectError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "ConnectError";
  }
}

const encoder = new TextEncoder();
const NICK = "NICK";
/** Bound of unsent text commands a client may queue before it gives up. */
const TEXT_OUTBOX_BYTES = 64 * 1024 * 1024;

/** An open connection to a chat server. */
export class ChatConnection {
  /** Resolves with the reason once the session is over. */
  readonly closed: Promise<string>;
  readonly #conn: Deno.TcpConn;
  readonly #link: BinaryLink | undefined;
  readonly #opts: ConnectOptions;
  readonly #parser = new ServerLineParser();
  #closeReason: string | undefined;
  #resolveClosed!: (reason: string) => void;
  #awaiting = 0;
  #settleWaiters: (() => void)[] = [];
  #textCarry = "";
  #promptSeen = 0;
  #lingerTimer: ReturnType<typeof setTimeout> | undefined;
  readonly #decoder = new TextDecoder();

  readonly #capture: (LinkCapture & { close(): void }) | undefined;
  /** Text sessions: one serialized writer, so commands never interleave on partial writes. */
  readonly #textOut: Outbox | undefined;

  private constructor(conn: Deno.TcpConn, options: ConnectOptions, makeLink: boolean) {
    this.#conn = conn;
    this.#textOut = makeLink ? undefined : new Outbox(conn, {
      maxBytes: TEXT_OUTBOX_BYTES,
      onOverflow: (queued) => this.#finish(`send queue full (${queued} bytes unsent)`),
      onError: () => this.#finish("connection lost"),
    });
    this.#opts = options;
    this.#capture = options.makeCapture?.(conn.localAddr, conn.remoteAddr);
    this.closed = new Promise((resolve) => this.#resolveClosed = resolve);
    if (makeLink) {
      this.#link = new BinaryLink(
        conn,
        (hooks, now) => ArqEndpoint.client(options.params, options.arq ?? {}, hooks, now),
        {
          who: "client",
          scheduler: options.scheduler,
          faults: options.faults,
          trace: options.trace,
          capture: this.#capture,
          skipTextPrompt: true,
          onEvent: options.onArqEvent,
          onMessage: (m) => {
            for (const e of this.#parser.message(this.#decoder.decode(m))) this.#event(e);
          },
          onClosed: (reason) => {
            // Let the last frames (FIN-ACK, RST) reach the wire first, briefly.
            const timeout = new Promise((r) => this.#lingerTimer = setTimeout(r, 500));
            Promise.race([this.#link!.drained(), timeout]).then(() => {
              clearTimeout(this.#lingerTimer);
              this.#finish(reason);
            });
          },
        },
      );
    }
  }

  /**
   * Connects (and for binary, completes the handshake). Rejects with a {@link ConnectError}
   * whose message is one sentence for the user.
   */
  static async open(options: ConnectOptions): Promise<ChatConnection> {
    const where = `${options.host}:${options.port}`;
    let conn: Deno.TcpConn;
    try {
      conn = await Deno.connect({ hostname: options.host, port: options.port });
    } catch (error) {
      if (error instanceof Deno.errors.ConnectionRefused) {
        throw new ConnectError(
          `cannot connect to ${where}: connection refused (is \`chat serve\` running there?)`,
        );
      }
      const msg = error instanceof Error ? error.message : String(error);
      if (/lookup|resolve|name or service/i.test(msg)) {
        throw new ConnectError(`cannot connect to ${where}: unknown host ${options.host}`);
      }
      throw new ConnectError(`cannot connect to ${where}: ${msg}`);
    }
    conn.setNoDelay(true);
    const c = new ChatConnection(conn, options, !options.text);
    c.#readLoop();
    if (c.#link) {
      const established = await c.#waitEstablished();
      if (!established) {
        throw new ConnectError(`cannot open a session with ${where}: ${c.#closeReason}`);
      }
    }
    return c;
  }

  /** ARQ counters and timers (binary sessions). */
  get endpoint(): ArqEndpoint | undefined {
    return this.#link?.endpoint;
  }

  /** Why the session ended, once it has. */
  get closeReason(): string | undefined {
    return this.#closeReason;
  }

  /** Sends one command line (nickname, `MSG ...`, `LIST`, ...). */
  send(line: string): void {
    if (this.#closeReason !== undefined) return;
    this.#awaiting++;
    if (this.#link) {
      this.#link.send(encoder.encode(line));
      return;
    }
    const bytes = encoder.encode(line + "\n");
    this.#capture?.sent(bytes, performance.now());
    this.#textOut!.append(bytes);
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
    if (this.#link && this.#link.endpoint.state !== "closed") this.#link.abort("client closed");
    this.#finish("closed by client");
  }

  #isSettled(): boolean {
    if (this.#closeReason !== undefined) return true;
    return this.#awaiting <= 0 && (this.#link === undefined || this.#link.endpoint.pending === 0);
  }

  #checkSettled(): void {
    if (!this.#isSettled()) return;
    const waiters = this.#settleWaiters;
    this.#settleWaiters = [];
    for (const w of waiters) w();
  }

  #event(e: ServerEvent): void {
    if (e.kind === "status") this.#awaiting--;
    this.#opts.onEvent(e);
    this.#checkSettled();
  }

  async #waitEstablished(): Promise<boolean> {
    const link = this.#link!;
    const deadline = performance.now() + 60_000;
    while (link.endpoint.state !== "established" && performance.now() < deadline) {
      if (this.#closeReason !== undefined) return false;
      await new Promise((r) => setTimeout(r, 5));
    }
    return link.endpoint.state === "established";
  }

  async #readLoop(): Promise<void> {
    const buf = new Uint8Array(16 * 1024);
    for (;;) {
      let n: number | null;
      try {
        n = await this.#conn.read(buf);
      } catch {
        n = null;
      }
      if (n === null) break;
      const chunk = buf.subarray(0, n);
      if (this.#link) {
        this.#link.receive(chunk);
        this.#checkSettled();
      } else {
        this.#capture?.received(chunk, performance.now());
        this.#textInput(this.#decoder.decode(chunk, { stream: true }));
      }
      if (this.#closeReason !== undefined) break;
    }
    if (this.#link) this.#link.end();
    this.#finish(this.#closeReason ?? "connection closed by the server");
  }

  #textInput(text: string): void {
    let t = text;
    // The server may prompt with a bare "NICK" before our nickname arrived: skip it.
    while (this.#promptSeen < NICK.length && t.length > 0) {
      if (t[0] !== NICK[this.#promptSeen]) {
        this.#promptSeen = NICK.length;
        break;
      }
      this.#promptSeen++;
      t = t.slice(1);
    }
    if (this.#promptSeen < NICK.length) return;
    const lines = (this.#textCarry + t).split("\n");
    this.#textCarry = lines.pop()!;
    for (const raw of lines) {
      const e = this.#parser.line(raw.endsWith("\r") ? raw.slice(0, -1) : raw);
      if (e) this.#event(e);
    }
  }

  #finish(reason: string): void {
    if (this.#closeReason !== undefined) return;
    this.#closeReason = reason;
    this.#link?.dispose();
    try {
      this.#conn.close();
    } catch { /* already closed */ }
    this.#capture?.close();
    this.#resolveClosed(reason);
    this.#checkSettled();
  }
}
