/**
 * `deno bench`: one turn of a big room through the lobby, as the server runs it: 25 chat lines
 * (`MSG`, dispatch, text checks, the line log, the room's history) taken by 50 members as 1 KiB
 * pieces, with a history of 20 lines and with none (`--history 0`).
 * @module
 */

import { type ChatClient, Lobby } from "../lib/chat/mod.ts";
import { benchPayload } from "../lib/bench/workload.ts";

/** A member that counts what it is handed, as a binary session takes frame payloads. */
class Counting implements ChatClient {
  pieces = 0;
  readonly logPieceMax = 1024;
  constructor(readonly id: number) {}
  send(): void {
    this.pieces++;
  }
  close(): void {}
}

function turnOf(history: number): () => void {
  const pending: (() => void)[] = [];
  const lobby = new Lobby({ flood: null, history, endOfTurn: (f) => pending.push(f) });
  const members = Array.from({ length: 50 }, (_, i) => new Counting(i + 1));
  for (const m of members) {
    lobby.connect(m);
    lobby.input(m, `JOIN bench`, 0);
    lobby.input(m, `b${String(m.id).padStart(5, "0")}`, 0);
  }
  for (const f of pending.splice(0)) f();
  const line = `MSG ${benchPayload(12345.678, 12, 345, 64)}`;
  let k = 0;
  return () => {
    for (let i = 0; i < 25; i++) lobby.input(members[k++ % 50]!, line, 0);
    for (const f of pending.splice(0)) f();
  };
}

Deno.bench("one turn: 25 lines to 50 members, history of 20", { group: "turn" }, turnOf(20));
Deno.bench("one turn: 25 lines to 50 members, no history", { group: "turn" }, turnOf(0));
