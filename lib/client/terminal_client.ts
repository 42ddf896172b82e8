/**
 * `chat join` on a terminal: the questions (each asked again on a bad answer), joining (a taken
 * or invalid nickname asks for another and joins again), chatting with lines shown above the
 * input, and leaving cleanly on `/quit`, Ctrl-C, Ctrl-D on an empty line, SIGINT/SIGTERM/SIGHUP
 * or the end of the terminal's input: answers awaited, QUIT sent, exit 0 (a second Ctrl-C
 * closes at once). The terminal is always given back, whatever ends the session.
 * @module
 */

import type { FaultInjector } from "../faults/mod.ts";
import type { ClientPlan } from "./client_plan.ts";
import type { ChatConnection } from "./connection.ts";
import { CLIENT_TEXT } from "./messages.ts";
import { askUiSettings, askUntilValid, nicknameAnswer } from "./questions.ts";
import type { ServerEvent } from "./server_lines.ts";
import { clientHintAfter, withClientWelcome } from "./server_hints.ts";
import { joinAs, leave } from "./join_leave.ts";
import { formatEvent } from "./style.ts";
import { Terminal } from "./terminal.ts";
import { actOnTyped } from "./typed_actions.ts";

/** What the session needs of a terminal ({@link Terminal} is one). */
export type ChatTerminal = Pick<Terminal, "ask" | "next" | "print" | "stopEditing">;

/** Runs the client on this terminal (stdin and stdout must be terminals); resolves to the exit status. */
export async function runOnTerminal(plan: ClientPlan, colour: boolean): Promise<number> {
  const term = Terminal.open(CLIENT_TEXT.prompt, CLIENT_TEXT.inputTruncated);
  try {
    return await runSession(term, plan, colour);
  } finally {
    term.close();
  }
}

/** The session on `term`, from the questions to leaving; resolves to the exit status. */
export async function runSession(
  term: ChatTerminal,
  plan: ClientPlan,
  colour: boolean,
): Promise<number> {
  const say = (text: string) => term.print(text);
  const ask = (question: string) => term.ask(question);
  let choice = plan.choice;
  if (plan.askSettings) {
    const answers = await askUiSettings(ask, say, choice, plan.maxWindow);
    if (answers === undefined) return 0;
    choice = answers;
  }
  const { options, faults } = plan.connecting(choice, plan.trace ? say : undefined);
  let nick = plan.nick?.trim() || undefined;
  for (;;) {
    nick ??= await askUntilValid(ask, say, CLIENT_TEXT.askNickname, nicknameAnswer);
    if (nick === undefined) return 0;
    let welcomed = false;
    const show = (event: ServerEvent) => {
      const e = welcomed ? event : withClientWelcome(event);
      welcomed ||= e.kind === "status";
      say(formatEvent(e, colour));
      const hint = clientHintAfter(e);
      if (hint) say(hint);
    };
    const joined = await joinAs(options, nick, show);
    if (joined.kind === "joined") return await chat(term, joined.conn, faults);
    if (joined.kind === "refused" && (joined.code === 400 || joined.code === 409)) {
      say(CLIENT_TEXT.nicknameRefused(joined.reason));
      nick = undefined;
      continue;
    }
    say(`chat join: ${joined.kind === "refused" ? joined.reason : joined.message}`);
    return 1;
  }
}

async function chat(
  term: ChatTerminal,
  conn: ChatConnection,
  faults: FaultInjector | undefined,
): Promise<number> {
  const say = (text: string) => term.print(text);
  const ended = conn.closed.then(() => ({ kind: "ended" }) as const);
  for (;;) {
    const input = await Promise.race([term.next(), ended]);
    if (input.kind === "ended") {
      term.stopEditing();
      say(CLIENT_TEXT.sessionEnded(conn.closeReason ?? ""));
      return 1;
    }
    if (input.kind === "leave") break;
    if (actOnTyped(conn, input.text, faults, say) === "quit") break;
  }
  term.stopEditing();
  await leave(conn, nextLeave(term));
  return 0;
}

/** Resolves when the person asks to leave again (or the terminal is closed). */
async function nextLeave(term: ChatTerminal): Promise<void> {
  for (;;) {
    const input = await term.next();
    if (input.kind === "leave") return;
  }
}
