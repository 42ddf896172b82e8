/** `chat test` on the command line: help, --list, and every usage error as one line, exit 2. */

import assert from "node:assert/strict";
import { selectTests } from "../lib/tester/registry.ts";
import { runChat } from "./support/live_session.ts";

Deno.test("chat test -h prints the help on stdout and exits 0", async () => {
  const r = await runChat(["test", "-h"]);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /^chat test: grade a chat server against docs\/PROTOCOL.md/);
  for (const flag of ["--level", "--only", "--list", "--json", "--junit", "--servers", "--jobs"]) {
    assert.ok(r.stdout.includes(flag), flag);
  }
});

Deno.test("chat test --list prints the selected tests with their rules and exits 0", async () => {
  const r = await runChat(["test", "--list", "--level", "binary", "--only", "*nack*"]);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trimEnd().split("\n");
  const ids = selectTests("binary", ["*nack*"]).map((t) => t.id);
  assert.deepEqual(lines.map((l) => l.split(/\s+/)[0]), ids);
  assert.ok(lines.every((l) => / [A-Z].*\.$/.test(l)));
});

Deno.test("chat test usage errors: one line naming the mistake, a pointer to -h, exit 2", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/bad.txt`, "g01 python3 s.py\ng01 python3 t.py\n");
    const cases: [string[], RegExp][] = [
      [[], /Missing HOST\[:PORT\] \(or --servers FILE\)/],
      [
        ["127.0.0.1", "--level", "everything"],
        /--level must be one of text, full, binary, all: everything/,
      ],
      [["127.0.0.1", "--only", "nothing/*"], /No test of level full matches --only: nothing\/\*/],
      [["127.0.0.1:99999"], /Port must be an integer from 1 to 65535: 99999/],
      [["127.0.0.1", "--jobs", "2"], /--jobs needs --servers FILE/],
      [
        ["127.0.0.1", "--servers", `${dir}/bad.txt`],
        /Give either HOST\[:PORT\] or --servers FILE, not both/,
      ],
      [["--servers", `${dir}/none.txt`], /Cannot read the servers file/],
      [["--servers", `${dir}/bad.txt`], /Line 2 of .*bad\.txt: the name g01 is used twice/],
      [["127.0.0.1", "--timeout", "5"], /--timeout must be an integer from 100 to 60000: 5/],
      [["127.0.0.1", "--frobnicate"], /Unknown flag/],
    ];
    for (const [args, message] of cases) {
      const r = await runChat(["test", ...args]);
      assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
      assert.equal(r.stdout, "");
      const lines = r.stderr.trimEnd().split("\n");
      assert.equal(lines.length, 1, r.stderr);
      assert.match(lines[0]!, /^chat test: .* \(see chat test -h\)$/);
      assert.match(lines[0]!, message);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("chat test against a port nobody listens on fails every test quickly, exit 1", async () => {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  const r = await runChat(["test", `127.0.0.1:${port}`, "--level", "text"], { timeoutMs: 30_000 });
  assert.equal(r.code, 1);
  assert.match(
    r.stdout,
    /^FAIL {2}text\/register\/nick-prompt +Cannot connect to 127\.0\.0\.1:\d+/m,
  );
  assert.match(r.stdout, /Not run: the server could not be reached in 2 tests in a row/);
  assert.match(r.stdout, /^The run was cut short: the server could not be reached/m);
});
