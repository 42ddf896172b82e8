/**
 * The teacher's run, `chat test --servers FILE --jobs 4`, over the six broken servers of
 * tests/support/broken_servers (one failure kind each): each fails exactly the tests of its
 * mistake, the matrix is written as a terminal table, CSV and HTML, and no server stalls the run. And a
 * server that hangs, one that crashes and one that cannot start fail fast while a correct one
 * beside them passes.
 */

import assert from "node:assert/strict";
import { XMLParser } from "fast-xml-parser";
import { selectTests } from "../lib/tester/registry.ts";
import { FULL_ROOMS } from "../lib/tester/suite/full_rooms.ts";
import { runChat } from "./support/live_session.ts";

const DIR = new URL("./support/broken_servers/", import.meta.url).pathname;
const HAS_PYTHON = await new Deno.Command("python3", {
  args: ["--version"],
  stdout: "null",
  stderr: "null",
})
  .output().then((o) => o.success, () => false);

const BINARY = selectTests("binary").map((t) => t.id);
/**
 * The tests of rooms, actions, history, operators and reconnection: student_server.py (and the
 * broken servers made from it) speaks this project's commands from before rooms, so it fails
 * them (each naming the verb it does not know).
 */
const NO_ROOMS = FULL_ROOMS.map((t) => t.id);

/** What each broken server must fail, and nothing else. */
const EXPECTED: Record<string, readonly string[]> = {
  // One read taken for one command: framing breaks, and with it every test of long lines.
  "merges-lines": [
    "text/msg/long-line",
    "text/framing/two-commands-one-write",
    "full/msg/413-too-long",
    "full/framing/split-command",
    "full/framing/half-close",
    "full/leave/never-reads",
    ...NO_ROOMS,
    ...BINARY,
  ],
  // The seed 000 deadlock: the first user to leave freezes the server.
  "freezes-after-quit": [
    "text/quit/others-still-served",
    "text/leave/vanish-mid-line",
    "full/notice/join-leave",
    ...NO_ROOMS,
    ...BINARY,
  ],
  // A vanished client's cleanup drops the last one accepted instead.
  "drops-client": ["text/leave/vanish-mid-line", ...NO_ROOMS, ...BINARY],
  "never-nacks": ["binary/nack/corrupt-data"],
  "gbn-resends-one": ["binary/arq/gbn-timeout-resends-window", "binary/nack/gbn-resends-from-n"],
  "wrong-checksum": ["binary/checksum/server-frames"],
};

interface JUnitCase {
  name: string;
  failure?: { message: string };
}

/** Per server, the failed test ids and their reasons. */
function reasonsBySuite(xml: string): Map<string, Map<string, string>> {
  const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "" }).parse(xml);
  const suites = [doc.testsuites.testsuite].flat() as { name: string; testcase: JUnitCase[] }[];
  return new Map(suites.map((s) => [
    s.name,
    new Map(s.testcase.filter((c) => c.failure).map((c) => [c.name, c.failure!.message])),
  ]));
}

Deno.test({
  name:
    "six broken servers, --jobs 4: each fails exactly its tests; matrix as table, CSV and HTML in under 2 minutes",
  ignore: !HAS_PYTHON,
  async fn() {
    const out = await Deno.makeTempDir();
    try {
      const start = performance.now();
      const r = await runChat([
        "test",
        "--servers",
        `${DIR}servers.txt`,
        "--jobs",
        "4",
        "--level",
        "all",
        "--out",
        `${out}/matrix`,
        "--junit",
        `${out}/junit.xml`,
      ], { timeoutMs: 180_000 });
      const elapsed = performance.now() - start;
      assert.equal(r.code, 1, r.stderr);
      const failures = reasonsBySuite(await Deno.readTextFile(`${out}/junit.xml`));
      for (const [name, expected] of Object.entries(EXPECTED)) {
        const got = failures.get(name) ?? new Map<string, string>();
        const unexpected = [...got].filter(([id]) => !expected.includes(id));
        const missing = expected.filter((id) => !got.has(id));
        assert.deepEqual(
          { unexpected, missing },
          { unexpected: [], missing: [] },
          `${name} failed the wrong tests`,
        );
      }
      // The terminal table: a row per test, a column per server, pass counts last.
      const total = selectTests("all").length;
      for (const id of ["text/msg/long-line", "binary/checksum/server-frames"]) {
        assert.match(r.stdout, new RegExp(`^${id.replaceAll("/", "\\/")} +(ok|FAIL)`, "m"));
      }
      assert.match(
        r.stdout,
        new RegExp(`^passed +${total - EXPECTED["merges-lines"]!.length}/${total} `, "m"),
      );
      const csv = await Deno.readTextFile(`${out}/matrix.csv`);
      assert.equal(csv.trimEnd().split("\r\n").length, total + 2);
      assert.ok(
        csv.startsWith(`test,level,section,rule,required,${Object.keys(EXPECTED).join(",")}\r\n`),
      );
      const html = await Deno.readTextFile(`${out}/matrix.html`);
      for (const name of Object.keys(EXPECTED)) assert.ok(html.includes(`<h2>${name}</h2>`));
      // A bound against a stalled run, not a speed figure: the matrix's time is measured by hand
      // (docs/PERFORMANCE.md), and a busy 2-core CI machine can take longer than a quiet one.
      console.log(`the matrix took ${Math.round(elapsed / 1000)} s`);
      assert.ok(elapsed < 170_000, `the matrix took ${Math.round(elapsed / 1000)} s`);
    } finally {
      await Deno.remove(out, { recursive: true });
    }
  },
});

Deno.test({
  name:
    "a hanging, a crashing and a missing server fail fast; the student server beside them fails only the room tests",
  ignore: !HAS_PYTHON,
  async fn() {
    const out = await Deno.makeTempDir();
    try {
      await Deno.writeTextFile(
        `${out}/servers.txt`,
        [
          `student python3 ${DIR}student_server.py --port {port}`,
          `hangs python3 ${DIR}hangs.py --port {port}`,
          `crashes python3 -c "import sys; print('boom'); sys.exit(3)"`,
          `missing no-such-server-program-here --port {port}`,
        ].join("\n"),
      );
      const start = performance.now();
      const r = await runChat([
        "test",
        "--servers",
        `${out}/servers.txt`,
        "--jobs",
        "4",
        "--level",
        "full",
        "--out",
        `${out}/matrix`,
        "--junit",
        `${out}/junit.xml`,
      ], { timeoutMs: 170_000 });
      assert.equal(r.code, 1, r.stderr);
      const xml = await Deno.readTextFile(`${out}/junit.xml`);
      const failures = new Map([...reasonsBySuite(xml)].map(([n, f]) => [n, [...f.keys()]]));
      // Advisory tests are <skipped> in JUnit, not failures.
      const required = selectTests("full").filter((t) => t.required !== false).length;
      assert.deepEqual(failures.get("student"), NO_ROOMS);
      for (const name of ["hangs", "crashes", "missing"]) {
        assert.equal(failures.get(name)?.length, required, `${name} should fail every test`);
      }
      const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "" }).parse(xml);
      const reasons = (name: string) =>
        (doc.testsuites.testsuite as { name: string; testcase: JUnitCase[] }[])
          .find((s) => s.name === name)!.testcase.flatMap((c) =>
            c.failure ? [c.failure.message] : []
          );
      assert.match(reasons("hangs").at(-1)!, /^Not run: the server has answered nothing since/);
      assert.match(reasons("crashes")[0]!, /The server exited \(code 3\): "boom"/);
      assert.match(reasons("missing")[0]!, /Cannot start the server/);
      // Waiting out a hanging server test by test would take several minutes; a loaded machine
      // may take long, but not that long.
      const took = performance.now() - start;
      assert.ok(took < 150_000, `the broken servers held the run up: ${Math.round(took / 1000)} s`);
    } finally {
      await Deno.remove(out, { recursive: true });
    }
  },
});
