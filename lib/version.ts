/**
 * The program version, read from deno.json so there is one place to change it.
 * @module
 */

import config from "../deno.json" with { type: "json" };

/** The version of `chat`, e.g. `0.1.0`. */
export const VERSION: string = config.version;
