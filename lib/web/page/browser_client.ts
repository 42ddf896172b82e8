/**
 * The page's chat client: the same client core as `chat join` (`lib/client/session.ts`: prompt
 * skipping, handshake, the ARQ engine, fault injection) over a WebSocket to the server that
 * served the page, with the server's lines parsed into events as `chat join` parses them. A
 * binary session's link is watched from its SYN on, for the window view.
 * @module
 */

import type { ArqEndpoint } from "../../arq/mod.ts";
import { ClientSession } from "../../client/session.ts";
import { type ServerEvent, ServerLineParser } from "../../client/server_lines.ts";
import { FaultInjector } from "../../faults/mod.ts";
import type { ManualFault } from "../../net/binary_link.ts";
import { WakeScheduler } from "../../net/scheduler.ts";
import { Turn } from "../../net/turn.ts";
import { WebSocketDialer } from "../../net/ws_transport.ts";
import { LinkRecorder, type ViewRecord } from "../view_record.ts";

/** What the person chose on the join form. */
export interface JoinChoice {
  readonly nick: string;
  /** Plain text, or the binary protocol with Go-Back-N or Selective Repeat. */
  readonly protocol: "text" | "gbn" | "sr";
  readonly window: number;
  readonly ackPolicy: "frame" | "sack";
  /** Probabilities of the page's own fault injection (0..1). */
  readonly loss: number;
  readonly corrupt: number;
  /** A language to ask the server for (`LANG`) before the nickname; its reply is not shown. */
  readonly lang?: string;
}

/** What the client reports. */
export interface ClientHandlers {
  /** Something the server said. */
  readonly onEvent: (event: ServerEvent) => void;
  /** A record for the window view (binary sessions). */
  readonly onRecord: (record: ViewRecord) => void;
  /** The session ended. */
  readonly onClosed: (reason: string) => void;
}

const encoder = new TextEncoder();

/** The WebSocket of the server that served this page. */
function chatUrl(): string {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  return `${scheme}//${location.host}/ws`;
}

/** An open session of the page with the chat server. */
export class BrowserClient {
  readonly choice: JoinChoice;
  readonly #session: ClientSession;
  readonly #faults: FaultInjector | undefined;
  readonly #origin: number;

  private constructor(
    choice: JoinChoice,
    session: ClientSession,
    origin: number,
    faults?: FaultInjector,
  ) {
    this.choice = choice;
    this.#session = session;
    this.#origin = origin;
    this.#faults = faults;
  }

  /**
   * Connects (and for binary, completes the handshake), then sends the nickname. Rejects with
   * a sentence for the person when the server cannot be reached.
   */
  static async open(choice: JoinChoice, on: ClientHandlers): Promise<BrowserClient> {
    const turn = new Turn();
    const scheduler = new WakeScheduler();
    const binary = choice.protocol !== "text";
    const faults = binary
      ? new FaultInjector(
        { loss: choice.loss, corrupt: choice.corrupt, seed: (Math.random() * 2 ** 32) >>> 0 },
        "client",
      )
      : undefined;
    const parser = new ServerLineParser();
    const decoder = new TextDecoder();
    let carry = "";
    const origin = turn.now();
    const recorder = new LinkRecorder(origin, on.onRecord);
    let started = false;
    // The reply to LANG, sent before the nickname, is the first status line: not shown.
    let langReply = choice.lang !== undefined;
    const deliver = (e: ServerEvent) => {
      if (langReply && e.kind === "status") {
        langReply = false;
        return;
      }
      on.onEvent(e);
    };
    const session = await ClientSession.open({
      dialer: new WebSocketDialer(chatUrl),
      host: location.hostname,
      port: Number(location.port || 80),
      text: !binary,
      params: {
        mode: choice.protocol === "sr" ? "sr" : "gbn",
        window: choice.window,
        ackPolicy: choice.ackPolicy,
        maxPayload: 1024,
      },
      faults,
      who: choice.nick,
      scheduler,
      turn,
      observer: binary
        ? {
          frame: (f, now) => {
            if (!started) {
              started = true;
              on.onRecord({
                r: "start",
                t: 0,
                role: "client",
                rto: 1000,
                srtt: 0,
                who: choice.nick,
              });
            }
            recorder.frame(f, now);
          },
          event: (e, now) => recorder.event(e, now),
        }
        : undefined,
      onData: (bytes) => {
        if (binary) {
          for (const e of parser.message(decoder.decode(bytes))) deliver(e);
          return;
        }
        const lines = (carry + decoder.decode(bytes, { stream: true })).split("\n");
        carry = lines.pop()!;
        for (const raw of lines) {
          const e = parser.line(raw.endsWith("\r") ? raw.slice(0, -1) : raw);
          if (e) deliver(e);
        }
      },
    });
    const client = new BrowserClient(choice, session, origin, faults);
    session.closed.then((reason) => {
      scheduler.stop();
      on.onClosed(reason);
    });
    if (choice.lang !== undefined) client.send(`LANG ${choice.lang}`);
    client.send(choice.nick);
    return client;
  }

  /** Milliseconds since the session's recording started (the window view's clock). */
  recordingNow(): number {
    return performance.now() - this.#origin;
  }

  /** The ARQ engine (binary sessions): counters, RTO, parameters. */
  get endpoint(): ArqEndpoint | undefined {
    return this.#session.endpoint;
  }

  /** True for a binary session. */
  get binary(): boolean {
    return this.#session.endpoint !== undefined;
  }

  /** The page's own fault injection (binary sessions). */
  get faults(): FaultInjector | undefined {
    return this.#faults;
  }

  /** Sends one command line (`MSG hi`, `LIST`, the nickname, ...). */
  send(line: string): void {
    this.#session.send(encoder.encode(this.binary ? line : line + "\n"));
  }

  /** Drops or corrupts the next DATA frame the page sends. */
  faultNext(fault: ManualFault | undefined): void {
    this.#session.link?.faultNext(fault);
  }

  /** The fault waiting for the next DATA frame, if any. */
  get pendingFault(): ManualFault | undefined {
    return this.#session.link?.manualFault;
  }

  /** Leaves: QUIT, then the session closes when the server does (or after 2 s). */
  quit(): void {
    this.send("QUIT");
    setTimeout(() => this.#session.close("left"), 2000);
  }

  /** Closes at once. */
  close(): void {
    this.#session.close("closed by the page");
  }
}
