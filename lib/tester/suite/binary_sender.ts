/**
 * The server as a sender, with the tester as the receiver that misbehaves on purpose: it holds
 * back its ACKs (the server must go back N, or resend only the frames not acknowledged), sends
 * NACKs (answered at once), and watches that no more frames are in flight than the window.
 * @module
 */

import { FrameType } from "../../protocol/mod.ts";
import type { OutFrame } from "../../arq/mod.ts";
import type { TestSpec } from "../spec.ts";
import { burst, dataCount, distinctData, params } from "./binary_helpers.ts";

/** How long a NACK may take to be answered ("at once"; the RTO is far longer by then). */
const NACK_ANSWER_MS = 500;
/** How long the receiving tester holds each ACK while registering, to inflate the server's RTO. */
const SLOW_ACK_MS = 500;

/** A policy that holds back every ACK. */
const holdAll = () => (f: OutFrame) => f.type === FrameType.ACK ? { drop: true } : undefined;

/** Sender-side tests of the binary protocol. */
export const BINARY_SENDER: readonly TestSpec[] = [
  {
    id: "binary/arq/gbn-timeout-resends-window",
    level: "binary",
    section: "Go-Back-N (mode 1)",
    rule: "Go-Back-N: when the timer expires, every frame in flight is sent again.",
    async run(t) {
      const b = await burst(t, params("gbn", "frame", 32), holdAll);
      t.check(
        b.seqs.length >= 2,
        `The 200-byte line came in ${b.seqs.length} frame(s) of 32 bytes`,
      );
      const resent = () => b.seqs.filter((s) => dataCount(b.bin, s, b.from) >= 2);
      await b.bin.waitUntil(() => resent().length === b.seqs.length || undefined, 3000, t.signal);
      const missing = b.seqs.filter((s) => !resent().includes(s));
      t.check(
        missing.length === 0,
        () =>
          `With no ACK, the server resent ${resent().join(", ") || "nothing"} but not ${
            missing.join(", ")
          } within 3 s: Go-Back-N resends every frame in flight`,
      );
    },
  },
  {
    id: "binary/arq/sr-timeout-resends-unacked",
    level: "binary",
    section: "Selective Repeat (mode 2)",
    rule:
      "Selective Repeat: only the frames not acknowledged are sent again, each on its own timer.",
    async run(t) {
      // Hold the ACKs of the second and fourth frames of the line; ACK the others.
      const b = await burst(t, params("sr", "frame", 32), (bin, from) => (f) => {
        if (f.type !== FrameType.ACK) return undefined;
        const seqs = distinctData(bin, from);
        return f.seq === seqs[1] || f.seq === seqs[3] ? { drop: true } : undefined;
      });
      t.check(
        b.seqs.length >= 4,
        `The 200-byte line came in ${b.seqs.length} frames of 32 bytes, expected at least 4`,
      );
      const want = [b.seqs[1]!, b.seqs[3]!];
      await b.bin.waitUntil(
        () => want.every((s) => dataCount(b.bin, s, b.from) >= 2) || undefined,
        3000,
        t.signal,
      );
      const notResent = want.filter((s) => dataCount(b.bin, s, b.from) < 2);
      t.check(
        notResent.length === 0,
        `Frames ${notResent.join(", ")} were never ACKed and never resent within 3 s`,
      );
      await t.sleep(300);
      const wrongly = b.seqs.filter((s) => !want.includes(s) && dataCount(b.bin, s, b.from) >= 2);
      t.check(
        wrongly.length === 0,
        `The server resent ${
          wrongly.join(", ")
        }, already ACKed: Selective Repeat resends only what is not acknowledged`,
      );
    },
  },
  {
    id: "binary/arq/window-limit",
    level: "binary",
    section: "Selective Repeat (mode 2)",
    rule:
      "No more frames are in flight than the window (2): the rest waits for ACKs, then arrives.",
    async run(t) {
      const b = await burst(t, params("sr", "frame", 32, 2), holdAll, { collectMs: 600 });
      const window = b.bin.endpoint!.params!.window;
      t.check(
        b.seqs.length <= window,
        `With ACKs held, the server sent ${b.seqs.length} different frames (${
          b.seqs.join(", ")
        }) with a window of ${window}`,
      );
      b.bin.policy = undefined;
      const n = await t.received(b.bin, b.token, 0, 1, 6000);
      t.check(n === 1, "After the ACKs flowed again, the line never arrived whole");
    },
  },
  {
    id: "binary/nack/gbn-resends-from-n",
    level: "binary",
    section: "NACK",
    rule:
      "Go-Back-N: NACK n is answered at once by resending n through the end of the window, not the frames ACKed.",
    async run(t) {
      const b = await burst(t, params("gbn", "frame", 32), holdAll, {
        delayAcksMs: SLOW_ACK_MS,
        collectMs: 60,
      });
      t.check(
        b.seqs.length >= 4,
        `The 200-byte line came in ${b.seqs.length} frames of 32 bytes, expected at least 4`,
      );
      const acked = b.seqs.slice(0, 2);
      const want = b.seqs.slice(2);
      b.bin.sendFrame(FrameType.ACK, acked[1]!);
      b.bin.sendFrame(FrameType.NACK, want[0]!);
      const at = performance.now();
      await b.bin.waitUntil(
        () => want.every((s) => dataCount(b.bin, s, b.from, at) >= 1) || undefined,
        NACK_ANSWER_MS,
        t.signal,
      );
      const missing = want.filter((s) => dataCount(b.bin, s, b.from, at) === 0);
      t.check(
        missing.length === 0,
        `Within ${NACK_ANSWER_MS} ms of NACK ${want[0]}, the server did not resend ${
          missing.join(", ")
        } (Go-Back-N resends from n to the end of the window)`,
      );
      const again = acked.filter((s) => dataCount(b.bin, s, b.from, at) > 0);
      t.check(again.length === 0, `The server resent ${again.join(", ")} after they were ACKed`);
    },
  },
  {
    id: "binary/nack/sr-resends-only-n",
    level: "binary",
    section: "NACK",
    rule: "Selective Repeat: NACK n is answered at once by resending n alone.",
    async run(t) {
      const b = await burst(t, params("sr", "frame", 32), holdAll, {
        delayAcksMs: SLOW_ACK_MS,
        collectMs: 60,
      });
      t.check(
        b.seqs.length >= 3,
        `The 200-byte line came in ${b.seqs.length} frames of 32 bytes, expected at least 3`,
      );
      const lost = b.seqs[1]!;
      for (const s of b.seqs) if (s !== lost) b.bin.sendFrame(FrameType.ACK, s);
      b.bin.sendFrame(FrameType.NACK, lost);
      const at = performance.now();
      const got = await b.bin.waitFrame(
        (f) => f.type === FrameType.DATA && f.seq === lost && f.at > at,
        NACK_ANSWER_MS,
        t.signal,
      );
      t.check(got, `The server did not resend ${lost} within ${NACK_ANSWER_MS} ms of NACK ${lost}`);
      await t.sleep(100);
      // Over a byte stream, frames the server sent before it read these ACKs and the NACK (a
      // timeout that fired meanwhile) arrive before the answer: only those after it count.
      const answer = b.bin.frames.findIndex((f, i) =>
        i >= b.from && f.type === FrameType.DATA && f.seq === lost && f.at > at
      );
      const others = b.seqs.filter((s) => s !== lost && dataCount(b.bin, s, answer + 1) > 0);
      t.check(
        others.length === 0,
        `After NACK ${lost}, the server also resent ${
          others.join(", ")
        } (Selective Repeat resends only n)`,
      );
    },
  },
];
