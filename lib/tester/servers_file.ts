/**
 * The teacher's list of servers for `chat test --servers FILE`: one `NAME COMMAND...` per line,
 * `#` comments and blank lines ignored. `{port}` in the command (or `$PORT` in its environment)
 * is the port the server must listen on, on 127.0.0.1.
 *
 * ```text
 * # turma 01
 * g01 python3 g01/server.py --port {port}
 * g02 python3 g02/servidor.py {port}
 * ```
 * @module
 */

import { splitCommand } from "./target.ts";

/** One server of the list. */
export interface ServerLine {
  /** Its name (matrix column). */
  readonly name: string;
  /** The command, split into words. */
  readonly argv: readonly string[];
  /** Line number in the file, from 1. */
  readonly line: number;
}

/** A servers file that cannot be used: the message names the line. */
export class ServersFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ServersFileError";
  }
}

const NAME = /^[\p{L}\p{N}_.-]{1,40}$/u;

/** Parses the text of a servers file; throws {@link ServersFileError}. */
export function parseServersFile(text: string, file = "the servers file"): ServerLine[] {
  const servers: ServerLine[] = [];
  const lines = text.split(/\r?\n/);
  for (const [i, raw] of lines.entries()) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    let words: string[];
    try {
      words = splitCommand(line);
    } catch (error) {
      throw new ServersFileError(`Line ${i + 1} of ${file}: ${(error as Error).message}`);
    }
    const [name, ...argv] = words;
    if (name === undefined || argv.length === 0) {
      throw new ServersFileError(
        `Line ${i + 1} of ${file}: expected NAME COMMAND..., got: ${line}`,
      );
    }
    if (!NAME.test(name)) {
      throw new ServersFileError(
        `Line ${i + 1} of ${file}: a name is 1 to 40 letters, digits, _ . or -: ${name}`,
      );
    }
    if (servers.some((s) => s.name === name)) {
      throw new ServersFileError(`Line ${i + 1} of ${file}: the name ${name} is used twice`);
    }
    servers.push({ name, argv, line: i + 1 });
  }
  if (servers.length === 0) throw new ServersFileError(`No server listed in ${file}`);
  return servers;
}
