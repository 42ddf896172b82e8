/**
 * `chat join` on a terminal: the questions (each asked again on a bad answer), joining (a taken
 * or invalid nickname asks for another and joins again), chatting with lines shown above the
 * input, reconnecting when the connection drops (the prompt shows it meanwhile, see
 * `reconnecting_chat.ts`), and leaving cleanly on `/quit`, Ctrl-C, Ctrl-D on an empty line,
 * SIGINT/SIGTERM/SIGHUP or the end of the terminal's input: answers awaited, QUIT sent, exit 0
 * (a second Ctrl-C closes at once). The terminal is always given back, whatever ends the session.
 * @module
 */

import type { FaultInjector } from "../faults/mod.ts";
import type { ClientPlan } from "./client_plan.ts";
import { CLIENT_TEXT, type ClientText } from "./messages.ts";
import { askUiSettings, askUntilValid, nicknameAnswer } from "./questions.ts";
import { type LinkState, ReconnectingChat } from "./reconnecting_chat.ts";
import type { ServerEvent } from "./server_lines.ts";
import { clientHintAfter, withClientWelcome } from "./server_hints.ts";
import { formatEvent, shortTime } from "./style.ts";
import { Terminal } from "./terminal.ts";
import { actOnTyped, type ChatView } from "./typed_actions.ts";

/** How long `chat join` reconnects after a drop unless told otherwise (`--reconnect S`). */
export const DEFAULT_RECONNECT_FOR_MS = 300_000;

/**
 * What the session needs of a terminal ({@link Terminal} is one); `status` shows the state of
 * the link at the prompt (`undefined`: connected).
 */
export type ChatTerminal =
  & Pick<Terminal, "ask" | "next" | "print" | "stopEditing">
  & Partial<Pick<Terminal, "status">>;

/** Runs the client on this terminal (stdin and stdout must be terminals); resolves to the exit status. */
export async function runOnTerminal(plan: ClientPlan, colour: boolean): Promise<number> {
  const t = plan.text ?? CLIENT_TEXT;
  const term = Terminal.open(t.prompt, t.inputTruncated);
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
  const t = plan.text ?? CLIENT_TEXT;
  const say = (text: string) => term.print(text);
  const ask = (question: string) => term.ask(question);
  let choice = plan.choice;
  if (plan.askSettings) {
    const answers = await askUiSettings(ask, say, choice, plan.maxWindow, t);
    if (answers === undefined) return 0;
    choice = answers;
  }
  const { options, faults } = plan.connecting(choice, plan.trace ? say : undefined);
  const view: ChatView = { timestamps: plan.timestamps ?? false };
  let nick = plan.nick?.trim() || undefined;
  for (;;) {
    nick ??= await askUntilValid(ask, say, t.askNickname, (a) => nicknameAnswer(a, t));
    if (nick === undefined) return 0;
    const show = (event: ServerEvent) => {
      const e = withClientWelcome(event, t);
      say(formatEvent(e, colour, view.timestamps ? shortTime(Date.now()) : undefined));
      const hint = clientHintAfter(e, t);
      if (hint) say(hint);
    };
    const joined = await ReconnectingChat.join({
      connect: { ...options, messages: t },
      nick,
      onEvent: show,
      onState: (s) => showState(term, s, t),
      reconnectForMs: plan.reconnectForMs ?? DEFAULT_RECONNECT_FOR_MS,
    });
    if (joined.kind === "joined") return await chat(term, joined.chat, faults, view, t);
    if (joined.kind === "refused" && (joined.code === 400 || joined.code === 409)) {
      say(t.nicknameRefused(joined.reason));
      nick = undefined;
      continue;
    }
    say(`chat join: ${joined.kind === "refused" ? joined.reason : joined.message}`);
    return 1;
  }
}

/** Tells the person what the link does: a line when it drops and when it is back, the prompt meanwhile. */
export function showState(term: ChatTerminal, s: LinkState, t: ClientText = CLIENT_TEXT): void {
  switch (s.kind) {
    case "lost":
      term.print(t.connectionLost(s.reason));
      term.status?.(t.reconnecting(1, "0"));
      return;
    case "retrying":
      term.status?.(t.reconnecting(s.attempt, (s.delayMs / 1000).toFixed(1)));
      return;
    case "back":
      term.status?.(undefined);
      term.print(t.backIn(s.room ?? "?", s.nick));
      if (!s.resumed) term.print(t.backNoToken);
      if (s.queued > 0) term.print(t.queuedWhileAway(s.queued));
      return;
  }
}

async function chat(
  term: ChatTerminal,
  session: ReconnectingChat,
  faults: FaultInjector | undefined,
  view: ChatView,
  t: ClientText,
): Promise<number> {
  const say = (text: string) => term.print(text);
  const ended = session.ended.then((e) => ({ kind: "ended", ...e }) as const);
  for (;;) {
    const input = await Promise.race([term.next(), ended]);
    if (input.kind === "ended") {
      term.status?.(undefined);
      term.stopEditing();
      say(t.sessionEnded(input.reason));
      return 1;
    }
    if (input.kind === "leave") break;
    if (actOnTyped(session, input.text, faults, say, view, t) === "quit") break;
  }
  term.status?.(undefined);
  term.stopEditing();
  await session.leave(nextLeave(term));
  return 0;
}

/** Resolves when the person asks to leave again (or the terminal is closed). */
async function nextLeave(term: ChatTerminal): Promise<void> {
  for (;;) {
    const input = await term.next();
    if (input.kind === "leave") return;
  }
}
