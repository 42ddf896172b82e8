/**
 * `chat serve`'s web flags: it prints the page's address and the teacher's (with its token) beside
 * the others, and the page it names is served; a bad `--teacher-token` or `--web-origin` is a
 * usage error (exit 2) in one sentence.
 */

import assert from "node:assert/strict";
import { runChat, ServerProcess } from "./support/live_session.ts";

Deno.test("chat serve prints the web page's and the teacher's addresses, and serves them", async () => {
  const server = await ServerProcess.start(["--teacher-token", "abcdefgh12"]);
  try {
    const web = await server.stdout.waitFor(/web page \(browsers, phones\): (http:\S+)/, 5000);
    const teacher = await server.stdout.waitFor(/teacher's page .*: (http:\S+)/, 5000);
    assert.ok(web && teacher, server.stdout.text);
    assert.equal(web[1], `http://127.0.0.1:${server.port}/`);
    assert.equal(teacher[1], `http://127.0.0.1:${server.port}/teacher?token=abcdefgh12`);
    for (const url of [web[1]!, teacher[1]!]) {
      const r = await fetch(url);
      assert.equal(r.status, 200, url);
      await r.body?.cancel();
    }
  } finally {
    await server.stop();
  }
});

Deno.test("chat serve without --teacher-token makes a random one", async () => {
  const server = await ServerProcess.start();
  try {
    const m = await server.stdout.waitFor(/teacher\?token=([a-z0-9]{16})\b/, 5000);
    assert.ok(m, server.stdout.text);
  } finally {
    await server.stop();
  }
});

Deno.test("chat serve refuses a bad --teacher-token or --web-origin with exit 2", async () => {
  const short = await runChat(["serve", "--port", "0", "--teacher-token", "short"]);
  assert.equal(short.code, 2);
  assert.match(short.stderr, /--teacher-token must be 8 to 64 letters, digits, _ or -: short/);
  const origin = await runChat(["serve", "--port", "0", "--web-origin", "evil.example"]);
  assert.equal(origin.code, 2);
  assert.match(
    origin.stderr,
    /--web-origin takes origins like http:\/\/10\.0\.0\.5:8080: evil\.example/,
  );
});
