/**
 * `chat join` on a real terminal, driven under tmux (send-keys, capture-pane, polling with a
 * deadline): lines from the server appear above the prompt without garbling the half-typed
 * line, the typed line is sent whole, and `/quit` exits 0. Skipped where tmux is missing.
 */

import { PERMISSION_FLAGS } from "../lib/cli/permissions.ts";
import assert from "node:assert/strict";
import { NullLogger } from "../lib/log/logger.ts";
import { ChatServer } from "../lib/server/server.ts";

const PERMS = PERMISSION_FLAGS;
const MAIN = new URL("../main.ts", import.meta.url).pathname;
const enc = new TextEncoder();
const dec = new TextDecoder();

async function run(cmd: string, args: string[]): Promise<{ code: number; out: string }> {
  try {
    const r = await new Deno.Command(cmd, { args, stdout: "piped", stderr: "piped" }).output();
    return { code: r.code, out: dec.decode(r.stdout) + dec.decode(r.stderr) };
  } catch {
    return { code: -1, out: "" };
  }
}

const tmuxAvailable = (await run("tmux", ["-V"])).code === 0;
if (!tmuxAvailable) {
  console.log("join_terminal_test: tmux not found, terminal test skipped (apt-get install tmux)");
}

/** A tmux server of its own (socket name unique to this process). */
class Tmux {
  static #count = 0;
  readonly socket = `chat-test-${Deno.pid}-${Tmux.#count++}`;
  tmux(...args: string[]): Promise<{ code: number; out: string }> {
    return run("tmux", ["-L", this.socket, ...args]);
  }
  async start(command: string[]): Promise<void> {
    const shell = command.map((a) => `'${a.replaceAll("'", `'\\''`)}'`).join(" ");
    const r = await this.tmux(
      "-f",
      "/dev/null",
      "new-session",
      "-d",
      "-s",
      "t",
      "-x",
      "100",
      "-y",
      "24",
      `${shell}; echo "[exit $?]"; sleep 30`,
    );
    assert.equal(r.code, 0, r.out);
  }
  async screen(): Promise<string> {
    return (await this.tmux("capture-pane", "-p", "-t", "t")).out;
  }
  async keys(...keys: string[]): Promise<void> {
    await this.tmux("send-keys", "-t", "t", ...keys);
  }
  async waitScreen(what: string, cond: (s: string) => boolean, ms = 15_000): Promise<string> {
    const end = performance.now() + ms;
    for (;;) {
      const s = await this.screen();
      if (cond(s)) return s;
      if (performance.now() > end) throw new Error(`timed out waiting for ${what}; screen:\n${s}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  async kill(): Promise<void> {
    await this.tmux("kill-server");
  }
}

/** A plain-text client on a raw socket that collects what it reads. */
async function rawClient(port: number, nick: string) {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  let text = "";
  const done = (async () => {
    const buf = new Uint8Array(4096);
    for (;;) {
      const n = await conn.read(buf).catch(() => null);
      if (n === null) break;
      text += dec.decode(buf.subarray(0, n), { stream: true });
    }
  })();
  await conn.write(enc.encode(`${nick}\n`));
  return {
    text: () => text,
    say: (line: string) => conn.write(enc.encode(`${line}\n`)),
    async close() {
      try {
        conn.close();
      } catch { /* closed */ }
      await done;
    },
  };
}

async function until(what: string, cond: () => boolean, ms = 10_000): Promise<void> {
  const end = performance.now() + ms;
  while (!cond()) {
    if (performance.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

for (const arq of ["gbn", "sr"] as const) {
  Deno.test({
    name: `chat join (${arq}) on a terminal keeps the half-typed line while messages arrive`,
    ignore: !tmuxAvailable,
    fn: async () => {
      const server = ChatServer.listen({ host: "127.0.0.1", port: 0, logger: new NullLogger() });
      const term = new Tmux();
      const bia = await rawClient(server.addr.port, "bia");
      try {
        await until("bia registered", () => bia.text().includes("Welcome"));
        await term.start([
          Deno.execPath(),
          "run",
          ...PERMS,
          MAIN,
          "join",
          `127.0.0.1:${server.addr.port}`,
          "--nick",
          "ana",
          "--arq",
          arq,
        ]);
        await term.waitScreen(
          "welcome and prompt",
          (s) => /Welcome, ana!/.test(s) && /^>/m.test(s),
        );
        await term.keys("-l", "hello wor");
        await term.waitScreen("typed text", (s) => s.includes("> hello wor"));
        // Two lines arrive while the user is typing.
        await bia.say("MSG first from bia");
        await bia.say("MSG second from bia");
        const screen = await term.waitScreen(
          "incoming lines and the prompt redrawn below them",
          // The terminal is captured between writes too: wait for the redraw that follows.
          (s) => /\[bia\]: second from bia[\s\S]*\n> hello wor\s*$/.test(s),
        );
        const lines = screen.split("\n").map((l) => l.trimEnd()).filter((l) => l !== "");
        const first = lines.findIndex((l) => l.includes("[bia]: first from bia"));
        const second = lines.findIndex((l) => l.includes("[bia]: second from bia"));
        assert.ok(first >= 0 && second === first + 1, screen);
        assert.equal(
          lines.at(-1),
          "> hello wor",
          `the prompt and typed text are redrawn last:\n${screen}`,
        );
        for (const l of lines) {
          assert.ok(!/\[bia\].*hello|hello wor.*\[bia\]/.test(l), `garbled line: ${l}`);
        }
        // The line is finished and sent whole.
        await term.keys("-l", "ld");
        await term.keys("Enter");
        await until("bia sees ana's line", () => bia.text().includes("[ana]: hello world\n"));
        await term.keys("-l", "/quit");
        await term.keys("Enter");
        const end = await term.waitScreen("exit", (s) => /\[exit \d+\]/.test(s));
        assert.match(end, /\[exit 0\]/);
        await until("ana left", () => bia.text().includes("ana left"));
      } finally {
        await term.kill();
        await bia.close();
        await server.shutdown("test over", 1000);
      }
    },
  });
}
