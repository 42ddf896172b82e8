/** The real CLI, spawned with the permissions of the `chat` task: help, version, usage errors. */

import { PERMISSION_FLAGS } from "../lib/cli/permissions.ts";
import assert from "node:assert/strict";
import { ServerProcess, stopChild, StreamText } from "./support/live_session.ts";
import { commands } from "../cmd/mod.ts";

const MAIN = new URL("../main.ts", import.meta.url).pathname;
const PERMS = PERMISSION_FLAGS;

async function chat(...args: string[]) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", ...PERMS, MAIN, ...args],
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1", LC_ALL: "C.UTF-8" },
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

Deno.test("chat --version prints the version from deno.json", async () => {
  const config = JSON.parse(await Deno.readTextFile(new URL("../deno.json", import.meta.url)));
  const r = await chat("--version");
  assert.equal(r.code, 0);
  assert.equal(r.stdout.trim(), `chat ${config.version}`);
});

Deno.test("chat --help lists every subcommand on stdout and exits 0", async () => {
  const r = await chat("--help");
  assert.equal(r.code, 0);
  for (const name of ["serve", "dissector", "docs", "help"]) {
    assert.match(r.stdout, new RegExp(`\\n  ${name} `));
  }
});

Deno.test("chat with an unknown subcommand prints one line plus usage on stderr, exit 2", async () => {
  const r = await chat("frobnicate");
  assert.equal(r.code, 2);
  assert.equal(r.stdout, "");
  assert.match(r.stderr, /^chat: unknown command: frobnicate\n/);
  assert.match(r.stderr, /Usage: chat <command>/);
});

Deno.test("chat with no subcommand is a usage error", async () => {
  const r = await chat();
  assert.equal(r.code, 2);
  assert.match(r.stderr, /missing command/);
});

Deno.test("every subcommand prints its help on -h with exit 0", async () => {
  for (const name of ["serve", "dissector", "docs"]) {
    const r = await chat(name, "-h");
    assert.equal(r.code, 0, name);
    assert.match(r.stdout, new RegExp(`Usage: chat ${name}`));
  }
});

Deno.test("a bad flag is one clear line and a pointer to -h on stderr, exit 2", async () => {
  const r = await chat("serve", "--bogus");
  assert.equal(r.code, 2);
  assert.equal(r.stderr, "chat serve: Unknown flag: --bogus (see chat serve -h)\n");
  const port = await chat("serve", "--port", "70000");
  assert.equal(port.code, 2);
  assert.equal(
    port.stderr,
    "chat serve: --port must be an integer from 0 to 65535: 70000 (see chat serve -h)\n",
  );
});

Deno.test("every subcommand's usage errors are one line in the program's words, a pointer to -h, exit 2", async () => {
  // Per subcommand: an unknown flag, a value flag left without its value, a value that starts
  // with a dash (which parseArgs calls "ambiguous"), and a stray argument.
  const cases: [string[], string][] = [];
  for (const name of commands.map((c) => c.name)) {
    cases.push([[name, "--frobnicate"], "Unknown flag: --frobnicate"]);
    cases.push([[name, "-Z"], "Unknown flag: -Z"]);
  }
  cases.push(
    [["serve", "--port", "-1"], "Missing value for --port: -1 looks like a flag"],
    [["serve", "--port"], "Missing value for --port"],
    [["join", "-n"], "Missing value for --nick"],
    [["join", "127.0.0.1", "--nick", "-x"], "Missing value for --nick: -x looks like a flag"],
    [["bench", "-c", "-5"], "Missing value for --clients: -5 looks like a flag"],
    [["bench", "--json=yes"], "--json takes no value: --json=yes"],
    [["bench", "a", "b"], "Unexpected argument: b"],
    [["dissector", "--port"], "Missing value for --port"],
    [["dissector", "extra"], "Unexpected argument: extra"],
    [["test", "--only"], "Missing value for --only"],
    [["docs", "nosuch"], "Unknown topic: nosuch"],
    [["docs"], "Missing topic"],
  );
  const names = new Set(cases.map(([args]) => args[0]));
  assert.deepEqual([...names].sort(), commands.map((c) => c.name).sort(), "every subcommand");
  for (const [args, want] of cases) {
    const r = await chat(...args);
    const shown = `chat ${args.join(" ")}: ${JSON.stringify(r.stderr)}`;
    assert.equal(r.code, 2, shown);
    assert.equal(r.stdout, "", shown);
    const lines = r.stderr.split("\n");
    assert.equal(lines.length, 2, `one line: ${shown}`);
    assert.ok(lines[0]!.startsWith(`chat ${args[0]}: ${want}`), shown);
    assert.ok(lines[0]!.endsWith(`(see chat ${args[0]} -h)`), shown);
    // parseArgs' own wording never shows: no "Option '...'", no "ambiguous", no odd quote.
    assert.ok(!/Option '|ambiguous|argument missing|'-- "/.test(r.stderr), shown);
  }
});

Deno.test("chat serve reports a port in use in one sentence, exit 1", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  try {
    const r = await chat(
      "serve",
      "--host",
      "127.0.0.1",
      "--port",
      String(listener.addr.port),
      "-q",
    );
    assert.equal(r.code, 1);
    assert.match(r.stderr, /port \d+ is already in use/);
  } finally {
    listener.close();
  }
});

Deno.test("chat docs prints each embedded document; unknown topic exits 2", async () => {
  const r = await chat("docs", "protocol");
  assert.equal(r.code, 0);
  assert.match(r.stdout, /^# The `chat` protocols/);
  const bad = await chat("docs", "nope");
  assert.equal(bad.code, 2);
});

Deno.test("chat dissector prints Lua that registers the chat protocol", async () => {
  const r = await chat("dissector");
  assert.equal(r.code, 0);
  assert.match(r.stdout, /Proto\("chat"/);
});

for (const signal of ["SIGTERM", "SIGINT"] as const) {
  Deno.test({
    name: `chat serve on ${signal}: every client is told 503, sessions close, exit 0`,
    ignore: Deno.build.os === "windows",
    fn: async () => {
      const server = await ServerProcess.start();
      const conn = await Deno.connect({ hostname: "127.0.0.1", port: server.port });
      const enc = new TextEncoder();
      await conn.write(enc.encode("ana\n"));
      const text = new StreamText(conn.readable);
      try {
        assert.ok(await text.waitFor(/Welcome, ana!/, 10_000), text.text);
        const status = await stopChild(server.child, signal, 10_000);
        await Promise.all([server.stdout.done, server.stderr.done]);
        assert.equal(status.code, 0, server.stderr.text);
        await text.done; // the server closed the connection
        assert.match(text.text, /503 Service Unavailable\nServer shutting down: /);
        assert.equal(server.stderr.text, "");
      } finally {
        try {
          conn.close();
        } catch { /* closed with the stream */ }
        await server.stop();
      }
    },
  });
}

Deno.test("chat serve with an unwritable --pcap or --log path exits 1 at once, no hang", async () => {
  for (const flag of ["--pcap", "--log"]) {
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", ...PERMS, MAIN, "serve", "--port", "0", flag, "/missing/dir/x"],
      stdout: "piped",
      stderr: "piped",
      env: { NO_COLOR: "1", LC_ALL: "C.UTF-8" },
      signal: AbortSignal.timeout(20_000), // a hang is killed, and fails below
    }).output();
    const stderr = new TextDecoder().decode(out.stderr);
    assert.equal(out.code, 1, `${flag}: ${stderr}`);
    assert.match(
      stderr,
      /^chat serve: [Cc]annot (write the capture|open log) file \/missing\/dir\/x/,
    );
  }
});
