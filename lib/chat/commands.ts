/**
 * The command registry, as ssh-chat has it: each verb with its aliases, usage, one line of help,
 * whether only operators may use it, and its handler. The lobby dispatches every command line of
 * a registered user through it (one place, where a per-verb budget applies to every verb alike),
 * and `HELP` is generated from it: a user sees the commands it may use, an operator sees all.
 * @module
 */

import type { Member } from "./chat_client.ts";
import type { Lobby } from "./lobby.ts";

/** Runs one command of `m` with its arguments (`rest`) at time `now` (ms). */
export type CommandHandler = (lobby: Lobby, m: Member, rest: string, now: number) => void;

/** One entry of the registry. */
export interface CommandSpec {
  /** The verb, upper case. */
  readonly verb: string;
  /** Other verbs for the same command. */
  readonly aliases: readonly string[];
  /** `VERB <arguments>`, as HELP shows it. */
  readonly usage: string;
  /** What it does, in a few words. */
  readonly help: string;
  /** Only operators may use it (others get 403). */
  readonly operator: boolean;
  /** Its handler. */
  readonly run: CommandHandler;
}

/** Verbs to command specs, in the order they were added. */
export class CommandRegistry {
  readonly #specs: CommandSpec[] = [];
  readonly #byVerb = new Map<string, CommandSpec>();

  /** A registry of `specs`; a verb or alias given twice throws. */
  constructor(specs: readonly CommandSpec[]) {
    for (const s of specs) this.add(s);
  }

  /** Adds one command. */
  add(spec: CommandSpec): void {
    for (const v of [spec.verb, ...spec.aliases]) {
      if (this.#byVerb.has(v)) throw new Error(`Command registered twice: ${v}`);
      this.#byVerb.set(v, spec);
    }
    this.#specs.push(spec);
  }

  /** The command of `verb` (upper case), if any. */
  get(verb: string): CommandSpec | undefined {
    return this.#byVerb.get(verb);
  }

  /** Every command, in order. */
  all(): readonly CommandSpec[] {
    return this.#specs;
  }

  /** Every verb and alias. */
  verbs(): string[] {
    return this.#specs.flatMap((s) => [s.verb, ...s.aliases]);
  }

  /**
   * HELP's body, one line: the usage of every command `operator` may use (as `usages` words it,
   * else its own), aliases in parentheses, joined by ` | `.
   */
  help(operator: boolean, usages: Readonly<Record<string, string>> = {}): string {
    return this.#specs
      .filter((s) => operator || !s.operator)
      .map((s) => {
        const usage = usages[s.verb] ?? s.usage;
        return s.aliases.length > 0 ? `${usage} (${s.aliases.join(", ")})` : usage;
      })
      .join(" | ");
  }
}
