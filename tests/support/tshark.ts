/**
 * Test helpers around `tshark`: find it, run it with a time limit in an isolated profile (so a
 * `chat.lua` the user installed does not clash with the one under test), and read a capture's
 * fields as JSON. Tests that need tshark use `ignore: !tsharkAvailable` and call
 * {@link noteTsharkSkip} so the skip is visible in the output.
 * @module
 */

/** What running tshark produced. */
export interface TsharkResult {
  /** Exit code (-1 when killed by the time limit). */
  readonly code: number;
  /** Standard output. */
  readonly stdout: string;
  /** Standard error. */
  readonly stderr: string;
  /** True when the time limit killed it. */
  readonly timedOut: boolean;
}

/** Options of {@link runTshark}. */
export interface RunOptions {
  /** Time limit in milliseconds (default 60 s). */
  readonly timeoutMs?: number;
  /**
   * Run with an empty temporary home/config folder so personal plugins and preferences are not
   * loaded (default true).
   */
  readonly isolate?: boolean;
  /**
   * Use this folder as the isolated home instead of a temporary one (kept afterwards), e.g.
   * to put a plugin in its `.local/lib/wireshark/plugins`.
   */
  readonly home?: string;
}

const CANDIDATES = [
  "tshark",
  "/usr/bin/tshark",
  "/usr/local/bin/tshark",
  "/opt/homebrew/bin/tshark",
  "/Applications/Wireshark.app/Contents/MacOS/tshark",
  "C:\\Program Files\\Wireshark\\tshark.exe",
];

function probe(path: string): string | undefined {
  try {
    const out = new Deno.Command(path, { args: ["--version"], stdout: "piped", stderr: "null" })
      .outputSync();
    if (!out.success) return undefined;
    return new TextDecoder().decode(out.stdout).split("\n")[0]?.trim();
  } catch {
    return undefined;
  }
}

function find(): { path: string; version: string } | undefined {
  let override: string | undefined;
  try {
    override = Deno.env.get("CHAT_TSHARK");
  } catch {
    override = undefined;
  }
  for (const path of override ? [override] : CANDIDATES) {
    const version = probe(path);
    if (version) return { path, version };
  }
  return undefined;
}

const found = find();

/** Path of the tshark found (`CHAT_TSHARK` overrides the search), or `undefined`. */
export const tsharkPath: string | undefined = found?.path;
/** First line of `tshark --version`, e.g. `TShark (Wireshark) 4.0.17 ...`. */
export const tsharkVersion: string | undefined = found?.version;
/** True when tshark can be run: use `ignore: !tsharkAvailable`. */
export const tsharkAvailable: boolean = found !== undefined;

const noted = new Set<string>();

/** Prints one line per test file saying its tshark tests are skipped (when they are). */
export function noteTsharkSkip(what: string): void {
  if (tsharkAvailable || noted.has(what)) return;
  noted.add(what);
  console.log(
    `SKIP ${what}: tshark not found (install Wireshark's tshark, or set CHAT_TSHARK=/path/to/tshark)`,
  );
}

/** Runs tshark with `args`; never throws for a non-zero exit (check `code`). */
export async function runTshark(
  args: readonly string[],
  opts: RunOptions = {},
): Promise<TsharkResult> {
  if (!tsharkPath) throw new Error("tshark is not available");
  const timeoutMs = opts.timeoutMs ?? 60_000;
  const own = opts.isolate !== false && opts.home === undefined;
  const home = opts.home ??
    (own ? await Deno.makeTempDir({ prefix: "chat-tshark-" }) : undefined);
  const env: Record<string, string> = {};
  if (home) {
    env.HOME = home;
    env.XDG_CONFIG_HOME = home;
    env.APPDATA = home;
    env.WIRESHARK_CONFIG_DIR = home;
  }
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  try {
    const child = new Deno.Command(tsharkPath, {
      args: [...args],
      env,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
      signal: controller.signal,
    }).spawn();
    const out = await child.output();
    const decoder = new TextDecoder();
    return {
      code: controller.signal.aborted ? -1 : out.code,
      stdout: decoder.decode(out.stdout),
      stderr: decoder.decode(out.stderr),
      timedOut: controller.signal.aborted,
    };
  } finally {
    clearTimeout(timer);
    if (own && home) await Deno.remove(home, { recursive: true });
  }
}

/**
 * The name of the loopback capture interface from `tshark -D` (`lo`, `lo0`, or the Npcap
 * `\Device\NPF_Loopback`), or `undefined` when tshark cannot list one (missing, or no
 * permission to capture). Live captures also need capture rights (root or the wireshark group).
 */
export async function loopbackInterface(): Promise<string | undefined> {
  if (!tsharkAvailable) return undefined;
  const result = await runTshark(["-D"], { timeoutMs: 20_000 });
  if (result.code !== 0) return undefined;
  for (const line of result.stdout.split("\n")) {
    const m = /^\d+\.\s+(\S+)(.*)$/.exec(line.trim());
    if (m && (/loopback/i.test(m[2]!) || /^lo0?$/.test(m[1]!) || /Loopback/i.test(m[1]!))) {
      return m[1];
    }
  }
  return undefined;
}

/** Standard-error lines that are not known harmless notices (e.g. the running-as-root one). */
export function stderrProblems(stderr: string): string[] {
  return stderr.split("\n").map((l) => l.trim()).filter((l) =>
    l !== "" && !/^Running as user "root"/.test(l)
  );
}

/** One packet of {@link readFields}: each requested field's values, in tree order. */
export type PacketFields = Record<string, string[]>;

/** Options of {@link readFields}. */
export interface ReadOptions extends RunOptions {
  /** A Lua script to load (`-X lua_script:`). */
  readonly lua?: string;
  /** Extra tshark arguments, e.g. `["-d", "tcp.port==4000,chat"]` or `["-o", "..."]`. */
  readonly args?: readonly string[];
  /** Display filter (`-Y`). */
  readonly filter?: string;
}

/**
 * Reads `fields` of every packet of `capture` (`tshark -T json -e ...`), in packet order;
 * a field absent from a packet is an empty array. Throws when tshark fails or writes anything
 * unexpected on stderr (a Lua error, for instance).
 */
export async function readFields(
  capture: string,
  fields: readonly string[],
  opts: ReadOptions = {},
): Promise<PacketFields[]> {
  const args = ["-n", "-r", capture, "-T", "json"];
  if (opts.lua) args.push("-X", `lua_script:${opts.lua}`);
  if (opts.filter) args.push("-Y", opts.filter);
  args.push(...(opts.args ?? []));
  for (const f of fields) args.push("-e", f);
  const result = await runTshark(args, opts);
  const problems = stderrProblems(result.stderr);
  if (result.code !== 0 || problems.length > 0) {
    throw new Error(`tshark failed (exit ${result.code}): ${problems.join(" / ")}`);
  }
  const parsed = JSON.parse(result.stdout === "" ? "[]" : result.stdout) as {
    _source: { layers: Record<string, string[]> };
  }[];
  return parsed.map((p) => {
    const out: PacketFields = {};
    for (const f of fields) out[f] = p._source.layers[f] ?? [];
    return out;
  });
}
