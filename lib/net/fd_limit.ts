/**
 * The open-file limit, which bounds how many clients one process can hold (each TCP connection
 * is a file descriptor). Deno raises its soft limit to the hard limit at start-up; only the
 * administrator can raise the hard limit (`ulimit -Hn`, /etc/security/limits.conf, launchctl).
 * Windows has no such per-process limit for sockets.
 * @module
 */

/** Soft and hard open-file limits of this process. */
export interface FdLimits {
  readonly soft: number;
  readonly hard: number;
}

/** Descriptors the process needs besides its clients (stdio, listener, log, runtime). */
export const FD_RESERVE = 64;

/** Parses the output of `ulimit -Sn; ulimit -Hn` (two numbers or "unlimited"). */
export function parseUlimit(text: string): FdLimits | undefined {
  const [s, h] = text.trim().split(/\s+/);
  const num = (x: string | undefined) => x === "unlimited" ? Infinity : Number(x);
  const soft = num(s), hard = num(h);
  if (!(soft > 0) || !(hard > 0)) return undefined;
  return { soft, hard };
}

/**
 * The limits, or `undefined` where they cannot be read (Windows, no shell). Asked of a shell,
 * which inherits this process's (already raised) limits: Deno reads /proc/self only with
 * --allow-all, and a shell works the same on Linux, macOS and the BSDs.
 */
export async function readFdLimits(): Promise<FdLimits | undefined> {
  if (Deno.build.os === "windows") return undefined;
  try {
    const out = await new Deno.Command("/bin/sh", {
      args: ["-c", "ulimit -Sn; ulimit -Hn"],
      stdout: "piped",
      stderr: "null",
    }).output();
    return out.success ? parseUlimit(new TextDecoder().decode(out.stdout)) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * One line about the limit for `clients` connections: `undefined` when it is enough, else a
 * warning that says what to do.
 */
export function fdLimitWarning(limits: FdLimits, clients: number): string | undefined {
  const need = clients + FD_RESERVE;
  if (limits.soft >= need) return undefined;
  const fmt = (n: number) => n === Infinity ? "unlimited" : String(n);
  const fit = Math.max(0, limits.soft - FD_RESERVE);
  const how = limits.hard >= need
    ? `raise it with \`ulimit -n ${need}\` before starting`
    : `the hard limit is ${fmt(limits.hard)}: an administrator must raise it (ulimit -Hn, ` +
      `/etc/security/limits.conf or launchctl limit maxfiles) to at least ${need}`;
  return `open files limited to ${fmt(limits.soft)} (hard ${fmt(limits.hard)}): about ${fit} ` +
    `clients fit, ${clients} need ${need}; ${how}`;
}
