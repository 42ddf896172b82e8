/**
 * The WebSocket frame codec (RFC 6455 §5): masked client frames decoded the same however the
 * stream is cut, fragmented messages with control frames between their pieces, the three
 * length forms, and each frame a server must refuse, with its close code.
 */

import assert from "node:assert/strict";
import fc from "fast-check";
import {
  closeCode,
  closePayload,
  encodeWsFrame,
  WsClose,
  WsFrameDecoder,
  WsOpcode,
  WsProtocolError,
} from "../lib/net/websocket_frame.ts";

const enc = new TextEncoder();
const MASK = Uint8Array.of(0x37, 0xfa, 0x21, 0x3d);

interface Got {
  messages: { text: boolean; bytes: number[] }[];
  controls: { opcode: number; bytes: number[] }[];
  /** Order of what came: "m" a message's end, "c" a control frame. */
  order: string;
}

/** Decodes `stream` cut at `cuts` (offsets), as a server (masked frames). */
function decode(stream: Uint8Array, cuts: number[] = [], maxMessage?: number) {
  const d = new WsFrameDecoder({ masked: true, maxMessage });
  const got: Got = { messages: [], controls: [], order: "" };
  let current: number[] = [];
  const sink = {
    data(piece: Uint8Array, text: boolean, last: boolean) {
      current.push(...piece);
      if (last) {
        got.messages.push({ text, bytes: current });
        got.order += "m";
        current = [];
      }
    },
    control(opcode: number, payload: Uint8Array) {
      got.controls.push({ opcode, bytes: [...payload] });
      got.order += "c";
    },
  };
  // The decoder unmasks in place: give it a copy.
  const bytes = stream.slice();
  const points = [...new Set([0, ...cuts.filter((c) => c > 0 && c < bytes.length), bytes.length])]
    .sort((a, b) => a - b);
  let error: WsProtocolError | undefined;
  for (let i = 0; i + 1 < points.length && !error; i++) {
    error = d.push(bytes.subarray(points[i]!, points[i + 1]!), sink);
  }
  return { got, error };
}

/** A frame with explicit FIN and opcode, masked (a client's). */
function rawFrame(fin: boolean, opcode: number, payload: Uint8Array, mask = MASK): Uint8Array {
  const f = encodeWsFrame(opcode, payload, mask);
  if (!fin) f[0] = f[0]! & 0x7f;
  return f;
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

Deno.test("decoder reads masked text and binary messages of each length form", () => {
  const sizes = [0, 1, 125, 126, 65535, 65536, 70000];
  for (const n of sizes) {
    const payload = Uint8Array.from({ length: n }, (_, i) => (i * 7) & 0xff);
    const { got, error } = decode(encodeWsFrame(WsOpcode.binary, payload, MASK));
    assert.equal(error, undefined, `size ${n}`);
    assert.equal(got.messages.length, 1);
    assert.equal(got.messages[0]!.text, false);
    assert.deepEqual(got.messages[0]!.bytes, [...payload], `size ${n}`);
  }
  const { got } = decode(encodeWsFrame(WsOpcode.text, enc.encode("Olá, João"), MASK));
  assert.deepEqual(got.messages, [{ text: true, bytes: [...enc.encode("Olá, João")] }]);
});

Deno.test("decoder gives the same messages and controls however the stream is cut", () => {
  const stream = concat(
    rawFrame(false, WsOpcode.text, enc.encode("ana\nMSG ol")),
    rawFrame(true, WsOpcode.ping, enc.encode("p1")),
    rawFrame(true, WsOpcode.continuation, enc.encode("á\n")),
    encodeWsFrame(WsOpcode.binary, Uint8Array.of(0xc1, 0, 0, 5), Uint8Array.of(1, 2, 3, 4)),
    encodeWsFrame(WsOpcode.close, closePayload(1000, "bye"), MASK),
  );
  const whole = decode(stream);
  assert.equal(whole.error, undefined);
  assert.equal(whole.got.order, "cmmc");
  assert.equal(
    new TextDecoder().decode(Uint8Array.from(whole.got.messages[0]!.bytes)),
    "ana\nMSG olá\n",
  );
  assert.deepEqual(whole.got.messages[1]!.bytes, [0xc1, 0, 0, 5]);
  assert.deepEqual(whole.got.controls[0], { opcode: WsOpcode.ping, bytes: [...enc.encode("p1")] });
  assert.equal(closeCode(Uint8Array.from(whole.got.controls[1]!.bytes)), 1000);
  fc.assert(
    fc.property(
      fc.array(fc.integer({ min: 1, max: stream.length - 1 }), { maxLength: 20 }),
      (cuts) => {
        const r = decode(stream, cuts);
        assert.equal(r.error, undefined);
        assert.deepEqual(r.got, whole.got);
      },
    ),
    { numRuns: 300 },
  );
  // One byte at a time.
  const bytewise = decode(stream, Array.from({ length: stream.length }, (_, i) => i));
  assert.deepEqual(bytewise.got, whole.got);
});

Deno.test("an empty final fragment still ends its message", () => {
  const { got, error } = decode(concat(
    rawFrame(false, WsOpcode.binary, Uint8Array.of(1, 2)),
    rawFrame(true, WsOpcode.continuation, new Uint8Array(0)),
  ));
  assert.equal(error, undefined);
  assert.deepEqual(got.messages, [{ text: false, bytes: [1, 2] }]);
});

/** Frames a server must refuse, with the close code it sends. */
const REFUSED: [string, Uint8Array, number][] = [
  [
    "an unmasked client frame",
    encodeWsFrame(WsOpcode.text, enc.encode("hi")),
    WsClose.protocolError,
  ],
  [
    "reserved bits (no extension negotiated)",
    (() => {
      const f = encodeWsFrame(WsOpcode.text, enc.encode("hi"), MASK);
      f[0] = f[0]! | 0x40;
      return f;
    })(),
    WsClose.protocolError,
  ],
  ["an unknown data opcode", rawFrame(true, 0x3, enc.encode("x")), WsClose.protocolError],
  ["an unknown control opcode", rawFrame(true, 0xb, enc.encode("x")), WsClose.protocolError],
  [
    "a fragmented control frame",
    rawFrame(false, WsOpcode.ping, enc.encode("x")),
    WsClose.protocolError,
  ],
  [
    "a control frame over 125 bytes",
    rawFrame(true, WsOpcode.ping, new Uint8Array(126)),
    WsClose.protocolError,
  ],
  [
    "a continuation with no message",
    rawFrame(true, WsOpcode.continuation, enc.encode("x")),
    WsClose.protocolError,
  ],
  [
    "a new message inside a fragmented one",
    concat(
      rawFrame(false, WsOpcode.text, enc.encode("a")),
      rawFrame(true, WsOpcode.text, enc.encode("b")),
    ),
    WsClose.protocolError,
  ],
  [
    "a 64-bit length with its top bit set",
    Uint8Array.of(0x82, 0xff, 0x80, 0, 0, 0, 0, 0, 0, 1, ...MASK),
    WsClose.protocolError,
  ],
  [
    "invalid UTF-8 in a text message",
    rawFrame(true, WsOpcode.text, Uint8Array.of(0x61, 0xff)),
    WsClose.invalidData,
  ],
  [
    "a text message ending inside a character",
    concat(
      rawFrame(false, WsOpcode.text, Uint8Array.of(0xc3)),
      rawFrame(true, WsOpcode.continuation, new Uint8Array(0)),
    ),
    WsClose.invalidData,
  ],
];

for (const [what, bytes, code] of REFUSED) {
  Deno.test(`decoder refuses ${what} (close ${code}), and stays stopped`, () => {
    const { error } = decode(bytes);
    assert.ok(error instanceof WsProtocolError, what);
    assert.equal(error.code, code);
    const d = new WsFrameDecoder({ masked: true });
    const sink = { data() {}, control() {} };
    assert.ok(d.push(bytes.slice(), sink));
    // A good frame after it is not read.
    let read = false;
    assert.equal(
      d.push(encodeWsFrame(WsOpcode.binary, Uint8Array.of(1), MASK), {
        data: () => read = true,
        control: () => read = true,
      }),
      d.error,
    );
    assert.equal(read, false);
  });
}

Deno.test("a UTF-8 character split across fragments is valid text", () => {
  const bytes = enc.encode("ã");
  const { got, error } = decode(concat(
    rawFrame(false, WsOpcode.text, bytes.subarray(0, 1)),
    rawFrame(true, WsOpcode.continuation, bytes.subarray(1)),
  ));
  assert.equal(error, undefined);
  assert.deepEqual(got.messages, [{ text: true, bytes: [...bytes] }]);
});

Deno.test("decoder refuses a message over maxMessage from its header (1009), before its payload", () => {
  const d = new WsFrameDecoder({ masked: true, maxMessage: 1000 });
  let pieces = 0;
  const frame = encodeWsFrame(WsOpcode.binary, new Uint8Array(1001), MASK);
  // Only the header arrives: the length alone decides.
  const error = d.push(frame.slice(0, 8), { data: () => pieces++, control: () => {} });
  assert.ok(error);
  assert.equal(error.code, WsClose.tooBig);
  assert.equal(pieces, 0);
  // Fragments count together.
  const r = decode(
    concat(
      rawFrame(false, WsOpcode.binary, new Uint8Array(600)),
      rawFrame(true, WsOpcode.continuation, new Uint8Array(600)),
    ),
    [],
    1000,
  );
  assert.equal(r.error?.code, WsClose.tooBig);
});

Deno.test("a client decoder refuses masked server frames; server frames are unmasked", () => {
  const d = new WsFrameDecoder({ masked: false });
  const got: number[] = [];
  const sink = { data: (p: Uint8Array) => got.push(...p), control() {} };
  assert.equal(d.push(encodeWsFrame(WsOpcode.binary, Uint8Array.of(9, 8)), sink), undefined);
  assert.deepEqual(got, [9, 8]);
  assert.equal(d.push(encodeWsFrame(WsOpcode.binary, Uint8Array.of(1), MASK), sink)?.code, 1002);
});

Deno.test("closePayload cuts a long reason at a character boundary within 125 bytes", () => {
  const p = closePayload(1008, "é".repeat(100));
  assert.ok(p.length <= 125);
  assert.equal(closeCode(p), 1008);
  new TextDecoder("utf-8", { fatal: true }).decode(p.subarray(2));
  assert.equal(closeCode(new Uint8Array(0)), 1005);
});
