/**
 * Carries out one typed line (see {@link interpretTyped}) on a connection: sends the protocol
 * command, or answers locally (`/help`, `/stats`, `/loss`, `/corrupt`, usage errors) through
 * `say`. The same in a terminal and in a pipe.
 * @module
 */

import type { FaultInjector } from "../faults/mod.ts";
import { parseProbability } from "../faults/mod.ts";
import { interpretTyped, slashHelp } from "./commands.ts";
import type { ChatConnection } from "./connection.ts";
import { arqStatsLine, CLIENT_TEXT } from "./messages.ts";

/** Acts on `line`; "quit" when the person asked to leave. */
export function actOnTyped(
  conn: ChatConnection,
  line: string,
  faults: FaultInjector | undefined,
  say: (text: string) => void,
): "quit" | "ok" {
  const t = interpretTyped(line);
  switch (t.kind) {
    case "none":
      return "ok";
    case "send":
      conn.send(t.line);
      return "ok";
    case "quit":
      return "quit";
    case "help":
      if (t.server) conn.send("HELP");
      else say(slashHelp());
      return "ok";
    case "stats": {
      const e = conn.endpoint;
      if (!e) say(CLIENT_TEXT.noArqCounters);
      else {
        say(arqStatsLine({
          mode: e.params?.mode.toUpperCase() ?? "?",
          window: e.params?.window ?? 0,
          ...e.stats,
          srtt: e.srtt,
          rto: e.rto,
          injected: faults?.stats,
        }));
      }
      return "ok";
    }
    case "loss":
    case "corrupt": {
      if (!faults) {
        say(CLIENT_TEXT.faultsNeedBinary);
        return "ok";
      }
      const what = t.kind === "loss" ? CLIENT_TEXT.loss : CLIENT_TEXT.corruption;
      let p: number;
      try {
        p = parseProbability(t.value, what);
      } catch {
        say(CLIENT_TEXT.probabilityBad(what, t.value));
        return "ok";
      }
      if (t.kind === "loss") faults.setLoss(p);
      else faults.setCorrupt(p);
      say(CLIENT_TEXT.probabilitySet(what, p));
      return "ok";
    }
    case "error":
      say(t.message);
      return "ok";
  }
}
