/**
 * The application protocol: a socket-free chat (the lobby, its rooms and commands), command
 * parsing, nickname rules, the flood limit and the status codes.
 * @module
 */

export * from "./status.ts";
export * from "./nick.ts";
export * from "./flood.ts";
export * from "./command.ts";
export * from "./chat_client.ts";
export * from "./room.ts";
export * from "./rooms.ts";
export * from "./history.ts";
export * from "./lobby.ts";
