/**
 * The V8 settings `chat` runs with, beside its permissions: baked into the binary by
 * `deno task dist`, given by the `chat` task, used when bench starts its own server.
 * @module
 */

/**
 * Largest young-generation semi-space, in MB. V8's default (16 MB on 64-bit) lets a busy
 * server's young generation take some 45 MB of resident memory, more than 4 KiB per client at
 * 10,000 clients. At 8 MB a 10,000-client room needs about 20 MB less, and the closed-loop
 * benchmark measured no difference in CPU per delivery (README, "10,000 clients").
 */
export const MAX_SEMI_SPACE_MB = 8;

/** The flags for `deno run` and `deno compile`. */
export const V8_FLAGS: readonly string[] = [
  `--v8-flags=--max-semi-space-size=${MAX_SEMI_SPACE_MB}`,
];
