/**
 * Seeded, scriptable fault injection (loss, corruption, duplication, delay).
 * @module
 */

export * from "./hash.ts";
export * from "./script.ts";
export * from "./injector.ts";
