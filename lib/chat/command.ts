/**
 * Parses one command line of the application protocol: `VERB [arguments]`, verb
 * case-insensitive.
 * @module
 */

/** A parsed command line. */
export interface ParsedCommand {
  /** The verb in upper case, e.g. `MSG`. */
  readonly verb: string;
  /** Everything after the first space (may be empty). */
  readonly rest: string;
}

/** Splits a line into verb and the rest. */
export function parseCommand(line: string): ParsedCommand {
  const space = line.indexOf(" ");
  if (space < 0) return { verb: line.toUpperCase(), rest: "" };
  return { verb: line.slice(0, space).toUpperCase(), rest: line.slice(space + 1) };
}

/** Splits `rest` into its first word and the remainder (for `PRIV nick text`). */
export function splitWord(rest: string): [string, string] {
  const t = rest.replace(/^ +/, "");
  const space = t.indexOf(" ");
  if (space < 0) return [t, ""];
  return [t.slice(0, space), t.slice(space + 1)];
}

/**
 * True for a blank line (empty, or only spaces and tabs): no command at all, ignored (a person
 * pressing Enter twice at netcat), not answered with `Unknown command:`.
 */
export function isBlank(line: string): boolean {
  return /^[ \t\r]*$/.test(line);
}
