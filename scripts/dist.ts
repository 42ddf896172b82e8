/**
 * `deno task dist`: one `chat` binary per OS into dist/, plus SHA256SUMS.
 *
 * `deno compile` needs the Deno runtime (`denort`) of each target, which it downloads. Where the
 * internet is not reachable, give it local runtimes: `DENORT_DIR` (a folder of
 * `denort-<target>` / `denort-<target>.exe` files, as unzipped from the Deno release) or
 * `DENORT_BIN` (one runtime, for a single `--target`).
 *
 * Usage: deno task dist [--target T]... [--check-only]
 * @module
 */

import { PERMISSION_FLAGS, PERMISSIONS } from "../lib/cli/permissions.ts";
import { V8_FLAGS } from "../lib/cli/v8_flags.ts";
import { parseArgs } from "node:util";
import config from "../deno.json" with { type: "json" };

/** Targets built by default. */
export const TARGETS = [
  "x86_64-unknown-linux-gnu",
  "aarch64-unknown-linux-gnu",
  "x86_64-apple-darwin",
  "aarch64-apple-darwin",
  "x86_64-pc-windows-msvc",
] as const;

/** Permissions baked into the binary, and why (no prompts at run time). */
export { PERMISSIONS };

/** Modules `deno compile` cannot find by static imports. */
export const INCLUDES = ["lib/log/worker.ts"];

const ROOT = new URL("../", import.meta.url);

function outputName(target: string): string {
  return `chat-${target}${target.includes("windows") ? ".exe" : ""}`;
}

function runtimeFor(target: string, single: boolean): string | undefined {
  const dir = Deno.env.get("DENORT_DIR");
  if (dir) {
    for (const name of [`denort-${target}`, `denort-${target}.exe`]) {
      const path = `${dir}/${name}`;
      try {
        if (Deno.statSync(path).isFile) return path;
      } catch { /* not there */ }
    }
  }
  const bin = Deno.env.get("DENORT_BIN");
  return single && bin ? bin : undefined;
}

async function run(cmd: string, args: string[], env: Record<string, string> = {}) {
  const out = await new Deno.Command(cmd, {
    args,
    env,
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
  })
    .output();
  const dec = new TextDecoder();
  return { ok: out.success, text: dec.decode(out.stdout) + dec.decode(out.stderr) };
}

async function sha256(path: string): Promise<string> {
  const bytes = await Deno.readFile(path);
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Everything up to the compile step: the graph type-checks and every include exists. */
async function check(): Promise<boolean> {
  for (const inc of INCLUDES) {
    try {
      Deno.statSync(new URL(inc, ROOT));
    } catch {
      console.error(`dist: included module missing: ${inc}`);
      return false;
    }
  }
  const r = await run(Deno.execPath(), ["check", "main.ts", ...INCLUDES]);
  if (!r.ok) {
    console.error(`dist: the program does not type-check:\n${r.text}`);
    return false;
  }
  console.log(`dist: chat ${config.version} checks; includes: ${INCLUDES.join(", ")}`);
  console.log(`dist: permissions: ${PERMISSION_FLAGS.join(" ")}`);
  console.log(`dist: V8 flags: ${V8_FLAGS.join(" ")}`);
  return true;
}

async function main(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { target: { type: "string", multiple: true }, "check-only": { type: "boolean" } },
    strict: true,
  });
  const targets = values.target ?? [...TARGETS];
  for (const t of targets) {
    if (!(TARGETS as readonly string[]).includes(t)) {
      console.error(`dist: unknown target ${t} (one of ${TARGETS.join(", ")})`);
      return 2;
    }
  }
  if (!(await check())) return 1;
  if (values["check-only"]) return 0;
  await Deno.mkdir(new URL("dist/", ROOT), { recursive: true });
  const sums: string[] = [];
  for (const target of targets) {
    const out = `dist/${outputName(target)}`;
    const runtime = runtimeFor(target, targets.length === 1);
    const env: Record<string, string> = runtime ? { DENORT_BIN: runtime } : {};
    console.log(`dist: building ${out}${runtime ? ` with runtime ${runtime}` : ""}`);
    const r = await run(Deno.execPath(), [
      "compile",
      ...V8_FLAGS,
      ...PERMISSION_FLAGS,
      "--no-prompt",
      ...INCLUDES.flatMap((i) => ["--include", i]),
      "--target",
      target,
      "--output",
      out,
      "main.ts",
    ], env);
    if (!r.ok) {
      if (runtime && /Could not find denort/.test(r.text)) {
        console.error(`dist: the Deno runtime given for ${target} does not exist: ${runtime}`);
      } else if (/denort|dl\.deno\.land|error sending request/.test(r.text)) {
        console.error(
          `dist: cannot download the Deno runtime for ${target}: put denort-${target} in $DENORT_DIR (unzipped from the Deno ${Deno.version.deno} release) or run on a networked machine`,
        );
      } else {
        console.error(`dist: deno compile failed for ${target}:\n${r.text}`);
      }
      return 1;
    }
    sums.push(`${await sha256(new URL(out, ROOT).pathname)}  ${outputName(target)}`);
  }
  await Deno.writeTextFile(new URL("dist/SHA256SUMS", ROOT), sums.join("\n") + "\n");
  console.log(`dist: wrote ${sums.length} binaries and dist/SHA256SUMS`);
  return 0;
}

if (import.meta.main) Deno.exitCode = await main(Deno.args);
