/**
 * `chat join` with stdin or stdout not a terminal: stdin lines are typed lines (text is sent as
 * MSG, /commands as on a terminal), stdout gets only chat lines and notices, status replies and
 * errors go to stderr. At the end of input it waits until everything was answered, sends QUIT
 * and exits 0; a refused nickname or a session the server ends exits 1 with the server's reason.
 * @module
 */

import type { ClientPlan } from "./client_plan.ts";
import { CLIENT_TEXT } from "./messages.ts";
import type { ServerEvent } from "./server_lines.ts";
import { clientHintAfter, withClientWelcome } from "./server_hints.ts";
import { joinAs, leave } from "./join_leave.ts";
import { actOnTyped } from "./typed_actions.ts";

/** Runs the client over stdin/stdout; resolves to the exit status. */
export async function runInPipe(plan: ClientPlan & { readonly nick: string }): Promise<number> {
  const say = (text: string) => console.error(text);
  const { options, faults } = plan.connecting(plan.choice, plan.trace ? say : undefined);
  let welcomed = false;
  const show = (event: ServerEvent) => {
    const e = welcomed ? event : withClientWelcome(event);
    welcomed ||= e.kind === "status";
    if (e.kind === "status") say(`${e.title}: ${e.body}`);
    else console.log(e.line);
    const hint = clientHintAfter(e);
    if (hint) say(hint);
  };
  const joined = await joinAs(options, plan.nick, show);
  if (joined.kind !== "joined") {
    say(`chat join: ${joined.kind === "refused" ? joined.reason : joined.message}`);
    return 1;
  }
  const conn = joined.conn;
  const decoder = new TextDecoder();
  let carry = "";
  const reader = Deno.stdin.readable.getReader();
  let quitAsked = false;
  const handle = (line: string) => {
    if (actOnTyped(conn, line, faults, say) === "quit") quitAsked = true;
  };
  const ended = conn.closed.then(() => "closed" as const);
  try {
    while (!quitAsked) {
      const next = await Promise.race([reader.read(), ended]);
      if (next === "closed" || next.done) break;
      const lines = (carry + decoder.decode(next.value, { stream: true })).split("\n");
      carry = lines.pop()!;
      for (const l of lines) {
        handle(l.replace(/\r$/, ""));
        if (quitAsked) break;
      }
    }
    if (!quitAsked && carry !== "") handle(carry);
  } finally {
    reader.releaseLock();
  }
  if (conn.closeReason !== undefined) {
    say(`chat join: ${CLIENT_TEXT.sessionEnded(conn.closeReason)}`);
    return 1;
  }
  await leave(conn);
  return 0;
}
