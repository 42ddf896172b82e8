/**
 * Payload layouts of the control frames: session parameters in SYN and SYN-ACK, selective
 * acknowledgement ranges in ACK, and the reason text of RST.
 *
 * ```text
 * SYN      payload (7 bytes):  version u8 = 1 | mode u8 (1 GBN, 2 SR) | window u16 (1..65535,
 *                              clamped to 256) | ack policy u8 (0 per frame, 1 delayed+SACK) |
 *                              max payload u16 (1..1024; chat serve: 32..1024)
 * SYN-ACK  payload (11 bytes): the same 7 bytes, as confirmed by the server | acked ISN u32
 * ACK      payload (0 or 1+8n bytes): count u8 | count x (start u32, end u32)  end exclusive
 * RST      payload: UTF-8 reason
 * ```
 * All integers big-endian.
 * @module
 */

import { BadPayloadError } from "./errors.ts";
import { MAX_PAYLOAD } from "./header.ts";

/** The ARQ discipline of a session. */
export type ArqMode = "gbn" | "sr";

/** How the receiver acknowledges: one ACK per DATA frame, or delayed cumulative ACKs + SACK. */
export type AckPolicy = "frame" | "sack";

/** Parameters a client asks for in its SYN and the server confirms in its SYN-ACK. */
export interface SessionParams {
  /** Go-Back-N or Selective Repeat. */
  readonly mode: ArqMode;
  /** Sliding window in frames, 1..{@link MAX_WINDOW}. */
  readonly window: number;
  /** Acknowledgement policy. */
  readonly ackPolicy: AckPolicy;
  /** Largest DATA payload per fragment, 1..{@link MAX_PAYLOAD} ({@link MIN_PAYLOAD} at `chat serve`). */
  readonly maxPayload: number;
}

/** Protocol version carried in SYN and SYN-ACK. */
export const PROTOCOL_VERSION = 1;
/** Largest window a session may use. */
export const MAX_WINDOW = 256;
/**
 * Smallest max payload `chat serve` accepts in a SYN: below it the 11-byte header weighs too much
 * (at 1 byte a frame carries 12 wire bytes per payload byte, a chat line dozens of frames; at 32,
 * 1.3). `chat test` cuts short lines into 32-byte fragments; the engine itself takes any size from
 * 1 (its tests fragment into 4-byte pieces).
 */
export const MIN_PAYLOAD = 32;
/** Most SACK ranges one ACK carries. */
export const MAX_SACK_RANGES = 8;
/** Size of a SYN payload. */
export const SYN_PAYLOAD_SIZE = 7;
/** Size of a SYN-ACK payload. */
export const SYN_ACK_PAYLOAD_SIZE = 11;

const MODE_CODE: Record<ArqMode, number> = { gbn: 1, sr: 2 };
const POLICY_CODE: Record<AckPolicy, number> = { frame: 0, sack: 1 };

/** Checks parameter ranges; returns an error sentence or `undefined`. */
export function validateParams(p: SessionParams): string | undefined {
  if (p.mode !== "gbn" && p.mode !== "sr") return `Unknown ARQ mode: ${p.mode}`;
  if (!Number.isInteger(p.window) || p.window < 1 || p.window > MAX_WINDOW) {
    return `Window out of range: ${p.window} (1..${MAX_WINDOW})`;
  }
  if (p.ackPolicy !== "frame" && p.ackPolicy !== "sack") {
    return `Unknown ACK policy: ${p.ackPolicy}`;
  }
  if (!Number.isInteger(p.maxPayload) || p.maxPayload < 1 || p.maxPayload > MAX_PAYLOAD) {
    return `Max payload out of range: ${p.maxPayload} (1..${MAX_PAYLOAD})`;
  }
  return undefined;
}

function writeParams(out: Uint8Array, p: SessionParams): void {
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  view.setUint8(0, PROTOCOL_VERSION);
  view.setUint8(1, MODE_CODE[p.mode]);
  view.setUint16(2, p.window);
  view.setUint8(4, POLICY_CODE[p.ackPolicy]);
  view.setUint16(5, p.maxPayload);
}

/**
 * The parameters of a SYN or SYN-ACK payload. A SYN's window above {@link MAX_WINDOW} is clamped
 * to it (the server clamps the window anyway, see PROTOCOL.md); anything else out of range throws.
 */
function readParams(payload: Uint8Array, what: "SYN" | "SYN-ACK"): SessionParams {
  const view = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
  const version = view.getUint8(0);
  if (version !== PROTOCOL_VERSION) {
    throw new BadPayloadError(`${what}: unsupported protocol version ${version}`);
  }
  const modeCode = view.getUint8(1);
  const policyCode = view.getUint8(4);
  const mode: ArqMode | undefined = modeCode === 1 ? "gbn" : modeCode === 2 ? "sr" : undefined;
  const ackPolicy: AckPolicy | undefined = policyCode === 0
    ? "frame"
    : policyCode === 1
    ? "sack"
    : undefined;
  if (!mode) throw new BadPayloadError(`${what}: unknown ARQ mode ${modeCode}`);
  if (!ackPolicy) throw new BadPayloadError(`${what}: unknown ACK policy ${policyCode}`);
  const asked = view.getUint16(2);
  const window = what === "SYN" ? Math.min(asked, MAX_WINDOW) : asked;
  const params = { mode, window, ackPolicy, maxPayload: view.getUint16(5) };
  const problem = validateParams(params);
  if (problem) throw new BadPayloadError(`${what}: ${problem}`);
  return params;
}

/** Encodes a SYN payload. */
export function encodeSyn(p: SessionParams): Uint8Array {
  const out = new Uint8Array(SYN_PAYLOAD_SIZE);
  writeParams(out, p);
  return out;
}

/** Decodes a SYN payload; throws {@link BadPayloadError} on a bad layout or value. */
export function decodeSyn(payload: Uint8Array): SessionParams {
  if (payload.length !== SYN_PAYLOAD_SIZE) {
    throw new BadPayloadError(
      `SYN: payload must be ${SYN_PAYLOAD_SIZE} bytes, got ${payload.length}`,
    );
  }
  return readParams(payload, "SYN");
}

/** Encodes a SYN-ACK payload: the confirmed parameters and the client's ISN acknowledged. */
export function encodeSynAck(p: SessionParams, ackedIsn: number): Uint8Array {
  const out = new Uint8Array(SYN_ACK_PAYLOAD_SIZE);
  writeParams(out, p);
  new DataView(out.buffer).setUint32(7, ackedIsn >>> 0);
  return out;
}

/** Decodes a SYN-ACK payload; throws {@link BadPayloadError} on a bad layout or value. */
export function decodeSynAck(payload: Uint8Array): { params: SessionParams; ackedIsn: number } {
  if (payload.length !== SYN_ACK_PAYLOAD_SIZE) {
    throw new BadPayloadError(
      `SYN-ACK: payload must be ${SYN_ACK_PAYLOAD_SIZE} bytes, got ${payload.length}`,
    );
  }
  const params = readParams(payload, "SYN-ACK");
  const ackedIsn = new DataView(payload.buffer, payload.byteOffset, payload.byteLength)
    .getUint32(7);
  return { params, ackedIsn };
}

/** A run of received sequence numbers `[start, end)` above the cumulative acknowledgement. */
export interface SackRange {
  /** First sequence number received. */
  readonly start: number;
  /** One past the last sequence number received. */
  readonly end: number;
}

/** Encodes SACK ranges for an ACK payload (at most {@link MAX_SACK_RANGES}; extra are cut). */
export function encodeSack(ranges: readonly SackRange[]): Uint8Array {
  const count = Math.min(ranges.length, MAX_SACK_RANGES);
  if (count === 0) return new Uint8Array(0);
  const out = new Uint8Array(1 + 8 * count);
  const view = new DataView(out.buffer);
  view.setUint8(0, count);
  for (let i = 0; i < count; i++) {
    const r = ranges[i]!;
    view.setUint32(1 + 8 * i, r.start >>> 0);
    view.setUint32(5 + 8 * i, r.end >>> 0);
  }
  return out;
}

/** Decodes the SACK ranges of an ACK payload (empty payload: none). */
export function decodeSack(payload: Uint8Array): SackRange[] {
  if (payload.length === 0) return [];
  const view = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
  const count = view.getUint8(0);
  if (count > MAX_SACK_RANGES || payload.length !== 1 + 8 * count) {
    throw new BadPayloadError(`ACK: bad SACK block (${count} ranges in ${payload.length} bytes)`);
  }
  const ranges: SackRange[] = [];
  for (let i = 0; i < count; i++) {
    ranges.push({ start: view.getUint32(1 + 8 * i), end: view.getUint32(5 + 8 * i) });
  }
  return ranges;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Encodes an RST reason, cut to fit one frame. */
export function encodeReason(reason: string): Uint8Array {
  const bytes = encoder.encode(reason);
  return bytes.length <= MAX_PAYLOAD ? bytes : bytes.subarray(0, MAX_PAYLOAD);
}

/** Decodes an RST reason (invalid UTF-8 is replaced, never thrown). */
export function decodeReason(payload: Uint8Array): string {
  return decoder.decode(payload);
}
