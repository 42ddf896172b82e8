/**
 * Parses what a chat server sends into events, the same for binary sessions (one message per
 * reply or broadcast) and plain-text sessions (a stream of lines): a status line `NNN Reason`
 * is followed by exactly one body line; `[nick]: text` is a chat line; `[a -> b]: text` a
 * private one; `*** ...` a notice.
 * @module
 */

/** One thing the server said. */
export type ServerEvent =
  | {
    readonly kind: "status";
    readonly code: number;
    readonly title: string;
    readonly body: string;
  }
  | { readonly kind: "chat"; readonly from: string; readonly text: string; readonly line: string }
  | {
    readonly kind: "private";
    readonly from: string;
    readonly to: string;
    readonly text: string;
    readonly line: string;
  }
  | { readonly kind: "notice"; readonly text: string; readonly line: string }
  | { readonly kind: "other"; readonly line: string };

const STATUS = /^(\d{3}) (.*)$/;
const PRIVATE = /^\[([^\]\s]+) -> ([^\]\s]+)\]: (.*)$/;
const CHAT = /^\[([^\]\s]+)\]: (.*)$/;

/** Turns server lines into {@link ServerEvent}s, pairing each status line with its body. */
export class ServerLineParser {
  #status: { code: number; title: string } | undefined;

  /** Parses one line (without terminator); returns an event, or `undefined` while a status waits for its body. */
  line(line: string): ServerEvent | undefined {
    if (this.#status) {
      const { code, title } = this.#status;
      this.#status = undefined;
      return { kind: "status", code, title, body: line };
    }
    const status = STATUS.exec(line);
    if (status) {
      this.#status = { code: Number(status[1]), title: line };
      return undefined;
    }
    const priv = PRIVATE.exec(line);
    if (priv) return { kind: "private", from: priv[1]!, to: priv[2]!, text: priv[3]!, line };
    const chat = CHAT.exec(line);
    if (chat) return { kind: "chat", from: chat[1]!, text: chat[2]!, line };
    if (line.startsWith("*** ")) return { kind: "notice", text: line.slice(4), line };
    return { kind: "other", line };
  }

  /** Parses a whole message (one or more lines, as a binary session delivers them). */
  message(text: string): ServerEvent[] {
    const events: ServerEvent[] = [];
    const body = text.endsWith("\n") ? text.slice(0, -1) : text;
    for (const l of body.split("\n")) {
      const e = this.line(l.endsWith("\r") ? l.slice(0, -1) : l);
      if (e) events.push(e);
    }
    return events;
  }
}
