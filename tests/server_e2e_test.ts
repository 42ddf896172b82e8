/**
 * The server end to end, each test twice: over real TCP on 127.0.0.1 and over the in-memory
 * transport (the same bodies): the seed 000 client's bytes, binary GBN and SR clients beside
 * text clients, fragmentation, heavy seeded faults, bad input, slow and vanishing clients,
 * shutdown.
 */

import assert from "node:assert/strict";
import { LOSSY_LINK_OPTIONS } from "../lib/arq/mod.ts";
import { ChatConnection } from "../lib/client/connection.ts";
import type { ServerEvent } from "../lib/client/server_lines.ts";
import { parseFaultScript } from "../lib/faults/mod.ts";
import { WakeScheduler } from "../lib/net/scheduler.ts";
import { encodeFrame, frame, FrameType } from "../lib/protocol/mod.ts";
import { nextReadBuffer, READ_SHRINK_AFTER } from "../lib/server/server.ts";
import {
  client,
  clientTurn,
  dialerOf,
  e2e,
  quitAll,
  Raw,
  startServer,
  waitFor,
  withServer,
} from "./support/e2e.ts";
import { encodeWithType } from "./support/frames.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();

e2e(
  "the seed 000 client's exact bytes: NICK prompt, unterminated nickname and commands",
  async (net) => {
    await withServer(net, {}, async (server) => {
      const other = await Raw.open(server);
      await waitFor("prompt", () => other.text === "NICK");
      await other.write("outro\n");
      const seed = await Raw.open(server);
      await waitFor("prompt", () => seed.text.length >= 4);
      assert.equal(seed.text, "NICK", "the first read is exactly NICK");
      await seed.write("João"); // no newline, as the seed client sends it
      await waitFor("welcome", () => seed.text.includes("Type HELP"));
      assert.match(seed.text, /^NICK200 OK - Connected\nWelcome, João! 2 users online/);
      await seed.write("MSG Bom dia!");
      await waitFor("reply", () => seed.text.includes("Message sent"));
      await new Promise((r) => setTimeout(r, 60));
      await seed.write("LIST");
      await waitFor("list", () => seed.text.includes("User List"));
      assert.match(seed.text, /200 OK - User List\noutro, João\n/);
      await waitFor("broadcast", () => other.text.includes("[João]: Bom dia!\n"));
      await new Promise((r) => setTimeout(r, 60));
      await seed.write("QUIT");
      await waitFor("bye", () => seed.closed);
      assert.match(seed.text, /200 OK - Disconnecting\nBye, João\n$/);
      await other.close();
      await seed.close();
    });
  },
);

e2e("two quick lines from a newline-framing client never merge", async (net) => {
  await withServer(net, {}, async (server) => {
    const a = await Raw.open(server);
    const b = await Raw.open(server);
    await a.write("ana\n");
    await b.write("bia\r\n");
    await waitFor("both in", () => a.text.includes("Welcome") && b.text.includes("Welcome"));
    await a.write("MSG one\nMS");
    await a.write("G two\r\nMSG three\n");
    await waitFor("three lines", () => b.text.includes("[ana]: three"));
    assert.ok(b.text.includes("[ana]: one\n[ana]: two\n[ana]: three\n"));
    await a.close();
    await b.close();
  });
});

e2e(
  "GBN, SR and text clients chat together, each line seen once by each other client",
  async (net) => {
    await withServer(net, {}, async (server, scheduler) => {
      const g = await client(server, scheduler, "gbn", "gbn");
      const s = await client(server, scheduler, "sr", "sr");
      const t = await client(server, scheduler, "txt", "text");
      for (const [c, name] of [[g, "gbn"], [s, "sr"], [t, "txt"]] as const) {
        for (let i = 0; i < 5; i++) c.conn.send(`MSG ${name} ${i}`);
      }
      await waitFor("all lines", () => [g, s, t].every((c) => c.chat().length === 10));
      for (const [c, name] of [[g, "gbn"], [s, "sr"], [t, "txt"]] as const) {
        const lines = c.chat();
        assert.equal(new Set(lines).size, 10);
        assert.ok(!lines.some((l) => l.startsWith(`[${name}]`)), "no echo to the sender");
      }
      assert.deepEqual(
        g.chat().filter((l) => l.startsWith("[sr]")),
        [0, 1, 2, 3, 4].map((i) => `[sr]: sr ${i}`),
      );
      await quitAll(g, s, t);
    });
  },
);

e2e("a binary client with 40-byte frames gets a burst of lines intact, in order", async (net) => {
  await withServer(net, { flood: null }, async (server, scheduler) => {
    const small = await client(server, scheduler, "small", "sr", undefined, 40);
    const t = await Raw.open(server);
    await t.write("talker\n");
    await waitFor("talker in", () => t.text.includes("Welcome"));
    // One write: the server reads the burst in one turn and hands it out as log pieces.
    const lines = Array.from({ length: 30 }, (_, i) => `m${i} ${"x".repeat((i * 7) % 60)}`);
    await t.write(lines.map((l) => `MSG ${l}\n`).join(""));
    await waitFor("30 lines", () => small.chat().length >= 30);
    assert.deepEqual(small.chat(), lines.map((l) => `[talker]: ${l}`));
    const bytes = lines.reduce((n, l) => n + `[talker]: ${l}\n`.length, 0);
    const frames = small.conn.endpoint!.stats.dataReceived;
    assert.ok(frames >= Math.ceil(bytes / 40), `${frames} DATA frames for ${bytes} bytes`);
    await t.close();
    await quitAll(small);
  });
});

e2e("a 20 KB message is fragmented and arrives intact", async (net) => {
  await withServer(net, {}, async (server, scheduler) => {
    const a = await client(server, scheduler, "a", "sr");
    const b = await client(server, scheduler, "b", "gbn");
    const text = Array.from({ length: 20000 }, (_, i) => String.fromCharCode(97 + (i % 26))).join(
      "",
    );
    a.conn.send(`MSG ${text}`);
    await waitFor("big line", () => b.chat().length === 1);
    assert.equal(b.chat()[0], `[a]: ${text}`);
    assert.ok(a.conn.endpoint!.stats.dataSent >= 20, "at least 20 fragments");
    await quitAll(a, b);
  });
});

e2e(
  "100 messages arrive exactly once and in order with 20% loss and 20% corruption both ways",
  async (net) => {
    await withServer(net, {
      faults: { loss: 0.2, corrupt: 0.2, seed: 11 },
      arq: LOSSY_LINK_OPTIONS,
      flood: null,
    }, async (server, scheduler) => {
      const a = await client(server, scheduler, "a", "gbn", { loss: 0.2, corrupt: 0.2, seed: 5 });
      const b = await client(server, scheduler, "b", "sr", { loss: 0.2, corrupt: 0.2, seed: 6 });
      for (let i = 0; i < 100; i++) a.conn.send(`MSG m${i}`);
      await waitFor("100 lines", () => b.chat().length >= 100, 120_000);
      await new Promise((r) => setTimeout(r, 200));
      assert.deepEqual(b.chat(), Array.from({ length: 100 }, (_, i) => `[a]: m${i}`));
      const st = a.conn.endpoint!.stats;
      assert.ok(st.retransmissions > 0, "faults forced retransmissions");
      await quitAll(a, b);
    });
  },
);

e2e("nickname conflict is 409, unknown PRIV target is 404, flooding is 429", async (net) => {
  await withServer(net, {}, async (server, scheduler) => {
    const a = await client(server, scheduler, "Ana", "gbn");
    const events: ServerEvent[] = [];
    const dup = await ChatConnection.open({
      dialer: dialerOf(server),
      turn: clientTurn,
      host: "127.0.0.1",
      port: server.addr.port,
      text: true,
      params: { mode: "gbn", window: 8, ackPolicy: "sack", maxPayload: 1024 },
      scheduler,
      onEvent: (e) => events.push(e),
    });
    dup.send("ana");
    await waitFor("refusal", () => events.length > 0);
    assert.deepEqual(events[0], {
      kind: "status",
      code: 409,
      title: "409 Conflict",
      body: "Nickname taken: ana",
    });
    await dup.closed;
    a.conn.send("PRIV nobody hi");
    await waitFor("404", () => a.events.some((e) => e.kind === "status" && e.code === 404));
    for (let i = 0; i < 12; i++) a.conn.send(`MSG flood ${i}`);
    await waitFor("replies", () => a.events.filter((e) => e.kind === "status").length >= 14);
    const codes = a.events.filter((e) => e.kind === "status").map((e) =>
      (e as { code: number }).code
    );
    assert.equal(codes.filter((c) => c === 429).length, 2);
    await quitAll(a);
  });
});

e2e("malformed frames end only that session, with an RST naming the reason", async (net) => {
  await withServer(net, {}, async (server, scheduler) => {
    const ok = await client(server, scheduler, "ok", "sr");
    const raw = await Raw.binary(server, "gbn");
    // A corrupted frame first: answered by a NACK, the session lives on.
    const bad = encodeFrame(frame(FrameType.DATA, 1, 1, enc.encode("raw")));
    bad[12]! ^= 1;
    await raw.write(bad);
    await waitFor(
      "NACK",
      () => raw.bytes.some((b, i) => b === 0xc1 && raw.bytes[i + 3] === FrameType.NACK),
    );
    // Then garbage: framing damage.
    await raw.write("this is not a frame");
    await waitFor("closed", () => raw.closed);
    assert.match(dec.decode(Uint8Array.from(raw.bytes)), /Protocol error: Bad magic byte/);
    // Unknown type with a valid checksum on another session.
    const raw2 = await Raw.binary(server, "sr");
    const weird = encodeWithType(77);
    await raw2.write(weird);
    await waitFor("closed 2", () => raw2.closed);
    assert.match(dec.decode(Uint8Array.from(raw2.bytes)), /Unknown frame type: 77/);
    ok.conn.send("LIST");
    await waitFor(
      "server still serves",
      () => ok.events.some((e) => e.kind === "status" && e.title.includes("User List")),
    );
    await raw.close();
    await raw2.close();
    await quitAll(ok);
  });
});

e2e("a client that vanishes mid-fragment is cleaned up and the others are told", async (net) => {
  await withServer(net, {}, async (server, scheduler) => {
    const watcher = await client(server, scheduler, "watcher", "gbn");
    const raw = await Raw.binary(server, "gbn");
    await raw.write(encodeFrame(frame(FrameType.DATA, 1, 1, enc.encode("ghost"))));
    await waitFor(
      "ghost joined",
      () => watcher.events.some((e) => e.kind === "notice" && e.text.startsWith("ghost joined")),
    );
    const half = encodeFrame(frame(FrameType.DATA, 2, 0, new Uint8Array(500)));
    await raw.write(half.subarray(0, 200));
    await raw.close();
    await waitFor(
      "left",
      () => watcher.events.some((e) => e.kind === "notice" && e.text.startsWith("ghost left")),
    );
    await quitAll(watcher);
  });
});

e2e("a reader that never reads is disconnected without delaying the others", async (net) => {
  await withServer(net, { outboxBytes: 256 * 1024, flood: null }, async (server, scheduler) => {
    // `silent` registers and then never reads: the kernel buffers fill (a few MB on loopback),
    // then its outbox passes its bound and the server drops it.
    const silent = await dialerOf(server).dial("127.0.0.1", server.addr.port);
    await silent.write(enc.encode("silent\n"));
    const a = await client(server, scheduler, "a", "text");
    const b = await client(server, scheduler, "b", "sr");
    const line = "x".repeat(20_000);
    const count = 600; // 12 MB: more than loopback's socket buffers can hide
    for (let i = 0; i < count; i++) a.conn.send(`MSG ${i} ${line}`);
    await waitFor("b got everything", () => b.chat().length === count, 60_000).catch((e) => {
      throw new Error(
        `${e.message}: ${b.chat().length} ${
          JSON.stringify(b.events.filter((e) => e.kind !== "chat"))
        } ${JSON.stringify(a.events.filter((e) => e.kind !== "chat").slice(-3))}`,
      );
    });
    await waitFor(
      "silent dropped",
      () => b.events.some((e) => e.kind === "notice" && e.text.startsWith("silent left (too slow")),
      30_000,
    );
    assert.deepEqual(
      b.chat(),
      Array.from({ length: count }, (_, i) => `[a]: ${i} ${line}`),
    );
    silent.close();
    await quitAll(a, b);
  });
});

e2e("shutdown tells text and binary clients 503 and closes them", async (net) => {
  const server = startServer(net, {});
  const scheduler = new WakeScheduler();
  const b = await client(server, scheduler, "bin", "sr");
  const t = await client(server, scheduler, "txt", "text");
  const started = performance.now();
  await server.shutdown("maintenance", 2000);
  assert.ok(performance.now() - started < 3000);
  await Promise.all([b.conn.closed, t.conn.closed]);
  for (const c of [b, t]) {
    assert.ok(
      c.events.some((e) => e.kind === "status" && e.code === 503 && e.body.includes("maintenance")),
    );
  }
  scheduler.stop();
});

e2e(
  "a connection that never registers is closed after registerTimeoutMs; users stay",
  async (net) => {
    await withServer(net, { registerTimeoutMs: 300 }, async (server) => {
      const user = await Raw.open(server);
      await user.write("ana\n");
      const silent = await Raw.open(server);
      const noNick = await Raw.open(server);
      await noNick.write("\n"); // a line, but no nickname yet
      const t0 = performance.now();
      await waitFor("the silent one closed", () => silent.closed && noNick.closed, 5000);
      const waited = performance.now() - t0;
      assert.ok(waited >= 250, `closed after ${waited.toFixed(0)} ms, before the timeout`);
      assert.equal(silent.text, "NICK", "it got the prompt and nothing else");
      await new Promise((r) => setTimeout(r, 400));
      assert.ok(!user.closed, "a registered user is not timed out");
      await user.write("LIST\n");
      await waitFor("list", () => user.text.includes("User List\nana\n"));
      await user.close();
      await silent.close();
      await noNick.close();
    });
  },
);

e2e("a text client that half-closes after its commands still gets every reply", async (net) => {
  await withServer(net, {}, async (server) => {
    // `printf 'ana\nLIST\nMSG hi\n' | nc -N host port`: all the commands, then end of stream.
    for (const [nick, last] of [["ana", ""], ["bia", "QUIT\n"]]) {
      const raw = await Raw.open(server);
      await raw.write(`${nick}\nLIST\nMSG hi\n${last}`);
      raw.conn.closeWrite();
      await waitFor(`${nick}'s connection closed by the server`, () => raw.closed, 5000);
      assert.match(raw.text, new RegExp(`^200 OK - Connected\nWelcome, ${nick}!`));
      assert.match(raw.text, /200 OK - User List\n.*\n200 OK\nMessage sent\n/);
      if (last) assert.match(raw.text, /200 OK - Disconnecting\nBye, bia\n$/);
      await raw.close();
    }
    await waitFor("both left", () => server.lobby.size === 0);
  });
});

e2e("a FIN repeated because its FIN-ACK was lost is answered again", async (net) => {
  const faults = { script: parseFaultScript("drop:fin-ack") }; // the first FIN-ACK only
  await withServer(net, { faults }, async (server) => {
    const raw = await Raw.binary(server, "gbn");
    const finAcks = () => {
      let n = 0;
      for (let i = 0; i + 10 < raw.bytes.length; i++) {
        if (raw.bytes[i] === 0xc1 && raw.bytes[i + 3] === FrameType.FIN_ACK) n++;
      }
      return n;
    };
    const fin = encodeFrame(frame(FrameType.FIN, 1)); // ISN 0, no data: next seq is 1
    await raw.write(fin);
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(finAcks(), 0, "the first FIN-ACK was dropped");
    assert.ok(!raw.closed, "the server waits for the peer to close");
    await raw.write(fin); // the client's retransmission
    await waitFor("the second FIN-ACK", () => finAcks() === 1);
    await raw.close();
  });
});

Deno.test("the read buffer grows while reads fill it and shrinks when they stop", () => {
  let buf = new Uint8Array(512);
  const quiet = { smallReads: 0 };
  const sizes: number[] = [];
  for (let i = 0; i < 10; i++) {
    buf = nextReadBuffer(buf, buf.length, quiet);
    sizes.push(buf.length);
  }
  assert.deepEqual(sizes, [1024, 2048, 4096, 8192, 16384, 32768, 65536, 65536, 65536, 65536]);
  assert.equal(nextReadBuffer(buf, 10_000, quiet), buf, "a read using a sixth keeps the buffer");
  // Small reads between bursts (ACKs between batches) keep the buffer: no allocation per read.
  for (let i = 0; i < 5 * READ_SHRINK_AFTER; i++) {
    assert.equal(nextReadBuffer(buf, 11, quiet), buf);
    if (i % (READ_SHRINK_AFTER - 1) === 0) assert.equal(nextReadBuffer(buf, 30_000, quiet), buf);
  }
  for (let i = 0; i < 10 * READ_SHRINK_AFTER; i++) buf = nextReadBuffer(buf, 20, quiet);
  assert.equal(buf.length, 512, "quiet connections fall back to 512 bytes");
  assert.equal(nextReadBuffer(buf, 1, quiet), buf);
});

e2e("a telnet user typing one key per segment registers and chats (Windows telnet)", async (t) => {
  await withServer(t, {}, async (server) => {
    const other = await Raw.open(server);
    await other.write("outro\n");
    const telnet = await Raw.open(server);
    await waitFor("prompt", () => telnet.text === "NICK");
    // Windows telnet's first bytes: IAC WILL NAWS, IAC WILL TERMINAL-TYPE.
    await telnet.write(new Uint8Array([0xff, 0xfb, 0x1f, 0xff, 0xfb, 0x18]));
    const keys = [..."ana", "\r\n", ..."MSG oi", "\b", "lá", "\r\n"];
    for (const k of keys) {
      await telnet.write(k);
      await new Promise((r) => setTimeout(r, 60)); // slower than the 40 ms burst gap
    }
    await waitFor("broadcast", () => other.text.includes("[ana]: olá\n"));
    assert.match(telnet.text, /^NICK200 OK - Connected\nWelcome, ana!/);
    assert.doesNotMatch(telnet.text, /40\d /, "no keystroke was taken as a command");
    await telnet.close();
    await other.close();
  });
});
