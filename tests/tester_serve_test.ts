/**
 * `chat test` against `chat serve` (a child process, default settings: flood limit on): every
 * test passes at every level and the exit status is 0; the JUnit file parses; `--json` carries
 * the same verdicts.
 */

import assert from "node:assert/strict";
import { XMLParser, XMLValidator } from "fast-xml-parser";
import { selectTests, SUITE } from "../lib/tester/registry.ts";
import { runChat, ServerProcess } from "./support/live_session.ts";

Deno.test("chat test 127.0.0.1:PORT --level all passes every test against chat serve, exit 0", async () => {
  const server = await ServerProcess.start();
  const dir = await Deno.makeTempDir();
  try {
    const junit = `${dir}/junit.xml`;
    const r = await runChat(
      ["test", `127.0.0.1:${server.port}`, "--level", "all", "--junit", junit, "-v"],
      { timeoutMs: 150_000 },
    );
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
    assert.equal(r.stdout.match(/^PASS /gm)?.length, SUITE.length);
    assert.match(r.stdout, new RegExp(`: ${SUITE.length} passed, 0 failed in `));
    const xml = await Deno.readTextFile(junit);
    assert.equal(XMLValidator.validate(xml), true);
    const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "" }).parse(xml);
    assert.equal(doc.testsuites.tests, String(SUITE.length));
    assert.equal(doc.testsuites.failures, "0");
  } finally {
    await server.stop();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("chat test --level text --json: the seed 000 tests alone, all passed", async () => {
  const server = await ServerProcess.start();
  try {
    const r = await runChat(["test", `127.0.0.1:${server.port}`, "--level", "text", "--json"], {
      timeoutMs: 60_000,
    });
    assert.equal(r.code, 0, r.stderr);
    const json = JSON.parse(r.stdout) as {
      servers: {
        level: string;
        summary: { passed: number; failed: number };
        results: { id: string }[];
      }[];
    };
    const [only] = json.servers;
    assert.equal(only!.level, "text");
    assert.deepEqual(only!.results.map((t) => t.id), selectTests("text").map((t) => t.id));
    assert.deepEqual(only!.summary, {
      passed: selectTests("text").length,
      failed: 0,
      warned: 0,
      skipped: 0,
    });
  } finally {
    await server.stop();
  }
});
