/**
 * The Wireshark dissector of `chat`, generated from `lib/protocol`, and its installation into
 * Wireshark's personal Lua plugins folder.
 * @module
 */

export * from "./layout.ts";
export * from "./dissector.ts";
export * from "./install.ts";
