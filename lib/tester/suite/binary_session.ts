/**
 * A binary session's life after the handshake: the chat protocol inside it (with text users in
 * the same room), keepalive, the orderly close in both directions, an RST on a broken stream,
 * and the server carrying on when a binary client vanishes in the middle of a frame.
 * @module
 */

import { encodeFrame, Flag, FrameType } from "../../protocol/mod.ts";
import type { BinaryClient } from "../binary_client.ts";
import type { TestContext } from "../context.ts";
import type { TestSpec } from "../spec.ts";
import { binaryUser, established, framesOf, params } from "./binary_helpers.ts";
import { bodyOf, command, expectOnce } from "./helpers.ts";

const encoder = new TextEncoder();

/**
 * Registers a binary user, lets `send` break the stream, and expects an RST with a reason,
 * then the connection closed; resolves with the reason.
 */
async function resetsOn(
  t: TestContext,
  what: string,
  send: (c: BinaryClient) => void,
): Promise<string> {
  const c = await binaryUser(t, "bin", { params: params("gbn") });
  const from = c.frames.length;
  send(c);
  const rst = await c.waitFrame(
    (f, i) => i >= from && f.type === FrameType.RST,
    t.replyMs,
    t.signal,
  );
  t.check(rst, `No RST within ${t.replyMs} ms of ${what}`);
  t.check(rst!.payload.length > 0, "The RST carries no reason");
  const closed = await c.waitUntil(() => c.serverClosed || undefined, 2000, t.signal);
  t.check(closed, "The server did not close the connection within 2 s of its RST");
  return new TextDecoder().decode(rst!.payload);
}

/** Session tests of the binary protocol. */
export const BINARY_SESSION: readonly TestSpec[] = [
  {
    id: "binary/app/text-and-binary-users",
    level: "binary",
    section: "The application protocol",
    rule:
      "Binary and text users share one room: messages cross both ways exactly once, LIST names both.",
    async run(t) {
      const [text, bin] = await Promise.all([
        t.user("tio"),
        binaryUser(t, "bin", { params: params("sr", "sack") }),
      ]);
      const [a, b] = [t.token(), t.token()];
      let since = text.mark();
      let asked = bin.received.text.length;
      bin.sendLine(`MSG ${a}`);
      await t.expectStatus(bin, asked, 200, "MSG over the binary session");
      await expectOnce(t, a, [{ client: text, since }], "the binary user's message");
      since = bin.received.text.length;
      await command(t, text, `MSG ${b}`, 200, "MSG from the text user");
      await expectOnce(t, b, [{ client: bin, since }], "the text user's message");
      asked = bin.received.text.length;
      bin.sendLine("LIST");
      const list = await bodyOf(
        t,
        bin,
        await t.expectStatus(bin, asked, 200, "LIST over the binary session"),
        "LIST",
      );
      for (const n of [t.nick("tio"), t.nick("bin")]) {
        t.check(list.includes(n), `LIST does not name ${n}: ${list}`);
      }
    },
  },
  {
    id: "binary/keepalive/ping-pong",
    level: "binary",
    section: "Timers",
    rule: "A PING is answered by a PONG with the same sequence number.",
    async run(t) {
      const c = await t.binary("bin", { params: params("gbn") });
      await established(t, c);
      const from = c.frames.length;
      c.sendFrame(FrameType.PING, 7);
      const pong = await c.waitFrame(
        (f, i) => i >= from && f.type === FrameType.PONG,
        t.replyMs,
        t.signal,
      );
      t.check(pong, `No PONG within ${t.replyMs} ms of PING 7`);
      t.check(pong!.seq === 7, `The PONG carries ${pong!.seq}, the PING carried 7`);
    },
  },
  {
    id: "binary/teardown/fin",
    level: "binary",
    section: "Handshake and teardown",
    rule:
      "Once everything is acknowledged, a FIN is answered by a FIN-ACK with the same sequence number.",
    async run(t) {
      const c = await binaryUser(t, "bin", { params: params("gbn") });
      c.closeSession();
      const fin = c.sent.find((s) => s.type === FrameType.FIN) ??
        await c.waitUntil(() => c.sent.find((s) => s.type === FrameType.FIN), t.replyMs, t.signal);
      t.check(fin, "The tester's endpoint never sent its FIN");
      const ack = await c.waitFrame((f) => f.type === FrameType.FIN_ACK, t.replyMs, t.signal);
      t.check(ack, `No FIN-ACK within ${t.replyMs} ms of FIN ${fin!.seq}`);
      t.check(
        ack!.seq === fin!.seq,
        `The FIN-ACK carries ${ack!.seq}, the FIN carried ${fin!.seq}`,
      );
    },
  },
  {
    id: "binary/teardown/repeated-fin",
    level: "binary",
    section: "Handshake and teardown",
    rule: "A repeated FIN (its FIN-ACK may have been lost) is answered with FIN-ACK again.",
    async run(t) {
      const c = await binaryUser(t, "bin", { params: params("gbn"), faults: "dup:fin" });
      c.closeSession();
      const two = await c.waitUntil(
        () => framesOf(c, FrameType.FIN_ACK).length >= 2 || undefined,
        t.replyMs,
        t.signal,
      );
      t.check(
        two,
        `Two copies of the FIN got ${framesOf(c, FrameType.FIN_ACK).length} FIN-ACK(s), expected 2`,
      );
    },
  },
  {
    id: "binary/teardown/quit",
    level: "binary",
    section: "Handshake and teardown",
    rule:
      "QUIT over a binary session: 200, then the server's FIN; after the FIN-ACK the server closes the connection.",
    async run(t) {
      const c = await binaryUser(t, "bin", { params: params("gbn") });
      const asked = c.received.text.length;
      c.sendLine("QUIT");
      await t.expectStatus(c, asked, 200, "QUIT over the binary session");
      const fin = await c.waitFrame((f) => f.type === FrameType.FIN, t.replyMs, t.signal);
      t.check(fin, `No FIN from the server within ${t.replyMs} ms of the QUIT reply`);
      const closed = await c.waitUntil(() => c.serverClosed || undefined, 3000, t.signal);
      t.check(closed, "The server did not close the connection within 3 s of the FIN-ACK");
    },
  },
  {
    id: "binary/teardown/rst-on-garbage",
    level: "binary",
    section: "Decoding and recovery",
    rule: "Bytes that are not a frame (bad magic) end the session with an RST carrying a reason.",
    async run(t) {
      return await resetsOn(
        t,
        "bytes with a bad magic",
        (c) => c.writeRaw(encoder.encode("HELLO\n")),
      );
    },
  },
  {
    id: "binary/teardown/rst-on-unknown-type",
    level: "binary",
    section: "Decoding and recovery",
    rule:
      "A frame with a good checksum and an unknown type (11) is a protocol error: RST, then the connection closes.",
    async run(t) {
      return await resetsOn(t, "a frame of type 11", (c) => c.sendFrame(11, 1002));
    },
  },
  {
    id: "binary/session/vanish-mid-frame",
    level: "binary",
    section: "Rules",
    rule:
      "A binary client that vanishes in the middle of a frame is cleaned up; everyone else is still served.",
    async run(t) {
      const v = await binaryUser(t, "vito", { params: params("gbn") });
      const [text, bin] = await Promise.all([
        t.user("tio"),
        binaryUser(t, "bin", { params: params("sr", "sack") }),
      ]);
      const half = encodeFrame({
        type: FrameType.DATA,
        seq: 1002,
        flags: Flag.LAST,
        payload: encoder.encode("MSG meia"),
      });
      v.writeRaw(half.subarray(0, 9));
      await v.drained();
      await v.close("vanishes in the middle of a frame");
      await t.sleep(300);
      const list = await bodyOf(
        t,
        text,
        await command(t, text, "LIST", 200, "LIST after vito vanished"),
        "LIST",
      );
      t.check(!list.includes(t.nick("vito")), `LIST still names vito after it vanished: ${list}`);
      const tok = t.token();
      const since = bin.received.text.length;
      await command(t, text, `MSG ${tok}`, 200, "MSG after vito vanished");
      await expectOnce(t, tok, [{ client: bin, since }], "the message sent after vito vanished");
    },
  },
];
