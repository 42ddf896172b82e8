/**
 * The `--pcap FILE` edge: a pcapng file that every connection of a process records into, one
 * {@link TcpFlowRecorder} per TCP connection, and every UDP datagram as it was
 * ({@link PcapngFile.datagram}). Writes are queued and appended in call order by one
 * writer loop; the first write error stops recording and is reported by {@link PcapngFile.close}.
 *
 * ```ts
 * const pcap = await PcapngFile.create("lab.pcapng", { role: "server" });
 * const capture = pcap.forConnection(conn.localAddr, conn.remoteAddr);
 * capture.received(bytes, 0); // for each read
 * capture.sent(bytes, 0);     // for each write
 * capture.close();            // when the connection ends
 * await pcap.close();
 * ```
 * @module
 */

import { type Endpoint, pairAddresses } from "./address.ts";
import { buildDatagram } from "./packet.ts";
import { type PcapngOptions, PcapngWriter } from "./pcapng.ts";
import { type TcpFlowOptions, TcpFlowRecorder } from "./tcp_flow.ts";

/** Receives the bytes of one connection (fits `LinkCapture` of `lib/net/binary_link.ts`). */
export interface ConnectionCapture {
  /** Bytes written to the socket. `now` is ignored: packets are stamped with the wall clock. */
  sent(bytes: Uint8Array, now?: number): void;
  /** Bytes read from the socket. `now` is ignored: packets are stamped with the wall clock. */
  received(bytes: Uint8Array, now?: number): void;
  /** The connection ended: records the FIN exchange (`by` closed it, default local). */
  close(by?: "local" | "remote"): void;
}

/** Options of {@link PcapngFile.create}. */
export interface PcapngFileOptions extends PcapngOptions {
  /** `server`: peers opened the connections; `client` (default): this process did. */
  readonly role?: "server" | "client";
  /** Wall clock in milliseconds since the epoch (default: `performance` time, sub-ms). */
  readonly clock?: () => number;
  /** Extra options for every connection's recorder. */
  readonly flow?: Omit<TcpFlowOptions, "initiator">;
}

/** Something bytes can be written to (a `Deno.FsFile` fits). */
export interface ByteSink {
  /** Writes some bytes, returns how many. */
  write(p: Uint8Array): Promise<number>;
  /** Releases the sink. */
  close(): void;
}

/** A pcapng capture file shared by all connections of the process. */
export class PcapngFile {
  readonly #sink: ByteSink;
  readonly #writer: PcapngWriter;
  readonly #options: PcapngFileOptions;
  readonly #clock: () => number;
  readonly #open = new Set<TcpFlowRecorder>();
  #queue: Uint8Array[] = [];
  #draining: Promise<void> | undefined;
  #error: Error | undefined;
  #closed = false;
  #ipId = 1;

  /** Wraps an open sink and queues the file header. Prefer {@link PcapngFile.create}. */
  constructor(sink: ByteSink, options: PcapngFileOptions = {}) {
    this.#sink = sink;
    this.#options = options;
    this.#writer = new PcapngWriter(options);
    this.#clock = options.clock ?? (() => performance.timeOrigin + performance.now());
    this.#enqueue(this.#writer.header());
  }

  /** Creates (or truncates) the file at `path`. */
  static async create(path: string, options: PcapngFileOptions = {}): Promise<PcapngFile> {
    const file = await Deno.open(path, { write: true, create: true, truncate: true });
    return new PcapngFile(file, options);
  }

  /** The first write error, if recording stopped. */
  get error(): Error | undefined {
    return this.#error;
  }

  /**
   * A recorder for one connection; records its handshake now. `local` and `remote` are the
   * socket's addresses (`conn.localAddr`, `conn.remoteAddr`). Bound to the instance, so it can
   * be passed on as a plain function.
   */
  readonly forConnection = (local: Endpoint, remote: Endpoint): ConnectionCapture => {
    const initiator = this.#options.role === "server" ? "remote" : "local";
    const flow = new TcpFlowRecorder(this.#writer, local, remote, {
      ...this.#options.flow,
      initiator,
    });
    this.#open.add(flow);
    this.#enqueue(flow.open(this.#clock()));
    return {
      sent: (bytes) => this.#enqueue(flow.sent(bytes, this.#clock())),
      received: (bytes) => this.#enqueue(flow.received(bytes, this.#clock())),
      close: (by = "local") => {
        this.#open.delete(flow);
        this.#enqueue(flow.close(this.#clock(), by));
      },
    };
  };

  /**
   * Records one UDP datagram as the socket at `local` sent it to `remote` or received it from
   * there: the real UDP header around the bytes (a datagram is one packet, nothing synthesized
   * around it). Bound to the instance.
   */
  readonly datagram = (
    dir: "sent" | "received",
    bytes: Uint8Array,
    local: Endpoint,
    remote: Endpoint,
  ): void => {
    const [localIp, remoteIp] = pairAddresses(local.hostname, remote.hostname);
    const sent = dir === "sent";
    const frame = buildDatagram({
      src: sent ? localIp : remoteIp,
      dst: sent ? remoteIp : localIp,
      srcPort: sent ? local.port : remote.port,
      dstPort: sent ? remote.port : local.port,
      ipId: this.#ipId++ & 0xffff,
      payload: bytes,
    });
    this.#enqueue(this.#writer.packet(frame, this.#clock(), sent ? "outbound" : "inbound"));
  };

  /**
   * Closes the connections still open, writes what is queued and closes the file. Rejects
   * with the first write error, if any.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    for (const flow of this.#open) this.#enqueue(flow.close(this.#clock()));
    this.#open.clear();
    this.#closed = true;
    while (this.#draining) await this.#draining;
    try {
      this.#sink.close();
    } catch (error) {
      this.#error ??= error as Error;
    }
    if (this.#error) throw this.#error;
  }

  #enqueue(bytes: Uint8Array): void {
    if (bytes.length === 0 || this.#error || this.#closed) return;
    this.#queue.push(bytes);
    this.#draining ??= this.#drain();
  }

  /**
   * Writes batches until the queue is empty. Write errors are caught inside the loop, and the
   * reset of `#draining` follows the last emptiness check with no await in between, so a chunk
   * queued meanwhile is never stranded.
   */
  async #drain(): Promise<void> {
    await Promise.resolve(); // never finish before the caller stored the promise
    while (this.#queue.length > 0 && !this.#error) {
      const batch = this.#queue;
      this.#queue = [];
      const bytes = batch.length === 1 ? batch[0]! : concat(batch);
      try {
        let written = 0;
        while (written < bytes.length) {
          written += await this.#sink.write(bytes.subarray(written));
        }
      } catch (error) {
        this.#error = new Error(`Cannot write the capture file: ${(error as Error).message}`, {
          cause: error,
        });
        this.#queue = [];
      }
    }
    this.#draining = undefined;
  }
}

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
