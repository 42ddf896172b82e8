/**
 * `chat join` with stdin or stdout not a terminal: stdin lines are typed lines (text is sent as
 * MSG, /commands as on a terminal), stdout gets only chat lines, actions, history and notices,
 * status replies, the link's state and errors go to stderr. A dropped connection is reconnected
 * (lines read meanwhile wait). At the end of input it waits until everything was answered, sends
 * QUIT and exits 0; a refused nickname or a session that ends without coming back exits 1 with
 * the reason.
 * @module
 */

import type { ClientPlan } from "./client_plan.ts";
import { CLIENT_TEXT, type ClientText } from "./messages.ts";
import { type LinkState, ReconnectingChat } from "./reconnecting_chat.ts";
import type { ServerEvent } from "./server_lines.ts";
import { clientHintAfter, withClientWelcome } from "./server_hints.ts";
import { shortTime } from "./style.ts";
import { DEFAULT_RECONNECT_FOR_MS } from "./terminal_client.ts";
import { actOnTyped, type ChatView } from "./typed_actions.ts";

/** Runs the client over stdin/stdout; resolves to the exit status. */
export async function runInPipe(plan: ClientPlan & { readonly nick: string }): Promise<number> {
  const t = plan.text ?? CLIENT_TEXT;
  const say = (text: string) => console.error(text);
  const { options, faults } = plan.connecting(plan.choice, plan.trace ? say : undefined);
  const view: ChatView = { timestamps: plan.timestamps ?? false };
  const show = (event: ServerEvent) => {
    const e = withClientWelcome(event, t);
    if (e.kind === "status") say(`${e.title}: ${e.body}`);
    else {console.log(
        view.timestamps && e.kind !== "history" ? `${shortTime(Date.now())} ${e.line}` : e.line,
      );}
    const hint = clientHintAfter(e, t);
    if (hint) say(hint);
  };
  const joined = await ReconnectingChat.join({
    connect: { ...options, messages: t },
    nick: plan.nick,
    onEvent: show,
    onState: (s) => sayState(say, s, t),
    reconnectForMs: plan.reconnectForMs ?? DEFAULT_RECONNECT_FOR_MS,
  });
  if (joined.kind !== "joined") {
    say(`chat join: ${joined.kind === "refused" ? joined.reason : joined.message}`);
    return 1;
  }
  const session = joined.chat;
  const decoder = new TextDecoder();
  let carry = "";
  const reader = Deno.stdin.readable.getReader();
  let quitAsked = false;
  const handle = (line: string) => {
    if (actOnTyped(session, line, faults, say, view, t) === "quit") quitAsked = true;
  };
  const ended = session.ended.then((e) => ({ kind: "ended", ...e }) as const);
  let end: { reason: string } | undefined;
  try {
    while (!quitAsked) {
      const next = await Promise.race([reader.read(), ended]);
      if ("kind" in next) {
        end = next;
        break;
      }
      if (next.done) break;
      const lines = (carry + decoder.decode(next.value, { stream: true })).split("\n");
      carry = lines.pop()!;
      for (const l of lines) {
        handle(l.replace(/\r$/, ""));
        if (quitAsked) break;
      }
    }
    if (!quitAsked && end === undefined && carry !== "") handle(carry);
  } finally {
    reader.releaseLock();
  }
  if (end !== undefined) {
    say(`chat join: ${t.sessionEnded(end.reason)}`);
    return 1;
  }
  await session.leave();
  return 0;
}

/** The link's state on stderr: when it drops, each attempt's failure, when it is back. */
function sayState(say: (text: string) => void, s: LinkState, t: ClientText): void {
  switch (s.kind) {
    case "lost":
      say(t.connectionLost(s.reason));
      return;
    case "retrying":
      if (s.error !== undefined) say(t.reconnectFailed(s.error));
      return;
    case "back":
      say(t.backIn(s.room ?? "?", s.nick));
      if (!s.resumed) say(t.backNoToken);
      if (s.queued > 0) say(t.queuedWhileAway(s.queued));
      return;
  }
}
