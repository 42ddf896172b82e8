/**
 * The shape every subcommand has: a name, a one-line summary, its help text and a `run` that
 * returns an exit status (subcommands never call `Deno.exit`).
 * @module
 */

import type { Catalog } from "../i18n/catalog.ts";
import type { Lang } from "../i18n/lang.ts";

/** A subcommand of `chat`. */
export interface Command {
  /** The word that selects it, e.g. `serve`. */
  readonly name: string;
  /** One line for the command list, in every language. */
  readonly summary: Catalog<string>;
  /** Full help text, printed for `-h`/`--help`, in every language. */
  readonly help: Catalog<string>;
  /**
   * Runs with the arguments after the subcommand (`--lang` taken out), speaking `lang`
   * (`langGiven`: `--lang` chose it, not the environment); resolves to the exit status.
   */
  run(args: string[], lang: Lang, langGiven: boolean): Promise<number>;
}

/** Exit status for a usage error. */
export const EXIT_USAGE = 2;
/** Exit status for a runtime failure (connection refused, server gone, ...). */
export const EXIT_FAILURE = 1;

/** True when `args` asks for help. */
export function wantsHelp(args: readonly string[]): boolean {
  return args.includes("-h") || args.includes("--help");
}
