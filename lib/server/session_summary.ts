/**
 * One open session as the teacher's page lists it: who, over what, which protocol and ARQ
 * discipline, and the live figures of its engine (RTT, RTO, retransmissions).
 * @module
 */

import type { ChatClient, Lobby } from "../chat/mod.ts";
import { BinarySession } from "./binary_session.ts";
import type { OpenConnection } from "./session.ts";

/** A row of the teacher's table (plain data: it travels as JSON). */
export interface SessionSummary {
  /** The connection's id (the teacher's page watches a session by it). */
  readonly id: number;
  /** `text`, `binary`, or `waiting` before its first bytes. */
  readonly kind: string;
  /** What carries it: `tcp`, `ws` (a browser), `udp`, ... */
  readonly transport: string;
  /** The peer's address. */
  readonly peer: string;
  /** Its nickname, once registered. */
  readonly nick: string | undefined;
  /** Binary sessions: the engine's state and figures. */
  readonly arq?: {
    readonly state: string;
    readonly mode: string | undefined;
    readonly window: number | undefined;
    readonly ackPolicy: string | undefined;
    readonly srtt: number;
    readonly rto: number;
    readonly framesSent: number;
    readonly framesReceived: number;
    readonly dataSent: number;
    readonly retransmissions: number;
    readonly timeouts: number;
    readonly nacksReceived: number;
    readonly pending: number;
  };
}

/**
 * The row of `c`, or `undefined` for a connection that is not a chat session (an HTTP request,
 * whose WebSocket is listed as a session of its own).
 */
export function summarize(c: OpenConnection, lobby: Lobby): SessionSummary | undefined {
  if (c.kind === "http") return undefined;
  const session = c.session;
  const nick = session === undefined ? undefined : lobby.nickOf(session as unknown as ChatClient);
  const base = {
    id: c.id,
    kind: c.kind ?? "waiting",
    transport: c.conn.remoteAddr.transport,
    peer: c.peer,
    nick,
  };
  if (!(session instanceof BinarySession)) return base;
  const e = session.link.endpoint;
  const s = e.stats;
  return {
    ...base,
    arq: {
      state: e.state,
      mode: e.params?.mode,
      window: e.params?.window,
      ackPolicy: e.params?.ackPolicy,
      srtt: round1(e.srtt),
      rto: Math.round(e.rto),
      framesSent: s.framesSent,
      framesReceived: s.framesReceived,
      dataSent: s.dataSent,
      retransmissions: s.retransmissions,
      timeouts: s.timeouts,
      nacksReceived: s.nacksReceived,
      pending: e.pending,
    },
  };
}

function round1(n: number): number {
  return Math.round(n * 10) / 10;
}
