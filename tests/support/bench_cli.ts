/**
 * Runs `chat` (main.ts) in a child process with the permissions of deno.json's "chat" task,
 * bounded in time (SIGKILL at the deadline) and always awaited.
 * @module
 */

import { PERMISSION_FLAGS } from "../../lib/cli/permissions.ts";

/** The permissions of the "chat" task (not -A). */
export const CHAT_PERMISSIONS = PERMISSION_FLAGS;

/** What the child did. */
export interface CliOutput {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly timedOut: boolean;
}

const ROOT = new URL("../../", import.meta.url).pathname;

/** Runs `deno run <perms> main.ts ...args` in the repository root. */
export async function runChat(args: string[], timeoutMs = 30_000): Promise<CliOutput> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", ...CHAT_PERMISSIONS, `${ROOT}main.ts`, ...args],
    cwd: ROOT,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).spawn();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    try {
      child.kill("SIGKILL");
    } catch { /* already gone */ }
  }, timeoutMs);
  try {
    const out = await child.output();
    const dec = new TextDecoder();
    return {
      code: out.code,
      stdout: dec.decode(out.stdout),
      stderr: dec.decode(out.stderr),
      timedOut,
    };
  } finally {
    clearTimeout(timer);
  }
}
