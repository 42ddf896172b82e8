/**
 * In-memory datagram sockets for tests of the datagram transport: sockets bound on a
 * {@link MemoryDatagramNetwork} reach each other by host and port, each with a bounded receive
 * queue (a full one drops, as the kernel's receive buffer does), and every datagram passes an
 * `impair` function that may lose it, repeat it or delay it (so later ones overtake it).
 * @module
 */

import type { DatagramPeer, DatagramSocket } from "./udp_transport.ts";
import type { NetAddress } from "./transport.ts";

/**
 * What happens to one datagram: the delays (ms) of the copies that arrive; `[]` loses it,
 * `[0]` delivers it at once (after the current turn), `[0, 5]` delivers it twice.
 */
export type Impair = (bytes: Uint8Array, from: DatagramPeer, to: DatagramPeer) => number[];

/** Options of a {@link MemoryDatagramNetwork}. */
export interface MemoryDatagramOptions {
  /** Every datagram's fate (default: each arrives once, in order). */
  readonly impair?: Impair;
  /** Datagrams a socket holds unread before it drops more (default 4096). */
  readonly queueDatagrams?: number;
}

class MemorySocket implements DatagramSocket {
  readonly addr: NetAddress;
  readonly #network: MemoryDatagramNetwork;
  readonly #queue: [Uint8Array, DatagramPeer][] = [];
  readonly #limit: number;
  /** Pending receives, served in the order they were made. */
  readonly #readers: {
    buf: Uint8Array;
    resolve: (r: [number, DatagramPeer]) => void;
    reject: (e: Error) => void;
  }[] = [];
  #closed = false;
  /** Datagrams dropped because the queue was full. */
  overflows = 0;

  constructor(network: MemoryDatagramNetwork, addr: NetAddress, limit: number) {
    this.#network = network;
    this.addr = addr;
    this.#limit = limit;
  }

  get closed(): boolean {
    return this.#closed;
  }

  arrive(bytes: Uint8Array, from: DatagramPeer): void {
    if (this.#closed) return;
    const reader = this.#readers.shift();
    if (reader !== undefined) {
      const n = Math.min(bytes.length, reader.buf.length);
      reader.buf.set(bytes.subarray(0, n));
      reader.resolve([n, from]);
      return;
    }
    if (this.#queue.length >= this.#limit) {
      this.overflows++;
      return;
    }
    this.#queue.push([bytes, from]);
  }

  receive(buf: Uint8Array): Promise<[number, DatagramPeer]> {
    if (this.#closed) return Promise.reject(new Deno.errors.BadResource("Socket closed"));
    const next = this.#queue.shift();
    if (next !== undefined) {
      const n = Math.min(next[0].length, buf.length);
      buf.set(next[0].subarray(0, n));
      return Promise.resolve([n, next[1]]);
    }
    return new Promise((resolve, reject) => this.#readers.push({ buf, resolve, reject }));
  }

  send(bytes: Uint8Array, to: DatagramPeer): Promise<number> {
    if (this.#closed) return Promise.reject(new Deno.errors.BadResource("Socket closed"));
    this.#network.deliver(bytes.slice(), this.addr, to);
    return Promise.resolve(bytes.length);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#queue.length = 0;
    this.#network.unbind(this);
    for (const r of this.#readers.splice(0)) r.reject(new Deno.errors.BadResource("Socket closed"));
  }
}

/** Datagram sockets in memory, bound by host and port (see the module comment). */
export class MemoryDatagramNetwork {
  readonly #sockets = new Map<string, MemorySocket>();
  readonly #impair: Impair;
  readonly #limit: number;
  readonly #timers = new Set<ReturnType<typeof setTimeout>>();
  #nextPort = 40000;
  /** Datagrams sent, lost (by `impair` or to no socket) and delivered. */
  readonly counts = { sent: 0, lost: 0, delivered: 0 };

  /** Creates an empty network. */
  constructor(options: MemoryDatagramOptions = {}) {
    this.#impair = options.impair ?? (() => [0]);
    this.#limit = options.queueDatagrams ?? 4096;
  }

  /** Binds `hostname:port` (0 picks a free port); throws `Deno.errors.AddrInUse` when taken. */
  bind(hostname = "127.0.0.1", port = 0): DatagramSocket {
    let p = port;
    if (p === 0) {
      while (this.#sockets.has(`${hostname} ${this.#nextPort}`)) this.#nextPort++;
      p = this.#nextPort++;
    }
    const key = `${hostname} ${p}`;
    if (this.#sockets.has(key)) throw new Deno.errors.AddrInUse(`Address in use: ${key}`);
    const socket = new MemorySocket(this, { transport: "memory", hostname, port: p }, this.#limit);
    this.#sockets.set(key, socket);
    return socket;
  }

  /**
   * Delivers `bytes` to `to` now as if `from` had sent them (a forged source address), past
   * `impair`: how a test plays an attacker on the LAN.
   */
  spoof(bytes: Uint8Array, from: DatagramPeer, to: DatagramPeer): void {
    this.#sockets.get(`${to.hostname} ${to.port}`)?.arrive(bytes.slice(), from);
  }

  /** Cancels datagrams still on their way (call at the end of a test). */
  stop(): void {
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
  }

  /** @internal */
  unbind(socket: MemorySocket): void {
    const key = `${socket.addr.hostname} ${socket.addr.port}`;
    if (this.#sockets.get(key) === socket) this.#sockets.delete(key);
  }

  /** @internal */
  deliver(bytes: Uint8Array, from: NetAddress, to: DatagramPeer): void {
    this.counts.sent++;
    const source: DatagramPeer = { hostname: from.hostname, port: from.port };
    const delays = this.#impair(bytes, source, to);
    if (delays.length === 0) this.counts.lost++;
    for (const ms of delays) {
      const timer = setTimeout(() => {
        this.#timers.delete(timer);
        const socket = this.#sockets.get(`${to.hostname} ${to.port}`);
        if (socket === undefined) {
          this.counts.lost++;
          return;
        }
        this.counts.delivered++;
        socket.arrive(bytes, source);
      }, ms);
      this.#timers.add(timer);
    }
  }
}
