/**
 * Logging a hostile client cannot use against the server: what it makes the server log is at
 * most twice what it sends (repeats folded into counts), and a stdout nobody reads holds a
 * bounded queue, its drops counted.
 */

import assert from "node:assert/strict";
import { formatLogLine } from "../lib/log/event.ts";
import type { Logger } from "../lib/log/logger.ts";
import type { LogLevel } from "../lib/log/event.ts";
import { ChatServer } from "../lib/server/server.ts";
import { encodeFrame, frame, FrameType } from "../lib/protocol/mod.ts";
import { dataFrame, handshake, HostileSocket } from "./support/hostile.ts";
import { KeptLog } from "./support/kept_log.ts";

/** Counts the bytes of the human lines the server would print. */
class ByteCounter implements Logger {
  bytes = 0;
  lines = 0;
  log(event: string, fields: Record<string, unknown> = {}, level: LogLevel = "info"): void {
    this.lines++;
    this.bytes += formatLogLine({ ...fields, time: new Date().toISOString(), level, event })
      .length + 1;
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

Deno.test("what a hostile client makes the server log is at most twice what it sends", async () => {
  const log = new ByteCounter();
  const server = ChatServer.listen({ host: "127.0.0.1", port: 0, logger: log, promptDelayMs: 50 });
  const port = server.addr.port;
  try {
    let sent = 0;
    const u = await HostileSocket.open(port, { local: "127.0.0.2", keep: false });
    await u.write("logger1\n");
    // Unknown verbs, over the command budget, then messages over the flood limit.
    await u.write("X\n".repeat(20_000));
    await u.write("MSG a\n".repeat(5_000));
    sent += u.sent;
    // Connections with bad nicknames, from two addresses.
    for (let i = 0; i < 200; i++) {
      const s = await HostileSocket.open(port, { local: `127.0.0.${3 + (i % 2)}` });
      await s.write("!!\n");
      await s.waitClosed(1000);
      sent += s.sent;
      await s.close();
    }
    await u.close();
    await new Promise((r) => setTimeout(r, 1200)); // the folded counts come out
    assert.ok(log.bytes <= 2 * sent, `${log.bytes} bytes of log for ${sent} bytes sent`);
  } finally {
    await server.shutdown("test over", 500);
  }
});

Deno.test("a binary session's end is logged once: its leave, or session-closed when it never registered", async () => {
  const log = new KeptLog();
  const server = ChatServer.listen({ host: "127.0.0.1", port: 0, logger: log, promptDelayMs: 50 });
  const rst = encodeFrame(frame(FrameType.RST, 2, 0, new TextEncoder().encode("bye".repeat(20))));
  try {
    const member = await HostileSocket.open(server.addr.port, { local: "127.0.0.2" });
    assert.notEqual(await handshake(member), undefined);
    await member.write(dataFrame(1, "rsty"));
    await new Promise((r) => setTimeout(r, 100));
    await member.write(rst);
    const stranger = await HostileSocket.open(server.addr.port, { local: "127.0.0.3" });
    assert.notEqual(await handshake(stranger), undefined);
    await stranger.write(rst);
    await Promise.all([member.waitClosed(2000), stranger.waitClosed(2000)]);
    await Promise.all([member.close(), stranger.close()]);
    await new Promise((r) => setTimeout(r, 100));
    const ends = log.events.filter((e) => e.event === "leave" || e.event === "session-closed");
    assert.deepEqual(ends.map((e) => [e.event, e.fields.id]), [
      ["leave", 1],
      ["session-closed", 2],
    ]);
    assert.match(String(ends[0]!.fields.reason), /^reset by peer: (bye)+/);
  } finally {
    await server.shutdown("test over", 500);
  }
});

Deno.test("with stdout blocked the log queue stays bounded and its drops are counted", async () => {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      new URL("./support/log_flood_child.ts", import.meta.url).pathname,
      "1500",
    ],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  // Nobody reads its stdout until it has reported (on stderr); then it is drained.
  let text = "";
  const errDone = (async () => {
    const dec = new TextDecoder();
    for await (const chunk of child.stderr) text += dec.decode(chunk, { stream: true });
  })();
  const end = performance.now() + 20_000;
  while (!text.includes("}") && performance.now() < end) {
    await new Promise((r) => setTimeout(r, 50));
  }
  const drain = (async () => {
    for await (const _ of child.stdout) { /* discard */ }
  })();
  const status = await child.status;
  await Promise.all([drain, errDone]);
  assert.equal(status.code, 0, text);
  const r = JSON.parse(text.trim().split("\n").at(-1)!);
  assert.ok(r.maxQueued <= 4096, `${r.maxQueued} events waited`);
  assert.ok(r.dropped > 0, `nothing dropped of ${r.logged}`);
});
