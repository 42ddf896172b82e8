import assert from "node:assert/strict";
import {
  answerStranger,
  COOKIE_SECRET_MS,
  firstFrame,
  SynCookies,
} from "../lib/protocol/syn_cookie.ts";
import {
  decodeReason,
  decodeSyn,
  decodeSynAck,
  encodeFrame,
  encodeSyn,
  encodeSynAck,
  frame,
  FrameType,
  type SessionParams,
} from "../lib/protocol/mod.ts";

const SECRET = new Uint8Array(32).fill(7);
const PEER = { hostname: "192.168.0.17", port: 50001 };
const PARAMS: SessionParams = { mode: "sr", window: 32, ackPolicy: "sack", maxPayload: 1024 };

function syn(isn: number, params: SessionParams = PARAMS): Uint8Array {
  return encodeFrame(frame(FrameType.SYN, isn, 0, encodeSyn(params)));
}

function ack(seq: number, payload: Uint8Array): Uint8Array {
  return encodeFrame(frame(FrameType.ACK, seq, 0, payload));
}

Deno.test("a cookie is the same for the same inputs and differs when any input differs", () => {
  const c = new SynCookies(SECRET);
  const isn = c.isn(PEER, 5, PARAMS, 1000);
  assert.equal(c.isn(PEER, 5, PARAMS, 2000), isn);
  const others = [
    c.isn({ ...PEER, port: 50002 }, 5, PARAMS, 1000),
    c.isn({ ...PEER, hostname: "192.168.0.18" }, 5, PARAMS, 1000),
    c.isn(PEER, 6, PARAMS, 1000),
    c.isn(PEER, 5, { ...PARAMS, window: 31 }, 1000),
    c.isn(PEER, 5, { ...PARAMS, mode: "gbn" }, 1000),
    new SynCookies(new Uint8Array(32).fill(8)).isn(PEER, 5, PARAMS, 1000),
  ];
  for (const o of others) assert.notEqual(o, isn);
  assert.throws(() => new SynCookies(new Uint8Array(8)), RangeError);
});

Deno.test("a cookie is valid in its period and the next, not after", () => {
  const c = new SynCookies(SECRET);
  const at = 10 * COOKIE_SECRET_MS + 5;
  const isn = c.isn(PEER, 5, PARAMS, at);
  assert.ok(c.valid(PEER, 5, PARAMS, isn, at));
  assert.ok(c.valid(PEER, 5, PARAMS, isn, at + COOKIE_SECRET_MS));
  assert.ok(!c.valid(PEER, 5, PARAMS, isn, at + 2 * COOKIE_SECRET_MS));
  assert.ok(!c.valid(PEER, 5, PARAMS, (isn + 1) >>> 0, at));
  assert.ok(!c.valid({ ...PEER, port: 1 }, 5, PARAMS, isn, at));
});

Deno.test("a SYN from a stranger gets a SYN-ACK whose ISN is the cookie, window clamped", () => {
  const c = new SynCookies(SECRET);
  const a = answerStranger(syn(77), PEER, c, 0, 16);
  assert.equal(a.kind, "reply");
  if (a.kind !== "reply") return;
  const f = firstFrame(a.bytes);
  assert.ok(typeof f !== "string");
  assert.equal(f.type, FrameType.SYN_ACK);
  const confirmed = { ...PARAMS, window: 16 };
  assert.deepEqual(decodeSynAck(f.payload), { params: confirmed, ackedIsn: 77 });
  assert.equal(f.seq, c.isn(PEER, 77, confirmed, 0));
});

Deno.test("a SYN with bad parameters gets an RST with the reason", () => {
  const bad = encodeSyn(PARAMS);
  bad[1] = 9; // unknown mode
  const a = answerStranger(
    encodeFrame(frame(FrameType.SYN, 1, 0, bad)),
    PEER,
    new SynCookies(SECRET),
    0,
  );
  assert.equal(a.kind, "reply");
  if (a.kind !== "reply") return;
  const f = firstFrame(a.bytes);
  assert.ok(typeof f !== "string" && f.type === FrameType.RST);
  assert.match(decodeReason(f.payload), /unknown ARQ mode 9/);
});

Deno.test("the handshake ACK that echoes a valid cookie opens a session; the SYN is rebuilt", () => {
  const c = new SynCookies(SECRET);
  const reply = answerStranger(syn(77), PEER, c, 0);
  assert.equal(reply.kind, "reply");
  const synAck = firstFrame((reply as { bytes: Uint8Array }).bytes);
  assert.ok(typeof synAck !== "string");
  const a = answerStranger(ack(synAck.seq, synAck.payload), PEER, c, 30_000);
  assert.equal(a.kind, "open");
  if (a.kind !== "open") return;
  assert.equal(a.isn, synAck.seq);
  assert.equal(a.clientIsn, 77);
  assert.deepEqual(a.params, PARAMS);
  const rebuilt = firstFrame(a.syn);
  assert.ok(typeof rebuilt !== "string");
  assert.equal(rebuilt.type, FrameType.SYN);
  assert.equal(rebuilt.seq, 77);
  assert.deepEqual(decodeSyn(rebuilt.payload), PARAMS);
});

Deno.test("forged, stale, misdirected and stray datagrams open nothing", () => {
  const c = new SynCookies(SECRET);
  const isn = c.isn(PEER, 77, PARAMS, 0);
  const echo = encodeSynAck(PARAMS, 77);
  const cases: [string, Uint8Array, typeof PEER, number][] = [
    ["wrong cookie", ack((isn + 1) >>> 0, echo), PEER, 0],
    ["other source port", ack(isn, echo), { ...PEER, port: 50002 }, 0],
    ["other client ISN", ack(isn, encodeSynAck(PARAMS, 78)), PEER, 0],
    ["other parameters", ack(isn, encodeSynAck({ ...PARAMS, window: 256 }, 77)), PEER, 0],
    ["too late", ack(isn, echo), PEER, 2 * COOKIE_SECRET_MS],
    ["a plain ACK", ack(isn, new Uint8Array(0)), PEER, 0],
    ["DATA", encodeFrame(frame(FrameType.DATA, 78, 1, new Uint8Array([65]))), PEER, 0],
    ["RST", encodeFrame(frame(FrameType.RST, 0, 0, new Uint8Array([65]))), PEER, 0],
    ["random bytes", Uint8Array.from({ length: 40 }, (_, i) => (i * 37 + 11) & 0xff), PEER, 0],
    ["magic and garbage", Uint8Array.of(0xc1, 0, 3, 5, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10), PEER, 0],
    ["empty", new Uint8Array(0), PEER, 0],
  ];
  const badSum = ack(isn, echo);
  badSum[9]! ^= 1;
  cases.push(["bad checksum", badSum, PEER, 0]);
  for (const [what, bytes, from, now] of cases) {
    const a = answerStranger(bytes, from, c, now);
    assert.equal(a.kind, "drop", what);
  }
});

Deno.test("a FIN from a peer whose session ended here is answered with FIN-ACK", () => {
  const a = answerStranger(
    encodeFrame(frame(FrameType.FIN, 1234)),
    PEER,
    new SynCookies(SECRET),
    0,
  );
  assert.equal(a.kind, "reply");
  if (a.kind !== "reply") return;
  const f = firstFrame(a.bytes);
  assert.ok(typeof f !== "string");
  assert.equal(f.type, FrameType.FIN_ACK);
  assert.equal(f.seq, 1234);
});
