/**
 * The server as a receiver, with the tester as the lossy network: the tester corrupts, drops,
 * duplicates and delays its own DATA frames (fault scripts) and checks the server's NACKs and
 * ACKs, that every message is delivered exactly once and whole, across fragmentation and the
 * 32-bit wrap; and that every frame the server sends has a valid checksum.
 * @module
 */

import type { EndpointOptions } from "../../arq/mod.ts";
import { decodeSack, Flag, FrameType, type SessionParams } from "../../protocol/mod.ts";
import type { BinaryClient } from "../binary_client.ts";
import type { TestContext } from "../context.ts";
import type { TestSpec } from "../spec.ts";
import type { TextClient } from "../text_client.ts";
import { binaryUser, FIRST_MSG, framesOf, params } from "./binary_helpers.ts";
import { command, expectOnce, SETTLE_MS } from "./helpers.ts";
import { longText } from "./text_messages.ts";

/** A text listener and a binary sender whose own frames go through `faults`. */
async function pair(
  t: TestContext,
  session: SessionParams,
  faults = "",
  isn?: number,
  endpoint: Partial<EndpointOptions> = {},
): Promise<{ text: TextClient; bin: BinaryClient }> {
  const [text, bin] = await Promise.all([
    t.user("tio"),
    binaryUser(t, "bin", {
      params: session,
      faults,
      endpoint,
      ...(isn === undefined ? {} : { isn }),
    }),
  ]);
  return { text, bin };
}

/** Sends `MSG text` from the binary user; expects 200 and `text` once at the listener. */
async function msgOnce(
  t: TestContext,
  p: { text: TextClient; bin: BinaryClient },
  text: string,
  what: string,
) {
  const since = p.text.mark();
  const asked = p.bin.received.text.length;
  p.bin.sendLine(`MSG ${text}`);
  await t.expectStatus(p.bin, asked, 200, `${what} (MSG over the binary session)`);
  await expectOnce(t, text, [{ client: p.text, since }], what);
}

/** Sends `MSG text` from the text user; expects 200 and `text` once at the binary user. */
async function toBinaryOnce(
  t: TestContext,
  p: { text: TextClient; bin: BinaryClient },
  text: string,
  what: string,
) {
  const since = p.bin.received.text.length;
  await command(t, p.text, `MSG ${text}`, 200, `${what} (MSG from the text user)`);
  await expectOnce(t, text, [{ client: p.bin, since }], what);
}

/** The ACK sequence numbers the server sent (from index `from`). */
function ackSeqs(c: BinaryClient, from = 0): number[] {
  return framesOf(c, FrameType.ACK, from).map((f) => f.seq);
}

/** Receiver-side tests of the binary protocol. */
export const BINARY_RECEIVER: readonly TestSpec[] = [
  {
    id: "binary/nack/corrupt-data",
    level: "binary",
    section: "NACK",
    rule:
      "A DATA frame that fails its checksum is answered with NACK of the sequence number expected; the message then arrives once.",
    async run(t) {
      const p = await pair(t, params("gbn"), `corrupt:data#${FIRST_MSG}`);
      const from = p.bin.frames.length;
      const tok = t.token();
      p.bin.sendLine(`MSG ${tok}`);
      const nack = await p.bin.waitFrame(
        (f, i) => i >= from && f.type === FrameType.NACK,
        t.replyMs,
        t.signal,
      );
      t.check(nack, `No NACK within ${t.replyMs} ms of a corrupted DATA ${FIRST_MSG}`);
      t.check(
        nack!.seq === FIRST_MSG,
        `The NACK names ${nack!.seq}; the server expected ${FIRST_MSG}`,
      );
      await expectOnce(
        t,
        tok,
        [{ client: p.text, since: 0 }],
        "the message whose first copy was corrupted",
      );
    },
  },
  {
    id: "binary/nack/once-per-expected",
    level: "binary",
    section: "NACK",
    rule:
      "Two corrupted frames while the same frame is expected cause at most one NACK (no NACK storm).",
    async run(t) {
      const p = await pair(
        t,
        params("sr", "frame", 32),
        `corrupt:data#${FIRST_MSG},corrupt:data#${FIRST_MSG + 1}`,
      );
      const from = p.bin.frames.length;
      await msgOnce(
        t,
        p,
        `${"y".repeat(120)} ${t.token()}`,
        "a 6-fragment message with two fragments corrupted",
      );
      await t.sleep(SETTLE_MS);
      const nacks = framesOf(p.bin, FrameType.NACK, from).map((f) => f.seq);
      const first = nacks.filter((s) => s === FIRST_MSG).length;
      t.check(
        first <= 1,
        `The server sent NACK ${FIRST_MSG} ${first} times for one expected frame`,
      );
      t.check(
        nacks.length <= 2,
        `The server sent ${nacks.length} NACKs (${nacks.join(", ")}) for two corrupted frames`,
      );
    },
  },
  {
    id: "binary/nack/corrupt-acks-recovered",
    level: "binary",
    section: "NACK",
    rule:
      "Corrupted ACKs (control frames) cost at most one NACK per expected frame; the server's timer recovers them.",
    async run(t) {
      const p = await pair(t, params("gbn"), "corrupt:ack");
      await msgOnce(t, p, t.token(), "a message while every first ACK arrives corrupted");
      await toBinaryOnce(t, p, t.token(), "a message to the user whose ACKs arrive corrupted");
      const nacks = framesOf(p.bin, FrameType.NACK).map((f) => f.seq);
      const repeated = nacks.filter((s, i) => nacks.indexOf(s) !== i);
      t.check(
        repeated.length === 0,
        `The server NACKed ${repeated.join(", ")} more than once (NACKs: ${nacks.join(", ")})`,
      );
      t.check(framesOf(p.bin, FrameType.RST).length === 0, "The server reset the session");
    },
  },
  {
    id: "binary/nack/unknown-seq-ignored",
    level: "binary",
    section: "NACK",
    rule:
      "A NACK naming nothing in flight is ignored: no retransmission, no reset, the session goes on.",
    async run(t) {
      const p = await pair(t, params("gbn"));
      const from = p.bin.frames.length;
      p.bin.sendFrame(FrameType.NACK, 5000);
      await msgOnce(t, p, t.token(), "a message after a NACK of nothing");
      t.check(
        framesOf(p.bin, FrameType.RST, from).length === 0,
        "The server reset the session after a NACK of nothing",
      );
    },
  },
  {
    id: "binary/ack/gbn-reack-out-of-order",
    level: "binary",
    section: "Go-Back-N (mode 1)",
    rule:
      "Go-Back-N: a frame after a gap is discarded and answered with a re-ACK of the last frame in order.",
    async run(t) {
      // The tester's own resend waits a second: the server's re-ACKs come first even when the
      // machine is slow to answer.
      const p = await pair(t, params("gbn", "frame", 32), `drop:data#${FIRST_MSG + 1}`, undefined, {
        minRto: 1000,
      });
      const from = p.bin.frames.length;
      await msgOnce(
        t,
        p,
        `${"y".repeat(120)} ${t.token()}`,
        "a 6-fragment message with its second fragment lost",
      );
      const resent = p.bin.sent.find((s) =>
        s.type === FrameType.DATA && s.seq === FIRST_MSG + 1 && s.attempt > 1
      );
      t.check(resent, "The tester never had to resend the lost frame");
      const before = framesOf(p.bin, FrameType.ACK, from).filter((f) => f.at < resent!.at).map((
        f,
      ) => f.seq);
      const ahead = before.filter((s) => s > FIRST_MSG);
      t.check(
        ahead.length === 0,
        `Before the lost frame ${FIRST_MSG + 1} was resent, the server ACKed ${
          ahead.join(", ")
        }: a Go-Back-N receiver acknowledges only frames in order`,
      );
      const reacks = before.filter((s) => s === FIRST_MSG).length;
      t.check(
        reacks >= 2,
        `Frames after the gap were not answered with a re-ACK of ${FIRST_MSG} (ACKs before the resend: ${
          before.join(", ") || "none"
        })`,
      );
    },
  },
  {
    id: "binary/ack/sr-selective",
    level: "binary",
    section: "Selective Repeat (mode 2)",
    rule:
      "Selective Repeat: frames after a gap are buffered and ACKed one by one; the message arrives once, in order.",
    async run(t) {
      const p = await pair(t, params("sr", "frame", 32), `delay=300:data#${FIRST_MSG + 1}`);
      const from = p.bin.frames.length;
      await msgOnce(
        t,
        p,
        `${"y".repeat(120)} ${t.token()}`,
        "a 6-fragment message with its second fragment delayed",
      );
      const sentSeqs = new Set(
        p.bin.sent.filter((s) => s.type === FrameType.DATA).map((s) => s.seq),
      );
      const acks = ackSeqs(p.bin, from);
      const strange = acks.filter((s) => !sentSeqs.has(s));
      t.check(
        strange.length === 0,
        `The server ACKed ${
          strange.join(", ")
        }, which the tester never sent (SR ACKs name the frame received)`,
      );
      const gap = acks.indexOf(FIRST_MSG + 1);
      const later = acks.indexOf(FIRST_MSG + 2);
      t.check(later >= 0, `Frame ${FIRST_MSG + 2} was never ACKed`);
      t.check(
        gap < 0 || later < gap,
        `Frame ${FIRST_MSG + 2} was ACKed only after the late ${
          FIRST_MSG + 1
        }: not buffered selectively`,
      );
    },
  },
  {
    id: "binary/ack/sack-ranges",
    level: "binary",
    section: "ACK policies (chosen by the client in its SYN)",
    rule:
      "Selective Repeat with delayed ACKs: after a gap, the cumulative ACK carries a SACK range of the frames buffered above it.",
    async run(t) {
      const p = await pair(t, params("sr", "sack", 32), `drop:data#${FIRST_MSG + 1}`);
      const from = p.bin.frames.length;
      await msgOnce(
        t,
        p,
        `${"y".repeat(120)} ${t.token()}`,
        "a 6-fragment message with its second fragment lost",
      );
      const acks = framesOf(p.bin, FrameType.ACK, from);
      const withRange = acks.find((f) => {
        try {
          return f.seq === FIRST_MSG &&
            decodeSack(f.payload).some((r) => r.start === FIRST_MSG + 2);
        } catch {
          return false;
        }
      });
      const shown = acks.map((f) => `${f.seq}${f.payload.length ? "+sack" : ""}`).join(", ");
      t.check(
        withRange,
        `No ACK ${FIRST_MSG} with a SACK range starting at ${FIRST_MSG + 2} (ACKs: ${shown})`,
      );
    },
  },
  {
    id: "binary/ack/duplicate-delivered-once",
    level: "binary",
    section: "ACK policies (chosen by the client in its SYN)",
    rule: "A duplicated DATA frame is ACKed again but delivered once.",
    async run(t) {
      const p = await pair(t, params("gbn"), `dup:data#${FIRST_MSG}`);
      const from = p.bin.frames.length;
      await msgOnce(t, p, t.token(), "a message whose frame arrived twice");
      const n = ackSeqs(p.bin, from).filter((s) => s === FIRST_MSG).length;
      t.check(n >= 2, `The duplicate of DATA ${FIRST_MSG} was not ACKed again (${n} ACK)`);
    },
  },
  {
    id: "binary/fragment/reassembly",
    level: "binary",
    section: "Sequence numbers and fragments",
    rule:
      "Messages longer than a frame are fragmented (LAST on the final fragment) and reassembled whole, both ways.",
    async run(t) {
      const p = await pair(t, params("sr", "sack", 1024));
      await msgOnce(
        t,
        p,
        longText(3000, t.token()),
        "a 3000-byte message (3 fragments) from the binary user",
      );
      const from = p.bin.frames.length;
      const text = longText(2500, t.token());
      await toBinaryOnce(t, p, text, "the 2500-byte message, reassembled");
      const data = framesOf(p.bin, FrameType.DATA, from);
      t.check(
        data.length >= 3,
        `The 2500-byte line came in ${data.length} DATA frame(s) of at most 1024 bytes`,
      );
      const cut = data.find((f) =>
        (f.flags & Flag.LAST) !== 0 && f.payload[f.payload.length - 1] !== 0x0a
      );
      t.check(
        !cut,
        `A fragment flagged LAST ends in the middle of a line (seq ${cut?.seq}): LAST belongs on the final fragment only`,
      );
    },
  },
  {
    id: "binary/fragment/max-payload",
    level: "binary",
    section: "Sequence numbers and fragments",
    rule:
      "The server never sends a DATA payload larger than the max payload confirmed (64 bytes asked).",
    async run(t) {
      const p = await pair(t, params("gbn", "frame", 64));
      const confirmed = p.bin.endpoint!.params!.maxPayload;
      const text = longText(500, t.token());
      await toBinaryOnce(t, p, text, "the 500-byte message in 64-byte fragments");
      const big = p.bin.frames.find((f) =>
        f.type === FrameType.DATA && f.payload.length > confirmed
      );
      t.check(
        !big,
        `DATA ${big?.seq} carries ${big?.payload.length} bytes; the session's max payload is ${confirmed}`,
      );
    },
  },
  {
    id: "binary/seq/wraparound",
    level: "binary",
    section: "Sequence numbers",
    rule:
      "Sequence numbers wrap at 2^32: a session started at ISN 0xFFFFFFFA carries a message across the wrap.",
    async run(t) {
      const isn = 0xfffffffa;
      const p = await pair(t, params("gbn", "frame", 32), "", isn);
      const from = p.bin.frames.length;
      await msgOnce(
        t,
        p,
        `${"y".repeat(150)} ${t.token()}`,
        "a message whose fragments cross sequence number 0",
      );
      const wrapped = ackSeqs(p.bin, from).filter((s) => s < 100);
      t.check(wrapped.length > 0, "No ACK carried a sequence number past the wrap (0, 1, 2, ...)");
    },
  },
  {
    id: "binary/checksum/server-frames",
    level: "binary",
    section: "Checksum",
    rule:
      "Every frame the server sends carries a valid Internet checksum (RFC 1071) over header and payload.",
    async run(t) {
      const p = await pair(t, params("sr", "sack"));
      await msgOnce(t, p, t.token(), "a message");
      await toBinaryOnce(t, p, t.token(), "a message to the binary user");
      const bad = p.bin.frames.filter((f) => !f.checksumOk);
      if (bad.length === 0) return `${p.bin.frames.length} frames checked`;
      const f = bad[0]!;
      t.fail(
        `${bad.length} of ${p.bin.frames.length} frames had a wrong checksum (e.g. type ${f.type} seq ${f.seq}: carried 0x${
          f.carried.toString(16)
        }, should be 0x${f.expected.toString(16)})`,
      );
    },
  },
];
