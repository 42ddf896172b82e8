/**
 * Byte layouts of the control payloads (SYN, SYN-ACK, ACK with SACK) as the dissector generator
 * needs them: field offsets and sizes, and the codes of the ARQ modes and ACK policies.
 * `lib/protocol/control.ts` keeps its layout private, so the codes are read back from its
 * encoders and {@link checkLayouts} proves the offsets against them: a change to the encoders
 * that is not mirrored here makes dissector generation fail instead of drifting.
 * @module
 */

import {
  type AckPolicy,
  type ArqMode,
  encodeSack,
  encodeSyn,
  encodeSynAck,
  MAX_PAYLOAD,
  MAX_SACK_RANGES,
  MAX_WINDOW,
  PROTOCOL_VERSION,
  type SessionParams,
  SYN_ACK_PAYLOAD_SIZE,
  SYN_PAYLOAD_SIZE,
} from "../protocol/mod.ts";

/** One fixed-size unsigned big-endian field of a payload. */
export interface PayloadField {
  /** Wireshark field suffix, e.g. `window` in `chat.syn.window`. */
  readonly name: string;
  /** Label shown in the packet details. */
  readonly label: string;
  /** Offset from the start of the payload. */
  readonly offset: number;
  /** Size in bytes. */
  readonly size: 1 | 2 | 4;
}

/** The session parameters carried by SYN and, first, by SYN-ACK. */
export const SYN_FIELDS: readonly PayloadField[] = [
  { name: "version", label: "Protocol version", offset: 0, size: 1 },
  { name: "mode", label: "ARQ mode", offset: 1, size: 1 },
  { name: "window", label: "Window (frames)", offset: 2, size: 2 },
  { name: "ack_policy", label: "ACK policy", offset: 4, size: 1 },
  { name: "max_payload", label: "Max payload per fragment", offset: 5, size: 2 },
];

/** The field SYN-ACK adds after the parameters. */
export const SYN_ACK_ISN: PayloadField = {
  name: "acked_isn",
  label: "Acknowledged client ISN",
  offset: 7,
  size: 4,
};

/** The SACK block of an ACK: a count, then `count` ranges of {@link SACK_RANGE_SIZE} bytes. */
export const SACK_COUNT: PayloadField = { name: "count", label: "SACK ranges", offset: 0, size: 1 };
/** Size of one SACK range (start u32, end u32). */
export const SACK_RANGE_SIZE = 8;
/** Offset of the start field within a range (its end follows, 4 bytes later). */
export const SACK_RANGE_START = 1;

/** Printable names of the ARQ modes. */
export const MODE_LABELS: Readonly<Record<ArqMode, string>> = {
  gbn: "Go-Back-N",
  sr: "Selective Repeat",
};

/** Printable names of the ACK policies. */
export const POLICY_LABELS: Readonly<Record<AckPolicy, string>> = {
  frame: "Per frame",
  sack: "Delayed + SACK",
};

const BASE: SessionParams = { mode: "gbn", window: 1, ackPolicy: "frame", maxPayload: 1 };

function field(name: string): PayloadField {
  const f = SYN_FIELDS.find((x) => x.name === name);
  if (!f) throw new Error(`No SYN field: ${name}`);
  return f;
}

function read(bytes: Uint8Array, f: PayloadField, base = 0): number {
  let v = 0;
  for (let i = 0; i < f.size; i++) v = v * 256 + bytes[base + f.offset + i]!;
  return v;
}

/** The wire code of each ARQ mode, read back from `encodeSyn`. */
export function modeCodes(): Record<ArqMode, number> {
  const at = field("mode");
  return {
    gbn: read(encodeSyn({ ...BASE, mode: "gbn" }), at),
    sr: read(encodeSyn({ ...BASE, mode: "sr" }), at),
  };
}

/** The wire code of each ACK policy, read back from `encodeSyn`. */
export function policyCodes(): Record<AckPolicy, number> {
  const at = field("ack_policy");
  return {
    frame: read(encodeSyn({ ...BASE, ackPolicy: "frame" }), at),
    sack: read(encodeSyn({ ...BASE, ackPolicy: "sack" }), at),
  };
}

/**
 * Checks every offset above against the encoders of `lib/protocol/control.ts`; returns the
 * first mismatch as a sentence, or `undefined` when the layouts agree.
 */
export function checkLayouts(): string | undefined {
  const params: SessionParams = {
    mode: "sr",
    window: MAX_WINDOW,
    ackPolicy: "sack",
    maxPayload: MAX_PAYLOAD - 1,
  };
  const codes = { mode: modeCodes(), policy: policyCodes() };
  if (codes.mode.gbn === codes.mode.sr) return "ARQ mode codes are not distinct";
  if (codes.policy.frame === codes.policy.sack) return "ACK policy codes are not distinct";
  const expected: Record<string, number> = {
    version: PROTOCOL_VERSION,
    mode: codes.mode.sr,
    window: params.window,
    ack_policy: codes.policy.sack,
    max_payload: params.maxPayload,
  };
  const syn = encodeSyn(params);
  if (syn.length !== SYN_PAYLOAD_SIZE) return `SYN payload is ${syn.length} bytes`;
  const isn = 0xa1b2c3d4;
  const synAck = encodeSynAck(params, isn);
  if (synAck.length !== SYN_ACK_PAYLOAD_SIZE) return `SYN-ACK payload is ${synAck.length} bytes`;
  for (const f of SYN_FIELDS) {
    if (read(syn, f) !== expected[f.name]) return `SYN field ${f.name} is not at ${f.offset}`;
    if (read(synAck, f) !== expected[f.name]) return `SYN-ACK field ${f.name} moved`;
  }
  if (read(synAck, SYN_ACK_ISN) !== isn) return `SYN-ACK ISN is not at ${SYN_ACK_ISN.offset}`;
  const ranges = Array.from({ length: MAX_SACK_RANGES }, (_, i) => ({
    start: 0x01020304 + i,
    end: 0x05060708 + i,
  }));
  const sack = encodeSack(ranges);
  if (read(sack, SACK_COUNT) !== MAX_SACK_RANGES) return "SACK count is not at its offset";
  if (sack.length !== SACK_COUNT.size + SACK_RANGE_SIZE * MAX_SACK_RANGES) {
    return `SACK block of ${MAX_SACK_RANGES} ranges is ${sack.length} bytes`;
  }
  for (let i = 0; i < MAX_SACK_RANGES; i++) {
    const at = SACK_RANGE_START + SACK_RANGE_SIZE * i;
    const start = { name: "start", label: "", offset: at, size: 4 } as const;
    const end = { name: "end", label: "", offset: at + 4, size: 4 } as const;
    if (read(sack, start) !== ranges[i]!.start || read(sack, end) !== ranges[i]!.end) {
      return `SACK range ${i} is not at ${at}`;
    }
  }
  return undefined;
}
