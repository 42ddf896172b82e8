/**
 * Synthesized link, network and transport headers: one Ethernet II frame carrying an IPv4 (or
 * IPv6) packet carrying a TCP segment, with every checksum computed (IPv4 header checksum and
 * TCP checksum over the pseudo-header, RFC 1071), so Wireshark shows no checksum warnings even
 * with checksum validation turned on.
 *
 * ```text
 * Ethernet II (14) | IPv4 (20) or IPv6 (40) | TCP (20, 24 on SYN: MSS option) | payload
 * ```
 * MAC addresses are made up from the IP address (locally administered `02:00:` + the last four
 * address bytes), since a socket never learns them.
 * @module
 */

import { addSums, onesSum } from "../protocol/checksum.ts";
import type { IpAddress } from "./address.ts";

/** TCP header flag bits. */
export const TcpFlag = {
  /** No more data from the sender. */
  FIN: 0x01,
  /** Synchronize sequence numbers. */
  SYN: 0x02,
  /** Reset the connection. */
  RST: 0x04,
  /** Push: deliver the data now. */
  PSH: 0x08,
  /** The acknowledgement number is valid. */
  ACK: 0x10,
} as const;

/** Size of an Ethernet II header. */
export const ETHERNET_HEADER = 14;
/** Size of an IPv4 header without options. */
export const IPV4_HEADER = 20;
/** Size of an IPv6 header without extension headers. */
export const IPV6_HEADER = 40;
/** Size of a TCP header without options. */
export const TCP_HEADER = 20;
/** EtherType of IPv4. */
export const ETHERTYPE_IPV4 = 0x0800;
/** EtherType of IPv6. */
export const ETHERTYPE_IPV6 = 0x86dd;
/** IP protocol number of TCP. */
export const IPPROTO_TCP = 6;

/** Everything needed to build one TCP segment in an Ethernet frame. */
export interface SegmentSpec {
  /** Source address. */
  readonly src: IpAddress;
  /** Destination address (same family as `src`). */
  readonly dst: IpAddress;
  /** Source TCP port. */
  readonly srcPort: number;
  /** Destination TCP port. */
  readonly dstPort: number;
  /** Sequence number (u32). */
  readonly seq: number;
  /** Acknowledgement number (u32), meaningful when `flags` has ACK. */
  readonly ack: number;
  /** TCP flags ({@link TcpFlag} bits). */
  readonly flags: number;
  /** Advertised receive window (u16, no scaling). */
  readonly window: number;
  /** IPv4 identification field (ignored for IPv6). */
  readonly ipId: number;
  /** Maximum segment size option, sent only when set (use on SYN segments). */
  readonly mss?: number;
  /** Segment payload. */
  readonly payload: Uint8Array;
}

/** The made-up MAC address of an IP address: `02:00:` + its last four bytes. */
export function macFor(address: IpAddress): Uint8Array {
  const mac = new Uint8Array(6);
  mac[0] = 0x02;
  mac.set(address.bytes.subarray(address.bytes.length - 4), 2);
  return mac;
}

/** Size of the Ethernet frame {@link buildSegment} makes for `spec`. */
export function segmentSize(spec: SegmentSpec): number {
  const ip = spec.src.family === 4 ? IPV4_HEADER : IPV6_HEADER;
  return ETHERNET_HEADER + ip + tcpHeaderSize(spec) + spec.payload.length;
}

function tcpHeaderSize(spec: SegmentSpec): number {
  return spec.mss === undefined ? TCP_HEADER : TCP_HEADER + 4;
}

/**
 * Builds one Ethernet frame carrying `spec` as a TCP segment, checksums filled in.
 * Throws `RangeError` when the two addresses differ in family or the IP packet would exceed
 * 65535 bytes.
 */
export function buildSegment(spec: SegmentSpec): Uint8Array {
  if (spec.src.family !== spec.dst.family) {
    throw new RangeError(
      `Address families differ: IPv${spec.src.family} and IPv${spec.dst.family}`,
    );
  }
  const v4 = spec.src.family === 4;
  const ipHeader = v4 ? IPV4_HEADER : IPV6_HEADER;
  const tcpHeader = tcpHeaderSize(spec);
  const tcpLength = tcpHeader + spec.payload.length;
  if (tcpLength + (v4 ? ipHeader : 0) > 0xffff) {
    throw new RangeError(`Segment too long: ${spec.payload.length} payload bytes`);
  }
  const out = new Uint8Array(ETHERNET_HEADER + ipHeader + tcpLength);
  const view = new DataView(out.buffer);

  // Ethernet II: destination MAC, source MAC, EtherType.
  out.set(macFor(spec.dst), 0);
  out.set(macFor(spec.src), 6);
  view.setUint16(12, v4 ? ETHERTYPE_IPV4 : ETHERTYPE_IPV6);

  const ip = ETHERNET_HEADER;
  if (v4) {
    view.setUint8(ip, 0x45); // version 4, header length 5 words
    view.setUint8(ip + 1, 0); // DSCP/ECN
    view.setUint16(ip + 2, ipHeader + tcpLength);
    view.setUint16(ip + 4, spec.ipId & 0xffff);
    view.setUint16(ip + 6, 0x4000); // Don't Fragment, offset 0
    view.setUint8(ip + 8, 64); // TTL
    view.setUint8(ip + 9, IPPROTO_TCP);
    out.set(spec.src.bytes, ip + 12);
    out.set(spec.dst.bytes, ip + 16);
    view.setUint16(ip + 10, ~onesSum(out, ip, ip + IPV4_HEADER) & 0xffff);
  } else {
    view.setUint32(ip, 0x60000000); // version 6, traffic class 0, flow label 0
    view.setUint16(ip + 4, tcpLength);
    view.setUint8(ip + 6, IPPROTO_TCP);
    view.setUint8(ip + 7, 64); // hop limit
    out.set(spec.src.bytes, ip + 8);
    out.set(spec.dst.bytes, ip + 24);
  }

  const tcp = ip + ipHeader;
  view.setUint16(tcp, spec.srcPort);
  view.setUint16(tcp + 2, spec.dstPort);
  view.setUint32(tcp + 4, spec.seq >>> 0);
  view.setUint32(tcp + 8, (spec.flags & TcpFlag.ACK) !== 0 ? spec.ack >>> 0 : 0);
  view.setUint8(tcp + 12, (tcpHeader / 4) << 4);
  view.setUint8(tcp + 13, spec.flags);
  view.setUint16(tcp + 14, spec.window & 0xffff);
  if (spec.mss !== undefined) {
    view.setUint8(tcp + 20, 2); // kind: maximum segment size
    view.setUint8(tcp + 21, 4);
    view.setUint16(tcp + 22, spec.mss);
  }
  out.set(spec.payload, tcp + tcpHeader);
  view.setUint16(tcp + 16, tcpChecksum(spec, out, tcp, tcpLength));
  return out;
}

/** TCP checksum: RFC 1071 over the pseudo-header and the segment (checksum field zero). */
function tcpChecksum(spec: SegmentSpec, frame: Uint8Array, tcp: number, tcpLength: number): number {
  const pseudo = new Uint8Array(spec.src.family === 4 ? 12 : 40);
  const view = new DataView(pseudo.buffer);
  pseudo.set(spec.src.bytes, 0);
  if (spec.src.family === 4) {
    pseudo.set(spec.dst.bytes, 4);
    view.setUint8(9, IPPROTO_TCP);
    view.setUint16(10, tcpLength);
  } else {
    pseudo.set(spec.dst.bytes, 16);
    view.setUint32(32, tcpLength);
    view.setUint8(39, IPPROTO_TCP);
  }
  // Both runs start at even offsets, so their sums combine without byte swapping.
  const sum = addSums(onesSum(pseudo), onesSum(frame, tcp, tcp + tcpLength));
  return ~sum & 0xffff;
}
