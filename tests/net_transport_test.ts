/**
 * The transport seam: one body of tests run against TCP on 127.0.0.1 and against the in-memory
 * transport, so both keep the same stream semantics (order, partial reads, half-close, close,
 * backpressure from a peer that never reads, listener close, refused dials).
 */

import assert from "node:assert/strict";
import { MemoryNetwork } from "../lib/net/memory_transport.ts";
import { listenTcp, TCP_DIALER } from "../lib/net/tcp_transport.ts";
import {
  type Conn,
  type Dialer,
  formatAddress,
  type Listener,
  writeAll,
} from "../lib/net/transport.ts";

interface Transport {
  readonly name: "tcp" | "memory";
  readonly dialer: Dialer;
  listen(): Listener;
}

function transports(): Transport[] {
  const memory = new MemoryNetwork({ bufferBytes: 64 * 1024 });
  return [
    { name: "tcp", dialer: TCP_DIALER, listen: () => listenTcp("127.0.0.1", 0) },
    { name: "memory", dialer: memory, listen: () => memory.listen() },
  ];
}

/** Registers `fn` once per transport. */
function both(name: string, fn: (t: Transport) => Promise<void>): void {
  for (const t of transports()) Deno.test(`${name} (${t.name})`, () => fn(t));
}

/** A listener and one connected pair on it; closes all three afterwards. */
async function withPair(
  t: Transport,
  fn: (client: Conn, server: Conn, listener: Listener) => Promise<void>,
): Promise<void> {
  const listener = t.listen();
  const accepted = listener.accept();
  const client = await t.dialer.dial("127.0.0.1", listener.addr.port);
  const server = (await accepted)!;
  try {
    await fn(client, server, listener);
  } finally {
    client.close();
    server.close();
    listener.close();
  }
}

/** Reads until end of stream (or `limit` bytes), in reads of at most `chunk` bytes. */
async function readAll(conn: Conn, chunk = 7, limit = Infinity): Promise<Uint8Array> {
  const parts: number[] = [];
  const buf = new Uint8Array(chunk);
  while (parts.length < limit) {
    const n = await conn.read(buf);
    if (n === null) break;
    assert.ok(n > 0 && n <= chunk, `a read returns 1..${chunk} bytes, not ${n}`);
    parts.push(...buf.subarray(0, n));
  }
  return Uint8Array.from(parts);
}

function pattern(n: number, seed = 0): Uint8Array {
  return Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed) & 0xff);
}

/** `p`, or "pending" when it has not settled after `ms`. */
async function settledWithin<T>(p: Promise<T>, ms: number): Promise<T | "pending"> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<"pending">((r) => timer = setTimeout(() => r("pending"), ms));
  try {
    return await Promise.race([p, late]);
  } finally {
    clearTimeout(timer);
  }
}

both("a connection carries bytes in order both ways, across small reads", async (t) => {
  await withPair(t, async (client, server, listener) => {
    assert.equal(client.path, "stream");
    assert.equal(client.maxDatagram, Infinity);
    assert.equal(client.remoteAddr.transport, t.name);
    assert.equal(client.remoteAddr.port, listener.addr.port);
    assert.equal(server.localAddr.port, listener.addr.port);
    assert.equal(server.remoteAddr.port, client.localAddr.port);
    const up = pattern(10_000, 1);
    const down = pattern(5_000, 2);
    await Promise.all([writeAll(client, up), writeAll(server, down)]);
    await client.closeWrite();
    await server.closeWrite();
    const [atServer, atClient] = await Promise.all([readAll(server), readAll(client, 4096)]);
    assert.deepEqual(atServer, up);
    assert.deepEqual(atClient, down);
  });
});

both("a half-closed connection still carries the other direction", async (t) => {
  await withPair(t, async (client, server) => {
    await writeAll(client, pattern(100));
    await client.closeWrite();
    assert.deepEqual(await readAll(server), pattern(100), "everything, then end of stream");
    await writeAll(server, pattern(300, 9));
    await server.closeWrite();
    assert.deepEqual(await readAll(client), pattern(300, 9));
  });
});

both("after close the peer reads end of stream and its writes fail", async (t) => {
  await withPair(t, async (client, server) => {
    await writeAll(client, pattern(50));
    client.close();
    assert.deepEqual(await readAll(server), pattern(50), "bytes written before close arrive");
    // TCP takes one write into the kernel before the peer's reset comes back.
    let failed: unknown;
    for (let i = 0; i < 100 && failed === undefined; i++) {
      try {
        await server.write(pattern(10));
        await new Promise((r) => setTimeout(r, 10));
      } catch (error) {
        failed = error;
      }
    }
    assert.ok(failed instanceof Error, "a write toward a closed peer fails");
    assert.equal(await client.read(new Uint8Array(8)), null, "a closed end reads nothing");
  });
});

both("a peer that never reads stalls the writer until it reads", async (t) => {
  await withPair(t, async (client, server) => {
    const block = pattern(64 * 1024);
    let written = 0;
    let stalled: Promise<number> | undefined;
    // The buffers between the two ends fill (a few MB on loopback TCP), then a write waits.
    while (written < 64 * 1024 * 1024) {
      const w = server.write(block);
      const r = await settledWithin(w, 300);
      if (r === "pending") {
        stalled = w;
        break;
      }
      written += r;
    }
    assert.ok(stalled !== undefined, `no write waited after ${written} bytes`);
    const drained = readAll(client, 64 * 1024, written + 1);
    const n = await settledWithin(stalled, 10_000);
    assert.notEqual(n, "pending", "the write completes once the peer reads");
    server.close();
    assert.ok((await drained).length > written, "the reader got the bytes held back");
  });
});

both("a closed listener ends a pending accept, and dialing it is refused", async (t) => {
  const listener = t.listen();
  const port = listener.addr.port;
  assert.equal(listener.addr.transport, t.name);
  const pending = listener.accept();
  listener.close();
  assert.equal(await pending, null);
  assert.equal(await listener.accept(), null);
  await assert.rejects(t.dialer.dial("127.0.0.1", port), Deno.errors.ConnectionRefused);
});

Deno.test("memory dials come from the host asked for, on distinct ports", async () => {
  const net = new MemoryNetwork();
  const listener = net.listen("10.0.0.1", 4000);
  assert.throws(() => net.listen("10.0.0.1", 4000), Deno.errors.AddrInUse);
  const a = await net.dial("10.0.0.1", 4000, "127.0.0.2");
  const b = await net.dial("10.0.0.1", 4000, "127.0.0.3");
  const [sa, sb] = [(await listener.accept())!, (await listener.accept())!];
  assert.equal(formatAddress(sa.remoteAddr), formatAddress(a.localAddr));
  assert.equal(sa.remoteAddr.hostname, "127.0.0.2");
  assert.equal(sb.remoteAddr.hostname, "127.0.0.3");
  assert.notEqual(a.localAddr.port, b.localAddr.port);
  assert.equal(formatAddress(sa.localAddr), "10.0.0.1:4000");
  for (const c of [a, b, sa, sb]) c.close();
  listener.close();
});

Deno.test("formatAddress puts IPv6 hosts in brackets", () => {
  assert.equal(formatAddress({ hostname: "::1", port: 5 }), "[::1]:5");
  assert.equal(formatAddress({ hostname: "10.0.0.7", port: 51234 }), "10.0.0.7:51234");
});
