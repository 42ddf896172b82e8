/**
 * Stopping the server with clients in every state: a connection that has said nothing yet and
 * a binary client caught mid-handshake get the 503 too, the log tells of the shutdown and of
 * each user's leaving, and `chat join` exits 0 with the server's reason.
 */

import assert from "node:assert/strict";
import { encodeFrame, encodeSyn, frame, FrameType } from "../lib/protocol/mod.ts";
import { ChatServer } from "../lib/server/server.ts";
import { framesIn, HostileSocket } from "./support/hostile.ts";
import { KeptLog } from "./support/kept_log.ts";
import { chatArgs } from "./support/live_session.ts";

const dec = new TextDecoder();

Deno.test("shutdown tells silent and mid-handshake connections 503 and logs every leave", async () => {
  const log = new KeptLog();
  const server = ChatServer.listen({
    host: "127.0.0.1",
    port: 0,
    logger: log,
    promptDelayMs: 5000, // the silent one has not even been prompted
  });
  const port = server.addr.port;
  const silent = await HostileSocket.open(port, { local: "127.0.0.2" });
  const half = await HostileSocket.open(port, { local: "127.0.0.3" });
  const syn = encodeSyn({ mode: "sr", window: 8, ackPolicy: "sack", maxPayload: 1024 });
  await half.write(encodeFrame(frame(FrameType.SYN, 0, 0, syn)));
  assert.ok(await half.waitForBytes(22), "SYN-ACK");
  const ana = await HostileSocket.open(port, { local: "127.0.0.4" });
  await ana.write("ana\n");
  assert.ok(await ana.waitFor(/Welcome/));
  await new Promise((r) => setTimeout(r, 50));
  await server.shutdown("maintenance", 1000);
  for (const s of [silent, half, ana]) assert.ok(await s.waitClosed(3000));
  assert.equal(silent.text, "503 Service Unavailable\nServer shutting down: maintenance\n");
  const rst = framesIn(half.bytes).find((f) => f.type === FrameType.RST);
  assert.equal(
    rst && dec.decode(rst.payload),
    "503 Service Unavailable: Server shutting down: maintenance",
  );
  assert.match(ana.text, /503 Service Unavailable\nServer shutting down: maintenance\n$/);
  const events = log.events.map((e) => e.event);
  assert.ok(events.includes("shutdown"), events.join(" "));
  assert.deepEqual(
    log.events.filter((e) => e.event === "leave").map((e) => [e.fields.nick, e.fields.reason]),
    [["ana", "server shutting down"]],
  );
  assert.equal(events.at(-1), "stopped");
});

Deno.test("chat join exits 0 with the server's reason when the server stops", async () => {
  const server = ChatServer.listen({ host: "127.0.0.1", port: 0, logger: new KeptLog() });
  const child = new Deno.Command(Deno.execPath(), {
    // It tries to get back for a second (a restart would take it back), then gives up.
    args: chatArgs(["join", `127.0.0.1:${server.addr.port}`, "--nick", "ana", "--reconnect", "1"]),
    stdin: "piped", // kept open: the user is still there
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let err = "";
  const reading = (async () => {
    const d = new TextDecoder();
    for await (const c of child.stderr) err += d.decode(c, { stream: true });
  })();
  const out = (async () => {
    for await (const _ of child.stdout) { /* chat lines */ }
  })();
  const end = performance.now() + 15_000;
  while (!err.includes("Welcome") && performance.now() < end) {
    await new Promise((r) => setTimeout(r, 20));
  }
  await server.shutdown("class is over", 1000);
  const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
  const status = await child.status;
  clearTimeout(timer);
  await child.stdin.close().catch(() => {});
  await Promise.all([reading, out]);
  assert.equal(status.code, 0, err);
  assert.match(err, /503 Service Unavailable: Server shutting down: class is over/);
  // It said why it stopped trying: no server came back.
  assert.match(err, /Session ended: no server for 1 s/);
});
