/**
 * Turns the bytes one endpoint sends and receives on a TCP connection into the packets a
 * capture of that connection would show: the three-way handshake on {@link TcpFlowRecorder.open},
 * data segments of at most one MSS with consistent sequence and acknowledgement numbers per
 * direction, an acknowledgement from the receiver after every second segment and at the end of
 * each write (as delayed ACK does), and the FIN exchange on {@link TcpFlowRecorder.close}, so
 * Wireshark's TCP analysis finds nothing to complain about and reassembles the stream.
 *
 * A pure state machine: each call returns the pcapng blocks to append; no clock, no I/O.
 *
 * ```text
 *  initiator                responder
 *     SYN  seq=x  MSS  ───►
 *          ◄───  SYN,ACK seq=y ack=x+1
 *     ACK  ack=y+1     ───►
 *     PSH,ACK data     ───►            (sent: outbound)
 *          ◄───  ACK                   (synthesized)
 *          ◄───  PSH,ACK data          (received: inbound)
 *     FIN,ACK          ───►            (close by local)
 *          ◄───  FIN,ACK
 *     ACK              ───►
 * ```
 * @module
 */

import { type Endpoint, type IpAddress, pairAddresses } from "./address.ts";
import { buildSegment, TcpFlag } from "./packet.ts";
import type { Direction, PcapngWriter } from "./pcapng.ts";

/** Default maximum segment size: Ethernet MTU 1500 minus 40 bytes of IPv4 and TCP headers. */
export const DEFAULT_MSS = 1460;
/** Receive window advertised by both ends (no window scaling). */
export const WINDOW = 65535;

/** Options of a {@link TcpFlowRecorder}. */
export interface TcpFlowOptions {
  /** Who opened the connection: `local` for a client (default), `remote` for a server. */
  readonly initiator?: "local" | "remote";
  /** Largest payload per segment (default {@link DEFAULT_MSS}). */
  readonly mss?: number;
  /** Initial sequence numbers (default: derived from the ports, deterministic). */
  readonly isn?: { readonly local: number; readonly remote: number };
  /** Synthesize the receiver's acknowledgements of data (default true). */
  readonly acks?: boolean;
}

type State = "new" | "open" | "closed";

/** One direction of the connection. */
interface Side {
  readonly ip: IpAddress;
  readonly port: number;
  /** Next sequence number this side sends. */
  next: number;
  /** IPv4 identification of the next packet. */
  ipId: number;
  /** Packet direction in the capture when this side sends. */
  readonly direction: Direction;
}

function defaultIsn(a: number, b: number): number {
  return (Math.imul(a + 1, 0x9e3779b1) ^ Math.imul(b + 1, 0x85ebca77)) >>> 0;
}

/** Records one TCP connection as seen by one of its endpoints. */
export class TcpFlowRecorder {
  readonly #writer: PcapngWriter;
  readonly #local: Side;
  readonly #remote: Side;
  readonly #initiator: "local" | "remote";
  readonly #mss: number;
  readonly #acks: boolean;
  #state: State = "new";

  /**
   * `local` is the recording endpoint, `remote` its peer (host names map as described in
   * `address.ts`). Throws `RangeError` on a port or MSS out of range.
   */
  constructor(
    writer: PcapngWriter,
    local: Endpoint,
    remote: Endpoint,
    options: TcpFlowOptions = {},
  ) {
    for (const p of [local.port, remote.port]) {
      if (!Number.isInteger(p) || p < 0 || p > 0xffff) throw new RangeError(`Bad port: ${p}`);
    }
    const mss = options.mss ?? DEFAULT_MSS;
    if (!Number.isInteger(mss) || mss < 1 || mss > 0xffff) {
      throw new RangeError(`MSS must be an integer from 1 to 65535: ${mss}`);
    }
    const [localIp, remoteIp] = pairAddresses(local.hostname, remote.hostname);
    const isn = options.isn ?? {
      local: defaultIsn(local.port, remote.port),
      remote: defaultIsn(remote.port, local.port),
    };
    this.#writer = writer;
    this.#mss = mss;
    this.#acks = options.acks ?? true;
    this.#initiator = options.initiator ?? "local";
    this.#local = {
      ip: localIp,
      port: local.port,
      next: isn.local >>> 0,
      ipId: isn.local & 0xffff,
      direction: "outbound",
    };
    this.#remote = {
      ip: remoteIp,
      port: remote.port,
      next: isn.remote >>> 0,
      ipId: isn.remote & 0xffff,
      direction: "inbound",
    };
  }

  /** True once the connection was closed or aborted; later calls record nothing. */
  get closed(): boolean {
    return this.#state === "closed";
  }

  /** The three-way handshake (empty if already open or closed). */
  open(nowMs: number): Uint8Array {
    if (this.#state !== "new") return new Uint8Array(0);
    this.#state = "open";
    const [client, server] = this.#initiator === "local"
      ? [this.#local, this.#remote]
      : [this.#remote, this.#local];
    const out: Uint8Array[] = [];
    out.push(this.#segment(client, server, TcpFlag.SYN, EMPTY, nowMs, this.#mss));
    client.next = (client.next + 1) >>> 0;
    out.push(this.#segment(server, client, TcpFlag.SYN | TcpFlag.ACK, EMPTY, nowMs, this.#mss));
    server.next = (server.next + 1) >>> 0;
    out.push(this.#segment(client, server, TcpFlag.ACK, EMPTY, nowMs));
    return concat(out);
  }

  /** Bytes the local endpoint wrote to the socket (opens the connection first if needed). */
  sent(bytes: Uint8Array, nowMs: number): Uint8Array {
    return this.#data(this.#local, this.#remote, bytes, nowMs);
  }

  /** Bytes the local endpoint read from the socket (opens the connection first if needed). */
  received(bytes: Uint8Array, nowMs: number): Uint8Array {
    return this.#data(this.#remote, this.#local, bytes, nowMs);
  }

  /**
   * The orderly close: FIN from the closing side, FIN from the other, the last ACK. Returns
   * empty if already closed.
   */
  close(nowMs: number, by: "local" | "remote" = "local"): Uint8Array {
    if (this.#state === "closed") return new Uint8Array(0);
    const out = [this.open(nowMs)];
    this.#state = "closed";
    const [a, b] = by === "local" ? [this.#local, this.#remote] : [this.#remote, this.#local];
    out.push(this.#segment(a, b, TcpFlag.FIN | TcpFlag.ACK, EMPTY, nowMs));
    a.next = (a.next + 1) >>> 0;
    out.push(this.#segment(b, a, TcpFlag.FIN | TcpFlag.ACK, EMPTY, nowMs));
    b.next = (b.next + 1) >>> 0;
    out.push(this.#segment(a, b, TcpFlag.ACK, EMPTY, nowMs));
    return concat(out);
  }

  /** An abortive close: one RST from `by`. Returns empty if already closed. */
  abort(nowMs: number, by: "local" | "remote" = "local"): Uint8Array {
    if (this.#state === "closed") return new Uint8Array(0);
    const out = [this.open(nowMs)];
    this.#state = "closed";
    const [a, b] = by === "local" ? [this.#local, this.#remote] : [this.#remote, this.#local];
    out.push(this.#segment(a, b, TcpFlag.RST | TcpFlag.ACK, EMPTY, nowMs));
    return concat(out);
  }

  #data(from: Side, to: Side, bytes: Uint8Array, nowMs: number): Uint8Array {
    if (this.#state === "closed" || bytes.length === 0) return new Uint8Array(0);
    const out = [this.open(nowMs)];
    let unacked = 0;
    for (let pos = 0; pos < bytes.length; pos += this.#mss) {
      const chunk = bytes.subarray(pos, Math.min(bytes.length, pos + this.#mss));
      const last = pos + chunk.length === bytes.length;
      const flags = last ? TcpFlag.PSH | TcpFlag.ACK : TcpFlag.ACK;
      out.push(this.#segment(from, to, flags, chunk, nowMs));
      from.next = (from.next + chunk.length) >>> 0;
      unacked++;
      if (this.#acks && (unacked === 2 || last)) {
        out.push(this.#segment(to, from, TcpFlag.ACK, EMPTY, nowMs));
        unacked = 0;
      }
    }
    return concat(out);
  }

  #segment(
    from: Side,
    to: Side,
    flags: number,
    payload: Uint8Array,
    nowMs: number,
    mss?: number,
  ): Uint8Array {
    const frame = buildSegment({
      src: from.ip,
      dst: to.ip,
      srcPort: from.port,
      dstPort: to.port,
      seq: from.next,
      ack: to.next,
      flags,
      window: WINDOW,
      ipId: from.ipId,
      payload,
      ...(mss === undefined ? {} : { mss }),
    });
    from.ipId = (from.ipId + 1) & 0xffff;
    return this.#writer.packet(frame, nowMs, from.direction);
  }
}

const EMPTY = new Uint8Array(0);

function concat(parts: readonly Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
