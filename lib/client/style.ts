/**
 * How the terminal client shows what the server said: status lines coloured by class (2xx green,
 * 4xx yellow, 5xx red), notices and history dim, private messages magenta, actions cyan (no
 * colour with NO_COLOR or off a terminal), with the time it arrived in front when timestamps
 * are on (a history line shows the time it was said instead), and every control character in
 * the server's text made visible (`^[`, `^M`), so no line from the network can move the cursor,
 * clear the screen or retitle the window.
 * @module
 */

import type { ServerEvent } from "./server_lines.ts";

const CODES = { green: 32, yellow: 33, red: 31, dim: 2, magenta: 35, cyan: 36 } as const;

/** Wraps text in one ANSI colour when `on`. */
export function paint(on: boolean, colour: keyof typeof CODES, text: string): string {
  return on ? `\x1b[${CODES[colour]}m${text}\x1b[0m` : text;
}

// deno-lint-ignore no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f\u0080-\u009f]/g;

/** `text` with C0, DEL and C1 control characters shown in caret notation (ESC is `^[`). */
export function visible(text: string): string {
  return text.replace(CONTROL, (c) => {
    const n = c.charCodeAt(0);
    if (n === 0x7f) return "^?";
    return n < 0x20 ? `^${String.fromCharCode(n + 0x40)}` : `\\u{${n.toString(16)}}`;
  });
}

/** `HH:MM` of a time (ms), local, as timestamps show it. */
export function shortTime(ms: number): string {
  const d = new Date(ms);
  return `${String(d.getHours()).padStart(2, "0")}:${String(d.getMinutes()).padStart(2, "0")}`;
}

/**
 * One event as the line a person reads, safe to write to a terminal; `stamp` (e.g. `14:02`) is
 * shown in front, except on a history line, which has its own time.
 */
export function formatEvent(e: ServerEvent, colour: boolean, stamp?: string): string {
  const text = formatBare(e, colour);
  if (stamp === undefined || e.kind === "history") return text;
  return `${paint(colour, "dim", stamp)} ${text}`;
}

function formatBare(e: ServerEvent, colour: boolean): string {
  switch (e.kind) {
    case "status": {
      const c = e.code < 300 ? "green" : e.code < 500 ? "yellow" : "red";
      return `${paint(colour, c, `[${visible(e.title)}]`)} ${visible(e.body)}`;
    }
    case "chat":
      return visible(e.line);
    case "private":
      return paint(colour, "magenta", visible(e.line));
    case "action":
      return paint(colour, "cyan", visible(e.line));
    case "notice":
    case "history":
      return paint(colour, "dim", visible(e.line));
    case "other":
      return visible(e.line);
  }
}
