/**
 * `chat`: a multi-user LAN chat for seeing protocols in action. Dispatches the subcommands.
 * @module
 */

import { type Command, EXIT_FAILURE, EXIT_USAGE, wantsHelp } from "./lib/cli/command.ts";
import { USAGE_TEXT, UsageError } from "./lib/cli/args.ts";
import { VERSION } from "./lib/version.ts";
import { commands } from "./cmd/mod.ts";

function mainHelp(list: readonly Command[]): string {
  const width = Math.max(...list.map((c) => c.name.length));
  return [
    `chat ${VERSION}: a multi-user LAN chat to see protocols in action`,
    "",
    "Usage: chat <command> [options]",
    "",
    "Commands:",
    ...list.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    `  ${"help".padEnd(width)}  Show help for a command: chat help <command>`,
    "",
    "Options: -h, --help   show help;  -V, --version   print the version",
    "",
    "Quick start: chat serve --port 55555   (on one machine)",
    "             chat join 192.168.0.88    (on every other machine)",
  ].join("\n");
}

/** Runs the CLI with `args` and resolves to the exit status. */
export async function main(args: string[]): Promise<number> {
  const [name, ...rest] = args;
  const byName = new Map(commands.map((c) => [c.name, c]));
  if (name === undefined) {
    console.error(`chat: missing command\n\n${mainHelp(commands)}`);
    return EXIT_USAGE;
  }
  if (name === "-h" || name === "--help") {
    console.log(mainHelp(commands));
    return 0;
  }
  if (name === "-V" || name === "--version" || name === "version") {
    console.log(`chat ${VERSION}`);
    return 0;
  }
  if (name === "help") {
    const topic = rest[0];
    if (topic === undefined) {
      console.log(mainHelp(commands));
      return 0;
    }
    const command = byName.get(topic);
    if (!command) {
      console.error(`chat: unknown command: ${topic}\n\n${mainHelp(commands)}`);
      return EXIT_USAGE;
    }
    console.log(command.help);
    return 0;
  }
  const command = byName.get(name);
  if (!command) {
    console.error(`chat: unknown command: ${name}\n\n${mainHelp(commands)}`);
    return EXIT_USAGE;
  }
  if (wantsHelp(rest)) {
    console.log(command.help);
    return 0;
  }
  try {
    return await command.run(rest);
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`chat ${name}: ${error.message} ${USAGE_TEXT.seeHelp(`chat ${name}`)}`);
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
