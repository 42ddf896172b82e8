/**
 * What `chat join` adds to the server's words so they make sense in this client: the welcome's
 * "Type HELP" becomes "Type /help" (typed here, HELP would be chat text), and the server's own
 * HELP reply (`200 OK - Help`) gets a line saying how its verbs are used from `chat join`. The
 * server's bytes are not changed; only what is shown.
 * @module
 */

import { CLIENT_TEXT, type ClientText } from "./messages.ts";
import type { ServerEvent } from "./server_lines.ts";

/** A registration reply (`200 OK - Connected`) with its hint to type HELP pointed at `/help`. */
export function withClientWelcome(e: ServerEvent, text: ClientText = CLIENT_TEXT): ServerEvent {
  if (e.kind !== "status" || e.code !== 200 || !/ - Connected$/.test(e.title)) return e;
  return { ...e, body: e.body.replace(/\bHELP\b/, text.welcomeHint) };
}

/** A line to show after `e`, when `e` is the server's HELP reply; otherwise undefined. */
export function clientHintAfter(
  e: ServerEvent,
  text: ClientText = CLIENT_TEXT,
): string | undefined {
  if (e.kind === "status" && e.code === 200 && /\bHelp$/.test(e.title)) {
    return text.serverHelpHint;
  }
  return undefined;
}
