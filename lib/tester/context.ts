/**
 * What a test body gets: clients to open (every one closed when the test ends), unique names
 * and chat tokens (so a test on a shared classroom server never mistakes someone else's line for
 * its own), the reply timeout, and helpers that wait for a reply and fail with a one-line
 * reason a student can act on.
 * @module
 */

import { BinaryClient, type BinaryOptions } from "./binary_client.ts";
import type { ConnectTarget } from "./connect.ts";
import { abortPromise, type StatusLine } from "./received_text.ts";
import { TestFailure } from "./spec.ts";
import { TextClient } from "./text_client.ts";
import { Transcript } from "./transcript.ts";

/** The largest retransmission timeout PROTOCOL.md allows a sender ("Timers": 2 s). */
const MAX_RTO_MS = 2000;

/** How a test reaches its server and how patient it is. */
export interface ContextOptions {
  /** The server. */
  readonly target: ConnectTarget;
  /** How long to wait for a reply, ms. */
  readonly replyMs: number;
  /** Aborted when the test runs out of time. */
  readonly signal: AbortSignal;
  /** Random letters and digits shared by this test's names and tokens. */
  readonly tag: string;
  /** The test's transcript. */
  readonly transcript?: Transcript;
}

/** Longest wait for the `NICK` prompt before a client sends its nickname anyway. */
export const PROMPT_WAIT_MS = 1000;

/** The context of one running test. */
export class TestContext {
  /** The server's host. */
  readonly host: string;
  /** The server's port. */
  readonly port: number;
  /** How long to wait for a reply, ms. */
  readonly replyMs: number;
  /** Aborted when the test runs out of time. */
  readonly signal: AbortSignal;
  /** What every client sent and received. */
  readonly transcript: Transcript;
  readonly #target: ConnectTarget;
  readonly #tag: string;
  readonly #text: TextClient[] = [];
  readonly #binary: BinaryClient[] = [];
  #tokens = 0;

  constructor(options: ContextOptions) {
    this.#target = options.target;
    this.host = options.target.host;
    this.port = options.target.port;
    this.replyMs = options.replyMs;
    this.signal = options.signal;
    this.#tag = options.tag;
    this.transcript = options.transcript ?? new Transcript();
  }

  /** True when any client received any byte from the server. */
  get heardFromServer(): boolean {
    return this.#text.some((c) => c.received.text.length > 0 || c.received.prompted) ||
      this.#binary.some((c) => c.frames.length > 0 || c.streamProblem !== undefined);
  }

  /**
   * What the server sent instead of frames when a binary client's first bytes were text (the
   * server does not speak the binary protocol), or `undefined`.
   */
  get answeredBinaryWithText(): string | undefined {
    for (const c of this.#binary) {
      if (c.frames.length === 0 && c.streamProblem?.startsWith("the server answered with text")) {
        return c.streamProblem;
      }
    }
    return undefined;
  }

  /** A nickname unique to this test: `base_tag` (at most 24 characters). */
  nick(base: string): string {
    return `${base}_${this.#tag}`;
  }

  /** A chat token no other text contains: `tk` and random letters. */
  token(): string {
    this.#tokens++;
    return `tk${this.#tag}${this.#tokens.toString(36)}q${randomTag(3)}`;
  }

  /** Opens a text connection (not registered). */
  async text(name: string): Promise<TextClient> {
    const c = await TextClient.open(this.#target, name, this.transcript, this.signal);
    this.#text.push(c);
    return c;
  }

  /**
   * Opens a text connection and waits for the `NICK` prompt (at most {@link PROMPT_WAIT_MS}; a
   * server that sends something else, or nothing, is judged by the test).
   */
  async prompted(name: string): Promise<TextClient> {
    const c = await this.text(name);
    await c.received.wait(
      () => c.received.prompted || c.received.text.length > 0 || undefined,
      PROMPT_WAIT_MS,
      this.signal,
    );
    return c;
  }

  /**
   * Opens a text connection and registers `nick` (default `nick(base)`), as the seed 000 client
   * does: waits for the `NICK` prompt, sends the nickname and a newline, expects status 200.
   */
  async user(base: string, nick = this.nick(base)): Promise<TextClient> {
    const c = await this.prompted(base);
    const mark = c.mark();
    await c.send(nick);
    await this.expectStatus(c, mark, 200, `registering the nickname ${nick}`);
    return c;
  }

  /** Opens a binary connection (see {@link BinaryClient}). */
  async binary(name: string, options: BinaryOptions = {}): Promise<BinaryClient> {
    const c = await BinaryClient.open(this.#target, name, this.transcript, this.signal, options);
    this.#binary.push(c);
    return c;
  }

  /** Records a note in the transcript. */
  note(text: string): void {
    this.transcript.note(text);
  }

  /** Fails the test with a one-line reason. */
  fail(reason: string): never {
    throw new TestFailure(reason);
  }

  /** Fails the test with `reason` unless `condition` holds. */
  check(condition: unknown, reason: string | (() => string)): void {
    if (!condition) this.fail(typeof reason === "string" ? reason : reason());
  }

  /** Waits `ms` (cut short when the test runs out of time). */
  async sleep(ms: number): Promise<void> {
    if (this.signal.aborted) return;
    const aborted = abortPromise(this.signal);
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([new Promise((r) => timer = setTimeout(r, ms)), aborted.promise]);
    clearTimeout(timer);
    aborted.dispose();
  }

  /**
   * The first status line `client` received at or after offset `since`; fails with "no reply
   * to WHAT" after the reply timeout.
   */
  async status(
    client: TextClient | BinaryClient,
    since: number,
    what: string,
  ): Promise<StatusLine> {
    const r = client.received;
    const ms = this.#waitMs(client);
    const s = await r.wait(() => r.statuses(since)[0], ms, this.signal);
    if (s) return s;
    this.fail(`No reply to ${what} within ${ms} ms${silence(client, since)}`);
  }

  /** Like {@link status}, and fails unless the code is `code`. */
  async expectStatus(
    client: TextClient | BinaryClient,
    since: number,
    code: number,
    what: string,
  ): Promise<StatusLine> {
    const s = await this.status(client, since, what);
    if (s.code !== code) this.fail(unexpected(client, s, code, what));
    return s;
  }

  /**
   * Waits until `client` received `count` status lines from `since` on; resolves with those it
   * has after the reply timeout (possibly fewer).
   */
  async statuses(
    client: TextClient | BinaryClient,
    since: number,
    count: number,
  ): Promise<StatusLine[]> {
    const r = client.received;
    await r.wait(
      () => r.statuses(since).length >= count || undefined,
      this.replyMs,
      this.signal,
    );
    return r.statuses(since);
  }

  /** Waits until `client` received `needle` `count` times from `since` on; returns the count. */
  async received(
    client: TextClient | BinaryClient,
    needle: string,
    since = 0,
    count = 1,
    timeoutMs = this.#waitMs(client),
  ): Promise<number> {
    const r = client.received;
    await r.wait(() => r.count(needle, since) >= count || undefined, timeoutMs, this.signal);
    return r.count(needle, since);
  }

  /**
   * How long to wait for `client`: the reply timeout, plus on a binary session the longest
   * retransmission timeout PROTOCOL.md allows (a lost or corrupted frame may legitimately wait
   * for the server's timer).
   */
  #waitMs(client: TextClient | BinaryClient): number {
    return this.replyMs + (client instanceof BinaryClient ? MAX_RTO_MS : 0);
  }

  /** Closes every client of the test (the runner calls it when the test ends). */
  async dispose(): Promise<void> {
    await Promise.all([
      ...this.#text.map((c) => c.close("test ends: closes the connection")),
      ...this.#binary.map((c) => c.close("test ends: closes the connection")),
    ]);
  }
}

/** One sentence for a reply with the wrong code; rate limits and refusals are named as such. */
function unexpected(
  client: TextClient | BinaryClient,
  s: StatusLine,
  wanted: number,
  what: string,
): string {
  const line = JSON.stringify(client.received.lineAt(s.offset).slice(0, 80));
  if (s.code === 429) {
    return `${what} got ${line} instead of ${wanted}: the server rate-limited the tester ` +
      `(the suite stays within 10 messages per 5 s per user; a lower or per-address limit trips it)`;
  }
  if (s.code === 503) {
    return `${what} got ${line} instead of ${wanted}: the server refused the tester ` +
      `(full, shutting down, or a limit of connections per address)`;
  }
  return `${what} got ${line}, expected status ${wanted}`;
}

/** Explains a missing reply: nothing at all, or the connection closed. */
function silence(client: TextClient | BinaryClient, since: number): string {
  const problem = client instanceof BinaryClient ? client.streamProblem : undefined;
  if (problem) return `: ${problem}`;
  const got = client.received.text.slice(since);
  if (client.serverClosed) {
    return got === ""
      ? " (the server closed the connection)"
      : ` (got ${quote(got)}, then the server closed the connection)`;
  }
  return got === "" ? " (nothing received)" : ` (got only ${quote(got)})`;
}

function quote(text: string): string {
  const shown = JSON.stringify(text.slice(0, 60));
  return text.length > 60 ? `${shown}...` : shown;
}

/** `n` random lower-case letters and digits. */
export function randomTag(n: number): string {
  const alphabet = "abcdefghijkmnpqrstuvwxyz23456789";
  const bytes = crypto.getRandomValues(new Uint8Array(n));
  return [...bytes].map((b) => alphabet[b % alphabet.length]).join("");
}
