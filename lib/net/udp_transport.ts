/**
 * UDP, the datagram transport of `chat serve` (on the TCP port's number), `chat join --udp`
 * and `chat bench --transport udp`: the only code that calls `Deno.listenDatagram`.
 *
 * - **One socket, many peers.** The listener reads every datagram of its socket and routes it
 *   by the peer's address and port to that peer's {@link Conn} (`path: "datagram"`). A
 *   datagram whose first byte is not the frame magic (0xC1) is dropped and counted, whoever
 *   sent it: no text protocol over UDP.
 * - **No state before the handshake.** A datagram from a peer without a session is answered
 *   or dropped by `answerStranger` (`lib/protocol/syn_cookie.ts`): a SYN gets a SYN-ACK whose
 *   ISN is a keyed hash (SYN cookie), and only a handshake ACK carrying a valid cookie opens a
 *   session. The new `Conn` first yields the peer's SYN as the listener confirmed it, then the
 *   ACK's datagram, and says which ISN the listener promised ({@link Conn.acceptedIsn}): the
 *   session's endpoint continues that handshake. A SYN flood allocates nothing.
 * - **Datagrams, not a stream.** A read returns one datagram; a write sends one of at most
 *   {@link UDP_MAX_DATAGRAM} bytes (the link packs whole frames into them). A datagram longer
 *   than that is dropped, as one that does not start with the magic.
 * - **When the server falls behind.** The kernel queues datagrams in the socket's receive
 *   buffer (`net.core.rmem_default`, 208 KiB on Linux; Deno cannot change a socket's buffer) and
 *   drops what does not fit (`/proc/net/snmp` `Udp: RcvbufErrors`). The listener drains it into
 *   a bounded queue per peer ({@link UDP_PEER_QUEUE} datagrams, then dropped and counted). Every
 *   drop is a loss the ARQ repairs: the peer resends after its RTO.
 *
 * Sockets are a seam of their own ({@link DatagramSocket}): `memory_datagram.ts` gives tests
 * one with loss, duplication and reordering.
 *
 * Deno.listenDatagram needs `--unstable-net`; node:dgram needs no flag but, in Deno 2.9.6, costs
 * twice the CPU per datagram received (it allocates a buffer per datagram) and its
 * `setRecvBufferSize` does not reach the kernel (see docs/PERFORMANCE.md).
 * @module
 */

import { lookup } from "node:dns/promises";
import { answerStranger, SynCookies } from "../protocol/syn_cookie.ts";
import { MAX_WINDOW } from "../protocol/control.ts";
import { frameTypeName, HEADER_SIZE, MAGIC, Offset } from "../protocol/header.ts";
import {
  type Conn,
  type Dialer,
  formatAddress,
  type Listener,
  type NetAddress,
} from "./transport.ts";

/**
 * Largest datagram sent or accepted, bytes: a 1035-byte frame and a few small ones. KCP's
 * size: below Ethernet's and Wi-Fi's 1472 (1500 − 20 IPv4 − 8 UDP; 1452 over IPv6) with room
 * for PPPoE (8), VLAN tags and most tunnels (GRE 24, IPsec and WireGuard about 60), so a
 * datagram is never fragmented on a LAN.
 */
export const UDP_MAX_DATAGRAM = 1400;
/** Datagrams queued per peer that its session has not read yet; more are dropped. */
export const UDP_PEER_QUEUE = 256;
/** Sessions opened by a handshake and not yet accepted by the server; more are dropped. */
export const UDP_BACKLOG = 1024;
/**
 * Receives kept pending on a listener's socket. Deno completes one pending receive per turn of
 * the event loop: a server with one would read one datagram per turn (a few thousand a second
 * when it is busy writing), so several wait at once, as the TCP server has one read pending per
 * connection.
 */
export const UDP_LISTENER_RECEIVES = 16;
/** Receives kept pending on a dialed connection's socket (see {@link UDP_LISTENER_RECEIVES}). */
export const UDP_DIALED_RECEIVES = 4;
/** Receive buffer size: one byte more than a datagram we accept, so a longer one is seen. */
const RECEIVE_BYTES = 2048;

/** A peer's address as a socket reports it. */
export interface DatagramPeer {
  /** Address text. */
  readonly hostname: string;
  /** Port. */
  readonly port: number;
}

/** A bound datagram socket: what this transport needs from the runtime (or from a test). */
export interface DatagramSocket {
  /** The bound address (`transport` says what it is: `udp`, `memory`). */
  readonly addr: NetAddress;
  /**
   * Receives one datagram into `buf`: its length and sender. Several receives may be pending at
   * once, each with its own buffer; each gets one datagram. Rejects once closed.
   */
  receive(buf: Uint8Array): Promise<[number, DatagramPeer]>;
  /** Sends `bytes` as one datagram to `to`; resolves once sent (the bytes may be reused). */
  send(bytes: Uint8Array, to: DatagramPeer): Promise<number>;
  /** Closes the socket; a pending receive rejects. Idempotent. */
  close(): void;
}

/** Sees every datagram of a socket (`--pcap`, `--trace`). */
export interface DatagramObserver {
  /** A datagram sent, as it left. */
  sent?(bytes: Uint8Array, local: NetAddress, remote: NetAddress): void;
  /** A datagram received, before anything looked at it. */
  received?(bytes: Uint8Array, local: NetAddress, remote: NetAddress): void;
  /** What the listener did with a datagram no session took (dropped, answered without state). */
  note?(remote: NetAddress, text: string): void;
}

/** What a UDP listener counted since it started. */
export interface UdpCounters {
  /** Datagrams received. */
  datagramsIn: number;
  /** Datagrams sent (sessions and stateless answers). */
  datagramsOut: number;
  /** Dropped: not starting with the frame magic, or longer than {@link UDP_MAX_DATAGRAM}. */
  notFrames: number;
  /** Dropped: from a peer without a session, and not a SYN, handshake ACK or FIN. */
  strangers: number;
  /** Dropped: a handshake ACK whose cookie did not match. */
  badCookies: number;
  /** SYN-ACKs (and RSTs, FIN-ACKs) sent without state. */
  statelessReplies: number;
  /** Sessions opened by a valid handshake ACK. */
  opened: number;
  /** Dropped: the peer's queue was full (its session fell behind). */
  queueDrops: number;
  /** Dropped: too many sessions opened and not yet accepted. */
  backlogDrops: number;
  /** Sends that failed. */
  sendErrors: number;
}

/** Options of {@link listenDatagrams} and {@link listenUdp}. */
export interface UdpListenOptions {
  /** The server's largest window (`EndpointOptions.maxWindow`): SYNs are clamped to it. */
  readonly maxWindow?: number;
  /** Master secret of the SYN cookies (default 32 random bytes). */
  readonly secret?: Uint8Array;
  /** Clock of the cookies' rotation, ms (default `performance.now`). */
  readonly clock?: () => number;
  /** Sees every datagram. */
  readonly observer?: DatagramObserver;
}

function netAddress(transport: NetAddress["transport"], p: DatagramPeer): NetAddress {
  return { transport, hostname: p.hostname, port: p.port };
}

const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

/**
 * Which local address a socket bound to every interface (`0.0.0.0`, `::`) uses toward a peer,
 * for logs and captures (Deno does not say which address a datagram arrived at): loopback for a
 * loopback peer, else the interface on the peer's IPv4 subnet, else the first LAN address of
 * the family. The interface list is read once.
 */
export class LocalAddressGuess {
  readonly #bound: string;
  #interfaces: Deno.NetworkInterfaceInfo[] | undefined;
  #lastPeer = "";
  #lastLocal = "";

  /** `bound`: the address the socket is bound to. */
  constructor(bound: string) {
    this.#bound = bound;
  }

  /** The local address toward `peer`. */
  toward(peer: string): string {
    if (this.#bound !== "0.0.0.0" && this.#bound !== "::") return this.#bound;
    if (peer === this.#lastPeer) return this.#lastLocal;
    this.#lastLocal = this.#guess(peer);
    this.#lastPeer = peer;
    return this.#lastLocal;
  }

  #guess(peer: string): string {
    if (peer.startsWith("127.") || peer === "::ffff:127.0.0.1") return "127.0.0.1";
    if (peer === "::1") return "::1";
    if (this.#interfaces === undefined) {
      try {
        this.#interfaces = Deno.networkInterfaces();
      } catch {
        this.#interfaces = [];
      }
    }
    const v4 = IPV4.test(peer);
    const family = v4 ? "IPv4" : "IPv6";
    const list = this.#interfaces.filter((i) =>
      i.family === family && i.address !== "::1" && !i.address.startsWith("127.")
    );
    if (v4) {
      const toInt = (a: string) => a.split(".").reduce((n, p) => (n << 8) | Number(p), 0) >>> 0;
      const target = toInt(peer);
      const same = list.find((i) => ((toInt(i.address) ^ target) & toInt(i.netmask)) === 0);
      if (same) return same.address;
    }
    return list[0]?.address ?? this.#bound;
  }
}

function randomSecret(): Uint8Array {
  return crypto.getRandomValues(new Uint8Array(32));
}

/**
 * The frames a datagram holds, for a trace line: `DATA 17, ACK 5` (`…` when cut or damaged).
 */
export function describeDatagram(bytes: Uint8Array): string {
  const names: string[] = [];
  let at = 0;
  while (at + HEADER_SIZE <= bytes.length && bytes[at] === MAGIC) {
    const length = (bytes[at + Offset.length]! << 8) | bytes[at + Offset.length + 1]!;
    const seq = new DataView(bytes.buffer, bytes.byteOffset + at + Offset.seq, 4).getUint32(0);
    names.push(`${frameTypeName(bytes[at + Offset.type]!)} ${seq}`);
    at += HEADER_SIZE + length;
  }
  if (names.length === 0) return "not frames";
  if (at !== bytes.length) names.push("…");
  return names.join(", ");
}

/** Options of {@link observeDatagrams}. */
export interface DatagramWatch {
  /** Receives one line per datagram and per note (`--trace`). */
  readonly trace?: (line: string) => void;
  /** Records each datagram (`--pcap`: `PcapngFile.datagram` fits). */
  readonly record?: (
    dir: "sent" | "received",
    bytes: Uint8Array,
    local: NetAddress,
    remote: NetAddress,
  ) => void;
}

/**
 * An observer that traces and records every datagram, or `undefined` when neither is wanted.
 * A datagram's trace line comes right before (received) or after (sent) the lines of its
 * frames; it has no time of its own (each session's frame lines count from that session's
 * start).
 *
 * ```text
 *    0.005 client → ACK     seq=4011459328 len=11
 *    0.006 client → DATA    seq=1 len=3 LAST
 *          udp 127.0.0.1:38175 → 36 bytes: ACK 4011459328, DATA 1
 *          udp 10.0.0.9:40001 ← SYN-ACK sent without state
 * ```
 */
export function observeDatagrams(watch: DatagramWatch): DatagramObserver | undefined {
  const { trace, record } = watch;
  if (!trace && !record) return undefined;
  const line = (remote: NetAddress, arrow: string, text: string) =>
    trace!(`${"".padStart(8)} udp ${formatAddress(remote)} ${arrow} ${text}`);
  return {
    sent(bytes, local, remote) {
      record?.("sent", bytes, local, remote);
      if (trace) line(remote, "→", `${bytes.length} bytes: ${describeDatagram(bytes)}`);
    },
    received(bytes, local, remote) {
      record?.("received", bytes, local, remote);
      if (trace) line(remote, "←", `${bytes.length} bytes: ${describeDatagram(bytes)}`);
    },
    note(remote, text) {
      if (trace) line(remote, "←", text);
    },
  };
}

/**
 * Datagrams received for one connection and not read yet: at most {@link UDP_PEER_QUEUE} (more
 * are refused), handed straight to a waiting read.
 */
class Inbox {
  readonly #queue: Uint8Array[] = [];
  #reader: { buf: Uint8Array; resolve: (n: number | null) => void } | undefined;
  #closed = false;

  /** A datagram (a view valid during the call); false when it was dropped. */
  push(d: Uint8Array): boolean {
    if (this.#closed) return false;
    const reader = this.#reader;
    if (reader !== undefined) {
      this.#reader = undefined;
      reader.buf.set(d);
      reader.resolve(d.length);
      return true;
    }
    if (this.#queue.length >= UDP_PEER_QUEUE) return false;
    this.#queue.push(d.slice());
    return true;
  }

  read(buf: Uint8Array, maxDatagram: number): Promise<number | null> {
    if (this.#reader !== undefined) {
      return Promise.reject(new Deno.errors.Busy("Another read is in progress"));
    }
    const next = this.#queue.shift();
    if (next !== undefined) {
      buf.set(next.subarray(0, buf.length));
      return Promise.resolve(Math.min(next.length, buf.length));
    }
    if (this.#closed) return Promise.resolve(null);
    if (buf.length < maxDatagram) {
      return Promise.reject(new RangeError(`Read buffer too small: ${buf.length} bytes`));
    }
    return new Promise((resolve) => this.#reader = { buf, resolve });
  }

  /** No more datagrams: a waiting read gets end of stream. */
  close(): void {
    this.#closed = true;
    this.#queue.length = 0;
    const reader = this.#reader;
    this.#reader = undefined;
    reader?.resolve(null);
  }
}

/** Runs `count` receive loops on `socket`, each with its own buffer, until it is closed. */
async function receiveLoops(
  socket: DatagramSocket,
  count: number,
  closed: () => boolean,
  handle: (d: Uint8Array, from: DatagramPeer) => void,
): Promise<void> {
  const loop = async () => {
    const buf = new Uint8Array(RECEIVE_BYTES);
    while (!closed()) {
      let n: number;
      let from: DatagramPeer;
      try {
        [n, from] = await socket.receive(buf);
      } catch {
        if (closed()) return;
        // An error reported on the socket (an ICMP message, a transient failure): go on.
        await new Promise((r) => setTimeout(r, 1));
        continue;
      }
      handle(buf.subarray(0, n), from);
    }
  };
  await Promise.all(Array.from({ length: count }, loop));
}

/** One peer's side of a listener: a {@link Conn} whose reads are the datagrams routed to it. */
class PeerConn implements Conn {
  readonly path = "datagram";
  readonly maxDatagram = UDP_MAX_DATAGRAM;
  readonly localAddr: NetAddress;
  readonly remoteAddr: NetAddress;
  readonly acceptedIsn: number;
  readonly #listener: DatagramListener;
  readonly #peer: DatagramPeer;
  readonly key: string;
  readonly #inbox = new Inbox();
  #closed = false;

  constructor(listener: DatagramListener, peer: DatagramPeer, key: string, isn: number) {
    this.#listener = listener;
    this.#peer = { hostname: peer.hostname, port: peer.port };
    this.key = key;
    this.acceptedIsn = isn;
    this.localAddr = listener.localFor(peer);
    this.remoteAddr = netAddress(listener.addr.transport, peer);
  }

  /** A datagram for this peer (a view valid during the call). False when it was dropped. */
  push(d: Uint8Array): boolean {
    return this.#inbox.push(d);
  }

  read(buf: Uint8Array): Promise<number | null> {
    return this.#inbox.read(buf, this.maxDatagram);
  }

  write(p: Uint8Array): Promise<number> {
    if (this.#closed) return Promise.reject(new Deno.errors.BadResource("Connection closed"));
    return this.#listener.sendTo(p, this.#peer, this.remoteAddr, this.localAddr);
  }

  closeWrite(): Promise<void> {
    return Promise.resolve();
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#inbox.close();
    this.#listener.forget(this);
  }
}

/**
 * A listener over a {@link DatagramSocket}: sessions by peer, stateless handshake (see the
 * module comment). Closing it stops new sessions; the socket itself closes once the last
 * session's connection is closed, so a shutting-down server still says goodbye.
 */
export class DatagramListener implements Listener {
  readonly addr: NetAddress;
  /** What it counted. */
  readonly counters: UdpCounters = {
    datagramsIn: 0,
    datagramsOut: 0,
    notFrames: 0,
    strangers: 0,
    badCookies: 0,
    statelessReplies: 0,
    opened: 0,
    queueDrops: 0,
    backlogDrops: 0,
    sendErrors: 0,
  };
  readonly #socket: DatagramSocket;
  readonly #cookies: SynCookies;
  readonly #clock: () => number;
  readonly #maxWindow: number;
  readonly #observer: DatagramObserver | undefined;
  readonly #peers = new Map<string, PeerConn>();
  readonly #local: LocalAddressGuess;
  readonly #backlog: PeerConn[] = [];
  #waiting: ((conn: Conn | null) => void) | undefined;
  #closed = false;
  #socketClosed = false;

  /** Starts reading `socket` at once. */
  constructor(socket: DatagramSocket, options: UdpListenOptions = {}) {
    this.#socket = socket;
    this.addr = socket.addr;
    this.#cookies = new SynCookies(options.secret ?? randomSecret());
    this.#clock = options.clock ?? (() => performance.now());
    this.#maxWindow = options.maxWindow ?? MAX_WINDOW;
    this.#observer = options.observer;
    this.#local = new LocalAddressGuess(socket.addr.hostname);
    receiveLoops(socket, UDP_LISTENER_RECEIVES, () => this.#socketClosed, (d, from) => {
      this.#handle(d, from);
    });
  }

  /** Sessions open now (connections not closed). */
  get sessions(): number {
    return this.#peers.size;
  }

  accept(): Promise<Conn | null> {
    const next = this.#backlog.shift();
    if (next !== undefined) return Promise.resolve(next);
    if (this.#closed) return Promise.resolve(null);
    return new Promise((resolve) => this.#waiting = resolve);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const c of this.#backlog.splice(0)) c.close();
    const w = this.#waiting;
    this.#waiting = undefined;
    w?.(null);
    if (this.#peers.size === 0) this.#closeSocket();
  }

  /** @internal This end's address as seen by `peer` (the socket's, or a guess when bound to all). */
  localFor(peer: DatagramPeer): NetAddress {
    return { ...this.addr, hostname: this.#local.toward(peer.hostname) };
  }

  /** @internal Sends one datagram for a session. */
  sendTo(
    p: Uint8Array,
    peer: DatagramPeer,
    remote: NetAddress,
    local?: NetAddress,
  ): Promise<number> {
    if (p.length > UDP_MAX_DATAGRAM) {
      return Promise.reject(new RangeError(`Datagram too long: ${p.length} bytes`));
    }
    if (this.#socketClosed) {
      return Promise.reject(new Deno.errors.BadResource("Socket closed"));
    }
    this.counters.datagramsOut++;
    const observer = this.#observer;
    if (observer?.sent) observer.sent(p, local ?? this.localFor(peer), remote);
    return this.#socket.send(p, peer).catch((error) => {
      this.counters.sendErrors++;
      throw error;
    });
  }

  /** @internal A session's connection closed. */
  forget(c: PeerConn): void {
    if (this.#peers.get(c.key) === c) this.#peers.delete(c.key);
    if (this.#closed && this.#peers.size === 0) this.#closeSocket();
  }

  #closeSocket(): void {
    if (this.#socketClosed) return;
    this.#socketClosed = true;
    this.#socket.close();
  }

  #handle(d: Uint8Array, from: DatagramPeer): void {
    const counters = this.counters;
    counters.datagramsIn++;
    const observer = this.#observer;
    const remote = observer ? netAddress(this.addr.transport, from) : undefined;
    if (observer?.received) observer.received(d, this.localFor(from), remote!);
    if (d.length === 0 || d[0] !== MAGIC || d.length > UDP_MAX_DATAGRAM) {
      counters.notFrames++;
      observer?.note?.(
        remote!,
        d.length > UDP_MAX_DATAGRAM
          ? `dropped: datagram too long (${d.length} bytes > ${UDP_MAX_DATAGRAM})`
          : `dropped: not a frame (${d.length} bytes, first byte 0x${(d[0] ?? 0).toString(16)})`,
      );
      return;
    }
    const key = `${from.hostname} ${from.port}`;
    const peer = this.#peers.get(key);
    if (peer !== undefined) {
      if (!peer.push(d)) {
        counters.queueDrops++;
        observer?.note?.(remote!, "dropped: the session's queue is full");
      }
      return;
    }
    if (this.#closed) {
      counters.strangers++;
      return;
    }
    const answer = answerStranger(d, from, this.#cookies, this.#clock(), this.#maxWindow);
    switch (answer.kind) {
      case "reply":
        counters.statelessReplies++;
        observer?.note?.(remote!, `${answer.what} sent without state`);
        this.sendTo(answer.bytes, from, remote ?? netAddress(this.addr.transport, from))
          .catch(() => {/* counted in sendErrors; the peer sends again */});
        return;
      case "drop":
        if (answer.why === "bad cookie") counters.badCookies++;
        else counters.strangers++;
        observer?.note?.(remote!, `dropped: ${answer.why}`);
        return;
      case "open": {
        if (this.#backlog.length >= UDP_BACKLOG) {
          counters.backlogDrops++;
          observer?.note?.(remote!, "dropped: too many sessions waiting to be accepted");
          return;
        }
        const conn = new PeerConn(this, from, key, answer.isn);
        this.#peers.set(key, conn);
        counters.opened++;
        observer?.note?.(remote!, "session opened by a valid cookie");
        conn.push(answer.syn);
        conn.push(d);
        const w = this.#waiting;
        this.#waiting = undefined;
        if (w) w(conn);
        else this.#backlog.push(conn);
        return;
      }
    }
  }
}

/** Listens for sessions on `socket` (any {@link DatagramSocket}). */
export function listenDatagrams(
  socket: DatagramSocket,
  options: UdpListenOptions = {},
): DatagramListener {
  return new DatagramListener(socket, options);
}

/** A dialed datagram connection: one socket of its own, talking to one server. */
class DialedConn implements Conn {
  readonly path = "datagram";
  readonly maxDatagram = UDP_MAX_DATAGRAM;
  readonly localAddr: NetAddress;
  readonly remoteAddr: NetAddress;
  readonly #socket: DatagramSocket;
  readonly #server: DatagramPeer;
  readonly #observer: DatagramObserver | undefined;
  readonly #inbox = new Inbox();
  #closed = false;
  /** Datagrams dropped: from another address or port, not frames, too long, or queue full. */
  strays = 0;

  constructor(
    socket: DatagramSocket,
    server: DatagramPeer,
    local: NetAddress,
    observer: DatagramObserver | undefined,
  ) {
    this.#socket = socket;
    this.#server = server;
    this.localAddr = local;
    this.remoteAddr = netAddress(socket.addr.transport, server);
    this.#observer = observer;
    receiveLoops(socket, UDP_DIALED_RECEIVES, () => this.#closed, (d, from) => {
      this.#receive(d, from);
    });
  }

  #receive(d: Uint8Array, from: DatagramPeer): void {
    const observer = this.#observer;
    const remote = observer ? netAddress(this.remoteAddr.transport, from) : undefined;
    observer?.received?.(d, this.localAddr, remote!);
    if (from.port !== this.#server.port || from.hostname !== this.#server.hostname) {
      this.strays++;
      observer?.note?.(remote!, "dropped: not from the server");
    } else if (d.length === 0 || d[0] !== MAGIC || d.length > this.maxDatagram) {
      this.strays++;
      observer?.note?.(remote!, `dropped: not a frame (${d.length} bytes)`);
    } else if (!this.#inbox.push(d)) {
      this.strays++;
    }
  }

  read(buf: Uint8Array): Promise<number | null> {
    return this.#inbox.read(buf, this.maxDatagram);
  }

  write(p: Uint8Array): Promise<number> {
    if (this.#closed) return Promise.reject(new Deno.errors.BadResource("Connection closed"));
    if (p.length > this.maxDatagram) {
      return Promise.reject(new RangeError(`Datagram too long: ${p.length} bytes`));
    }
    this.#observer?.sent?.(p, this.localAddr, this.remoteAddr);
    return this.#socket.send(p, this.#server);
  }

  closeWrite(): Promise<void> {
    return Promise.resolve();
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#inbox.close();
    this.#socket.close();
  }
}

/**
 * Opens a datagram connection to `server` over `socket` (bound for this connection alone;
 * closed with it). `local` is the address to report as this end's (default the socket's).
 */
export function dialDatagrams(
  socket: DatagramSocket,
  server: DatagramPeer,
  options: { readonly observer?: DatagramObserver; readonly local?: NetAddress } = {},
): Conn {
  return new DialedConn(socket, server, options.local ?? socket.addr, options.observer);
}

// ---- UDP sockets of the runtime ----

class DenoDatagramSocket implements DatagramSocket {
  readonly addr: NetAddress;
  readonly #conn: Deno.DatagramConn;
  #closed = false;

  constructor(conn: Deno.DatagramConn) {
    this.#conn = conn;
    const a = conn.addr as Deno.NetAddr;
    this.addr = { transport: "udp", hostname: a.hostname, port: a.port };
  }

  async receive(buf: Uint8Array): Promise<[number, DatagramPeer]> {
    const [bytes, from] = await this.#conn.receive(buf);
    const a = from as Deno.NetAddr;
    return [bytes.length, a];
  }

  send(bytes: Uint8Array, to: DatagramPeer): Promise<number> {
    return this.#conn.send(bytes, { transport: "udp", hostname: to.hostname, port: to.port });
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    try {
      this.#conn.close();
    } catch { /* already closed */ }
  }
}

/**
 * Binds UDP `hostname:port` (port 0 picks a free one) and listens for sessions on it. Throws at
 * once: `Deno.errors.AddrInUse`, `Deno.errors.PermissionDenied`, ...
 */
export function listenUdp(
  hostname: string,
  port: number,
  options: UdpListenOptions = {},
): DatagramListener {
  const conn = Deno.listenDatagram({ hostname, port, transport: "udp" });
  return listenDatagrams(new DenoDatagramSocket(conn), options);
}

/** `host` as an IP address (looked up once when it is a name: `localhost`, `lab-pc`). */
async function resolveHost(host: string): Promise<{ address: string; family: 4 | 6 }> {
  const bare = host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host;
  if (IPV4.test(bare)) return { address: bare, family: 4 };
  if (bare.includes(":")) return { address: bare, family: 6 };
  const found = await lookup(bare);
  return { address: found.address, family: found.family === 6 ? 6 : 4 };
}

/** A UDP {@link Dialer} whose connections report their datagrams to `observer`. */
export function udpDialer(observer?: DatagramObserver): Dialer {
  return Object.freeze({
    transport: "udp" as const,
    async dial(hostname: string, port: number): Promise<Conn> {
      const server = await resolveHost(hostname);
      const conn = Deno.listenDatagram({
        hostname: server.family === 4 ? "0.0.0.0" : "::",
        port: 0,
        transport: "udp",
      });
      const socket = new DenoDatagramSocket(conn);
      const local: NetAddress = {
        transport: "udp",
        hostname: new LocalAddressGuess(socket.addr.hostname).toward(server.address),
        port: socket.addr.port,
      };
      return dialDatagrams(socket, { hostname: server.address, port }, { observer, local });
    },
  });
}

/** The UDP {@link Dialer}. */
export const UDP_DIALER: Dialer = udpDialer();
