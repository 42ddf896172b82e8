/**
 * Where Wireshark looks for personal Lua plugins, and writing `chat.lua` there.
 *
 * Wireshark's User's Guide ("Plugin folders"): the personal plugin folder is
 * `%APPDATA%\Wireshark\plugins` on Windows and `~/.local/lib/wireshark/plugins` on Unix-like
 * systems, macOS included (since Wireshark 2.5; Lua scripts, unlike compiled plugins, sit
 * directly in it, not in a version subfolder). Wireshark shows the folder it uses under
 * Help > About Wireshark > Folders > Personal Lua Plugins.
 * @module
 */

import { join } from "node:path";
import { join as posixJoin } from "node:path/posix";
import { join as winJoin } from "node:path/win32";

/** The file name the dissector is installed under. */
export const PLUGIN_FILE = "chat.lua";

/** Operating systems as `Deno.build.os` names them. */
export type OsName = typeof Deno.build.os;

/**
 * The personal Lua plugins folder of Wireshark for `os`, from the environment (`HOME` on
 * Unix-like systems, `APPDATA` or else `USERPROFILE` on Windows). Throws `Error` when the
 * variable it needs is unset.
 */
export function pluginDir(os: OsName, env: Readonly<Record<string, string | undefined>>): string {
  if (os === "windows") {
    const appData = env.APPDATA ||
      (env.USERPROFILE ? winJoin(env.USERPROFILE, "AppData", "Roaming") : undefined);
    if (!appData) throw new Error("Cannot find the Wireshark plugin folder: APPDATA is not set");
    return winJoin(appData, "Wireshark", "plugins");
  }
  const home = env.HOME;
  if (!home) throw new Error("Cannot find the Wireshark plugin folder: HOME is not set");
  return posixJoin(home, ".local", "lib", "wireshark", "plugins");
}

/**
 * Writes `text` as `chat.lua` in `dir` (created with its parents if missing, an existing file
 * replaced) and returns the file's path.
 */
export async function installDissector(dir: string, text: string): Promise<string> {
  await Deno.mkdir(dir, { recursive: true });
  const path = join(dir, PLUGIN_FILE);
  await Deno.writeTextFile(path, text);
  return path;
}
