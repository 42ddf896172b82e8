/**
 * The reliable protocol over real UDP on 127.0.0.1: GBN and SR clients beside a TCP text
 * client in one room, a SYN flood and stray datagrams from real sockets on other ports, and the
 * commands (`chat serve` with UDP on and off, `chat join --udp` in a pipe, `chat bench
 * --transport both`).
 */

import assert from "node:assert/strict";
import { ClientSession } from "../lib/client/session.ts";
import { NullLogger } from "../lib/log/logger.ts";
import { WakeScheduler } from "../lib/net/scheduler.ts";
import { listenTcp } from "../lib/net/tcp_transport.ts";
import { Turn } from "../lib/net/turn.ts";
import { type DatagramListener, listenUdp, UDP_DIALER } from "../lib/net/udp_transport.ts";
import type { RunResult } from "../lib/bench/result.ts";
import { encodeFrame, encodeSyn, frame, FrameType } from "../lib/protocol/mod.ts";
import { parseFaultScript } from "../lib/faults/mod.ts";
import { ChatServer } from "../lib/server/server.ts";
import { runChat, ServerProcess } from "./support/live_session.ts";
import { rawClient, until } from "./support/tmux.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();

/** A server on TCP and UDP 127.0.0.1 (one port number), and UDP clients of it. */
class Room {
  readonly server = new ChatServer({ logger: new NullLogger(), flood: null });
  readonly udp: DatagramListener;
  readonly port: number;
  readonly scheduler = new WakeScheduler();
  readonly turn = new Turn();
  readonly sessions: ClientSession[] = [];

  constructor() {
    const tcp = listenTcp("127.0.0.1", 0);
    this.port = tcp.addr.port;
    this.server.serve(tcp);
    this.udp = listenUdp("127.0.0.1", this.port);
    this.server.serve(this.udp);
  }

  async join(nick: string, mode: "gbn" | "sr"): Promise<{ s: ClientSession; lines: string[] }> {
    const lines: string[] = [];
    const s = await ClientSession.open({
      dialer: UDP_DIALER,
      host: "127.0.0.1",
      port: this.port,
      text: false,
      params: { mode, window: 16, ackPolicy: mode === "sr" ? "sack" : "frame", maxPayload: 1024 },
      scheduler: this.scheduler,
      turn: this.turn,
      onData: (m) => lines.push(...dec.decode(m).split("\n").filter((l) => l !== "")),
    });
    this.sessions.push(s);
    s.send(enc.encode(nick));
    await until(`${nick} in`, () => lines.some((l) => l.startsWith("200 OK - Connected")));
    return { s, lines };
  }

  async close(): Promise<void> {
    for (const s of this.sessions) s.close();
    await this.server.shutdown("test over", 300);
    this.scheduler.stop();
  }
}

Deno.test("real UDP: GBN and SR clients and a TCP text client share a room, every line once and in order", async () => {
  const room = new Room();
  const text = await rawClient(room.port, "caio");
  try {
    const ana = await room.join("ana", "gbn");
    const bia = await room.join("bia", "sr");
    await until("caio in", () => text.text().includes("Welcome"));
    const n = 300;
    for (let i = 0; i < n; i++) ana.s.send(enc.encode(`MSG ${i} ${"x".repeat(i % 200)}`));
    for (let i = 0; i < 20; i++) await text.say(`MSG t${i}`);
    const want = Array.from({ length: n }, (_, i) => `[ana]: ${i} ${"x".repeat(i % 200)}`);
    const fromAna = (lines: string[]) => lines.filter((l) => l.startsWith("[ana]: "));
    await until("bia has ana's lines", () => fromAna(bia.lines).length >= n, 30_000);
    await until("caio has ana's lines", () => fromAna(text.text().split("\n")).length >= n, 30_000);
    await until("bia has caio's lines", () => bia.lines.includes("[caio]: t19"), 30_000);
    assert.deepEqual(fromAna(bia.lines), want);
    assert.deepEqual(fromAna(text.text().split("\n")), want);
    assert.deepEqual(
      bia.lines.filter((l) => l.startsWith("[caio]: ")),
      Array.from({ length: 20 }, (_, i) => `[caio]: t${i}`),
    );
    assert.equal(room.udp.sessions, 2);
    assert.equal(room.server.counters.binary, 2);
  } finally {
    await text.close();
    await room.close();
  }
});

Deno.test("real UDP: 10,000 SYNs and stray datagrams from other ports open nothing and stop no session", async () => {
  const room = new Room();
  const socks = Array.from(
    { length: 4 },
    () => Deno.listenDatagram({ hostname: "127.0.0.1", port: 0, transport: "udp" }),
  );
  try {
    const ana = await room.join("ana", "sr");
    const accepted = room.server.counters.accepted;
    const to = { transport: "udp" as const, hostname: "127.0.0.1", port: room.port };
    const syn = encodeFrame(
      frame(
        FrameType.SYN,
        1,
        0,
        encodeSyn({ mode: "gbn", window: 8, ackPolicy: "frame", maxPayload: 1024 }),
      ),
    );
    const junk = [
      Uint8Array.from({ length: 100 }, (_, i) => (i * 97 + 3) & 0xff),
      enc.encode("ana\nMSG hello\n"), // no text protocol over UDP
      encodeFrame(frame(FrameType.DATA, 2, 1, enc.encode("MSG forged"))),
      encodeFrame(frame(FrameType.RST, 0, 0, enc.encode("forged reset"))),
    ];
    const before = { ...room.udp.counters };
    let sent = 0;
    for (let i = 0; i < 10_000; i++) {
      await socks[i % socks.length]!.send(syn, to);
      sent++;
      // Let the server read as we go: the kernel's buffer would drop a burst of 10,000.
      if (i % 200 === 199) {
        await until(
          "the server read the SYNs",
          () => room.udp.counters.datagramsIn - before.datagramsIn >= sent - 50,
        );
      }
    }
    for (const s of socks) for (const j of junk) await s.send(j, to);
    const c = room.udp.counters;
    await until(
      "the server read the stray datagrams",
      () => c.notFrames - before.notFrames >= 8 && c.strangers - before.strangers >= 8,
      20_000,
    );
    assert.ok(c.statelessReplies - before.statelessReplies >= 9_900, `${c.statelessReplies}`);
    assert.equal(c.opened, before.opened);
    assert.equal(c.notFrames - before.notFrames, 8);
    assert.equal(c.strangers - before.strangers, 8);
    assert.equal(room.udp.sessions, 1);
    assert.equal(room.server.counters.accepted, accepted);
    ana.s.send(enc.encode("LIST"));
    await until("LIST answered", () => ana.lines.includes("200 OK - User List"));
    assert.equal(ana.s.endpoint!.state, "established");
    // The SYN-ACKs came back to the flooding sockets: one per SYN, no session behind them.
    const buf = new Uint8Array(2048);
    const [reply] = await socks[0]!.receive(buf);
    assert.equal(reply[3], FrameType.SYN_ACK);
  } finally {
    for (const s of socks) s.close();
    await room.close();
  }
});

Deno.test("chat join --udp in a pipe talks to chat serve; --udp off serves TCP only; --udp --text is refused", async () => {
  const server = await ServerProcess.start();
  try {
    assert.match(server.stdout.text, /\(TCP and UDP\)/);
    const caio = await rawClient(server.port, "caio");
    try {
      await until("caio in", () => caio.text().includes("Welcome"));
      const r = await runChat(["join", `127.0.0.1:${server.port}`, "--udp", "--nick", "ana"], {
        stdin: "olá por UDP\n",
      });
      assert.equal(r.code, 0, r.stderr);
      await until("caio gets ana's line", () => caio.text().includes("[ana]: olá por UDP\n"));
    } finally {
      await caio.close();
    }
  } finally {
    await server.stop();
  }
  const tcpOnly = await ServerProcess.start(["--udp", "off"]);
  try {
    assert.match(tcpOnly.stdout.text, /listening on 127\.0\.0\.1:\d+ \(TCP\)/);
  } finally {
    await tcpOnly.stop();
  }
  const refused = await runChat(["join", "127.0.0.1:1", "--udp", "--text", "--nick", "x"]);
  assert.equal(refused.code, 2);
  assert.match(refused.stderr, /--text needs a stream/);
});

Deno.test("chat bench --transport both runs each mode over TCP and UDP with nothing lost", async () => {
  const r = await runChat(
    [
      "bench",
      "--clients",
      "4",
      "--messages",
      "30",
      "--arq",
      "both",
      "--transport",
      "both",
      "--json",
    ],
    { timeoutMs: 120_000 },
  );
  assert.equal(r.code, 0, r.stderr);
  const runs = r.stdout.trim().split("\n").map((l) => JSON.parse(l) as RunResult);
  assert.deepEqual(
    runs.map((x) => `${x.mode}/${x.params.transport}`),
    ["gbn/tcp", "gbn/udp", "sr/tcp", "sr/udp"],
  );
  for (const run of runs) {
    assert.equal(run.status, "complete", run.problems.join("; "));
    assert.equal(run.lost + run.duplicated + run.outOfOrder, 0);
    assert.equal(run.deliveries, 4 * 30 * 3);
  }
  for (const run of runs.filter((x) => x.params.transport === "udp")) {
    // Loss as the kernel saw it, where /proc/net/snmp is readable (Linux).
    if (Deno.build.os === "linux") assert.equal(typeof run.kernel?.udpInErrors, "number");
    assert.equal(typeof run.server?.retransmissions, "number");
  }
  for (const run of runs.filter((x) => x.params.transport === "tcp")) {
    assert.equal(run.kernel, undefined);
  }
});

Deno.test("over UDP a server fault script names frames from its ISN, and STATS retransmissions never go down", async () => {
  const server = new ChatServer({
    logger: new NullLogger(),
    flood: null,
    faults: { script: parseFaultScript("drop:data#1,drop:data#2") }, // resent, whatever the timing
  });
  const udp = listenUdp("127.0.0.1", 0);
  server.serve(udp);
  const scheduler = new WakeScheduler();
  const turn = new Turn();
  try {
    const lines: string[] = [];
    const s = await ClientSession.open({
      dialer: UDP_DIALER,
      host: "127.0.0.1",
      port: udp.addr.port,
      text: false,
      params: { mode: "sr", window: 8, ackPolicy: "sack", maxPayload: 1024 },
      arq: { maxRto: 300 },
      scheduler,
      turn,
      onData: (m) => lines.push(dec.decode(m)),
    });
    s.send(enc.encode("ana"));
    for (let i = 0; i < 30; i++) s.send(enc.encode("LIST"));
    await until("the replies", () => lines.join("").split("User List").length > 30, 30_000);
    const during = server.stats().arqRetransmissions!;
    assert.ok(during > 0, "the server resent what its faults dropped");
    s.close();
    await until("the session ended", () => server.counters.open === 0, 10_000);
    assert.ok(server.stats().arqRetransmissions! >= during);
  } finally {
    await server.shutdown("test over", 300);
    scheduler.stop();
  }
});
