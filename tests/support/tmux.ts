/**
 * Test helpers for `chat join` on a real terminal: a tmux server of its own (send-keys, paste,
 * capture-pane, polling with a deadline) and a plain-text chat client on a raw socket that keeps
 * what it reads. `CHAT_JOIN_MAIN` (an environment variable) names another `main.ts` to run, to
 * show that a test fails on an older client.
 */

import assert from "node:assert/strict";
import { PERMISSION_FLAGS } from "../../lib/cli/permissions.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();

/** The `main.ts` the terminal tests run. */
export const JOIN_MAIN = Deno.env.get("CHAT_JOIN_MAIN") ??
  new URL("../../main.ts", import.meta.url).pathname;

async function run(cmd: string, args: string[]): Promise<{ code: number; out: string }> {
  try {
    const r = await new Deno.Command(cmd, { args, stdout: "piped", stderr: "piped" }).output();
    return { code: r.code, out: dec.decode(r.stdout) + dec.decode(r.stderr) };
  } catch {
    return { code: -1, out: "" };
  }
}

/** True when tmux can be run here. */
export const tmuxAvailable = (await run("tmux", ["-V"])).code === 0;

/** The command line of `chat join ARGS` as the tests run it (`main`: which `main.ts`). */
export function joinCommand(args: readonly string[], main = JOIN_MAIN): string[] {
  return [Deno.execPath(), "run", "-q", ...PERMISSION_FLAGS, main, "join", ...args];
}

/** A tmux server of its own (socket name unique to this process) with one 80x24 window. */
export class Tmux {
  static #count = 0;
  readonly socket = `chat-test-${Deno.pid}-${Tmux.#count++}`;

  tmux(...args: string[]): Promise<{ code: number; out: string }> {
    return run("tmux", ["-L", this.socket, ...args]);
  }

  /** Runs `command` in a new window; `[exit N]` is printed when it ends. */
  async start(command: string[], width = 80, height = 24): Promise<void> {
    const shell = command.map((a) => `'${a.replaceAll("'", `'\\''`)}'`).join(" ");
    const r = await this.tmux(
      "-f",
      "/dev/null",
      "new-session",
      "-d",
      "-s",
      "t",
      "-x",
      String(width),
      "-y",
      String(height),
      `${shell}; echo "[exit $?]"; sleep 60`,
    );
    assert.equal(r.code, 0, r.out);
  }

  /** The visible screen, one line per row. */
  async screen(): Promise<string> {
    return (await this.tmux("capture-pane", "-p", "-t", "t")).out;
  }

  /** `tmux send-keys` (use `-l` first for literal text). */
  async keys(...keys: string[]): Promise<void> {
    await this.tmux("send-keys", "-t", "t", ...keys);
  }

  /** Pastes `text` as a terminal does (bracketed when the program asked for it). */
  async paste(text: string): Promise<void> {
    const file = await Deno.makeTempFile({ prefix: "chat-paste-" });
    try {
      await Deno.writeTextFile(file, text);
      const load = await this.tmux("load-buffer", "-b", "paste", file);
      assert.equal(load.code, 0, load.out);
      const paste = await this.tmux("paste-buffer", "-p", "-d", "-b", "paste", "-t", "t");
      assert.equal(paste.code, 0, paste.out);
    } finally {
      await Deno.remove(file);
    }
  }

  /** Polls the screen until `cond` holds; throws with the screen after `ms`. */
  async waitScreen(what: string, cond: (s: string) => boolean, ms = 15_000): Promise<string> {
    const end = performance.now() + ms;
    for (;;) {
      const s = await this.screen();
      if (cond(s)) return s;
      if (performance.now() > end) throw new Error(`timed out waiting for ${what}; screen:\n${s}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** Waits for the program to end; returns its exit status and the screen. */
  async exit(ms = 15_000): Promise<{ code: number; screen: string }> {
    const screen = await this.waitScreen("the client to exit", (s) => /\[exit \d+\]/.test(s), ms);
    return { code: Number(/\[exit (\d+)\]/.exec(screen)![1]), screen };
  }

  async kill(): Promise<void> {
    await this.tmux("kill-server");
  }
}

/** A plain-text chat client on a raw socket that keeps what it reads. */
export async function rawClient(port: number, nick: string) {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  let text = "";
  const done = (async () => {
    const buf = new Uint8Array(65536);
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

/** Polls `cond` every 20 ms; throws after `ms`. */
export async function until(what: string, cond: () => boolean, ms = 10_000): Promise<void> {
  const end = performance.now() + ms;
  while (!cond()) {
    if (performance.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
