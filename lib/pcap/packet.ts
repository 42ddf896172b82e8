/**
 * Synthesized link, network and transport headers: one Ethernet II frame carrying an IPv4 (or
 * IPv6) packet carrying a TCP segment or a UDP datagram, with every checksum computed (IPv4
 * header checksum and TCP/UDP checksum over the pseudo-header, RFC 1071), so Wireshark shows no
 * checksum warnings even with checksum validation turned on.
 *
 * ```text
 * Ethernet II (14) | IPv4 (20) or IPv6 (40) | TCP (20, 24 on SYN: MSS option) | payload
 * Ethernet II (14) | IPv4 (20) or IPv6 (40) | UDP (8)                         | payload
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
  const tcpHeader = tcpHeaderSize(spec);
  const tcpLength = tcpHeader + spec.payload.length;
  const { out, view, at: tcp } = ipPacket(spec.src, spec.dst, IPPROTO_TCP, spec.ipId, tcpLength);
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
  view.setUint16(tcp + 16, transportChecksum(spec.src, spec.dst, IPPROTO_TCP, out, tcp, tcpLength));
  return out;
}

/** Size of a UDP header. */
export const UDP_HEADER = 8;
/** IP protocol number of UDP. */
export const IPPROTO_UDP = 17;

/** Everything needed to build one UDP datagram in an Ethernet frame. */
export interface DatagramSpec {
  /** Source address. */
  readonly src: IpAddress;
  /** Destination address (same family as `src`). */
  readonly dst: IpAddress;
  /** Source UDP port. */
  readonly srcPort: number;
  /** Destination UDP port. */
  readonly dstPort: number;
  /** IPv4 identification field (ignored for IPv6). */
  readonly ipId: number;
  /** The datagram's payload. */
  readonly payload: Uint8Array;
}

/**
 * Builds one Ethernet frame carrying `spec` as a UDP datagram: the real UDP header (ports,
 * length, checksum over the pseudo-header; 0 is sent as 0xFFFF, RFC 768). Throws `RangeError`
 * as {@link buildSegment}.
 */
export function buildDatagram(spec: DatagramSpec): Uint8Array {
  const udpLength = UDP_HEADER + spec.payload.length;
  const { out, view, at: udp } = ipPacket(spec.src, spec.dst, IPPROTO_UDP, spec.ipId, udpLength);
  view.setUint16(udp, spec.srcPort);
  view.setUint16(udp + 2, spec.dstPort);
  view.setUint16(udp + 4, udpLength);
  out.set(spec.payload, udp + UDP_HEADER);
  const sum = transportChecksum(spec.src, spec.dst, IPPROTO_UDP, out, udp, udpLength);
  view.setUint16(udp + 6, sum === 0 ? 0xffff : sum);
  return out;
}

/**
 * An Ethernet frame with its IP header written for a transport segment of `l4Length` bytes
 * (protocol `proto`), and the offset where that segment starts.
 */
function ipPacket(
  src: IpAddress,
  dst: IpAddress,
  proto: number,
  ipId: number,
  l4Length: number,
): { out: Uint8Array; view: DataView; at: number } {
  if (src.family !== dst.family) {
    throw new RangeError(`Address families differ: IPv${src.family} and IPv${dst.family}`);
  }
  const v4 = src.family === 4;
  const ipHeader = v4 ? IPV4_HEADER : IPV6_HEADER;
  if (l4Length + (v4 ? ipHeader : 0) > 0xffff) {
    throw new RangeError(`Segment too long: ${l4Length} bytes`);
  }
  const out = new Uint8Array(ETHERNET_HEADER + ipHeader + l4Length);
  const view = new DataView(out.buffer);

  // Ethernet II: destination MAC, source MAC, EtherType.
  out.set(macFor(dst), 0);
  out.set(macFor(src), 6);
  view.setUint16(12, v4 ? ETHERTYPE_IPV4 : ETHERTYPE_IPV6);

  const ip = ETHERNET_HEADER;
  if (v4) {
    view.setUint8(ip, 0x45); // version 4, header length 5 words
    view.setUint8(ip + 1, 0); // DSCP/ECN
    view.setUint16(ip + 2, ipHeader + l4Length);
    view.setUint16(ip + 4, ipId & 0xffff);
    view.setUint16(ip + 6, 0x4000); // Don't Fragment, offset 0
    view.setUint8(ip + 8, 64); // TTL
    view.setUint8(ip + 9, proto);
    out.set(src.bytes, ip + 12);
    out.set(dst.bytes, ip + 16);
    view.setUint16(ip + 10, ~onesSum(out, ip, ip + IPV4_HEADER) & 0xffff);
  } else {
    view.setUint32(ip, 0x60000000); // version 6, traffic class 0, flow label 0
    view.setUint16(ip + 4, l4Length);
    view.setUint8(ip + 6, proto);
    view.setUint8(ip + 7, 64); // hop limit
    out.set(src.bytes, ip + 8);
    out.set(dst.bytes, ip + 24);
  }
  return { out, view, at: ip + ipHeader };
}

/** TCP or UDP checksum: RFC 1071 over the pseudo-header and the segment (checksum field 0). */
function transportChecksum(
  src: IpAddress,
  dst: IpAddress,
  proto: number,
  frame: Uint8Array,
  at: number,
  length: number,
): number {
  const pseudo = new Uint8Array(src.family === 4 ? 12 : 40);
  const view = new DataView(pseudo.buffer);
  pseudo.set(src.bytes, 0);
  if (src.family === 4) {
    pseudo.set(dst.bytes, 4);
    view.setUint8(9, proto);
    view.setUint16(10, length);
  } else {
    pseudo.set(dst.bytes, 16);
    view.setUint32(32, length);
    view.setUint8(39, proto);
  }
  // Both runs start at even offsets, so their sums combine without byte swapping.
  const sum = addSums(onesSum(pseudo), onesSum(frame, at, at + length));
  return ~sum & 0xffff;
}
