/**
 * The three-way handshake, frame by frame: the SYN-ACK confirms the parameters and the client's
 * ISN, a duplicate SYN gets the same SYN-ACK, an unanswered SYN-ACK is sent again, and the first
 * valid DATA establishes the session when the final ACK is lost.
 * @module
 */

import {
  decodeSynAck,
  encodeSyn,
  Flag,
  FrameType,
  type SessionParams,
} from "../../protocol/mod.ts";
import type { BinaryClient } from "../binary_client.ts";
import type { TestContext } from "../context.ts";
import type { TapFrame } from "../frame_tap.ts";
import type { TestSpec } from "../spec.ts";
import { ISN, params } from "./binary_helpers.ts";

const encoder = new TextEncoder();

/** Opens a hand-driven binary connection and sends one SYN asking for `p`. */
async function synOnly(t: TestContext, p: SessionParams, copies = 1): Promise<BinaryClient> {
  const c = await t.binary("bin");
  for (let i = 0; i < copies; i++) c.sendFrame(FrameType.SYN, ISN, 0, encodeSyn(p));
  return c;
}

/** Waits for the `n`-th SYN-ACK (1 = first); fails with what came instead. */
async function synAck(
  t: TestContext,
  c: BinaryClient,
  n = 1,
  timeoutMs = t.replyMs,
): Promise<TapFrame> {
  const f = await c.waitUntil(
    () => c.frames.filter((f) => f.type === FrameType.SYN_ACK)[n - 1],
    timeoutMs,
    t.signal,
  );
  if (f) return f;
  const got = c.frames.length === 0
    ? "no frame"
    : `frames ${c.frames.map((f) => f.type).join(", ")}`;
  t.fail(
    `No SYN-ACK${n > 1 ? ` number ${n}` : ""} within ${timeoutMs} ms (${c.streamProblem ?? got})`,
  );
}

/** Checks a SYN-ACK against the SYN it answers. */
function checkConfirmed(t: TestContext, f: TapFrame, asked: SessionParams): void {
  let confirmed;
  try {
    confirmed = decodeSynAck(f.payload);
  } catch (error) {
    t.fail(`The SYN-ACK payload is not valid: ${(error as Error).message}`);
  }
  const p = confirmed.params;
  t.check(
    confirmed.ackedIsn === ISN,
    `The SYN-ACK acknowledges ISN ${confirmed.ackedIsn}, the SYN carried ${ISN}`,
  );
  t.check(p.mode === asked.mode, `The SYN asked for ${asked.mode}, the SYN-ACK confirms ${p.mode}`);
  t.check(
    p.ackPolicy === asked.ackPolicy,
    `The SYN asked for ACK policy ${asked.ackPolicy}, the SYN-ACK confirms ${p.ackPolicy}`,
  );
  t.check(
    p.window >= 1 && p.window <= asked.window,
    `The SYN-ACK confirms window ${p.window}; it may lower the ${asked.window} asked, never raise it`,
  );
  t.check(
    p.maxPayload >= 1 && p.maxPayload <= asked.maxPayload,
    `The SYN-ACK confirms max payload ${p.maxPayload}; at most the ${asked.maxPayload} asked`,
  );
}

/** A test: a SYN asking for `asked` gets a SYN-ACK confirming it. */
function confirms(id: string, section: string, rule: string, asked: SessionParams): TestSpec {
  return {
    id,
    level: "binary",
    section,
    rule,
    async run(t) {
      checkConfirmed(t, await synAck(t, await synOnly(t, asked)), asked);
    },
  };
}

/** Handshake tests of the binary protocol. */
export const BINARY_HANDSHAKE: readonly TestSpec[] = [
  confirms(
    "binary/handshake/syn-ack",
    "Handshake and teardown",
    "A SYN (Go-Back-N, window 8) gets a SYN-ACK confirming the parameters and the client's ISN.",
    params("gbn", "frame", 1024, 8),
  ),
  confirms(
    "binary/handshake/sr-sack-params",
    "Control payloads",
    "A SYN asking for Selective Repeat, delayed ACKs, window 16 and 512-byte payloads is confirmed as such.",
    params("sr", "sack", 512, 16),
  ),
  {
    id: "binary/handshake/duplicate-syn",
    level: "binary",
    section: "Handshake and teardown",
    rule: "A duplicate SYN is answered with the same SYN-ACK (same ISN, same parameters).",
    async run(t) {
      const c = await synOnly(t, params("gbn"), 2);
      const [a, b] = [await synAck(t, c, 1), await synAck(t, c, 2)];
      t.check(a.seq === b.seq, `The two SYN-ACKs carry different ISNs: ${a.seq} and ${b.seq}`);
      t.check(
        a.payload.join() === b.payload.join(),
        "The two SYN-ACKs confirm different parameters",
      );
    },
  },
  {
    id: "binary/handshake/syn-ack-retransmitted",
    level: "binary",
    section: "Timers",
    rule: "A SYN-ACK left unacknowledged is sent again on its timer (initial RTO 1 s).",
    async run(t) {
      const c = await synOnly(t, params("gbn"));
      const first = await synAck(t, c);
      const again = await synAck(t, c, 2, 3500);
      t.check(
        again.seq === first.seq,
        `The retransmitted SYN-ACK carries ISN ${again.seq}, the first ${first.seq}`,
      );
      return `again after ${Math.round(again.at - first.at)} ms`;
    },
  },
  {
    id: "binary/handshake/after-text-prompt",
    level: "binary",
    section: "The `chat` protocols",
    rule:
      "A binary client slow to send its SYN gets the NICK prompt first; its SYN is still a binary session.",
    async run(t) {
      const c = await t.binary("bin");
      await t.sleep(400);
      c.sendFrame(FrameType.SYN, ISN, 0, encodeSyn(params("gbn")));
      checkConfirmed(t, await synAck(t, c), params("gbn"));
    },
  },
  {
    id: "binary/handshake/data-before-syn-ignored",
    level: "binary",
    section: "Handshake and teardown",
    rule:
      "A DATA before any SYN is ignored: no reply, no session, and a SYN after it opens a session whose data starts afresh.",
    async run(t) {
      const c = await t.binary("bin");
      c.sendFrame(FrameType.DATA, ISN + 1, Flag.LAST, encoder.encode(`MSG ${t.token()}`));
      await t.sleep(300);
      t.check(
        c.frames.length === 0 && !c.serverClosed,
        () =>
          `The server answered a DATA before any SYN: ${
            c.serverClosed ? "it closed the connection" : `frames ${c.frames.map((f) => f.type)}`
          }`,
      );
      c.sendFrame(FrameType.SYN, ISN, 0, encodeSyn(params("gbn")));
      checkConfirmed(t, await synAck(t, c), params("gbn"));
      // The same sequence number again, now the nickname: the early DATA was not kept.
      c.sendFrame(FrameType.DATA, ISN + 1, Flag.LAST, encoder.encode(t.nick("bin")));
      const reply = await c.waitFrame(
        (f) => f.type === FrameType.DATA && /^\d{3} /.test(new TextDecoder().decode(f.payload)),
        t.replyMs,
        t.signal,
      );
      if (!reply) {
        return t.fail(`No reply to the nickname sent after the SYN within ${t.replyMs} ms`);
      }
      const text = new TextDecoder().decode(reply.payload);
      t.check(
        text.startsWith("200"),
        `The nickname after the SYN got ${
          JSON.stringify(text.slice(0, 60))
        }: was the DATA sent before the SYN kept?`,
      );
    },
  },
  {
    id: "binary/handshake/established-by-data",
    level: "binary",
    section: "Handshake and teardown",
    rule: "When the final ACK is lost, the first valid DATA establishes the session.",
    async run(t) {
      const c = await synOnly(t, params("gbn"));
      await synAck(t, c);
      c.sendFrame(FrameType.DATA, ISN + 1, Flag.LAST, encoder.encode(t.nick("bin")));
      const reply = await c.waitFrame(
        (f) => f.type === FrameType.DATA && new TextDecoder().decode(f.payload).startsWith("200"),
        t.replyMs,
        t.signal,
      );
      t.check(
        reply,
        `No 200 reply to the nickname sent as DATA without the final ACK within ${t.replyMs} ms`,
      );
    },
  },
];
