/**
 * The real programs: `chat serve` stopped and started again on its port (its tokens lost), and
 * two `chat join` processes (binary and text, in a pipe, nobody typing) back in their room with
 * their nicknames within 5 s of the server's return.
 */

import assert from "node:assert/strict";
import { chatArgs, ServerProcess, stopChild, StreamText } from "./support/live_session.ts";

/** A `chat join` child whose stdin stays open until {@link Join.end}. */
class Join {
  readonly stdout: StreamText;
  readonly stderr: StreamText;
  readonly #child: Deno.ChildProcess;
  readonly #stdin: WritableStreamDefaultWriter<Uint8Array>;

  constructor(port: number, nick: string, extra: readonly string[]) {
    this.#child = new Deno.Command(Deno.execPath(), {
      args: chatArgs(["join", `127.0.0.1:${port}`, "--nick", nick, ...extra]),
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    this.stdout = new StreamText(this.#child.stdout);
    this.stderr = new StreamText(this.#child.stderr);
    this.#stdin = this.#child.stdin.getWriter();
  }

  type(line: string): Promise<void> {
    return this.#stdin.write(new TextEncoder().encode(line + "\n"));
  }

  /** Closes stdin (the client leaves with QUIT) and waits for the exit. */
  async end(): Promise<Deno.CommandStatus> {
    await this.#stdin.close().catch(() => {});
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<"late">((r) => timer = setTimeout(() => r("late"), 15_000));
    const first = await Promise.race([this.#child.status, late]);
    clearTimeout(timer);
    const status = first === "late" ? await stopChild(this.#child, "SIGKILL", 1000) : first;
    await Promise.all([this.stdout.done, this.stderr.done]);
    return status;
  }
}

Deno.test({
  name: "after chat serve restarts, every chat join is back in its room within 5 s",
  async fn() {
    let server = await ServerProcess.start(["--teacher-password", "x"]);
    const port = server.port;
    const clients = [new Join(port, "ana", []), new Join(port, "bia", ["--text"])];
    try {
      for (const c of clients) {
        await c.type("/join lab");
        assert.ok(await c.stderr.waitFor(/You are in lab/, 15_000), c.stderr.text);
      }
      await server.stop();
      for (const c of clients) {
        assert.ok(await c.stderr.waitFor(/Connection lost/, 10_000), c.stderr.text);
      }
      await new Promise((r) => setTimeout(r, 1000));
      server = await ServerProcess.start(["--port", String(port), "--teacher-password", "x"]);
      const returned = performance.now();
      for (const c of clients) {
        assert.ok(await c.stderr.waitFor(/Back in lab as (ana|bia)/, 10_000), c.stderr.text);
      }
      const took = performance.now() - returned;
      assert.ok(took < 5000, `back ${took.toFixed(0)} ms after the server's return`);
      await clients[0]!.type("de volta");
      assert.ok(await clients[1]!.stdout.waitFor(/^\[ana\]: de volta$/m, 10_000));
      for (const c of clients) assert.equal((await c.end()).code, 0, c.stderr.text);
    } finally {
      for (const c of clients) await c.end().catch(() => {});
      await server.stop();
    }
  },
});
