/**
 * The ARQ engine: a pure, clock-free state machine per session (handshake, fragmentation,
 * Go-Back-N or Selective Repeat, NACK, RFC 6298 timers, keepalive, teardown). See
 * `endpoint.ts` for the protocol rules.
 * @module
 */

export * from "./types.ts";
export * from "./rto.ts";
export * from "./fragment.ts";
export * from "./send_window.ts";
export * from "./owed_ack.ts";
export * from "./gbn.ts";
export * from "./sr.ts";
export * from "./endpoint.ts";
