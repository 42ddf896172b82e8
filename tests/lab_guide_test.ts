/**
 * Runs every command of the lab guides (fenced blocks marked `sh lab-test` in docs/LAB.md and
 * docs/LAB.pt-BR.md) against a local server, so the guides cannot drift from the program.
 */

import assert from "node:assert/strict";
import { PERMISSION_FLAGS } from "../lib/cli/permissions.ts";
import { NullLogger } from "../lib/log/logger.ts";
import { listenUdp } from "../lib/net/udp_transport.ts";
import { ChatServer } from "../lib/server/server.ts";

const ROOT = new URL("../", import.meta.url);
const MAIN = new URL("main.ts", ROOT).pathname;
const PERMS = PERMISSION_FLAGS.join(" ");

/** Extracts the tested blocks of a Markdown file, one command per line. */
export function labCommands(markdown: string): string[] {
  const out: string[] = [];
  const block = /```sh lab-test\n([\s\S]*?)```/g;
  for (const m of markdown.matchAll(block)) {
    for (const line of m[1]!.split("\n")) if (line.trim() !== "") out.push(line.trim());
  }
  return out;
}

function hasTool(name: string): boolean {
  try {
    const r = new Deno.Command("sh", { args: ["-c", `command -v ${name}`], stdout: "null" })
      .outputSync();
    return r.success;
  } catch {
    return false;
  }
}

for (const file of ["LAB.md", "LAB.pt-BR.md"]) {
  const text = Deno.readTextFileSync(new URL(`docs/${file}`, ROOT));
  const commands = labCommands(text);
  Deno.test(`lab guide ${file} has tested commands`, () => {
    assert.ok(commands.length >= 6, `only ${commands.length} tested commands in ${file}`);
  });
  Deno.test({
    name: `lab guide ${file}: every tested command runs against a local server`,
    // Binary sessions and benchmarks take a few seconds each.
    fn: async () => {
      const server = ChatServer.listen({
        host: "127.0.0.1",
        port: 0,
        logger: new NullLogger(),
        flood: null,
        promptDelayMs: 50,
      });
      // The guides' UDP commands (`chat join HOST --udp`, `--transport udp`) reach the same port.
      server.serve(listenUdp("127.0.0.1", server.addr.port));
      const dir = await Deno.makeTempDir({ prefix: "chat-lab-" });
      try {
        const port = server.addr.port;
        const deno = Deno.execPath();
        for (const command of commands) {
          if (/(^|\| )nc /.test(command) && !hasTool("nc")) {
            console.log(`SKIP (netcat not installed): ${command}`);
            continue;
          }
          const script = command
            .replaceAll("HOSTNAME", "127.0.0.1")
            .replaceAll("HOST", `127.0.0.1:${port}`)
            .replace(/\bPORT\b/g, String(port))
            .replace(/(^|\| )chat /g, `$1"${deno}" run ${PERMS} "${MAIN}" `);
          const child = new Deno.Command("timeout", {
            args: ["90", "bash", "-c", `set -o pipefail; ${script}`],
            cwd: dir,
            stdout: "piped",
            stderr: "piped",
            env: { NO_COLOR: "1" },
          }).spawn();
          const result = await child.output();
          const out = new TextDecoder().decode(result.stdout);
          const err = new TextDecoder().decode(result.stderr);
          assert.equal(
            result.code,
            0,
            `lab command failed (${result.code}): ${command}\nstdout: ${
              out.slice(-2000)
            }\nstderr: ${err.slice(-2000)}`,
          );
          if (command.includes("--plot ")) {
            const svgName = /--plot (\S+)/.exec(command)![1]!;
            const svg = await Deno.readTextFile(`${dir}/${svgName}`);
            assert.match(svg, /<svg[\s>]/);
          }
          if (command.startsWith("chat dissector")) {
            const lua = await Deno.readTextFile(`${dir}/chat.lua`);
            assert.match(lua, /Proto\(/);
          }
        }
      } finally {
        await server.shutdown();
        await Deno.remove(dir, { recursive: true });
      }
    },
  });
}
