/**
 * `chat serve`'s web side on its command line: it prints the page's address and the teacher's
 * beside the others (never a password it was given), both are served; a bad `--web-origin` is a
 * usage error (exit 2) in one sentence.
 */

import assert from "node:assert/strict";
import { runChat, ServerProcess } from "./support/live_session.ts";

Deno.test("chat serve prints the web page's and the teacher's addresses, and serves them", async () => {
  const server = await ServerProcess.start(["--teacher-password", "abcdefgh12"]);
  try {
    const web = await server.stdout.waitFor(/web page \(browsers, phones\): (http:\S+)/, 5000);
    const teacher = await server.stdout.waitFor(/teacher's page .*: (http:\S+)/, 5000);
    assert.ok(web && teacher, server.stdout.text);
    assert.equal(web[1], `http://127.0.0.1:${server.port}/`);
    assert.equal(teacher[1], `http://127.0.0.1:${server.port}/teacher`);
    assert.doesNotMatch(server.stdout.text, /abcdefgh12/, "a password given is not printed");
    for (const url of [web[1]!, teacher[1]!]) {
      const r = await fetch(url);
      assert.equal(r.status, 200, url);
      await r.body?.cancel();
    }
  } finally {
    await server.stop();
  }
});

Deno.test("chat serve refuses a bad --web-origin with exit 2", async () => {
  const origin = await runChat(["serve", "--port", "0", "--web-origin", "evil.example"]);
  assert.equal(origin.code, 2);
  assert.match(
    origin.stderr,
    /--web-origin takes origins like http:\/\/10\.0\.0\.5:8080: evil\.example/,
  );
});
