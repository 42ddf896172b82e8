/**
 * Command-line parsing shared by the subcommands: strict flags via `node:util` `parseArgs`,
 * typed conversions, and one error class for every usage mistake.
 * @module
 */

import { parseArgs, type ParseArgsConfig } from "node:util";
import { parseDecimal } from "../i18n/number.ts";
import { CLI_CATALOG, type CliText } from "./messages.ts";

/** The flag helpers' words, one language. */
type FlagText = CliText["flags"];

/**
 * A mistake in the command line: printed as one line and a pointer to `-h`, exit status 2. Its
 * message is English; `said`, when the thrower gave it, says the same in any language's words.
 */
export class UsageError extends Error {
  readonly said: ((t: FlagText) => string) | undefined;
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "UsageError";
    this.said = undefined;
  }

  /** The error `say` words, its message in English. */
  static said(say: (t: FlagText) => string, options?: ErrorOptions): UsageError {
    const e = new UsageError(say(CLI_CATALOG.en.flags), options);
    (e as { said: typeof say }).said = say;
    return e;
  }
}

/** Flag definitions in the form `node:util` `parseArgs` takes. */
export type FlagSpec = NonNullable<ParseArgsConfig["options"]>;

/** Parsed flags: string or boolean values by name, plus positionals. */
export interface ParsedFlags {
  /** Flag values; absent flags are `undefined`. */
  readonly values: Record<string, string | boolean | undefined>;
  /** Arguments that are not flags. */
  readonly positionals: string[];
}

/** `--name`, or `-n` when `arg` was the short form. */
function flagName(spec: FlagSpec, written: string): string {
  if (written.startsWith("--")) return written.split("=")[0]!;
  const short = written.slice(1, 2);
  const long = Object.entries(spec).find(([, o]) => o.short === short)?.[0];
  return long === undefined ? `-${short}` : `--${long}`;
}

/**
 * The usage error, in this program's words, for what `node:util` `parseArgs` refused in `args`:
 * an unknown flag, a flag missing its value (or given a value that starts with `-`, which
 * `parseArgs` will not take without `=`), a boolean flag given a value.
 */
function usageError(error: unknown, args: readonly string[], spec: FlagSpec): UsageError {
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: string } | null)?.code;
  const quoted = /'([^']+)'/.exec(message)?.[1] ?? "";
  // The flag as the user typed it: `--port`, `-p`, or `--json=1`.
  const typed = quoted.split(",").at(-1)!.trim().split(" ")[0]!;
  const at = args.findIndex((a) => a === typed || a.startsWith(`${typed}=`));
  const written = at >= 0 ? args[at]! : typed;
  const cause = { cause: error };
  if (code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") {
    return UsageError.said((t) => t.unknownFlag(written.split("=")[0]!), cause);
  }
  if (code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE") {
    const name = flagName(spec, written);
    if (/does not take an argument/.test(message)) {
      return UsageError.said((t) => t.noValue(name, written), cause);
    }
    const next = at >= 0 ? args[at + 1] : undefined;
    if (next !== undefined && next.startsWith("-")) {
      return UsageError.said((t) => t.dashValue(name, next), cause);
    }
    return UsageError.said((t) => t.missingValue(name), cause);
  }
  return new UsageError(message.split("\n")[0]!.replace(/\.$/, ""), cause);
}

/** Parses `args` strictly against `spec`; unknown flags and missing values throw {@link UsageError}. */
export function parseFlags(args: string[], spec: FlagSpec, maxPositionals = 0): ParsedFlags {
  let parsed;
  try {
    parsed = parseArgs({ args, options: spec, strict: true, allowPositionals: true });
  } catch (error) {
    throw usageError(error, args, spec);
  }
  if (parsed.positionals.length > maxPositionals) {
    const extra = parsed.positionals[maxPositionals];
    throw UsageError.said((t) => t.unexpected(String(extra)));
  }
  return {
    values: parsed.values as Record<string, string | boolean | undefined>,
    positionals: parsed.positionals,
  };
}

/** Reads a string flag. */
export function stringFlag(flags: ParsedFlags, name: string): string | undefined {
  const v = flags.values[name];
  return typeof v === "string" ? v : undefined;
}

/** Reads a boolean flag (absent = false). */
export function boolFlag(flags: ParsedFlags, name: string): boolean {
  return flags.values[name] === true;
}

/** Reads an integer flag within `[min, max]`, or `fallback` when absent. */
export function intFlag(
  flags: ParsedFlags,
  name: string,
  fallback: number,
  min: number,
  max: number,
): number {
  const raw = stringFlag(flags, name);
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!/^-?\d+$/.test(raw.trim()) || !Number.isSafeInteger(n) || n < min || n > max) {
    throw UsageError.said((t) => t.integer(name, min, max, raw));
  }
  return n;
}

/**
 * Reads a decimal number flag within `[min, max]` (a decimal point or comma: `2.5`, `2,5`), or
 * `fallback` when absent.
 */
export function numberFlag(
  flags: ParsedFlags,
  name: string,
  fallback: number,
  min: number,
  max: number,
): number {
  const raw = stringFlag(flags, name);
  if (raw === undefined) return fallback;
  const n = parseDecimal(raw);
  if (!Number.isFinite(n) || n < min || n > max) {
    throw UsageError.said((t) => t.number(name, min, max, raw));
  }
  return n;
}

/** Reads a flag restricted to a set of choices, or `fallback` when absent. */
export function choiceFlag<T extends string>(
  flags: ParsedFlags,
  name: string,
  choices: readonly T[],
  fallback: T,
): T {
  const raw = stringFlag(flags, name);
  if (raw === undefined) return fallback;
  const found = choices.find((c) => c === raw.toLowerCase());
  if (!found) throw UsageError.said((t) => t.choice(name, choices.join(", "), raw));
  return found;
}

/** A host and port, e.g. from `192.168.0.88:55555` or `[::1]:55555`. */
export interface HostPort {
  /** Host name or address (IPv6 without brackets). */
  readonly host: string;
  /** Port, or `undefined` when the text named none. */
  readonly port: number | undefined;
}

/** Parses `HOST[:PORT]`; throws {@link UsageError} on a bad port or empty host. */
export function parseHostPort(text: string): HostPort {
  let host = text.trim();
  let portText: string | undefined;
  const bracket = /^\[([^\]]+)\](?::(.*))?$/.exec(host);
  if (bracket) {
    host = bracket[1]!;
    portText = bracket[2];
  } else if ((host.match(/:/g) ?? []).length === 1) {
    const i = host.indexOf(":");
    portText = host.slice(i + 1);
    host = host.slice(0, i);
  }
  if (host === "") throw UsageError.said((t) => t.missingHost(text));
  if (portText === undefined) return { host, port: undefined };
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port < 1 || port > 65535) {
    throw UsageError.said((t) => t.badPort(portText!));
  }
  return { host, port };
}
