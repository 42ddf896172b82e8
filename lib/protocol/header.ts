/**
 * The 11-byte frame header of the reliable binary protocol: the single source of truth for the
 * codec, the documentation and the generated Wireshark dissector.
 *
 * ```text
 *  0        1        2        3        4        5        6        7        8        9        10
 * +--------+--------+--------+--------+--------+--------+--------+--------+--------+--------+--------+
 * | magic  |  payload length |  type  |          sequence number          |    checksum     | flags  |
 * |  0xC1  |   (u16, BE)     |  (u8)  |             (u32, BE)             |   (u16, BE)     |  (u8)  |
 * +--------+--------+--------+--------+--------+--------+--------+--------+--------+--------+--------+
 * ```
 * @module
 */

/** First byte of every frame: protocol magic and version 1. 0xC1 never appears in UTF-8 text. */
export const MAGIC = 0xc1;
/** Size of the fixed header in bytes. */
export const HEADER_SIZE = 11;
/** Largest payload a single frame may carry (one fragment). */
export const MAX_PAYLOAD = 1024;
/** Largest frame on the wire: header plus the largest payload. */
export const MAX_FRAME = HEADER_SIZE + MAX_PAYLOAD;
/** Largest application message, reassembled from at most 64 fragments. */
export const MAX_MESSAGE = 64 * MAX_PAYLOAD;

/** Byte offsets of the header fields. */
export const Offset = {
  magic: 0,
  length: 1,
  type: 3,
  seq: 4,
  checksum: 8,
  flags: 10,
} as const;

/** Frame types carried in the `type` byte. */
export const FrameType = {
  /** Client opens a session: its initial sequence number and the ARQ parameters it wants. */
  SYN: 1,
  /** Server accepts: its initial sequence number and the parameters confirmed. */
  SYN_ACK: 2,
  /** Acknowledgement (cumulative or per frame, see PROTOCOL.md); may carry SACK ranges. */
  ACK: 3,
  /** Negative acknowledgement: "resend sequence number `seq` now". */
  NACK: 4,
  /** One fragment of an application message; flag LAST marks the final fragment. */
  DATA: 5,
  /** Orderly close: sent after all data was acknowledged; `seq` is the next sequence number. */
  FIN: 6,
  /** Answers a FIN; the session is closed on both sides. */
  FIN_ACK: 7,
  /** Keepalive probe on an idle session; answered by PONG with the same `seq`. */
  PING: 8,
  /** Keepalive answer. */
  PONG: 9,
  /** Abort: the payload is a UTF-8 reason. No answer is expected. */
  RST: 10,
} as const;

/** A frame type value. */
export type FrameType = typeof FrameType[keyof typeof FrameType];

/** Printable names of the frame types, indexed by value. */
export const FRAME_TYPE_NAMES: Readonly<Record<FrameType, string>> = {
  1: "SYN",
  2: "SYN-ACK",
  3: "ACK",
  4: "NACK",
  5: "DATA",
  6: "FIN",
  7: "FIN-ACK",
  8: "PING",
  9: "PONG",
  10: "RST",
};

/** Flag bits in the `flags` byte. Bits not listed are reserved and sent as zero. */
export const Flag = {
  /** This DATA frame is the last fragment of its message. */
  LAST: 0x01,
} as const;

/** True when `value` is a known frame type. */
export function isFrameType(value: number): value is FrameType {
  return value >= FrameType.SYN && value <= FrameType.RST;
}

/** Printable name of a frame type, or `TYPE(n)` for an unknown value. */
export function frameTypeName(value: number): string {
  return isFrameType(value) ? FRAME_TYPE_NAMES[value] : `TYPE(${value})`;
}

/** One header field, for documentation and the dissector generator. */
export interface HeaderField {
  /** Short identifier, used as the Wireshark field suffix. */
  readonly name: string;
  /** Offset from the start of the frame. */
  readonly offset: number;
  /** Size in bytes. */
  readonly size: 1 | 2 | 4;
  /** What the field means. */
  readonly description: string;
}

/** The header fields in wire order. */
export const HEADER_FIELDS: readonly HeaderField[] = [
  { name: "magic", offset: Offset.magic, size: 1, description: "Magic and version (0xC1)" },
  { name: "length", offset: Offset.length, size: 2, description: "Payload length in bytes" },
  { name: "type", offset: Offset.type, size: 1, description: "Frame type" },
  { name: "seq", offset: Offset.seq, size: 4, description: "Sequence number" },
  { name: "checksum", offset: Offset.checksum, size: 2, description: "Internet checksum" },
  { name: "flags", offset: Offset.flags, size: 1, description: "Flags (0x01 = last fragment)" },
];
