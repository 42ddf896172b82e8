/**
 * A pcapng byte builder (https://www.ietf.org/archive/id/draft-ietf-opsawg-pcapng-02.html):
 * the Section Header Block and one Ethernet Interface Description Block, then one Enhanced
 * Packet Block per packet. Pure: it returns bytes and the caller appends them to a file, in
 * order, starting with {@link PcapngWriter.header}.
 *
 * ```text
 * SHB  0x0A0D0D0A | length | 0x1A2B3C4D | v1.0 | section length -1 | comment, shb_userappl
 * IDB  0x00000001 | length | LINKTYPE_ETHERNET | snaplen | if_name, if_tsresol
 * EPB  0x00000006 | length | interface 0 | timestamp hi, lo | captured | original | data | epb_flags
 * ```
 * All fields little-endian (the byte-order magic tells readers so).
 * @module
 */

/** Block type of the Section Header Block. */
export const BLOCK_SHB = 0x0a0d0d0a;
/** Block type of the Interface Description Block. */
export const BLOCK_IDB = 0x00000001;
/** Block type of the Enhanced Packet Block. */
export const BLOCK_EPB = 0x00000006;
/** Byte-order magic of the Section Header Block. */
export const BYTE_ORDER_MAGIC = 0x1a2b3c4d;
/** Link type of Ethernet II frames. */
export const LINKTYPE_ETHERNET = 1;
/** Default snapshot length: packets longer than this are cut (Wireshark's default). */
export const DEFAULT_SNAPLEN = 262144;

const OPT_ENDOFOPT = 0;
const OPT_COMMENT = 1;
const SHB_USERAPPL = 4;
const IF_NAME = 2;
const IF_TSRESOL = 9;
const EPB_FLAGS = 2;

/** Direction of a packet relative to the recording endpoint (`epb_flags` bits 0-1). */
export type Direction = "inbound" | "outbound";

const DIRECTION_BITS: Record<Direction, number> = { inbound: 0x1, outbound: 0x2 };

/** Options of a {@link PcapngWriter}. */
export interface PcapngOptions {
  /** Longest packet kept; longer packets are cut (default {@link DEFAULT_SNAPLEN}). */
  readonly snaplen?: number;
  /** Timestamp resolution: microseconds (default) or nanoseconds. */
  readonly resolution?: "us" | "ns";
  /** Recording application, shown in Wireshark's Capture File Properties (default `chat`). */
  readonly application?: string;
  /** Section comment (default explains that the TCP/IP headers are synthesized). */
  readonly comment?: string;
  /** Interface name (default `chat`). */
  readonly interfaceName?: string;
}

const DEFAULT_COMMENT = "Recorded by chat from socket data: the Ethernet, IP and TCP headers " +
  "(handshake, acknowledgements, MAC addresses) are synthesized; the TCP payload bytes are real.";

const encoder = new TextEncoder();

/** One option: code, value; padded to 32 bits. */
interface Option {
  readonly code: number;
  readonly value: Uint8Array;
}

function pad4(n: number): number {
  return (n + 3) & ~3;
}

function optionsSize(options: readonly Option[]): number {
  if (options.length === 0) return 0;
  return options.reduce((n, o) => n + 4 + pad4(o.value.length), 0) + 4;
}

function writeOptions(view: DataView, offset: number, options: readonly Option[]): number {
  if (options.length === 0) return offset;
  const bytes = new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
  for (const o of options) {
    view.setUint16(offset, o.code, true);
    view.setUint16(offset + 2, o.value.length, true);
    bytes.set(o.value, offset + 4);
    offset += 4 + pad4(o.value.length);
  }
  view.setUint16(offset, OPT_ENDOFOPT, true);
  view.setUint16(offset + 2, 0, true);
  return offset + 4;
}

/** Lays out a block: type, total length, `body` bytes (already padded), options, length. */
function block(type: number, body: Uint8Array, options: readonly Option[]): Uint8Array {
  const total = 12 + body.length + optionsSize(options);
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  view.setUint32(0, type, true);
  view.setUint32(4, total, true);
  out.set(body, 8);
  writeOptions(view, 8 + body.length, options);
  view.setUint32(total - 4, total, true);
  return out;
}

/** Builds the bytes of a pcapng file with one Ethernet interface. */
export class PcapngWriter {
  /** Snapshot length of the interface. */
  readonly snaplen: number;
  /** Timestamp resolution of the interface. */
  readonly resolution: "us" | "ns";
  readonly #application: string;
  readonly #comment: string;
  readonly #interfaceName: string;

  /** Throws `RangeError` on a snaplen that is not a positive integer. */
  constructor(options: PcapngOptions = {}) {
    const snaplen = options.snaplen ?? DEFAULT_SNAPLEN;
    if (!Number.isInteger(snaplen) || snaplen < 1 || snaplen > 0xffffffff) {
      throw new RangeError(`Snaplen must be a positive integer: ${snaplen}`);
    }
    this.snaplen = snaplen;
    this.resolution = options.resolution ?? "us";
    this.#application = options.application ?? "chat";
    this.#comment = options.comment ?? DEFAULT_COMMENT;
    this.#interfaceName = options.interfaceName ?? "chat";
  }

  /** The Section Header Block and the Interface Description Block: the start of the file. */
  header(): Uint8Array {
    const shbBody = new Uint8Array(16);
    const shb = new DataView(shbBody.buffer);
    shb.setUint32(0, BYTE_ORDER_MAGIC, true);
    shb.setUint16(4, 1, true); // major version
    shb.setUint16(6, 0, true); // minor version
    shb.setBigInt64(8, -1n, true); // section length unknown
    const shbOptions: Option[] = [];
    if (this.#comment !== "") {
      shbOptions.push({ code: OPT_COMMENT, value: encoder.encode(this.#comment) });
    }
    shbOptions.push({ code: SHB_USERAPPL, value: encoder.encode(this.#application) });

    const idbBody = new Uint8Array(8);
    const idb = new DataView(idbBody.buffer);
    idb.setUint16(0, LINKTYPE_ETHERNET, true);
    idb.setUint16(2, 0, true); // reserved
    idb.setUint32(4, this.snaplen, true);
    const idbOptions: Option[] = [
      { code: IF_NAME, value: encoder.encode(this.#interfaceName) },
      { code: IF_TSRESOL, value: Uint8Array.of(this.resolution === "us" ? 6 : 9) },
    ];
    const first = block(BLOCK_SHB, shbBody, shbOptions);
    const second = block(BLOCK_IDB, idbBody, idbOptions);
    const out = new Uint8Array(first.length + second.length);
    out.set(first, 0);
    out.set(second, first.length);
    return out;
  }

  /**
   * One Enhanced Packet Block for `frame` (an Ethernet frame) seen at `timestampMs`
   * (milliseconds since the Unix epoch, fractions kept to the interface resolution), with the
   * direction in `epb_flags` when given. Frames longer than the snaplen are cut.
   */
  packet(frame: Uint8Array, timestampMs: number, direction?: Direction): Uint8Array {
    const captured = Math.min(frame.length, this.snaplen);
    const body = new Uint8Array(20 + pad4(captured));
    const view = new DataView(body.buffer);
    const ticks = toTicks(timestampMs, this.resolution);
    view.setUint32(0, 0, true); // interface id
    view.setUint32(4, Number(ticks >> 32n), true);
    view.setUint32(8, Number(ticks & 0xffffffffn), true);
    view.setUint32(12, captured, true);
    view.setUint32(16, frame.length, true);
    body.set(frame.subarray(0, captured), 20);
    const options: Option[] = [];
    if (direction) {
      const flags = new Uint8Array(4);
      new DataView(flags.buffer).setUint32(0, DIRECTION_BITS[direction], true);
      options.push({ code: EPB_FLAGS, value: flags });
    }
    return block(BLOCK_EPB, body, options);
  }
}

/** Milliseconds since the epoch to timestamp units; negative and non-finite times become 0. */
function toTicks(ms: number, resolution: "us" | "ns"): bigint {
  if (!Number.isFinite(ms) || ms <= 0) return 0n;
  const whole = Math.floor(ms);
  const perMs = resolution === "us" ? 1000 : 1_000_000;
  const fraction = Math.min(perMs - 1, Math.round((ms - whole) * perMs));
  return BigInt(whole) * BigInt(perMs) + BigInt(fraction);
}
