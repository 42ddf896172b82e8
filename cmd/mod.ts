/**
 * The list of subcommands, in the order `chat --help` shows them.
 * @module
 */

import type { Command } from "../lib/cli/command.ts";
import { serve } from "./serve.ts";
import { join } from "./join.ts";
import { bench } from "./bench.ts";
import { dissector } from "./dissector.ts";
import { docs } from "./docs.ts";
import { test } from "./test.ts";

/** Every subcommand of `chat`. */
export const commands: readonly Command[] = [
  serve,
  join,
  bench,
  dissector,
  test,
  docs,
];
