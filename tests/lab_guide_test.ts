/**
 * Runs every command of the lab guides (docs/LAB.md, docs/LAB.pt-BR.md) against a server started
 * exactly as the guide starts it, so the guides cannot drift from the program. A fenced block
 * marked `sh lab-serve` is how the guide starts its server (`chat serve`, `chat serve --pcap
 * lab.pcapng`): the test runs that very command, as a child process, only bound to 127.0.0.1
 * and a free port; the commands of the blocks marked `sh lab-test` that follow run against it,
 * until the next `lab-serve`. Nothing is turned off for the test: the server's flood limit and
 * every other default are those a class gets.
 */

import assert from "node:assert/strict";
import { PERMISSION_FLAGS } from "../lib/cli/permissions.ts";
import { chatArgs, stopChild, StreamText } from "./support/live_session.ts";

const ROOT = new URL("../", import.meta.url);
const MAIN = new URL("main.ts", ROOT).pathname;
const PERMS = PERMISSION_FLAGS.join(" ");

/** One step of a guide: start its server, or run a command against it. */
export type LabStep =
  | { readonly kind: "serve"; readonly command: string }
  | { readonly kind: "test"; readonly command: string };

/**
 * The steps of a Markdown guide, in order: one per line of its `sh lab-serve` and `sh lab-test`
 * blocks; a line ending in a backslash goes on on the next one (as in a shell).
 */
export function labSteps(markdown: string): LabStep[] {
  const out: LabStep[] = [];
  const block = /```sh (lab-test|lab-serve)\n([\s\S]*?)```/g;
  for (const m of markdown.matchAll(block)) {
    const kind = m[1] === "lab-serve" ? "serve" : "test";
    const joined = m[2]!.replace(/\\\n\s*/g, "");
    for (const line of joined.split("\n")) {
      if (line.trim() !== "") out.push({ kind, command: line.trim() });
    }
  }
  return out;
}

/** The commands of the `lab-test` blocks. */
export function labCommands(markdown: string): string[] {
  return labSteps(markdown).flatMap((s) => s.kind === "test" ? [s.command] : []);
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

/** A `chat serve` of the guide, running in `dir`, with a netcat-like user in its lobby. */
interface GuideServer {
  readonly command: string;
  readonly port: number;
  readonly pcap: string | undefined;
  /** Everything the user in the lobby has read so far. */
  readonly witness: StreamText;
  stop(): Promise<void>;
}

/** Starts the guide's server command `command` (`chat serve ...`) on 127.0.0.1, a free port. */
async function startGuideServer(command: string, dir: string): Promise<GuideServer> {
  const words = command.split(/\s+/);
  assert.equal(words[0], "chat", `a lab-serve line is a chat command: ${command}`);
  assert.equal(words[1], "serve", `a lab-serve line starts the server: ${command}`);
  assert.ok(!command.includes("--flood"), "the guide's server keeps the default flood limit");
  // Only where it listens differs from the guide: a test may not take port 55555 or the LAN.
  const child = new Deno.Command(Deno.execPath(), {
    args: chatArgs([...words.slice(1), "--host", "127.0.0.1", "--port", "0"]),
    cwd: dir,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).spawn();
  const stdout = new StreamText(child.stdout);
  const stderr = new StreamText(child.stderr);
  const lobby: { conn?: Deno.TcpConn; witness?: StreamText } = {};
  const stop = async () => {
    try {
      lobby.conn?.close();
    } catch { /* closed */ }
    await lobby.witness?.done;
    await stopChild(child, "SIGTERM", 5000);
    await Promise.all([stdout.done, stderr.done]);
  };
  const m = await stdout.waitFor(/listening on 127\.0\.0\.1:(\d+)/, 20_000);
  if (!m) {
    await stop();
    assert.fail(`${command} did not start: ${stdout.text} ${stderr.text}`);
  }
  const port = Number(m[1]);
  // A user in the lobby for the whole guide, as a student with netcat would be.
  const conn = lobby.conn = await Deno.connect({ hostname: "127.0.0.1", port });
  const witness = lobby.witness = new StreamText(conn.readable);
  await conn.write(new TextEncoder().encode("witness\n"));
  if (!await witness.waitFor(/Welcome, witness!/, 10_000)) {
    await stop();
    assert.fail(`the lobby user was not let in: ${witness.text}`);
  }
  const pcap = /--pcap (\S+)/.exec(command)?.[1];
  return { command, port, pcap, witness, stop };
}

for (const file of ["LAB.md", "LAB.pt-BR.md"]) {
  const text = Deno.readTextFileSync(new URL(`docs/${file}`, ROOT));
  const steps = labSteps(text);
  Deno.test(`lab guide ${file} has tested commands and starts its server first`, () => {
    const commands = steps.filter((s) => s.kind === "test").length;
    assert.ok(commands >= 6, `only ${commands} tested commands in ${file}`);
    assert.equal(steps[0]?.kind, "serve", `${file} starts its server before any tested command`);
  });
  Deno.test({
    name: `lab guide ${file}: every tested command runs against the server the guide starts`,
    fn: async () => {
      const dir = await Deno.makeTempDir({ prefix: "chat-lab-" });
      let server: GuideServer | undefined;
      /** Stops the server; a capture it wrote must be a pcapng file. */
      const stopServer = async () => {
        const s = server;
        server = undefined;
        if (!s) return;
        await s.stop();
        if (s.pcap !== undefined) {
          const bytes = await Deno.readFile(`${dir}/${s.pcap}`);
          assert.deepEqual([...bytes.subarray(0, 4)], [0x0a, 0x0d, 0x0d, 0x0a], `${s.pcap}`);
          assert.ok(bytes.length > 1000, `${s.pcap} holds the sessions (${bytes.length} bytes)`);
          // The bytes the connections carried are in it: question A's answer can be found.
          const text = new TextDecoder("latin1").decode(bytes);
          assert.ok(text.includes("200 OK - Connected"), `${s.pcap} holds the registrations`);
        }
      };
      try {
        const deno = Deno.execPath();
        for (const step of steps) {
          if (step.kind === "serve") {
            await stopServer();
            server = await startGuideServer(step.command, dir);
            continue;
          }
          const command = step.command;
          if (/(^|\| )nc /.test(command) && !hasTool("nc")) {
            console.log(`SKIP (netcat not installed): ${command}`);
            continue;
          }
          assert.ok(server, `no server started before: ${command}`);
          const port = server.port;
          const script = command
            .replaceAll("HOSTNAME", "127.0.0.1")
            .replaceAll("HOST", `127.0.0.1:${port}`)
            .replace(/\bPORT\b/g, String(port))
            .replace(/(^|\| )chat /g, `$1"${deno}" run -q ${PERMS} "${MAIN}" `);
          const child = new Deno.Command("timeout", {
            args: ["120", "bash", "-c", `set -o pipefail; ${script}`],
            cwd: dir,
            stdout: "piped",
            stderr: "piped",
            env: { NO_COLOR: "1" },
          }).spawn();
          const result = await child.output();
          const out = new TextDecoder().decode(result.stdout);
          const err = new TextDecoder().decode(result.stderr);
          const shown = `${command}\nstdout: ${out.slice(-3000)}\nstderr: ${err.slice(-2000)}`;
          assert.equal(result.code, 0, `lab command failed (${result.code}): ${shown}`);
          if (/^chat bench HOST/.test(command)) {
            // Against the guide's server (flood limit on) the bench paces itself, loses nothing.
            assert.match(out, /paced to the server's flood limit of 10 messages per 5 s/, shown);
            assert.match(out, /\nlost +0( +0)*\n/, shown);
            assert.match(out, /\nrefused by server +0( +0)*\n/, shown);
            assert.match(err, /chat bench: run 1 of \d+: /, "progress lines without a terminal");
          }
          const seen = server.witness.text;
          // `chat join` sends MSG itself: a piped line starting with MSG shows as `[x]: MSG ...`.
          assert.ok(!/\]: MSG /.test(seen), `the lobby saw a doubled MSG: ${command}\n${seen}`);
          // The bench works in rooms of its own: the lobby sees none of its lines.
          assert.ok(!/^\[b[0-9a-z]+\]: /m.test(seen), `the lobby saw the bench: ${seen}`);
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
        await stopServer();
        await Deno.remove(dir, { recursive: true });
      }
    },
  });
}
