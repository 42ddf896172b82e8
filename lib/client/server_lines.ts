/**
 * Parses what a chat server sends into events, the same for binary sessions (one message per
 * reply or broadcast) and plain-text sessions (a stream of lines): a status line `NNN Reason`
 * is followed by exactly one body line; `[nick]: text` is a chat line; `[a -> b]: text` a
 * private one; `* nick text` an action; `*** ...` a notice; `(HH:MM:SS) line` a line of a
 * room's history, said before (never taken for a new one).
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
  | { readonly kind: "action"; readonly from: string; readonly text: string; readonly line: string }
  | { readonly kind: "notice"; readonly text: string; readonly line: string }
  | {
    readonly kind: "history";
    /** `HH:MM:SS`, the server's time when it was said. */
    readonly time: string;
    /** The line as it was said. */
    readonly said: LineEvent;
    readonly line: string;
  }
  | { readonly kind: "other"; readonly line: string };

/** A server line that is not a status reply. */
export type LineEvent = Exclude<ServerEvent, { kind: "status" | "history" }>;

const STATUS = /^(\d{3}) (.*)$/;
const PRIVATE = /^\[([^\]\s]+) -> ([^\]\s]+)\]: (.*)$/;
const CHAT = /^\[([^\]\s]+)\]: (.*)$/;
const ACTION = /^\* ([^*\s]\S*) (.*)$/;
const HISTORY = /^\((\d\d:\d\d:\d\d)\) (.*)$/;

/** What one line that is not part of a status reply is. */
export function parseLine(line: string): LineEvent {
  const priv = PRIVATE.exec(line);
  if (priv) return { kind: "private", from: priv[1]!, to: priv[2]!, text: priv[3]!, line };
  const chat = CHAT.exec(line);
  if (chat) return { kind: "chat", from: chat[1]!, text: chat[2]!, line };
  if (line.startsWith("*** ")) return { kind: "notice", text: line.slice(4), line };
  const action = ACTION.exec(line);
  if (action) return { kind: "action", from: action[1]!, text: action[2]!, line };
  return { kind: "other", line };
}

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
    const history = HISTORY.exec(line);
    if (history) return { kind: "history", time: history[1]!, said: parseLine(history[2]!), line };
    return parseLine(line);
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
