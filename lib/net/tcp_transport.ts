/**
 * TCP, the transport of `chat serve`, `chat join` and `chat bench`: the only code that calls
 * `Deno.listen` and `Deno.connect`. Every connection gets `TCP_NODELAY`: a chat line must leave
 * when it is written, not wait for the peer's delayed ACK (Nagle).
 * @module
 */

import type { Conn, Dialer, Listener, NetAddress } from "./transport.ts";

function address(addr: Deno.Addr): NetAddress {
  const a = addr as Deno.NetAddr;
  return { transport: "tcp", hostname: a.hostname, port: a.port };
}

/** A TCP connection behind the {@link Conn} seam. */
class TcpConn implements Conn {
  readonly path = "stream";
  readonly maxDatagram = Infinity;
  readonly localAddr: NetAddress;
  readonly remoteAddr: NetAddress;
  readonly #conn: Deno.TcpConn;
  #closed = false;

  constructor(conn: Deno.TcpConn) {
    this.#conn = conn;
    this.localAddr = address(conn.localAddr);
    this.remoteAddr = address(conn.remoteAddr);
    try {
      conn.setNoDelay(true);
    } catch { /* the peer may already be gone: the first read or write says so */ }
  }

  read(buf: Uint8Array): Promise<number | null> {
    if (this.#closed) return Promise.resolve(null);
    return this.#conn.read(buf);
  }

  write(p: Uint8Array): Promise<number> {
    return this.#conn.write(p);
  }

  closeWrite(): Promise<void> {
    return this.#conn.closeWrite();
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    try {
      this.#conn.close();
    } catch { /* already closed */ }
  }
}

/** A bound TCP port behind the {@link Listener} seam. */
class TcpListener implements Listener {
  readonly addr: NetAddress;
  readonly #listener: Deno.TcpListener;
  #closed = false;

  constructor(listener: Deno.TcpListener) {
    this.#listener = listener;
    this.addr = address(listener.addr);
  }

  async accept(): Promise<Conn | null> {
    if (this.#closed) return null;
    try {
      return new TcpConn(await this.#listener.accept());
    } catch (error) {
      if (this.#closed || error instanceof Deno.errors.BadResource) return null;
      throw error;
    }
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    try {
      this.#listener.close();
    } catch { /* already closed */ }
  }
}

/**
 * Binds `hostname:port` (port 0 picks a free one). Throws at once: `Deno.errors.AddrInUse`,
 * `Deno.errors.PermissionDenied`, ...
 */
export function listenTcp(hostname: string, port: number): Listener {
  return new TcpListener(Deno.listen({ hostname, port, transport: "tcp" }));
}

/**
 * Connects over TCP. Rejects with `Deno.errors.ConnectionRefused` when nothing listens there, and
 * with `signal`'s reason once it aborts before the connection is made.
 */
export async function dialTcp(
  hostname: string,
  port: number,
  signal?: AbortSignal,
): Promise<Conn> {
  return new TcpConn(await Deno.connect({ hostname, port, transport: "tcp", signal }));
}

/** The TCP {@link Dialer}. */
export const TCP_DIALER: Dialer = Object.freeze({ transport: "tcp", dial: dialTcp });
