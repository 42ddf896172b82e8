/**
 * The questions `chat join` asks on a terminal (nickname; with `--mode ui` the protocol, window,
 * loss and corruption, as seed 004's client did), each asked again, with the reason, until the
 * answer is good or the person leaves (Ctrl-C, Ctrl-D). An empty answer takes the default shown.
 * Numbers take a decimal comma (`0,1`) as well as a point. Pure apart from the `ask` and `say`
 * functions given.
 * @module
 */

import { parseProbability } from "../faults/mod.ts";
import type { SessionParams } from "../protocol/control.ts";
import { CLIENT_TEXT, type ClientText } from "./messages.ts";

/** An answer read, or why it was refused. */
export type Answer<T> = { readonly ok: true; readonly value: T } | {
  readonly ok: false;
  readonly message: string;
};

/** Asks one question, resolving with the answer or undefined when the person left. */
export type Ask = (question: string) => Promise<string | undefined>;

/** Asks `question` until `read` accepts the answer; `say` shows each refusal. */
export async function askUntilValid<T>(
  ask: Ask,
  say: (text: string) => void,
  question: string,
  read: (answer: string) => Answer<T>,
): Promise<T | undefined> {
  for (;;) {
    const answer = await ask(question);
    if (answer === undefined) return undefined;
    const r = read(answer.trim());
    if (r.ok) return r.value;
    say(r.message);
  }
}

/** A nickname: anything but empty (the server says what else it refuses). */
export function nicknameAnswer(text: string, t: ClientText = CLIENT_TEXT): Answer<string> {
  return text === "" ? { ok: false, message: t.nicknameEmpty } : { ok: true, value: text };
}

/** `gbn` or `sr` (any case; Go-Back-N and Selective Repeat spelled out too). */
export function protocolAnswer(
  text: string,
  def: SessionParams["mode"],
  words: ClientText = CLIENT_TEXT,
): Answer<SessionParams["mode"]> {
  const t = text.toLowerCase().replace(/[\s_-]/g, "");
  if (t === "") return { ok: true, value: def };
  if (t === "gbn" || t === "gobackn") return { ok: true, value: "gbn" };
  if (t === "sr" || t === "selectiverepeat") return { ok: true, value: "sr" };
  return { ok: false, message: words.protocolBad(text) };
}

/** An integer window from 1 to `max`. */
export function windowAnswer(
  text: string,
  def: number,
  max: number,
  words: ClientText = CLIENT_TEXT,
): Answer<number> {
  if (text === "") return { ok: true, value: def };
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < 1 || n > max) {
    return { ok: false, message: words.windowBad(max, text) };
  }
  return { ok: true, value: n };
}

/** A probability: `0.1`, `0,1` or `10%`. `what` names it in the refusal. */
export function probabilityAnswer(
  text: string,
  def: number,
  what: string,
  words: ClientText = CLIENT_TEXT,
): Answer<number> {
  if (text === "") return { ok: true, value: def };
  try {
    return { ok: true, value: parseProbability(text, what) };
  } catch {
    return { ok: false, message: words.probabilityBad(what, text) };
  }
}

/** What `--mode ui` asks for. */
export interface UiAnswers {
  /** ARQ mode and window (other parameters as given). */
  readonly params: SessionParams;
  /** Loss probability. */
  readonly loss: number;
  /** Corruption probability. */
  readonly corrupt: number;
}

/** Seed 004's questions, in its order, in `t`'s language; undefined when the person left. */
export async function askUiSettings(
  ask: Ask,
  say: (text: string) => void,
  current: UiAnswers,
  maxWindow: number,
  t: ClientText = CLIENT_TEXT,
): Promise<UiAnswers | undefined> {
  const p = current.params;
  const mode = await askUntilValid(
    ask,
    say,
    t.askProtocol(p.mode),
    (a) => protocolAnswer(a, p.mode, t),
  );
  if (mode === undefined) return undefined;
  const window = await askUntilValid(
    ask,
    say,
    t.askWindow(maxWindow, p.window),
    (a) => windowAnswer(a, p.window, maxWindow, t),
  );
  if (window === undefined) return undefined;
  const loss = await askUntilValid(
    ask,
    say,
    t.askLoss(current.loss),
    (a) => probabilityAnswer(a, current.loss, t.loss, t),
  );
  if (loss === undefined) return undefined;
  const corrupt = await askUntilValid(
    ask,
    say,
    t.askCorrupt(current.corrupt),
    (a) => probabilityAnswer(a, current.corrupt, t.corruption, t),
  );
  if (corrupt === undefined) return undefined;
  return { params: { ...p, mode, window }, loss, corrupt };
}
