/**
 * A relay between clients and a server that a test can cut, as a Wi-Fi drop does: every
 * connection through it is closed at once at both ends (the server sees a lost connection, the
 * client too), and for a while new connections are refused. Runs over any transport.
 * @module
 */

import type { Conn, Dialer, Listener } from "../../lib/net/transport.ts";
import { writeAll } from "../../lib/net/transport.ts";

/** A relay from `listener` to `target` through `dialer`. */
export class CutProxy {
  readonly #listener: Listener;
  readonly #pairs = new Set<[Conn, Conn]>();
  readonly #pumps = new Set<Promise<void>>();
  readonly #accepting: Promise<void>;
  #refuseUntil = 0;
  /** Connections relayed so far. */
  relayed = 0;

  constructor(
    listener: Listener,
    readonly dialer: Dialer,
    readonly target: { hostname: string; port: number },
  ) {
    this.#listener = listener;
    this.#accepting = this.#accept();
  }

  /** The port clients dial. */
  get port(): number {
    return this.#listener.addr.port;
  }

  /** Closes every relayed connection now, and refuses new ones for `refuseMs`. */
  cut(refuseMs = 0): void {
    this.#refuseUntil = performance.now() + refuseMs;
    for (const [a, b] of this.#pairs) {
      close(a);
      close(b);
    }
    this.#pairs.clear();
  }

  /** Cuts everything and stops listening. */
  async close(): Promise<void> {
    this.cut();
    this.#listener.close();
    await this.#accepting;
    await Promise.all(this.#pumps);
  }

  async #accept(): Promise<void> {
    for (;;) {
      let conn: Conn | null;
      try {
        conn = await this.#listener.accept();
      } catch {
        return;
      }
      if (conn === null) return;
      if (performance.now() < this.#refuseUntil) {
        close(conn);
        continue;
      }
      let upstream: Conn;
      try {
        upstream = await this.dialer.dial(this.target.hostname, this.target.port);
      } catch {
        close(conn);
        continue;
      }
      this.relayed++;
      const pair: [Conn, Conn] = [conn, upstream];
      this.#pairs.add(pair);
      const pump = Promise.all([pipe(conn, upstream), pipe(upstream, conn)]).then(() => {
        this.#pairs.delete(pair);
        close(conn);
        close(upstream);
      });
      this.#pumps.add(pump);
      pump.then(() => this.#pumps.delete(pump));
    }
  }
}

async function pipe(from: Conn, to: Conn): Promise<void> {
  const buf = new Uint8Array(64 * 1024);
  for (;;) {
    const n = await from.read(buf).catch(() => null);
    if (n === null) break;
    try {
      await writeAll(to, buf.subarray(0, n));
    } catch {
      break;
    }
  }
  close(to);
  close(from);
}

function close(c: Conn): void {
  try {
    c.close();
  } catch { /* closed */ }
}
