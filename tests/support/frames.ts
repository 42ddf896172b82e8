/** Hand-made frames for tests that feed decoders and servers what a real encoder never makes. */
import { encodeFrame, frame, FrameType, internetChecksum } from "../../lib/protocol/mod.ts";

/** An encoded header-only frame whose type byte is `type` (any number) with a valid checksum. */
export function encodeWithType(type: number, seq = 0): Uint8Array {
  const bytes = encodeFrame(frame(FrameType.ACK, seq));
  bytes[3] = type;
  bytes[8] = 0;
  bytes[9] = 0;
  const sum = internetChecksum(bytes);
  bytes[8] = sum >> 8;
  bytes[9] = sum & 0xff;
  return bytes;
}
