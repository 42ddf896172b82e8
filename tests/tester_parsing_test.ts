/**
 * How the tester reads servers: the lenient text reader (prompt, seed 000 replies without a
 * final newline, status lines cut by reads) and the frame tap (frames in any split, checksum
 * verdicts kept, text where frames should be).
 */

import assert from "node:assert/strict";
import { ReceivedText } from "../lib/tester/received_text.ts";
import { FrameTap } from "../lib/tester/frame_tap.ts";
import { CommandTarget } from "../lib/tester/target.ts";
import { encodeFrame, FrameType, Offset } from "../lib/protocol/mod.ts";

const enc = new TextEncoder();

function feed(r: ReceivedText, ...chunks: string[]): ReceivedText {
  for (const c of chunks) r.append(enc.encode(c));
  return r;
}

Deno.test("ReceivedText takes a leading NICK off, even when it arrives in pieces", () => {
  const r = feed(new ReceivedText({ prompt: true }), "NI", "CK", "200 OK - Connected\nWelcome\n");
  assert.ok(r.prompted);
  assert.equal(r.text, "200 OK - Connected\nWelcome\n");
  assert.deepEqual(r.statuses().map((s) => s.code), [200]);
  // The prompt glued to the reply, as a server writes NICK and then the reply.
  const glued = feed(new ReceivedText({ prompt: true }), "NICK200 OK\nbody\n");
  assert.ok(glued.prompted);
  assert.equal(glued.statuses()[0]!.code, 200);
});

Deno.test("ReceivedText: a stream that starts like NICK but is not the prompt is kept", () => {
  const r = feed(new ReceivedText({ prompt: true }), "NI", "X hello");
  assert.ok(!r.prompted);
  assert.equal(r.text, "NIX hello");
  const short = new ReceivedText({ prompt: true });
  short.append(enc.encode("NI"));
  short.end();
  assert.equal(short.text, "NI");
});

Deno.test("ReceivedText: seed 000 replies end without a newline; the next reply starts a read", () => {
  const r = feed(
    new ReceivedText({ prompt: true }),
    "NICK",
    "200 OK - Connected\nBem-vindo(a), ana.",
    "200 OK\nMensagem enviada com sucesso.",
    "404 Not Found\nComando desconhecido: TESTE",
  );
  const s = r.statuses();
  assert.deepEqual(s.map((x) => x.code), [200, 200, 404]);
  assert.equal(r.bodyOf(s[0]!), "Bem-vindo(a), ana.");
  assert.equal(r.bodyOf(s[1]!), "Mensagem enviada com sucesso.");
  assert.equal(r.lineAt(s[2]!.offset), "404 Not Found");
});

Deno.test("ReceivedText: a status line cut between reads is found once it is whole", () => {
  const r = feed(new ReceivedText(), "20");
  assert.equal(r.statuses().length, 0);
  feed(r, "0 OK\nbody\n");
  assert.deepEqual(r.statuses().map((s) => s.code), [200]);
  // Digits that continue are not a status: 2000, or 200 glued to letters.
  const n = feed(new ReceivedText(), "2000 users\n", "200x\n", "[ana]: 200 OK\n");
  assert.equal(n.statuses().length, 0);
});

Deno.test("ReceivedText: three digits at the very end count at the end of the stream", () => {
  const r = feed(new ReceivedText(), "x\n404");
  assert.equal(r.statuses().length, 0);
  r.end();
  assert.deepEqual(r.statuses().map((s) => s.code), [404]);
});

Deno.test("ReceivedText.bodyOf stops at the next status line and waits for the body", () => {
  const r = feed(new ReceivedText(), "200 OK - User List\n");
  assert.equal(r.bodyOf(r.statuses()[0]!), undefined);
  feed(r, "ana, bia\r\n200 OK\nMessage sent\n");
  const [list, msg] = r.statuses();
  assert.equal(r.bodyOf(list!), "ana, bia");
  assert.equal(r.bodyOf(msg!), "Message sent");
});

Deno.test("ReceivedText.count finds every occurrence from a mark; wait resolves on arrival", async () => {
  const r = feed(new ReceivedText(), "[a]: tk1\n[b]: tk1\n");
  assert.equal(r.count("tk1"), 2);
  assert.equal(r.count("tk1", 6), 1);
  const waiting = r.wait(() => r.count("tk2") === 1 || undefined, 2000);
  setTimeout(() => feed(r, "[c]: tk2\n"), 10);
  assert.equal(await waiting, true);
  assert.equal(await r.wait(() => undefined, 20), undefined);
});

Deno.test("ReceivedText decodes UTF-8 split across reads", () => {
  const bytes = enc.encode("[joão]: ação\n");
  const r = new ReceivedText();
  for (const b of bytes) r.append(new Uint8Array([b]));
  assert.equal(r.text, "[joão]: ação\n");
});

function frames(...list: { type: number; seq: number; payload?: string }[]): Uint8Array {
  const parts = list.map((f) =>
    encodeFrame({
      type: f.type as 1,
      seq: f.seq,
      flags: 0,
      payload: enc.encode(f.payload ?? ""),
    })
  );
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

Deno.test("FrameTap cuts frames in any split, one byte at a time included", () => {
  const bytes = frames(
    { type: FrameType.ACK, seq: 7 },
    { type: FrameType.DATA, seq: 8, payload: "200 OK\nMessage sent\n" },
  );
  for (const step of [1, 3, 11, bytes.length]) {
    const tap = new FrameTap();
    const got = [];
    for (let i = 0; i < bytes.length; i += step) {
      got.push(...tap.push(bytes.subarray(i, i + step), 0));
    }
    assert.deepEqual(got.map((f) => [f.type, f.seq, f.checksumOk]), [[3, 7, true], [5, 8, true]]);
    assert.equal(new TextDecoder().decode(got[1]!.payload), "200 OK\nMessage sent\n");
    assert.equal(tap.buffered, 0);
  }
});

Deno.test("FrameTap keeps a frame with a wrong checksum and says what it should be", () => {
  const bytes = frames({ type: FrameType.DATA, seq: 1, payload: "hello" });
  const good = (bytes[Offset.checksum]! << 8) | bytes[Offset.checksum + 1]!;
  bytes[Offset.checksum] = bytes[Offset.checksum]! ^ 0x12;
  const [f] = new FrameTap().push(bytes, 0);
  assert.ok(f && !f.checksumOk);
  assert.equal(f.expected, good);
  assert.equal(f.carried, good ^ 0x1200);
});

Deno.test("FrameTap skips a leading NICK prompt, and calls text where frames should be text", () => {
  const tap = new FrameTap();
  assert.equal(tap.push(enc.encode("NIC"), 0).length, 0);
  const [f] = tap.push(new Uint8Array([0x4b, ...frames({ type: FrameType.SYN_ACK, seq: 9 })]), 0);
  assert.equal(f?.seq, 9);
  const text = new FrameTap();
  assert.equal(text.push(enc.encode("NICK400 Bad Request\nInvalid nickname\n"), 0).length, 0);
  assert.equal(text.error?.kind, "not-binary");
  assert.match((text.error as { text: string }).text, /^400 Bad Request/);
});

Deno.test("FrameTap stops at a bad magic after frames, and at an oversize length", () => {
  const tap = new FrameTap();
  const bytes = frames({ type: FrameType.PONG, seq: 1 });
  const got = tap.push(new Uint8Array([...bytes, 0x41, 0x42, 0x43]), 0);
  assert.equal(got.length, 1);
  assert.deepEqual(tap.error, { kind: "bad-magic", byte: 0x41, offset: bytes.length });
  assert.equal(tap.push(bytes, 0).length, 0);
  const big = new FrameTap();
  big.push(new Uint8Array([0xc1, 0x04, 0x01]), 0);
  assert.deepEqual(big.error, { kind: "oversize", length: 1025 });
});

Deno.test("ReceivedText: a seed 000 reply glued to a notice in one read is still found", () => {
  const r = feed(
    new ReceivedText({ prompt: true }),
    "NICK",
    "200 OK - Connected\nBem-vindo(a), ana.",
    "bia entrou no chat!200 OK - Disconnecting\nSessão encerrada.",
  );
  assert.deepEqual(r.statuses().map((s) => s.code), [200, 200]);
  assert.equal(r.lineAt(r.statuses()[1]!.offset), "200 OK - Disconnecting");
  // Not a code: a number inside a sentence, or one not followed by a reason phrase.
  const n = feed(new ReceivedText(), "[ana]: veja.300 alunos\n", "(300 online)\n", "x!2000 OK\n");
  assert.equal(n.statuses().length, 0);
});

Deno.test("a server that exits is reported with its exit code and its last words, every time", async () => {
  // As a Python server dies: its buffered output is flushed as it exits.
  const target = new CommandTarget("crashes", [
    "python3",
    "-c",
    "import sys; print('boom'); sys.exit(3)",
  ]);
  for (let i = 0; i < 30; i++) {
    const server = await target.acquire();
    // A busy tester (as under `--jobs 4`): the exit and the last words are both waiting when it
    // looks again.
    const busy = performance.now() + 150;
    while (performance.now() < busy) { /* busy */ }
    const end = performance.now() + 10_000;
    while (server.target.gone?.() === undefined && performance.now() < end) {
      await new Promise((r) => setTimeout(r, 5));
    }
    assert.equal(server.target.gone?.(), 'The server exited (code 3): "boom"', `run ${i}`);
    await server.release();
  }
});
