/**
 * The list of subcommands, in the order `chat --help` shows them.
 * @module
 */

import type { Command } from "../lib/cli/command.ts";
import { serve } from "./serve.ts";

/** Every subcommand of `chat`. */
export const commands: readonly Command[] = [
  serve,
];
