/**
 * `chat docs TOPIC`: prints a document embedded in the program.
 * @module
 */

import { parseFlags, UsageError } from "../lib/cli/args.ts";
import type { Command } from "../lib/cli/command.ts";
import { renderDoc } from "../lib/docs/render.ts";
import { DOC_TOPICS } from "../lib/docs/topics.ts";

const help = `chat docs: print the documentation carried by the program

Usage: chat docs <topic>

Topics:
${DOC_TOPICS.map((t) => `  ${t.name.padEnd(11)} ${t.summary}`).join("\n")}

Example: chat docs lab > LAB.md`;

function run(args: string[]): Promise<number> {
  const flags = parseFlags(args, {}, 1);
  const name = flags.positionals[0];
  if (name === undefined) throw new UsageError("Missing topic");
  const topic = DOC_TOPICS.find((t) => t.name === name.toLowerCase());
  if (!topic) {
    const topics = DOC_TOPICS.map((t) => t.name).join(", ");
    throw new UsageError(`Unknown topic: ${name}; the topics are ${topics}`);
  }
  console.log(renderDoc(topic.text).trimEnd());
  return Promise.resolve(0);
}

/** The `docs` subcommand. */
export const docs: Command = {
  name: "docs",
  summary: "Print the protocol description or the lab guide",
  help,
  run,
};
