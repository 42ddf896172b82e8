/**
 * The transport seam: what the server, the client core and the load generator need from a
 * connection, a listener and a dialer, whatever carries the bytes (TCP, UDP, a WebSocket, TLS,
 * an in-memory pipe). Sessions are written once against these interfaces; each transport is one
 * file implementing them (`tcp_transport.ts`, `memory_transport.ts`), and only those files touch
 * the runtime's sockets.
 *
 * Two kinds of path exist. A **stream** is a reliable, ordered byte stream (TCP, TLS, the
 * in-memory pipe): a read returns some bytes, frame boundaries are not kept, a write may take
 * only a prefix. A **datagram** path (UDP) keeps boundaries and may lose, repeat or reorder:
 * a read returns one whole datagram, a write sends its bytes as one datagram of at most
 * {@link Conn.maxDatagram} bytes.
 * @module
 */

/** The transports this program knows by name (a new transport adds its name here). */
export type TransportName = "tcp" | "udp" | "ws" | "tls" | "memory";

/** One end of a connection. */
export interface NetAddress {
  /** What carries the bytes. */
  readonly transport: TransportName;
  /** Address text as the transport reports it (`127.0.0.1`, `::1`, a memory host name). */
  readonly hostname: string;
  /** Port number. */
  readonly port: number;
}

/** `host:port`, with an IPv6 host in brackets (`[::1]:55555`), for logs and messages. */
export function formatAddress(addr: Pick<NetAddress, "hostname" | "port">): string {
  return addr.hostname.includes(":")
    ? `[${addr.hostname}]:${addr.port}`
    : `${addr.hostname}:${addr.port}`;
}

/** A reliable byte stream, or a path of datagrams (see the module comment). */
export type PathKind = "stream" | "datagram";

/** One open connection (an accepted or a dialed one). */
export interface Conn {
  /** Whether bytes arrive as a reliable stream or as separate datagrams. */
  readonly path: PathKind;
  /**
   * Largest number of bytes one {@link write} may carry: one datagram's payload on a datagram
   * path, `Infinity` on a stream (where a write may take only a prefix instead).
   */
  readonly maxDatagram: number;
  /** This end's address. */
  readonly localAddr: NetAddress;
  /** The peer's address. */
  readonly remoteAddr: NetAddress;
  /**
   * The ISN a listener that answers SYNs without keeping state (UDP, `syn_cookie.ts`) already
   * gave this peer in its SYN-ACK: the server session's endpoint must use it. Undefined on
   * connections whose handshake the session runs from the start.
   */
  readonly acceptedIsn?: number;
  /**
   * Reads into `buf` and resolves to the number of bytes read (at least 1), or `null` at end of
   * stream (the peer closed or half-closed its sending side) and once this end is closed. A
   * stream returns whatever bytes have arrived; a datagram path returns one datagram (`buf`
   * must hold {@link maxDatagram} bytes). Rejects when the connection failed (reset); a read
   * pending while this end closes may reject too.
   */
  read(buf: Uint8Array): Promise<number | null>;
  /**
   * Writes bytes from `p` and resolves to how many were taken: a stream may take a prefix (the
   * caller writes the rest next); a datagram path sends `p` as one datagram and resolves to its
   * length. The bytes are copied before the promise resolves: the caller may reuse `p` then.
   * Rejects when the connection failed or was closed.
   */
  write(p: Uint8Array): Promise<number>;
  /**
   * Ends this side's sending half (TCP's half-close): the peer reads end of stream once it has
   * read everything written before; this end can still read. No-op on a datagram path.
   */
  closeWrite(): Promise<void>;
  /** Closes both directions at once and releases the connection; idempotent. */
  close(): void;
}

/** A bound address accepting connections. */
export interface Listener {
  /** The address actually bound (the real port even when port 0 was asked for). */
  readonly addr: NetAddress;
  /**
   * The next connection, or `null` once the listener is closed. Rejects on a transient failure
   * (out of file descriptors, ...): the caller may try again after a pause.
   */
  accept(): Promise<Conn | null>;
  /** Stops accepting; a pending {@link accept} resolves `null`. Idempotent. */
  close(): void;
}

/** Opens connections to a host and port over one transport. */
export interface Dialer {
  /** The transport it dials. */
  readonly transport: TransportName;
  /**
   * Connects to `hostname:port`. Rejects with `Deno.errors.ConnectionRefused` when nothing
   * listens there, with another error (name resolution, unreachable network) otherwise.
   */
  dial(hostname: string, port: number): Promise<Conn>;
}

/** Writes all of `bytes`, looping over partial writes. */
export async function writeAll(conn: Pick<Conn, "write">, bytes: Uint8Array): Promise<void> {
  let off = 0;
  while (off < bytes.length) off += await conn.write(bytes.subarray(off));
}

/** One read of `conn`, with a failed read (reset, closed under it) taken as the end: `null`. */
export async function readOrEnd(conn: Pick<Conn, "read">, buf: Uint8Array): Promise<number | null> {
  try {
    return await conn.read(buf);
  } catch {
    return null;
  }
}

/** `p`, or `undefined` after `ms`; the timer never outlives the race. */
export async function within<T>(p: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const t = new Promise<undefined>((r) => timer = setTimeout(() => r(undefined), ms));
  try {
    return await Promise.race([p, t]);
  } finally {
    clearTimeout(timer);
  }
}
