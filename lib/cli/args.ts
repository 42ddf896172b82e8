/**
 * Command-line parsing shared by the subcommands: strict flags via `node:util` `parseArgs`,
 * typed conversions, and one error class for every usage mistake.
 * @module
 */

import { parseArgs, type ParseArgsConfig } from "node:util";

/** A mistake in the command line: printed as one line and a pointer to `-h`, exit status 2. */
export class UsageError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "UsageError";
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

/** The words of the usage errors {@link parseFlags} raises (one place, for translation). */
export const USAGE_TEXT = {
  unknownFlag: (flag: string) => `Unknown flag: ${flag}`,
  missingValue: (flag: string) => `Missing value for ${flag}`,
  dashValue: (flag: string, value: string) =>
    `Missing value for ${flag}: ${value} looks like a flag (to give it as the value, write ${flag}=${value})`,
  noValue: (flag: string, given: string) => `${flag} takes no value: ${given}`,
  unexpected: (arg: string) => `Unexpected argument: ${arg}`,
  seeHelp: (command: string) => `(see ${command} -h)`,
} as const;

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
  if (code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") {
    return new UsageError(USAGE_TEXT.unknownFlag(written.split("=")[0]!), { cause: error });
  }
  if (code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE") {
    const name = flagName(spec, written);
    if (/does not take an argument/.test(message)) {
      return new UsageError(USAGE_TEXT.noValue(name, written), { cause: error });
    }
    const next = at >= 0 ? args[at + 1] : undefined;
    if (next !== undefined && next.startsWith("-")) {
      return new UsageError(USAGE_TEXT.dashValue(name, next), { cause: error });
    }
    return new UsageError(USAGE_TEXT.missingValue(name), { cause: error });
  }
  return new UsageError(message.split("\n")[0]!.replace(/\.$/, ""), { cause: error });
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
    const extra = parsed.positionals[maxPositionals]!;
    throw new UsageError(USAGE_TEXT.unexpected(extra));
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
    throw new UsageError(`--${name} must be an integer from ${min} to ${max}: ${raw}`);
  }
  return n;
}

/** Reads a decimal number flag within `[min, max]`, or `fallback` when absent. */
export function numberFlag(
  flags: ParsedFlags,
  name: string,
  fallback: number,
  min: number,
  max: number,
): number {
  const raw = stringFlag(flags, name);
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (raw.trim() === "" || !Number.isFinite(n) || n < min || n > max) {
    throw new UsageError(`--${name} must be a number from ${min} to ${max}: ${raw}`);
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
  if (!found) throw new UsageError(`--${name} must be one of ${choices.join(", ")}: ${raw}`);
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
  if (host === "") throw new UsageError(`Missing host: ${text}`);
  if (portText === undefined) return { host, port: undefined };
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port < 1 || port > 65535) {
    throw new UsageError(`Port must be an integer from 1 to 65535: ${portText}`);
  }
  return { host, port };
}
