/**
 * `--trace` answers the lab guide by itself: a SYN's parameters and what its SYN-ACK confirms,
 * the SACK ranges of an ACK, the start of each DATA's bytes, how long after its previous copy a
 * frame was sent again, duplicates marked as such (a repeated ACK is `dup#N`, not `retx#N`; a
 * DATA received twice is `DUPLICATE`), and one clock for the whole process, so a server's
 * sessions and its clients' lines line up.
 */

import assert from "node:assert/strict";
import { ChatConnection } from "../lib/client/connection.ts";
import type { ServerEvent } from "../lib/client/server_lines.ts";
import { FaultInjector, parseFaultScript } from "../lib/faults/mod.ts";
import { encodeSack, encodeSyn, encodeSynAck } from "../lib/protocol/control.ts";
import { Flag, FrameType } from "../lib/protocol/header.ts";
import { describePayload, formatTextTrace, formatTrace } from "../lib/net/trace.ts";
import { clientTurn, dialerOf, e2e, waitFor, withServer } from "./support/e2e.ts";
import { parseTrace } from "./support/live_session.ts";

const enc = new TextEncoder();
const params = { mode: "sr" as const, window: 4, ackPolicy: "sack" as const, maxPayload: 1024 };

Deno.test("describePayload: SYN parameters, the SYN-ACK's confirmation, SACK ranges, DATA and RST text", () => {
  assert.equal(
    describePayload(FrameType.SYN, encodeSyn(params)),
    "v1 sr window=4 ack=sack max=1024",
  );
  assert.equal(
    describePayload(FrameType.SYN_ACK, encodeSynAck({ ...params, window: 2 }, 7)),
    "v1 sr window=2 ack=sack max=1024 acks isn=7",
  );
  assert.equal(
    describePayload(FrameType.ACK, encodeSack([{ start: 5, end: 6 }, { start: 8, end: 11 }])),
    "sack=[5,6) [8,11)",
  );
  assert.equal(describePayload(FrameType.ACK, new Uint8Array(0)), undefined);
  // The handshake's ACK echoes the SYN-ACK's payload (not a SACK block).
  assert.equal(
    describePayload(FrameType.ACK, encodeSynAck(params, 7)),
    "echo v1 sr window=4 ack=sack max=1024 acks isn=7",
  );
  assert.equal(describePayload(FrameType.DATA, enc.encode("MSG one")), '"MSG one"');
  // Long, multi-line, hostile: cut, line breaks and escapes shown, quotes escaped.
  const long = describePayload(FrameType.DATA, enc.encode(`MSG ${"x".repeat(3000)}`))!;
  assert.ok(long.length < 40 && long.endsWith('…"'), long);
  const odd = describePayload(FrameType.DATA, enc.encode('200 OK\n"\x1b[2J'))!;
  assert.ok(!odd.includes("\x1b") && !odd.includes("\n"), odd);
  assert.match(odd, /^"200 OK\\n/);
  assert.equal(describePayload(FrameType.RST, enc.encode("link dead")), '"link dead"');
  assert.equal(describePayload(FrameType.SYN, new Uint8Array(3)), "(malformed)");
});

Deno.test("formatTrace: a DATA sent again is retx#N, an ACK or FIN-ACK sent again is dup#N", () => {
  const base = { at: 1234.6, who: "client", dir: "send" as const, seq: 3, length: 7 };
  const data = formatTrace({ ...base, type: FrameType.DATA, flags: Flag.LAST, attempt: 2 });
  assert.match(data, /^ {3}1\.235 client → DATA {4}seq=3 len=7 LAST +retx#1$/);
  const ack = formatTrace({ ...base, type: FrameType.ACK, flags: 0, length: 0, attempt: 3 });
  assert.match(ack, /ACK +seq=3 len=0 +dup#2$/);
  assert.ok(!/retx/.test(ack));
  const finAck = formatTrace({ ...base, type: FrameType.FIN_ACK, flags: 0, length: 0, attempt: 2 });
  assert.match(finAck, /dup#1$/);
  assert.equal(
    formatTextTrace("text 127.0.0.1:5", "recv", "LIST", 2500),
    "   2.500 text 127.0.0.1:5 ← LIST",
  );
});

/** A client on the client core with its trace lines and a fault script. */
async function tracedClient(
  server: Parameters<typeof dialerOf>[0],
  scheduler: Parameters<Parameters<typeof withServer>[2]>[1],
  nick: string,
  script: string,
  lines: string[],
  recovery: "timeout" | "fast" = "timeout",
) {
  const events: ServerEvent[] = [];
  const conn = await ChatConnection.open({
    dialer: dialerOf(server),
    turn: clientTurn,
    host: "127.0.0.1",
    port: server.addr.port,
    text: false,
    params,
    arq: { recovery },
    faults: new FaultInjector({ script: parseFaultScript(script), seed: 1 }, "client"),
    scheduler,
    trace: (l) => lines.push(l),
    onEvent: (e) => events.push(e),
  });
  conn.send(nick);
  await waitFor(`${nick} in`, () => events.some((e) => e.kind === "status"));
  return { conn, events };
}

/** Sends four chat lines, waits for their replies (and the nickname's), and closes. */
async function chatFour(c: Awaited<ReturnType<typeof tracedClient>>): Promise<void> {
  for (const text of ["one", "two", "three", "four"]) c.conn.send(`MSG ${text}`);
  await waitFor(
    "four replies",
    () => c.events.filter((e) => e.kind === "status" && e.code === 200).length >= 5,
    10_000,
  );
  c.conn.close();
}

e2e(
  "the trace shows parameters, SACK ranges, payloads, why frames go again, duplicates, on one clock",
  (t) => {
    const serverLines: string[] = [];
    return withServer(t, { trace: (l) => serverLines.push(l) }, async (server, scheduler) => {
      const lines: string[] = [];
      // DATA 1 is the nickname; DATA 2 corrupted, DATA 3 dropped, DATA 5 sent twice.
      const c = await tracedClient(
        server,
        scheduler,
        "ana",
        "corrupt:data#2,drop:data#3,dup:data#5",
        lines,
      );
      await chatFour(c);
      await waitFor(
        "the server's trace of the end",
        () => serverLines.some((l) => /DATA +seq=5 .*DUPLICATE/.test(l)),
        5000,
      );
      const trace = parseTrace(lines.join("\n"));
      const find = (dir: "send" | "recv", type: number, seq?: number) =>
        trace.filter((x) =>
          x.dir === dir && x.type === type && (seq === undefined || x.seq === seq)
        );
      // The handshake: what the SYN asks, what the SYN-ACK confirms.
      assert.equal(find("send", FrameType.SYN)[0]?.detail, "v1 sr window=4 ack=sack max=1024");
      assert.equal(
        find("recv", FrameType.SYN_ACK)[0]?.detail,
        "v1 sr window=4 ack=sack max=1024 acks isn=0",
      );
      // No line of the trace is a payload it could not read.
      assert.ok(!lines.some((l) => l.includes("(malformed)")), lines.join("\n"));
      // Each DATA shows its command.
      assert.equal(find("send", FrameType.DATA, 1)[0]?.detail, '"ana"');
      assert.equal(find("send", FrameType.DATA, 2)[0]?.detail, '"MSG one"');
      // The corrupted one: NACKed and resent at once, the NACK's line first.
      const nack = trace.findIndex((x) => x.dir === "recv" && x.type === FrameType.NACK);
      const resend = trace.findIndex((x) =>
        x.type === FrameType.DATA && x.seq === 2 && x.attempt === 2
      );
      assert.ok(nack >= 0 && resend > nack, lines.join("\n"));
      assert.ok(trace[resend]!.resentAfterMs! < 90, trace[resend]!.line);
      assert.equal(trace[resend]!.cause, "nack", trace[resend]!.line);
      // The lost one: resent by its timer, at least the RTO floor (100 ms) after its first copy.
      const lost = find("send", FrameType.DATA, 3).find((x) => x.attempt === 2);
      assert.ok(lost && lost.resentAfterMs! >= 95, lost?.line ?? lines.join("\n"));
      assert.equal(lost.cause, "timeout", lost.line);
      // Selective Repeat kept 4 and 5 above the gap and said so in a SACK range.
      assert.ok(
        trace.some((x) =>
          x.dir === "recv" && x.type === FrameType.ACK && /^sack=\[4,6\)/.test(x.detail ?? "")
        ),
        lines.join("\n"),
      );
      // The server: DATA 5 received twice, the second marked; every line on one clock with ours.
      const served = parseTrace(serverLines.join("\n"));
      const five = served.filter((x) =>
        x.dir === "recv" && x.type === FrameType.DATA && x.seq === 5
      );
      // (The first copy came above the gap: kept, out of order; the second is a duplicate.)
      assert.deepEqual(
        five.map((x) => x.verdicts),
        [["OUT OF ORDER (expected 2)"], ["DUPLICATE"]],
        serverLines.join("\n"),
      );
      const synSent = find("send", FrameType.SYN)[0]!.at;
      const synSeen = served.find((x) => x.type === FrameType.SYN)!.at;
      const synAckSeen = find("recv", FrameType.SYN_ACK)[0]!.at;
      assert.ok(synSent <= synSeen && synSeen <= synAckSeen, `${synSent} ${synSeen} ${synAckSeen}`);
    });
  },
);

e2e(
  "with fast recovery a lost frame's resend says so: fast, and how long after its first copy",
  (t) =>
    withServer(t, {}, async (server, scheduler) => {
      const lines: string[] = [];
      const c = await tracedClient(server, scheduler, "dora", "drop:data#2", lines, "fast");
      await chatFour(c);
      const again = parseTrace(lines.join("\n")).find((x) =>
        x.dir === "send" && x.type === FrameType.DATA && x.seq === 2 && x.attempt === 2
      );
      assert.ok(again, lines.join("\n"));
      assert.equal(again.cause, "fast", again.line);
      assert.ok(again.resentAfterMs !== undefined, again.line);
    }),
);

e2e(
  "a server's sessions share its clock: the second session's lines come after the first's",
  (t) => {
    const serverLines: string[] = [];
    return withServer(t, { trace: (l) => serverLines.push(l) }, async (server, scheduler) => {
      const first = await tracedClient(server, scheduler, "bia", "", []);
      first.conn.close();
      await new Promise((r) => setTimeout(r, 50));
      const second = await tracedClient(server, scheduler, "caio", "", []);
      second.conn.close();
      const lines = parseTrace(serverLines.join("\n"));
      const sessions = [...new Set(lines.map((x) => x.who))];
      assert.equal(sessions.length, 2, serverLines.join("\n"));
      const firstEnd = Math.max(...lines.filter((x) => x.who === sessions[0]).map((x) => x.at));
      const secondStart = Math.min(...lines.filter((x) => x.who === sessions[1]).map((x) => x.at));
      assert.ok(secondStart >= firstEnd + 0.04, `${secondStart} after ${firstEnd}`);
    });
  },
);
