/**
 * Carries out one typed line (see {@link interpretTyped}) on a session: sends the protocol
 * command, or answers locally (`/help`, `/stats`, `/loss`, `/corrupt`, `/timestamp`, usage
 * errors) through `say`. The same in a terminal and in a pipe.
 * @module
 */

import type { ArqEndpoint } from "../arq/mod.ts";
import type { FaultInjector } from "../faults/mod.ts";
import { parseProbability } from "../faults/mod.ts";
import { interpretTyped, slashHelp } from "./commands.ts";
import { arqStatsLine, CLIENT_TEXT, type ClientText } from "./messages.ts";
import { MAX_QUEUED_LINES } from "./reconnecting_chat.ts";

/** Where typed commands go: a connection, or a session that reconnects. */
export interface ChatTarget {
  /** Sends one command line; `false` when it could not even be kept for later. */
  send(line: string): boolean | void;
  /** ARQ counters and timers (binary sessions). */
  readonly endpoint: ArqEndpoint | undefined;
}

/** How lines are shown, changed by typed commands. */
export interface ChatView {
  /** Show the time before each line (`/timestamp on`). */
  timestamps: boolean;
}

/** Acts on `line`; "quit" when the person asked to leave. What it says is in `text`'s language. */
export function actOnTyped(
  conn: ChatTarget,
  line: string,
  faults: FaultInjector | undefined,
  say: (text: string) => void,
  view: ChatView = { timestamps: false },
  text: ClientText = CLIENT_TEXT,
): "quit" | "ok" {
  const t = interpretTyped(line, text);
  switch (t.kind) {
    case "none":
      return "ok";
    case "send":
      if (conn.send(t.line) === false) say(text.queueFull(MAX_QUEUED_LINES));
      return "ok";
    case "quit":
      return "quit";
    case "help":
      if (t.server) conn.send("HELP");
      else say(slashHelp(text));
      return "ok";
    case "timestamps":
      view.timestamps = t.on;
      say(t.on ? text.timestampsOn : text.timestampsOff);
      return "ok";
    case "stats": {
      const e = conn.endpoint;
      if (!e) say(text.noArqCounters);
      else {
        say(arqStatsLine({
          mode: e.params?.mode.toUpperCase() ?? "?",
          window: e.params?.window ?? 0,
          ...e.stats,
          srtt: e.srtt,
          rto: e.rto,
          injected: faults?.stats,
        }, text));
      }
      return "ok";
    }
    case "loss":
    case "corrupt": {
      if (!faults) {
        say(text.faultsNeedBinary);
        return "ok";
      }
      const what = t.kind === "loss" ? text.loss : text.corruption;
      let p: number;
      try {
        p = parseProbability(t.value, what);
      } catch {
        say(text.probabilityBad(what, t.value));
        return "ok";
      }
      if (t.kind === "loss") faults.setLoss(p);
      else faults.setCorrupt(p);
      say(text.probabilitySet(what, p));
      return "ok";
    }
    case "error":
      say(t.message);
      return "ok";
  }
}
