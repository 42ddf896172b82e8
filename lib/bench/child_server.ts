/**
 * The server `chat bench` starts when no HOST is given: the same program, `serve --port 0`, in
 * a child process (so it gets its own core), its address read from its `listening on` line. It
 * gets a teacher password made for the run, so the bench can become an operator and read the
 * server's CPU and memory from `STATS` (which only operators see).
 * @module
 */

import { PERMISSION_FLAGS } from "../cli/permissions.ts";
import { newTeacherPassword, TEACHER_PASSWORD_ENV } from "../cli/teacher_password.ts";
import { V8_FLAGS } from "../cli/v8_flags.ts";

/** A running child server. */
export interface ChildServer {
  /** Port it listens on (127.0.0.1). */
  readonly port: number;
  /** Its teacher password (`OP` it to see the server's CPU and memory in `STATS`). */
  readonly teacherPassword: string;
  /** Stops it (SIGTERM, then SIGKILL after 3 s). */
  stop(): Promise<void>;
}

/** The command that runs this program: `deno run <perms> main.ts` from source, or the binary. */
export function selfCommand(): { cmd: string; args: string[] } {
  const exe = Deno.execPath();
  const name = exe.split(/[\\/]/).pop() ?? "";
  if (/^deno(\.exe)?$/.test(name)) {
    const main = new URL("../../main.ts", import.meta.url).pathname;
    return {
      cmd: exe,
      args: [
        "run",
        ...V8_FLAGS,
        ...PERMISSION_FLAGS,
        main,
      ],
    };
  }
  return { cmd: exe, args: [] };
}

/**
 * Starts `chat serve --port 0 --host 127.0.0.1 --flood off --quiet` with a teacher password made
 * here (in {@link TEACHER_PASSWORD_ENV}) and waits for its port.
 */
export async function startChildServer(extra: string[] = []): Promise<ChildServer> {
  const self = selfCommand();
  const teacherPassword = newTeacherPassword(16);
  const child = new Deno.Command(self.cmd, {
    args: [
      ...self.args,
      "serve",
      "--port",
      "0",
      "--host",
      "127.0.0.1",
      "--flood",
      "off",
      "-q",
      ...extra,
    ],
    // In the environment, not on the command line other users' `ps` shows.
    env: { [TEACHER_PASSWORD_ENV]: teacherPassword },
    stdout: "piped",
    stderr: "inherit",
    stdin: "null",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<null>((r) => timer = setTimeout(() => r(null), 20_000));
  let port: number | undefined;
  while (port === undefined) {
    const next = await Promise.race([reader.read(), timeout]);
    if (next === null || next.done) break;
    text += next.value;
    const m = /(?:listening on|escutando em) \S+:(\d+)/.exec(text);
    if (m) port = Number(m[1]);
  }
  clearTimeout(timer);
  // Keep draining its stdout so it never blocks on a full pipe.
  const drain = (async () => {
    try {
      for (;;) {
        const r = await reader.read();
        if (r.done) break;
      }
    } catch { /* closed */ }
  })();
  if (port === undefined) {
    try {
      child.kill("SIGKILL");
    } catch { /* gone */ }
    await child.status;
    await drain;
    throw new Error("the bench server did not start (no 'listening on' line within 20 s)");
  }
  return {
    port,
    teacherPassword,
    async stop() {
      try {
        child.kill("SIGTERM");
      } catch { /* gone */ }
      let t: ReturnType<typeof setTimeout> | undefined;
      const killed = new Promise<void>((r) =>
        t = setTimeout(() => {
          try {
            child.kill("SIGKILL");
          } catch { /* gone */ }
          r();
        }, 3000)
      );
      await Promise.race([child.status, killed]);
      clearTimeout(t);
      await child.status;
      await drain;
    },
  };
}
