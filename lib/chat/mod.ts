/**
 * The application protocol: a socket-free chat room, command parsing, nickname rules, the
 * flood limit and the status codes.
 * @module
 */

export * from "./status.ts";
export * from "./nick.ts";
export * from "./flood.ts";
export * from "./command.ts";
export * from "./room.ts";
