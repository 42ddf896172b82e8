/**
 * The server's side of the handshake without state (UDP): a SYN is answered with a SYN-ACK
 * whose ISN is a **SYN cookie**, a keyed hash of the peer's address and port, the client's ISN,
 * the confirmed parameters and the current secret; nothing is remembered. The client's
 * handshake ACK carries the SYN-ACK's payload back (confirmed parameters and client ISN), so the
 * server recomputes the hash from that ACK alone and opens the session only when it matches its
 * `seq`. A flood of SYNs from forged addresses costs one hash and one small reply each, and
 * allocates nothing.
 *
 * ```text
 * ISNs = first 32 bits of HMAC-SHA256(master, epoch | port | ISNc | confirmed params | address)
 * epoch = floor(now / COOKIE_SECRET_MS)     the rotating secret: a cookie is accepted while its
 *                                          epoch is the current one or the one before
 * ```
 *
 * Pure: the master secret and `now` come from the caller.
 * @module
 */

import { createHmac } from "node:crypto";
import { onesSum } from "./checksum.ts";
import {
  decodeSyn,
  decodeSynAck,
  encodeReason,
  encodeSyn,
  encodeSynAck,
  MAX_WINDOW,
  type SessionParams,
  SYN_ACK_PAYLOAD_SIZE,
} from "./control.ts";
import { BadPayloadError } from "./errors.ts";
import { encodeFrame, type Frame, frame } from "./frame.ts";
import { FrameType, HEADER_SIZE, isFrameType, MAGIC, MAX_PAYLOAD, Offset } from "./header.ts";

/**
 * How long one secret stays current, ms. A cookie is accepted during its period and the next,
 * so a handshake may take between one and two periods (the ARQ gives it 10 s, 30 s with
 * faults), and an ACK captured on the wire opens nothing after two.
 */
export const COOKIE_SECRET_MS = 64_000;

/** A peer as the socket reports it. */
export interface CookiePeer {
  /** Address text (`192.168.0.7`, `::1`). */
  readonly hostname: string;
  /** Port number. */
  readonly port: number;
}

const encoder = new TextEncoder();

/** The keyed hash behind the cookies: the same inputs give the same ISN within a period. */
export class SynCookies {
  readonly #master: Uint8Array;
  readonly #periodMs: number;

  /** `master`: at least 16 random bytes, kept for the server's life. */
  constructor(master: Uint8Array, periodMs: number = COOKIE_SECRET_MS) {
    if (master.length < 16) throw new RangeError(`Cookie secret too short: ${master.length} bytes`);
    if (!(periodMs > 0)) throw new RangeError(`Cookie period must be > 0: ${periodMs}`);
    this.#master = master.slice();
    this.#periodMs = periodMs;
  }

  /** The ISN to answer `peer`'s SYN (client ISN `clientIsn`) with, at `now`. */
  isn(peer: CookiePeer, clientIsn: number, confirmed: SessionParams, now: number): number {
    return this.#hash(Math.floor(now / this.#periodMs), peer, clientIsn, confirmed);
  }

  /** True when `isn` is the cookie of these inputs in the current period or the one before. */
  valid(
    peer: CookiePeer,
    clientIsn: number,
    confirmed: SessionParams,
    isn: number,
    now: number,
  ): boolean {
    const epoch = Math.floor(now / this.#periodMs);
    return this.#hash(epoch, peer, clientIsn, confirmed) === isn >>> 0 ||
      this.#hash(epoch - 1, peer, clientIsn, confirmed) === isn >>> 0;
  }

  #hash(epoch: number, peer: CookiePeer, clientIsn: number, p: SessionParams): number {
    const head = new Uint8Array(10 + 7);
    const view = new DataView(head.buffer);
    view.setUint32(0, epoch >>> 0);
    view.setUint16(4, peer.port & 0xffff);
    view.setUint32(6, clientIsn >>> 0);
    head.set(encodeSyn(p), 10);
    const mac = createHmac("sha256", this.#master).update(head)
      .update(encoder.encode(peer.hostname)).digest();
    return ((mac[0]! << 24) | (mac[1]! << 16) | (mac[2]! << 8) | mac[3]!) >>> 0;
  }
}

/**
 * The first frame of a datagram, when it is a whole one with a good checksum and a known type;
 * otherwise why not (a sentence for the trace). The payload is a view of `bytes`.
 */
export function firstFrame(bytes: Uint8Array): Frame | string {
  if (bytes.length === 0) return "empty datagram";
  if (bytes[0] !== MAGIC) return `not a frame (first byte 0x${bytes[0]!.toString(16)})`;
  if (bytes.length < HEADER_SIZE) return `cut frame (${bytes.length} bytes)`;
  const length = (bytes[Offset.length]! << 8) | bytes[Offset.length + 1]!;
  if (length > MAX_PAYLOAD) return `frame too long (${length} payload bytes)`;
  const total = HEADER_SIZE + length;
  if (bytes.length < total) return `cut frame (${bytes.length} of ${total} bytes)`;
  if (onesSum(bytes, 0, total) !== 0xffff) return "bad checksum";
  const type = bytes[Offset.type]!;
  if (!isFrameType(type)) return `unknown frame type ${type}`;
  const view = new DataView(bytes.buffer, bytes.byteOffset, total);
  return frame(
    type,
    view.getUint32(Offset.seq),
    bytes[Offset.flags]!,
    bytes.subarray(HEADER_SIZE, total),
  );
}

/** What a server with no session for a peer does with a datagram from it. */
export type StrangerAnswer =
  /** Send `bytes` back (a SYN-ACK with a cookie, a FIN-ACK, an RST); remember nothing. */
  | { readonly kind: "reply"; readonly bytes: Uint8Array; readonly what: string }
  /**
   * A handshake ACK with a valid cookie: open the session. `syn` is the peer's SYN as the
   * server confirmed it (to replay into a fresh endpoint whose ISN is `isn`), followed by the
   * datagram itself (the ACK and whatever came with it).
   */
  | {
    readonly kind: "open";
    readonly syn: Uint8Array;
    readonly isn: number;
    readonly clientIsn: number;
    readonly params: SessionParams;
  }
  /** Drop it (counted). */
  | { readonly kind: "drop"; readonly why: string };

/**
 * Decides, without state, what to do with a datagram from a peer that has no session. Only
 * the first frame counts:
 * - a SYN: SYN-ACK(seq = cookie, payload = confirmed parameters + client ISN), the window
 *   clamped to `maxWindow` as a stateful server does; a SYN with bad parameters: RST with the
 *   reason;
 * - an ACK carrying a SYN-ACK's payload whose cookie matches its `seq`: open the session;
 * - a FIN (the peer's session already ended here and our FIN-ACK was lost): FIN-ACK;
 * - anything else (stray DATA, a forged ACK, garbage, an RST): drop.
 */
export function answerStranger(
  datagram: Uint8Array,
  peer: CookiePeer,
  cookies: SynCookies,
  now: number,
  maxWindow: number = MAX_WINDOW,
): StrangerAnswer {
  const f = firstFrame(datagram);
  if (typeof f === "string") return { kind: "drop", why: f };
  switch (f.type) {
    case FrameType.SYN: {
      let asked: SessionParams;
      try {
        asked = decodeSyn(f.payload);
      } catch (error) {
        if (!(error instanceof BadPayloadError)) throw error;
        const reason = encodeReason(`Protocol error: ${error.message}`);
        return {
          kind: "reply",
          bytes: encodeFrame(frame(FrameType.RST, 0, 0, reason)),
          what: "RST",
        };
      }
      const confirmed = { ...asked, window: Math.min(asked.window, maxWindow) };
      const isn = cookies.isn(peer, f.seq, confirmed, now);
      const synAck = frame(FrameType.SYN_ACK, isn, 0, encodeSynAck(confirmed, f.seq));
      return { kind: "reply", bytes: encodeFrame(synAck), what: "SYN-ACK" };
    }
    case FrameType.ACK: {
      if (f.payload.length !== SYN_ACK_PAYLOAD_SIZE) return { kind: "drop", why: "no session" };
      let echoed: { params: SessionParams; ackedIsn: number };
      try {
        echoed = decodeSynAck(f.payload);
      } catch {
        return { kind: "drop", why: "bad handshake ACK" };
      }
      const { params, ackedIsn } = echoed;
      if (params.window > maxWindow || !cookies.valid(peer, ackedIsn, params, f.seq, now)) {
        return { kind: "drop", why: "bad cookie" };
      }
      const syn = encodeFrame(frame(FrameType.SYN, ackedIsn, 0, encodeSyn(params)));
      return { kind: "open", syn, isn: f.seq, clientIsn: ackedIsn, params };
    }
    case FrameType.FIN:
      return {
        kind: "reply",
        bytes: encodeFrame(frame(FrameType.FIN_ACK, f.seq)),
        what: "FIN-ACK",
      };
    default:
      return { kind: "drop", why: "no session" };
  }
}
