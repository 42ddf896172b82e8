/**
 * Joining and leaving a chat server with a {@link ChatConnection}: connect, send the nickname
 * (after `JOIN room` when a room is asked for), wait for the registration reply (the server
 * closes the connection after a refusal), and leave
 * cleanly: wait until everything sent was answered, send QUIT, wait for the server to close (FIN
 * on a binary session), each wait bounded, and close at once when asked to hurry.
 * @module
 */

import { ChatConnection, ConnectError, type ConnectOptions } from "./connection.ts";
import { CLIENT_TEXT } from "./messages.ts";
import type { ServerEvent } from "./server_lines.ts";
import { within } from "../net/transport.ts";

/** How joining went. */
export type JoinResult =
  | {
    readonly kind: "joined";
    readonly conn: ChatConnection;
    readonly welcome: ServerEvent & { kind: "status" };
  }
  | { readonly kind: "refused"; readonly code: number; readonly reason: string }
  | { readonly kind: "failed"; readonly message: string };

/** Bound of the wait for answers to what was sent before QUIT. */
const SETTLE_MS = 30_000;
/** Bound of the wait for the server to close after QUIT. */
const CLOSE_MS = 5_000;

/**
 * Connects and registers as `nick`, straight into `room` when given (only a server that knows
 * rooms takes `JOIN` before the nickname). `onEvent` gets every event in order, the welcome
 * included (a refusal is returned instead of shown; the reply to `JOIN` is not shown).
 */
export function joinAs(
  options: Omit<ConnectOptions, "onEvent">,
  nick: string,
  onEvent: (e: ServerEvent) => void,
  room?: string,
): Promise<JoinResult> {
  return register(options, room === undefined ? [nick] : [`JOIN ${room}`, nick], onEvent);
}

/**
 * Connects and comes back as `nick` with the token the server gave (`RESUME nick token`): back in
 * its room, with the lines missed. A refusal (an unknown token: the server restarted) is returned.
 */
export function resumeAs(
  options: Omit<ConnectOptions, "onEvent">,
  nick: string,
  token: string,
  onEvent: (e: ServerEvent) => void,
): Promise<JoinResult> {
  return register(options, [`RESUME ${nick} ${token}`], onEvent);
}

/**
 * Sends `lines` (after `LANG` when a language is asked for); the reply to the last one is the
 * registration's, the others are not shown.
 */
async function register(
  options: Omit<ConnectOptions, "onEvent">,
  registration: readonly string[],
  onEvent: (e: ServerEvent) => void,
): Promise<JoinResult> {
  const lines = options.serverLang === undefined
    ? registration
    : [`LANG ${options.serverLang}`, ...registration];
  const reply = Promise.withResolvers<ServerEvent & { kind: "status" }>();
  let registered = false;
  let skip = lines.length - 1;
  let conn: ChatConnection;
  try {
    conn = await ChatConnection.open({
      ...options,
      onEvent: (e) => {
        if (!registered && e.kind === "status") {
          if (skip > 0) {
            skip--;
            return;
          }
          registered = true;
          reply.resolve(e);
          if (e.code !== 200) return;
        }
        onEvent(e);
      },
    });
  } catch (error) {
    if (error instanceof ConnectError) return { kind: "failed", message: error.message };
    throw error;
  }
  conn.closed.then((reason) => {
    if (!registered) reply.reject(new ConnectError(reason));
  });
  for (const line of lines) conn.send(line);
  let welcome;
  try {
    welcome = await reply.promise;
  } catch (error) {
    return {
      kind: "failed",
      message: (options.messages ?? CLIENT_TEXT).closedBeforeReply((error as Error).message),
    };
  }
  if (welcome.code !== 200) {
    conn.close();
    return { kind: "refused", code: welcome.code, reason: welcome.body };
  }
  return { kind: "joined", conn, welcome };
}

/**
 * Leaves: answers awaited, QUIT sent, the server's close awaited; `hurry` resolving (a second
 * Ctrl-C) closes at once. Resolves once the connection is closed.
 */
export async function leave(conn: ChatConnection, hurry?: Promise<unknown>): Promise<void> {
  const hurried = hurry?.then(() => "hurry" as const) ?? new Promise<never>(() => {});
  if (conn.closeReason === undefined) {
    const settled = await within(Promise.race([conn.settled(), hurried]), SETTLE_MS);
    if (settled !== "hurry") {
      conn.send("QUIT");
      await within(Promise.race([conn.closed, hurried]), CLOSE_MS);
    }
  }
  conn.close();
  await conn.closed;
}
