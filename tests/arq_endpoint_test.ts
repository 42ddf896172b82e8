import assert from "node:assert/strict";
import {
  ArqEndpoint,
  type ArqEvent,
  DEFAULT_ENDPOINT_OPTIONS,
  type EndpointOptions,
  type OutFrame,
  resolveOptions,
  SendQueueFullError,
} from "../lib/arq/mod.ts";
import {
  decodeReason,
  encodeSyn,
  Flag,
  frame,
  FrameType,
  MAX_MESSAGE,
  onesSum,
  type SessionParams,
} from "../lib/protocol/mod.ts";
import { establish, SIM_PARAMS, simSession, texts, utf8 } from "./support/sim_session.ts";
import { SimChannel } from "./support/sim_channel.ts";

/** A client and a server joined by hand (no channel): frames are passed explicitly. */
function rawPair(params: SessionParams = SIM_PARAMS, options: Partial<EndpointOptions> = {}) {
  const toServer: OutFrame[] = [];
  const toClient: OutFrame[] = [];
  const client = ArqEndpoint.client(params, options, {
    output: (f) => toServer.push(f),
    deliver: () => {},
  }, 0);
  const server = ArqEndpoint.server({ isn: 100 }, {
    output: (f) => toClient.push(f),
    deliver: () => {},
  });
  server.input(toServer[0]!, 1); // SYN
  client.input(toClient[0]!, 2); // SYN-ACK
  toServer.length = 0;
  return { client, server, toServer, toClient };
}

Deno.test("ArqEndpoint send keeps a reference and passes payloadSum through", () => {
  const { client, toServer } = rawPair();
  const small = utf8("abc");
  const sum = onesSum(small);
  client.send(small, 3, sum);
  client.flush(3);
  const data = toServer.filter((f) => f.type === FrameType.DATA);
  assert.equal(data[0]!.payload, small); // the very same object
  assert.equal(data[0]!.payloadSum, sum);
  assert.equal(data[0]!.flags, Flag.LAST);
  const big = utf8("0123456789");
  client.send(big, 4);
  client.flush(4);
  const frags = toServer.filter((f) => f.type === FrameType.DATA).slice(1);
  assert.deepEqual(frags.map((f) => f.payload.length), [4, 4, 2]);
  for (const f of frags) {
    assert.equal(f.payload.buffer, big.buffer); // views, not copies
    assert.equal(f.payloadSum, undefined);
  }
  assert.deepEqual(frags.map((f) => f.flags), [0, 0, Flag.LAST]);
});

Deno.test("ArqEndpoint retransmissions reuse the same payload and sum", () => {
  const { client, toServer } = rawPair();
  const small = utf8("abc");
  client.send(small, 3, 1234);
  client.flush(3);
  client.update(client.nextWake()!);
  const data = toServer.filter((f) => f.type === FrameType.DATA);
  assert.deepEqual(data.map((f) => f.attempt), [1, 2]);
  assert.equal(data[1]!.payload, small);
  assert.equal(data[1]!.payloadSum, 1234);
});

Deno.test("ArqEndpoint nextWake is the earliest timer and update before it does nothing", () => {
  const { client, toServer } = rawPair(SIM_PARAMS, { recovery: "timeout" });
  assert.equal(client.nextWake(), 2 + 15_000); // keepalive (heard last at 2)
  client.send(utf8("x"), 10);
  assert.equal(client.nextWake(), 2 + 15_000, "send only queues: no timer yet");
  client.flush(10);
  const wake = client.nextWake()!;
  assert.equal(wake, 10 + client.stats.rto);
  const before = toServer.length;
  client.update(wake - 1);
  assert.equal(toServer.length, before);
  client.update(wake);
  assert.equal(toServer.length, before + 1);
});

Deno.test("ArqEndpoint send rejects a message longer than MAX_MESSAGE", () => {
  const sim = simSession();
  assert.throws(() => sim.client.send(new Uint8Array(MAX_MESSAGE + 1), 0), RangeError);
  sim.client.send(new Uint8Array(MAX_MESSAGE), 0);
  assert.equal(sim.client.pending, 1);
});

Deno.test("ArqEndpoint send throws SendQueueFullError past maxSendQueue", () => {
  const sim = simSession({ client: { maxSendQueue: 3 } });
  for (let i = 0; i < 3; i++) sim.client.send(utf8(`m${i}`), 0);
  assert.throws(() => sim.client.send(utf8("m3"), 0), SendQueueFullError);
  assert.equal(sim.client.pending, 3);
  sim.run(() => sim.client.pending === 0, 10_000);
  sim.client.send(utf8("m3"), sim.now); // room again once acknowledged
  sim.run(() => sim.client.pending === 0, 10_000);
  assert.deepEqual(texts(sim.delivered.server), ["m0", "m1", "m2", "m3"]);
});

Deno.test("ArqEndpoint queues messages before the handshake on both sides", () => {
  const sim = simSession();
  sim.server.send(utf8("welcome"), 0); // server still listening
  sim.client.send(utf8("hello"), 0); // client still in syn-sent
  assert.equal(sim.trace.length, 1); // only the SYN so far
  sim.run(() => sim.client.pending === 0 && sim.server.pending === 0, 10_000);
  assert.deepEqual(texts(sim.delivered.server), ["hello"]);
  assert.deepEqual(texts(sim.delivered.client), ["welcome"]);
});

Deno.test("ArqEndpoint deliver may send on the same endpoint (echo)", () => {
  const sim = new SimChannel();
  const got: string[] = [];
  let server: ArqEndpoint | undefined;
  sim.connect(
    (hooks, now) => {
      server = ArqEndpoint.server({ isn: 100 }, {
        ...hooks,
        deliver: (m) => server!.send(m, sim.now), // echo from inside deliver
      }, now);
      return server;
    },
    (hooks, now) =>
      ArqEndpoint.client({ ...SIM_PARAMS, mode: "sr" }, {}, {
        ...hooks,
        deliver: (m) => got.push(new TextDecoder().decode(m)),
      }, now),
  );
  for (const m of ["one", "two", "three four five"]) sim.client.send(utf8(m), 0);
  sim.run(() => got.length === 3, 10_000);
  assert.deepEqual(got, ["one", "two", "three four five"]);
});

Deno.test("ArqEndpoint deliver may abort the same endpoint", () => {
  const sim = new SimChannel({ trace: true });
  let server: ArqEndpoint | undefined;
  sim.connect(
    (hooks, now) => {
      server = ArqEndpoint.server({ isn: 100 }, {
        ...hooks,
        deliver: () => server!.abort("bad command", sim.now),
      }, now);
      return server;
    },
    (hooks, now) => ArqEndpoint.client(SIM_PARAMS, {}, hooks, now),
  );
  sim.client.send(utf8("a"), 0);
  sim.client.send(utf8("b"), 0);
  sim.run(() => sim.client.state === "closed", 10_000);
  assert.equal(sim.client.closeReason, "reset by peer: bad command");
  const serverFrames = sim.traceLines().filter((l) => l.includes("s>c"));
  assert.deepEqual(serverFrames.map((l) => l.split(" ").slice(2).join(" ")), [
    "SYN-ACK 100",
    "RST 101",
  ]);
});

function rawServer(params: SessionParams) {
  const out: OutFrame[] = [];
  const delivered: Uint8Array[] = [];
  const server = ArqEndpoint.server({ isn: 100 }, {
    output: (f) => out.push(f),
    deliver: (m) => delivered.push(m.slice()), // lent: valid during the call only
  });
  server.input(frame(FrameType.SYN, 0, 0, encodeSyn(params)), 0);
  server.input(frame(FrameType.ACK, 100), 1);
  out.length = 0;
  return { server, out, delivered };
}

Deno.test("ArqEndpoint aborts when a reassembled message exceeds MAX_MESSAGE", () => {
  const { server, out, delivered } = rawServer({ ...SIM_PARAMS, maxPayload: 1024 });
  const chunk = new Uint8Array(1024);
  for (let seq = 1; seq <= 65; seq++) server.input(frame(FrameType.DATA, seq, 0, chunk), 2);
  assert.equal(server.state, "closed");
  assert.equal(delivered.length, 0);
  const rst = out.at(-1)!;
  assert.equal(rst.type, FrameType.RST);
  assert.equal(
    decodeReason(rst.payload),
    `Protocol error: Message too long: at least ${MAX_MESSAGE + 1024} bytes (max ${MAX_MESSAGE})`,
  );
});

Deno.test("ArqEndpoint aborts on a DATA payload larger than maxPayload", () => {
  const { server } = rawServer(SIM_PARAMS);
  server.input(frame(FrameType.DATA, 1, Flag.LAST, new Uint8Array(5)), 2);
  assert.equal(server.state, "closed");
  assert.equal(server.closeReason, "Protocol error: DATA payload too long: 5 bytes (max 4)");
});

Deno.test("ArqEndpoint transfers a MAX_MESSAGE message intact", () => {
  const sim = simSession({ params: { mode: "sr", window: 16, maxPayload: 1024 } });
  const big = Uint8Array.from({ length: MAX_MESSAGE }, (_, i) => (i * 7 + (i >> 8)) & 0xff);
  sim.client.send(big, 0);
  sim.run(() => sim.client.pending === 0, 10_000);
  assert.deepEqual(sim.delivered.server, [big]);
});

Deno.test("ArqEndpoint stats count frames, messages and bytes", () => {
  const sim = simSession();
  sim.client.send(utf8("abcdefgh"), 0); // two fragments
  sim.client.send(utf8(""), 0);
  sim.run(() => sim.client.pending === 0, 10_000);
  const c = sim.client.stats;
  const s = sim.server.stats;
  const c2s = sim.trace.filter((e) => e.dir === "c2s").length;
  assert.equal(c.framesSent, c2s);
  assert.equal(s.framesReceived, c2s);
  assert.equal(c.dataSent, 3);
  assert.equal(s.dataReceived, 3);
  assert.equal(c.messagesSent, 2);
  assert.equal(s.messagesDelivered, 2);
  assert.equal(s.bytesDelivered, 8);
  assert.equal(s.acksSent, 3);
  assert.equal(c.acksReceived, 3);
  assert.equal(c.retransmissions, 0);
  assert.deepEqual(texts(sim.delivered.server), ["abcdefgh", ""]);
});

Deno.test("ArqEndpoint reports events to the optional observer", () => {
  const sim = simSession();
  establish(sim);
  sim.client.abort("bye", sim.now);
  const kinds = (events: ArqEvent[]) => events.map((e) => e.kind);
  assert.deepEqual(kinds(sim.events.client), ["rtt", "established", "closed"]);
  sim.run(() => sim.server.state === "closed", 1000);
  assert.deepEqual(kinds(sim.events.server), ["rtt", "established", "closed"]);
});

Deno.test("resolveOptions fills defaults and rejects unknown or bad values", () => {
  assert.deepEqual(resolveOptions({}), DEFAULT_ENDPOINT_OPTIONS);
  assert.equal(resolveOptions({ minRto: 50, isn: undefined }).minRto, 50);
  assert.throws(() => resolveOptions({ bogus: 1 } as never), /Unknown ARQ option: bogus/);
  assert.throws(() => resolveOptions({ keepaliveMs: -1 }), RangeError);
  assert.throws(() => resolveOptions({ minRto: 500, maxRto: 100 }), RangeError);
});
