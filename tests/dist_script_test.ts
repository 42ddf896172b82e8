/** `deno task dist`: everything up to the runtime download is checked here. */

import assert from "node:assert/strict";
import { PERMISSION_FLAGS } from "../lib/cli/permissions.ts";
import { V8_FLAGS } from "../lib/cli/v8_flags.ts";
import { selfCommand } from "../lib/bench/child_server.ts";
import { INCLUDES, PERMISSIONS, TARGETS } from "../scripts/dist.ts";

const SCRIPT = new URL("../scripts/dist.ts", import.meta.url).pathname;

async function dist(args: string[], env: Record<string, string> = {}) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-read", "--allow-write", "--allow-env", "--allow-run", SCRIPT, ...args],
    env: { NO_COLOR: "1", ...env },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

Deno.test("dist --check-only type-checks the compile graph and lists the permissions", async () => {
  const r = await dist(["--check-only"]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /checks; includes: lib\/log\/worker\.ts/);
  for (const p of PERMISSIONS) assert.match(r.stdout, new RegExp(p.flag));
  for (const f of V8_FLAGS) assert.ok(r.stdout.includes(`V8 flags: ${f}`), r.stdout);
});

Deno.test("the chat task and bench's own server run as the binary does: same permissions and V8 flags", async () => {
  const config = JSON.parse(await Deno.readTextFile(new URL("../deno.json", import.meta.url)));
  const words = String(config.tasks.chat).split(/\s+/);
  assert.deepEqual(words, ["deno", "run", ...V8_FLAGS, ...PERMISSION_FLAGS, "main.ts"]);
  const self = selfCommand(); // the tests run under deno: `deno run <flags> main.ts`
  assert.deepEqual(self.args.slice(0, -1), ["run", ...V8_FLAGS, ...PERMISSION_FLAGS]);
  assert.match(self.args.at(-1)!, /main\.ts$/);
});

Deno.test("dist builds for five targets and includes the logging worker", () => {
  assert.equal(TARGETS.length, 5);
  assert.ok(INCLUDES.includes("lib/log/worker.ts"));
  assert.ok(!PERMISSIONS.some((p) => p.flag === "--allow-all" || p.flag === "-A"));
});

Deno.test("dist fails in one sentence when the given runtime does not exist", async () => {
  const r = await dist(["--target", "x86_64-unknown-linux-gnu"], {
    DENORT_BIN: "/nonexistent/denort",
  });
  assert.equal(r.code, 1);
  assert.match(
    r.stderr,
    /^dist: the Deno runtime given for x86_64-unknown-linux-gnu does not exist/,
  );
});

Deno.test("dist rejects an unknown target with exit 2", async () => {
  const r = await dist(["--target", "sparc-sun-solaris"]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /unknown target sparc-sun-solaris/);
});
