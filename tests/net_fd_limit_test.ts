/** The open-file limit: reading it through a shell and the advice given when it is too low. */
import assert from "node:assert/strict";
import { fdLimitWarning, parseUlimit, readFdLimits } from "../lib/net/fd_limit.ts";

Deno.test("parseUlimit reads soft and hard open-file limits, unlimited included", () => {
  assert.deepEqual(parseUlimit("1024\n524288\n"), { soft: 1024, hard: 524288 });
  assert.deepEqual(parseUlimit("unlimited\nunlimited\n"), { soft: Infinity, hard: Infinity });
  assert.equal(parseUlimit(""), undefined);
  assert.equal(parseUlimit("sh: ulimit: bad option"), undefined);
});

Deno.test("fdLimitWarning is silent when clients fit and says what to do when not", () => {
  assert.equal(fdLimitWarning({ soft: 20000, hard: 20000 }, 10000), undefined);
  const soft = fdLimitWarning({ soft: 1024, hard: 524288 }, 10000)!;
  assert.match(soft, /limited to 1024 \(hard 524288\): about 960 clients fit/);
  assert.match(soft, /ulimit -n 10064/);
  const hard = fdLimitWarning({ soft: 4096, hard: 4096 }, 10000)!;
  assert.match(hard, /hard limit is 4096: an administrator must raise it/);
});

Deno.test({
  name: "readFdLimits reports this process's limits (Linux, macOS)",
  ignore: Deno.build.os === "windows",
  fn: async () => {
    const limits = await readFdLimits();
    assert.ok(limits && limits.soft > 0 && limits.hard >= limits.soft, JSON.stringify(limits));
    const shell = await new Deno.Command("/bin/sh", { args: ["-c", "ulimit -n"] }).output();
    const n = new TextDecoder().decode(shell.stdout).trim();
    assert.equal(String(limits.soft === Infinity ? "unlimited" : limits.soft), n);
  },
});
