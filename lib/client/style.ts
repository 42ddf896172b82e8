/**
 * Colours for the terminal client: status lines by class (2xx green, 4xx yellow, 5xx red),
 * notices dim, private messages magenta; none with NO_COLOR or when not on a terminal.
 * @module
 */

import type { ServerEvent } from "./server_lines.ts";

const CODES = { green: 32, yellow: 33, red: 31, dim: 2, magenta: 35, cyan: 36 } as const;

/** Wraps text in one ANSI colour when `on`. */
export function paint(on: boolean, colour: keyof typeof CODES, text: string): string {
  return on ? `\x1b[${CODES[colour]}m${text}\x1b[0m` : text;
}

/** One event as the line(s) a person reads. */
export function formatEvent(e: ServerEvent, colour: boolean): string {
  switch (e.kind) {
    case "status": {
      const c = e.code < 300 ? "green" : e.code < 500 ? "yellow" : "red";
      return `${paint(colour, c, `[${e.title}]`)} ${e.body}`;
    }
    case "chat":
      return e.line;
    case "private":
      return paint(colour, "magenta", e.line);
    case "notice":
      return paint(colour, "dim", e.line);
    case "other":
      return e.line;
  }
}
