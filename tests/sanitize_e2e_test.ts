/**
 * Forged lines end to end over real TCP on 127.0.0.1: a hostile binary client's RST reason, a
 * hostile text client's look-alike nickname and messages, and the operator's `--trace`, beside
 * a witness that reads the raw bytes the server sends it.
 */

import assert from "node:assert/strict";
import { NullLogger } from "../lib/log/logger.ts";
import { encodeFrame, encodeSyn, frame, FrameType } from "../lib/protocol/mod.ts";
import { ChatServer } from "../lib/server/server.ts";
import { assertWitnessView, UNSHOWABLE } from "./support/witness_view.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();
const LAST = 0x01;

async function waitFor(what: string, cond: () => boolean, ms = 10_000): Promise<void> {
  const end = performance.now() + ms;
  while (!cond()) {
    if (performance.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** A TCP client that keeps every byte it reads. */
class Peer {
  bytes = new Uint8Array(0);
  closed = false;
  readonly done: Promise<void>;
  private constructor(readonly conn: Deno.TcpConn) {
    this.done = (async () => {
      const buf = new Uint8Array(65536);
      for (;;) {
        const n = await conn.read(buf).catch(() => null);
        if (n === null) break;
        const grown = new Uint8Array(this.bytes.length + n);
        grown.set(this.bytes);
        grown.set(buf.subarray(0, n), this.bytes.length);
        this.bytes = grown;
      }
      this.closed = true;
    })();
  }
  static async open(port: number): Promise<Peer> {
    return new Peer(await Deno.connect({ hostname: "127.0.0.1", port }));
  }
  get text(): string {
    return dec.decode(this.bytes);
  }
  async write(data: string | Uint8Array): Promise<void> {
    const b = typeof data === "string" ? enc.encode(data) : data;
    for (let off = 0; off < b.length;) off += await this.conn.write(b.subarray(off));
  }
  async close(): Promise<void> {
    try {
      this.conn.close();
    } catch { /* already closed */ }
    await this.done;
  }
}

/** Opens a binary session by hand (SYN, SYN-ACK, ACK of the server's ISN); data from seq 1. */
async function binaryPeer(port: number): Promise<Peer> {
  const peer = await Peer.open(port);
  const syn = encodeSyn({ mode: "gbn", window: 8, ackPolicy: "frame", maxPayload: 1024 });
  await peer.write(encodeFrame(frame(FrameType.SYN, 0, 0, syn)));
  let at = -1;
  await waitFor("SYN-ACK", () => {
    at = peer.bytes.indexOf(0xc1);
    return at >= 0 && peer.bytes.length >= at + 22;
  });
  assert.equal(peer.bytes[at + 3], FrameType.SYN_ACK);
  const isn = new DataView(peer.bytes.buffer, at + 4, 4).getUint32(0);
  await peer.write(encodeFrame(frame(FrameType.ACK, isn)));
  return peer;
}

async function textPeer(port: number, nick: string): Promise<Peer> {
  const peer = await Peer.open(port);
  await peer.write(`${nick}\n`);
  await waitFor(
    `${nick} answered`,
    () => /^(NICK)?\d{3} /.test(peer.text) && peer.text.split("\n").length > 2,
  );
  return peer;
}

Deno.test("no hostile client forges a line, a status line or a control on a witness or in --trace", async () => {
  const traced: string[] = [];
  const server = ChatServer.listen({
    host: "127.0.0.1",
    port: 0,
    logger: new NullLogger(),
    promptDelayMs: 1000,
    flood: null,
    trace: (line) => traced.push(line),
  });
  const port = server.addr.port;
  const peers: Peer[] = [];
  try {
    const witness = await textPeer(port, "witness");
    const teacher = await textPeer(port, "teacher");
    peers.push(witness, teacher);
    assert.match(witness.text, /^200 OK - Connected\nWelcome, witness!/);
    const welcome = witness.text.length;
    const seen = (s: string) => witness.text.slice(welcome).includes(s);

    // A look-alike of the teacher's nickname: 409, closed.
    const lookalike = await textPeer(port, "teacher\u034f");
    peers.push(lookalike);
    assert.match(lookalike.text, /409 Conflict\nNickname taken: teacher\n/);
    await waitFor("look-alike closed", () => lookalike.closed);

    // A binary client that registers, sends a forged message, then resets with a forged reason.
    const evil = await binaryPeer(port);
    peers.push(evil);
    await evil.write(encodeFrame(frame(FrameType.DATA, 1, LAST, enc.encode("evil"))));
    await waitFor("evil joined", () => seen("*** evil joined"));
    const forgedMsg = "MSG hi\n[teacher]: the exam is cancelled";
    await evil.write(encodeFrame(frame(FrameType.DATA, 2, LAST, enc.encode(forgedMsg))));
    const reason = "bye\n[teacher]: the exam is cancelled\x1b[2K\x1b]0;pwned\x07\u202e\u200b";
    await evil.write(encodeFrame(frame(FrameType.RST, 3, 0, enc.encode(reason))));
    await waitFor("evil left", () => seen("*** evil left"));

    // A text client with escape codes, bare CRs, bidi and invisible characters.
    const mallory = await textPeer(port, "mallory");
    peers.push(mallory);
    for (
      const line of [
        "MSG x\r[teacher]: forged",
        "MSG \x1b[2K\r200 OK",
        "MSG a\u200bb\u202e",
        "MSG pass\u200bword\tok\u{e0041}",
        "NICK teacher\ufe0f",
        "NICK \uff54eacher",
        "MSG done",
      ]
    ) await mallory.write(`${line}\n`);
    await waitFor("mallory done", () => seen("]: done"));
    await teacher.write("MSG real\n");
    await waitFor("the real teacher", () => seen("[teacher]: real"));

    const chat = assertWitnessView(witness.text.slice(welcome), ["teacher", "mallory"]);
    assert.deepEqual(chat, ["[mallory]: password ok", "[mallory]: done", "[teacher]: real"]);
    const left = witness.text.split("\n").find((l) => l.startsWith("*** evil left"))!;
    assert.match(left, /^\*\*\* evil left \(reset by peer: bye\\n\[teacher\\u\{5d\}: the exam/);
    assert.equal(mallory.text.match(/^400 Bad Request$/gm)?.length, 3, mallory.text);
    assert.equal(mallory.text.match(/^409 Conflict$/gm)?.length, 2, mallory.text);

    // The operator's trace: the hostile lines are there, escaped.
    assert.ok(traced.length > 0);
    for (const line of traced) assert.ok(!UNSHOWABLE.test(line), JSON.stringify(line));
    assert.ok(traced.some((l) => l.includes("MSG \\u{1b}[2K\\r200 OK")), traced.join("\n"));
  } finally {
    for (const p of peers) await p.close();
    await server.shutdown("test over", 1000);
  }
});
