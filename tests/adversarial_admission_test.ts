/**
 * Hostile clients at the door, over real TCP: each bound to an address of its own (127.0.0.2,
 * 127.0.0.3, ...), as on a LAN, beside a well-behaved client. A connect+RST flood does not lock
 * others out; connections per address, connections that never register (text and binary) and
 * `--max-clients` are bounded, and a refused client is told why in its own protocol.
 */

import assert from "node:assert/strict";
import { FrameType } from "../lib/protocol/mod.ts";
import { framesIn, handshake, HostileSocket, withTcpServer } from "./support/hostile.ts";

const dec = new TextDecoder();
const ATTACKER = new URL("../scripts/soak/attacker.ts", import.meta.url).pathname;

/** How long a new client from `local` waits for its `NICK` prompt, ms (Infinity: never). */
async function promptWait(port: number, local: string): Promise<number> {
  const start = performance.now();
  let s: HostileSocket;
  try {
    s = await HostileSocket.open(port, { local, timeoutMs: 3000 });
  } catch {
    return Infinity;
  }
  const m = await s.waitFor(/NICK/, 3000);
  const ms = performance.now() - start;
  await s.close();
  return m ? ms : Infinity;
}

Deno.test("a connect+RST flood from one address does not keep new clients out", async () => {
  await withTcpServer({}, async (port) => {
    // The flood runs in a process of its own (the soak's attacker), as a student's script would,
    // at 5000 connections a second: five times the issue's. Unbounded, a quick machine makes
    // 35,000 a second, and the kernel's accept queue (511, Deno's backlog) overflows while this
    // process, the server and the test in one, is busy: the new client's SYN is then dropped and
    // resent a second later, before the server sees it (`deno task soak` runs that flood against
    // a server of its own).
    const attacker = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", ATTACKER, "churn", String(port), "2", "5000"],
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const waits: number[] = [];
    const flooding = attacker.output();
    let done = false;
    flooding.then(() => done = true);
    const end = performance.now() + 8000;
    while (!done && performance.now() < end) {
      waits.push(await promptWait(port, "127.0.0.3"));
      await new Promise((r) => setTimeout(r, 50));
    }
    const out = await flooding;
    // And right after the flood.
    for (let i = 0; i < 3; i++) waits.push(await promptWait(port, "127.0.0.3"));
    const result = JSON.parse(dec.decode(out.stdout).trim());
    assert.ok(result.connections > 100, `the flood made only ${result.connections} connections`);
    const worst = Math.max(...waits);
    assert.ok(worst < 1000, `a new client waited ${worst.toFixed(0)} ms for its prompt`);
  });
});

Deno.test("past the connections of one address a client is told 503 in its own protocol", async () => {
  await withTcpServer({ limits: { perAddress: 3 } }, async (port) => {
    const held = await Promise.all(
      [0, 1, 2].map(() => HostileSocket.open(port, { local: "127.0.0.2" })),
    );
    const text = await HostileSocket.open(port, { local: "127.0.0.2" });
    await text.write("ana\n");
    assert.ok(await text.waitClosed(3000), "the refused text client is closed");
    assert.equal(
      text.text,
      "503 Service Unavailable\nToo many connections from 127.0.0.2 (3)\n",
    );
    const binary = await HostileSocket.open(port, { local: "127.0.0.2" });
    await handshake(binary, {}, 1000);
    assert.ok(await binary.waitClosed(3000));
    const rst = framesIn(binary.bytes).find((f) => f.type === FrameType.RST);
    assert.ok(rst, `no RST in ${JSON.stringify(binary.text)}`);
    assert.equal(
      dec.decode(rst.payload),
      "503 Service Unavailable: Too many connections from 127.0.0.2 (3)",
    );
    // Another address is served as ever.
    const other = await HostileSocket.open(port, { local: "127.0.0.3" });
    await other.write("bia\n");
    assert.ok(await other.waitFor(/Welcome, bia!/));
    await Promise.all([...held, other].map((s) => s.close()));
  });
});

Deno.test("connections that never register are closed at the deadline, binary ones too", async () => {
  await withTcpServer({ registerTimeoutMs: 300 }, async (port) => {
    const silent = await HostileSocket.open(port, { local: "127.0.0.2" });
    const binary = await HostileSocket.open(port, { local: "127.0.0.2" });
    assert.notEqual(await handshake(binary), undefined, "the handshake completes");
    assert.ok(await silent.waitClosed(3000), "a silent connection is closed");
    assert.ok(await binary.waitClosed(3000), "a binary session that sends no nickname is closed");
  });
});

Deno.test("connections that never register count against --max-clients and its own bound", async () => {
  await withTcpServer({ maxClients: 4, limits: { unregisteredPerAddress: 2 } }, async (port) => {
    const a = await HostileSocket.open(port, { local: "127.0.0.2" });
    const b = await HostileSocket.open(port, { local: "127.0.0.2" });
    const c = await HostileSocket.open(port, { local: "127.0.0.2" });
    assert.ok(await c.waitClosed(3000));
    assert.match(
      c.text,
      /^503 Service Unavailable\nToo many connections from 127\.0\.0\.2 waiting/,
    );
    const d = await HostileSocket.open(port, { local: "127.0.0.3" });
    const e = await HostileSocket.open(port, { local: "127.0.0.4" });
    const f = await HostileSocket.open(port, { local: "127.0.0.5" });
    assert.ok(await f.waitClosed(3000));
    assert.equal(f.text, "503 Service Unavailable\nServer full (4 connections)\n");
    // Registering frees a place among the unregistered of 127.0.0.2 (and a closed connection
    // one of the four).
    await a.write("ana\n");
    assert.ok(await a.waitFor(/Welcome/));
    await e.close();
    await new Promise((r) => setTimeout(r, 50));
    const g = await HostileSocket.open(port, { local: "127.0.0.2" });
    assert.ok(await g.waitFor(/NICK/, 2000), `refused: ${g.text}`);
    await Promise.all([a, b, d, g].map((s) => s.close()));
  });
});

Deno.test("a burst of new connections from one address passes, a flood gets 429", async () => {
  await withTcpServer({ limits: { connectRate: { burst: 5, perSeconds: 10 } } }, async (port) => {
    const socks = [];
    for (let i = 0; i < 5; i++) socks.push(await HostileSocket.open(port, { local: "127.0.0.2" }));
    const sixth = await HostileSocket.open(port, { local: "127.0.0.2" });
    assert.ok(await sixth.waitClosed(3000));
    assert.equal(
      sixth.text,
      "429 Too Many Requests\nToo many new connections from 127.0.0.2 (5 per 10 s)\n",
    );
    await Promise.all(socks.map((s) => s.close()));
  });
});
