/**
 * The datagram transport over in-memory datagram sockets (`memory_datagram.ts`): a chat server
 * behind a `DatagramListener` and clients behind `dialDatagrams`, with loss, duplication and
 * reordering injected (seeded), and the hostile cases: a SYN flood from forged addresses, stray
 * and forged datagrams, random bytes, bad checksums, the wrong source port.
 */

import assert from "node:assert/strict";
import { LOSSY_LINK_OPTIONS } from "../lib/arq/mod.ts";
import { ClientSession } from "../lib/client/session.ts";
import { NullLogger } from "../lib/log/logger.ts";
import { type Impair, MemoryDatagramNetwork } from "../lib/net/memory_datagram.ts";
import { WakeScheduler } from "../lib/net/scheduler.ts";
import type { Dialer } from "../lib/net/transport.ts";
import { Turn } from "../lib/net/turn.ts";
import {
  type DatagramListener,
  dialDatagrams,
  listenDatagrams,
  UDP_MAX_DATAGRAM,
} from "../lib/net/udp_transport.ts";
import { encodeFrame, encodeSyn, encodeSynAck, frame, FrameType } from "../lib/protocol/mod.ts";
import { ChatServer } from "../lib/server/server.ts";
import { mulberry32 } from "./support/sim_channel.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();

/** Loses `loss`, repeats `dup` of the datagrams and delays each by 0..`jitter` ms (reorders). */
function lossy(seed: number, loss: number, dup: number, jitter: number): Impair {
  const r = mulberry32(seed);
  return () => {
    if (r() < loss) return [];
    const first = Math.floor(r() * jitter);
    return r() < dup ? [first, Math.floor(r() * jitter)] : [first];
  };
}

async function waitFor(what: string, cond: () => boolean, ms = 20_000): Promise<void> {
  const end = performance.now() + ms;
  while (!cond()) {
    if (performance.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** A server on a memory datagram network, and how its clients reach it. */
class Lab {
  readonly net: MemoryDatagramNetwork;
  readonly listener: DatagramListener;
  readonly server: ChatServer;
  readonly port: number;
  readonly scheduler = new WakeScheduler();
  readonly turn = new Turn();
  readonly clients: ClientSession[] = [];
  /** The address of each client's socket, in the order they dialed. */
  readonly locals: { hostname: string; port: number }[] = [];

  constructor(impair?: Impair) {
    this.net = new MemoryDatagramNetwork({ impair, queueDatagrams: 20_000 });
    const socket = this.net.bind("127.0.0.1", 0);
    this.port = socket.addr.port;
    this.listener = listenDatagrams(socket);
    this.server = new ChatServer({ logger: new NullLogger(), flood: null });
    this.server.serve(this.listener);
  }

  /** Dials from `host` (each client its own socket, so its own port). */
  dialer(host: string): Dialer {
    return {
      transport: "memory",
      dial: (hostname, port) => {
        const socket = this.net.bind(host);
        this.locals.push(socket.addr);
        return Promise.resolve(dialDatagrams(socket, { hostname, port }));
      },
    };
  }

  /** A registered binary client; `lines` gets every line the server sends it. */
  async join(
    nick: string,
    mode: "gbn" | "sr",
    lossyLink = false,
    host = "127.0.0.2",
  ): Promise<{ session: ClientSession; lines: string[] }> {
    const lines: string[] = [];
    const session = await ClientSession.open({
      dialer: this.dialer(host),
      host: "127.0.0.1",
      port: this.port,
      text: false,
      params: { mode, window: 8, ackPolicy: "sack", maxPayload: 1024 },
      arq: lossyLink ? LOSSY_LINK_OPTIONS : {},
      scheduler: this.scheduler,
      turn: this.turn,
      onData: (m) => lines.push(...dec.decode(m).split("\n").filter((l) => l !== "")),
    });
    this.clients.push(session);
    session.send(enc.encode(nick));
    await waitFor(
      `${nick} registered`,
      () => lines.some((l) => l.startsWith("200 OK - Connected")),
    );
    return { session, lines };
  }

  async stop(): Promise<void> {
    for (const c of this.clients) c.close();
    await this.server.shutdown("test over", 200);
    this.scheduler.stop();
    this.net.stop();
  }
}

for (const mode of ["gbn", "sr"] as const) {
  Deno.test(`memory datagrams: exactly once and in order through loss, duplicates and reordering (${mode})`, async () => {
    const lab = new Lab(lossy(mode === "gbn" ? 11 : 12, 0.1, 0.1, 12));
    try {
      const ana = await lab.join("ana", mode, true);
      const bia = await lab.join("bia", mode, true);
      const n = 150;
      for (let i = 0; i < n; i++) ana.session.send(enc.encode(`MSG m${i}`));
      const got = () => bia.lines.filter((l) => l.startsWith("[ana]: "));
      await waitFor("every message at bia", () => got().length >= n, 60_000);
      await new Promise((r) => setTimeout(r, 200)); // a late duplicate would show now
      assert.deepEqual(got(), Array.from({ length: n }, (_, i) => `[ana]: m${i}`));
      assert.ok(lab.net.counts.lost > 0, "the network lost datagrams");
      const stats = ana.session.endpoint!.stats;
      assert.ok(stats.retransmissions > 0, "the sender repaired them");
    } finally {
      await lab.stop();
    }
  });
}

Deno.test("memory datagrams: a SYN flood of 10,000 from forged addresses allocates nothing and disturbs no session", async () => {
  const lab = new Lab();
  try {
    const ana = await lab.join("ana", "sr");
    const before = { ...lab.server.counters };
    const opened = lab.listener.counters.opened;
    const replies = lab.listener.counters.statelessReplies;
    const synBytes = encodeFrame(
      frame(
        FrameType.SYN,
        1,
        0,
        encodeSyn({ mode: "sr", window: 256, ackPolicy: "sack", maxPayload: 1024 }),
      ),
    );
    const to = { hostname: "127.0.0.1", port: lab.port };
    const r = mulberry32(5);
    const start = lab.listener.counters.datagramsIn;
    for (let i = 0; i < 10_000; i++) {
      const from = {
        hostname: `10.${(i >> 8) & 255}.${i & 255}.${1 + Math.floor(r() * 250)}`,
        port: 1024 + i,
      };
      lab.net.spoof(synBytes, from, to);
      if (i % 1000 === 999) {
        await waitFor(
          "the listener to read the flood",
          () => lab.listener.counters.datagramsIn - start >= i + 1,
        );
      }
    }
    assert.equal(lab.listener.counters.statelessReplies - replies, 10_000);
    assert.equal(lab.listener.counters.opened, opened);
    assert.equal(lab.listener.sessions, 1);
    assert.equal(lab.server.counters.accepted, before.accepted);
    assert.equal(lab.server.counters.open, before.open);
    // The session that was running still works.
    ana.session.send(enc.encode("LIST"));
    await waitFor("LIST answered", () => ana.lines.includes("200 OK - User List"));
  } finally {
    await lab.stop();
  }
});

Deno.test("memory datagrams: stray, forged and damaged datagrams leave the session intact", async () => {
  const lab = new Lab();
  try {
    const ana = await lab.join("ana", "gbn");
    const to = { hostname: "127.0.0.1", port: lab.port };
    const me = lab.locals[0]!;
    const other = { hostname: me.hostname, port: me.port + 1 }; // the same host, another port
    const c = lab.listener.counters;
    const before = { ...c };
    const data = encodeFrame(frame(FrameType.DATA, 9, 1, enc.encode("MSG forged")));
    const rst = encodeFrame(frame(FrameType.RST, 0, 0, enc.encode("forged")));
    const echo = encodeSynAck({ mode: "gbn", window: 8, ackPolicy: "sack", maxPayload: 1024 }, 0);
    const forgedAck = encodeFrame(frame(FrameType.ACK, 12345, 0, echo));
    const random = Uint8Array.from({ length: 64 }, (_, i) => (i * 73 + 5) & 0xff);
    const tooLong = new Uint8Array(UDP_MAX_DATAGRAM + 1).fill(0xc1);
    const garbage = Uint8Array.of(0xc1, 0x03, 0xff, 1, 2, 3, 4, 5, 6, 7, 8, 9);
    const badSum = encodeFrame(frame(FrameType.RST, 0, 0, enc.encode("bye")));
    badSum[12]! ^= 0x10;
    const unknownType = encodeFrame(frame(FrameType.PING, 0));
    unknownType[3] = 99;
    // From another port: no session there, and no cookie.
    for (const d of [data, rst, forgedAck]) lab.net.spoof(d, other, to);
    // From the session's own address and port (a forger on the LAN).
    for (const d of [random, tooLong]) lab.net.spoof(d, me, to);
    for (const d of [garbage, badSum, unknownType]) lab.net.spoof(d, me, to);
    await waitFor("the listener to read them", () => c.datagramsIn - before.datagramsIn >= 8);
    assert.equal(c.notFrames - before.notFrames, 2);
    assert.equal(c.strangers - before.strangers, 2);
    assert.equal(c.badCookies - before.badCookies, 1);
    assert.equal(c.opened, before.opened);
    assert.equal(lab.listener.sessions, 1);
    ana.session.send(enc.encode("LIST"));
    await waitFor("LIST answered", () => ana.lines.includes("200 OK - User List"));
    assert.equal(ana.session.endpoint!.state, "established");
    assert.equal(ana.session.closeReason, undefined);
  } finally {
    await lab.stop();
  }
});
