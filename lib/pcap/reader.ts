/**
 * A small reader for the captures this module writes (little-endian pcapng, Ethernet, IPv4 or
 * IPv6, TCP): enough to check a capture without Wireshark, in tests or in a lab report tool.
 * Not a general pcapng reader: big-endian sections and other link types are rejected.
 * @module
 */

import { BLOCK_EPB, BLOCK_IDB, BLOCK_SHB, BYTE_ORDER_MAGIC, type Direction } from "./pcapng.ts";
import {
  ETHERNET_HEADER,
  ETHERTYPE_IPV4,
  ETHERTYPE_IPV6,
  IPPROTO_TCP,
  IPPROTO_UDP,
} from "./packet.ts";

/** One block of a pcapng file. */
export interface PcapngBlock {
  /** Block type. */
  readonly type: number;
  /** Offset of the block in the file. */
  readonly offset: number;
  /** Body between the length fields (options included). */
  readonly body: Uint8Array;
}

/** One packet of an Enhanced Packet Block. */
export interface CapturedPacket {
  /** Interface the packet was captured on. */
  readonly interfaceId: number;
  /** Timestamp in units of the interface resolution. */
  readonly timestamp: bigint;
  /** Bytes captured (at most the snaplen). */
  readonly data: Uint8Array;
  /** Length on the wire. */
  readonly originalLength: number;
  /** Direction from `epb_flags`, if present. */
  readonly direction?: Direction;
}

/** Splits a pcapng file into blocks; throws `Error` on a bad length or byte order. */
export function readBlocks(bytes: Uint8Array): PcapngBlock[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const blocks: PcapngBlock[] = [];
  let at = 0;
  while (at < bytes.length) {
    if (at + 12 > bytes.length) throw new Error(`Truncated block at ${at}`);
    const type = view.getUint32(at, true);
    if (type === BLOCK_SHB && view.getUint32(at + 8, true) !== BYTE_ORDER_MAGIC) {
      throw new Error(`Not a little-endian section at ${at}`);
    }
    const total = view.getUint32(at + 4, true);
    if (total < 12 || total % 4 !== 0 || at + total > bytes.length) {
      throw new Error(`Bad block length ${total} at ${at}`);
    }
    if (view.getUint32(at + total - 4, true) !== total) {
      throw new Error(`Trailing length differs at ${at}`);
    }
    blocks.push({ type, offset: at, body: bytes.subarray(at + 8, at + total - 4) });
    at += total;
  }
  return blocks;
}

/** The options of a block body starting at `start`: code to value (last one wins). */
export function readOptions(body: Uint8Array, start: number): Map<number, Uint8Array> {
  const view = new DataView(body.buffer, body.byteOffset, body.byteLength);
  const options = new Map<number, Uint8Array>();
  let at = start;
  while (at + 4 <= body.length) {
    const code = view.getUint16(at, true);
    const length = view.getUint16(at + 2, true);
    if (code === 0) break;
    options.set(code, body.subarray(at + 4, at + 4 + length));
    at += 4 + ((length + 3) & ~3);
  }
  return options;
}

/** The packets of every Enhanced Packet Block, in file order. */
export function readPackets(bytes: Uint8Array): CapturedPacket[] {
  return readBlocks(bytes).filter((b) => b.type === BLOCK_EPB).map((b) => {
    const view = new DataView(b.body.buffer, b.body.byteOffset, b.body.byteLength);
    const captured = view.getUint32(12, true);
    const timestamp = (BigInt(view.getUint32(4, true)) << 32n) | BigInt(view.getUint32(8, true));
    const flags = readOptions(b.body, 20 + ((captured + 3) & ~3)).get(2);
    let direction: Direction | undefined;
    if (flags && flags.length === 4) {
      const bits = new DataView(flags.buffer, flags.byteOffset, 4).getUint32(0, true) & 3;
      direction = bits === 1 ? "inbound" : bits === 2 ? "outbound" : undefined;
    }
    return {
      interfaceId: view.getUint32(0, true),
      timestamp,
      data: b.body.subarray(20, 20 + captured),
      originalLength: view.getUint32(16, true),
      ...(direction ? { direction } : {}),
    };
  });
}

/** The TCP/IP view of a captured Ethernet frame. */
export interface TcpPacket {
  /** 4 or 6. */
  readonly family: 4 | 6;
  /** Source address bytes. */
  readonly src: Uint8Array;
  /** Destination address bytes. */
  readonly dst: Uint8Array;
  /** Source port. */
  readonly srcPort: number;
  /** Destination port. */
  readonly dstPort: number;
  /** Sequence number. */
  readonly seq: number;
  /** Acknowledgement number. */
  readonly ack: number;
  /** TCP flag bits. */
  readonly flags: number;
  /** Advertised window. */
  readonly window: number;
  /** TCP payload. */
  readonly payload: Uint8Array;
}

/** The IP view of a captured Ethernet frame: addresses, protocol and where its segment lies. */
function ipView(
  frame: Uint8Array,
):
  | { family: 4 | 6; src: Uint8Array; dst: Uint8Array; proto: number; at: number; end: number }
  | undefined {
  if (frame.length < ETHERNET_HEADER + 20) return undefined;
  const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  const etherType = view.getUint16(12);
  const ip = ETHERNET_HEADER;
  if (etherType === ETHERTYPE_IPV4) {
    return {
      family: 4,
      src: frame.subarray(ip + 12, ip + 16),
      dst: frame.subarray(ip + 16, ip + 20),
      proto: view.getUint8(ip + 9),
      at: ip + (view.getUint8(ip) & 0x0f) * 4,
      end: ip + view.getUint16(ip + 2),
    };
  }
  if (etherType === ETHERTYPE_IPV6 && frame.length >= ip + 40) {
    return {
      family: 6,
      src: frame.subarray(ip + 8, ip + 24),
      dst: frame.subarray(ip + 24, ip + 40),
      proto: view.getUint8(ip + 6),
      at: ip + 40,
      end: ip + 40 + view.getUint16(ip + 4),
    };
  }
  return undefined;
}

/** Decodes an Ethernet frame carrying TCP; `undefined` for anything else. */
export function parseTcpFrame(frame: Uint8Array): TcpPacket | undefined {
  const ip = ipView(frame);
  if (!ip || ip.proto !== IPPROTO_TCP) return undefined;
  const { family, src, dst, at: tcp, end } = ip;
  if (end > frame.length || tcp + 20 > end) return undefined;
  const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  const dataOffset = (view.getUint8(tcp + 12) >> 4) * 4;
  return {
    family,
    src,
    dst,
    srcPort: view.getUint16(tcp),
    dstPort: view.getUint16(tcp + 2),
    seq: view.getUint32(tcp + 4),
    ack: view.getUint32(tcp + 8),
    flags: view.getUint8(tcp + 13),
    window: view.getUint16(tcp + 14),
    payload: frame.subarray(tcp + dataOffset, end),
  };
}

/** The UDP/IP view of a captured Ethernet frame. */
export interface UdpPacket {
  /** 4 or 6. */
  readonly family: 4 | 6;
  /** Source address bytes. */
  readonly src: Uint8Array;
  /** Destination address bytes. */
  readonly dst: Uint8Array;
  /** Source port. */
  readonly srcPort: number;
  /** Destination port. */
  readonly dstPort: number;
  /** The datagram's payload. */
  readonly payload: Uint8Array;
}

/** Decodes an Ethernet frame carrying UDP; `undefined` for anything else. */
export function parseUdpFrame(frame: Uint8Array): UdpPacket | undefined {
  const ip = ipView(frame);
  if (!ip || ip.proto !== IPPROTO_UDP) return undefined;
  const { family, src, dst, at: udp, end } = ip;
  if (end > frame.length || udp + 8 > end) return undefined;
  const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  return {
    family,
    src,
    dst,
    srcPort: view.getUint16(udp),
    dstPort: view.getUint16(udp + 2),
    payload: frame.subarray(udp + 8, Math.min(end, udp + view.getUint16(udp + 4))),
  };
}

/** The block type names, for messages. */
export const BLOCK_NAMES: Readonly<Record<number, string>> = {
  [BLOCK_SHB]: "SHB",
  [BLOCK_IDB]: "IDB",
  [BLOCK_EPB]: "EPB",
};
