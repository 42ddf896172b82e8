/**
 * `chat`: a multi-user LAN chat for seeing protocols in action. Dispatches the subcommands, in
 * the language `--lang` (anywhere on the line) or the environment asks for.
 * @module
 */

import { type Command, EXIT_FAILURE, EXIT_USAGE, wantsHelp } from "./lib/cli/command.ts";
import { UsageError } from "./lib/cli/args.ts";
import { chooseLang, LANG_CHOICES } from "./lib/cli/lang_flag.ts";
import { CLI_CATALOG } from "./lib/cli/messages.ts";
import type { Lang } from "./lib/i18n/mod.ts";
import { VERSION } from "./lib/version.ts";
import { commands } from "./cmd/mod.ts";

function mainHelp(list: readonly Command[], lang: Lang): string {
  return CLI_CATALOG[lang].mainHelp(
    VERSION,
    list.map((c) => ({ name: c.name, summary: c.summary[lang] })),
  );
}

/** Runs the CLI with `argv` and resolves to the exit status. */
export async function main(argv: string[]): Promise<number> {
  const { lang, rest: args, bad, given } = chooseLang(argv);
  const t = CLI_CATALOG[lang];
  if (bad !== undefined) {
    console.error(`chat: ${t.badLang(LANG_CHOICES, bad)}`);
    return EXIT_USAGE;
  }
  const [name, ...rest] = args;
  const byName = new Map(commands.map((c) => [c.name, c]));
  if (name === undefined) {
    console.error(`chat: ${t.missingCommand}\n\n${mainHelp(commands, lang)}`);
    return EXIT_USAGE;
  }
  if (name === "-h" || name === "--help") {
    console.log(mainHelp(commands, lang));
    return 0;
  }
  if (name === "-V" || name === "--version" || name === "version") {
    console.log(`chat ${VERSION}`);
    return 0;
  }
  if (name === "help") {
    const topic = rest[0];
    if (topic === undefined) {
      console.log(mainHelp(commands, lang));
      return 0;
    }
    const command = byName.get(topic);
    if (!command) {
      console.error(`chat: ${t.unknownCommand(topic)}\n\n${mainHelp(commands, lang)}`);
      return EXIT_USAGE;
    }
    console.log(command.help[lang]);
    return 0;
  }
  const command = byName.get(name);
  if (!command) {
    console.error(`chat: ${t.unknownCommand(name)}\n\n${mainHelp(commands, lang)}`);
    return EXIT_USAGE;
  }
  if (wantsHelp(rest)) {
    console.log(command.help[lang]);
    return 0;
  }
  try {
    return await command.run(rest, lang, given);
  } catch (error) {
    if (error instanceof UsageError) {
      const said = error.said ? error.said(t.flags) : error.message;
      console.error(`chat ${name}: ${said} ${t.flags.seeHelp(`chat ${name}`)}`);
      return EXIT_USAGE;
    }
    const message = error instanceof Error ? error.message : String(error);
    console.error(`chat ${name}: ${message}`);
    return EXIT_FAILURE;
  }
}

if (import.meta.main) {
  Deno.exitCode = await main(Deno.args);
}
