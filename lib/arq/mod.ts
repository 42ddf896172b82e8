/**
 * The ARQ engine: a pure, clock-free state machine per session (handshake, fragmentation,
 * Go-Back-N or Selective Repeat, NACK, RFC 6298 timers, keepalive, teardown). See
 * `endpoint.ts` for the protocol rules. This is the public surface; the halves, the timer
 * table and the queues are internal.
 * @module
 */

export { ArqEndpoint, CLOSED_BY_PEER, resolveOptions } from "./endpoint.ts";
export {
  type ArqEvent,
  type ArqStats,
  CLIENT_ACK_DELAY_MS,
  type CongestionControl,
  DEFAULT_ENDPOINT_OPTIONS,
  type EndpointHooks,
  type EndpointOptions,
  type EndpointState,
  LOSSY_LINK_OPTIONS,
  type OutFrame,
  type RecoveryMode,
  type RetransmitReason,
  SendQueueFullError,
  SessionClosedError,
} from "./types.ts";
