/**
 * Fault scripts: deterministic faults on named frames, for demonstrations where every student
 * must see the same thing.
 *
 * Grammar (comma-separated rules, whitespace ignored, case-insensitive):
 * ```text
 * rule    = action ":" type [ "#" seq ] [ "@" attempt ]
 * action  = "drop" | "corrupt" | "dup" | "delay=" milliseconds
 * type    = syn | syn-ack | ack | nack | data | fin | fin-ack | ping | pong | rst
 * ```
 * `#3` selects sequence number 3 (absent: any); `@2` the second transmission of that frame
 * (absent: the first). Examples:
 * - `drop:data#3`: the first transmission of DATA 3 is lost; its timer recovers it.
 * - `corrupt:data#2`: DATA 2 arrives with a bad checksum; the receiver NACKs it.
 * - `drop:data#3,drop:data#3@2`: DATA 3 is lost twice (watch the RTO back off).
 * - `corrupt:ack#5@2`: the second ACK numbered 5 arrives corrupted.
 * - `drop:syn`: the first SYN is lost; the handshake retries.
 * - `delay=300:data#4`: DATA 4 is held back 300 ms (a reordering on the wire).
 * @module
 */

import { FRAME_TYPE_NAMES, type FrameType } from "../protocol/header.ts";

/** What a rule does to the frame it matches. */
export type FaultAction =
  | { readonly kind: "drop" }
  | { readonly kind: "corrupt" }
  | { readonly kind: "dup" }
  | { readonly kind: "delay"; readonly ms: number };

/** One parsed rule. */
export interface FaultRule {
  /** The action. */
  readonly action: FaultAction;
  /** Frame type matched. */
  readonly type: FrameType;
  /** Sequence number matched, or `undefined` for any. */
  readonly seq: number | undefined;
  /** Transmission matched (1 = first). */
  readonly attempt: number;
  /** The rule as written, for messages. */
  readonly text: string;
}

/** A fault script that cannot be parsed. */
export class FaultScriptError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "FaultScriptError";
  }
}

const TYPE_BY_NAME = new Map<string, FrameType>();
for (const [value, name] of Object.entries(FRAME_TYPE_NAMES)) {
  const type = Number(value) as FrameType;
  TYPE_BY_NAME.set(name.toLowerCase(), type);
  TYPE_BY_NAME.set(name.toLowerCase().replace("-", ""), type);
  TYPE_BY_NAME.set(name.toLowerCase().replace("-", "_"), type);
}

const RULE = /^([a-z]+)(?:=(\d+))?:([a-z_-]+)(?:#(\d+))?(?:@(\d+))?$/;
const TYPE_LIST = "syn, syn-ack, ack, nack, data, fin, fin-ack, ping, pong, rst";

/** Parses a fault script; throws {@link FaultScriptError} naming the bad rule. */
export function parseFaultScript(text: string): FaultRule[] {
  const rules: FaultRule[] = [];
  const parts = text.split(",").map((p) => p.replace(/\s+/g, "").toLowerCase());
  if (parts.length === 1 && parts[0] === "") return rules;
  for (const part of parts) {
    if (part === "") throw new FaultScriptError(`Empty rule in fault script: "${text}"`);
    const m = RULE.exec(part);
    if (!m) {
      throw new FaultScriptError(
        `Bad fault rule "${part}": expected ACTION:TYPE[#SEQ][@ATTEMPT], e.g. drop:data#3`,
      );
    }
    const [, verb, msText, typeName, seqText, attemptText] = m;
    let action: FaultAction;
    if (verb === "delay") {
      if (msText === undefined) {
        throw new FaultScriptError(
          `Bad fault rule "${part}": delay needs milliseconds, e.g. delay=200:data#4`,
        );
      }
      const ms = Number(msText);
      if (ms > 60_000) {
        throw new FaultScriptError(`Bad fault rule "${part}": delay is at most 60000 ms`);
      }
      action = { kind: "delay", ms };
    } else if (msText !== undefined) {
      throw new FaultScriptError(`Bad fault rule "${part}": only delay takes =MS`);
    } else if (verb === "drop" || verb === "corrupt" || verb === "dup") {
      action = { kind: verb };
    } else {
      throw new FaultScriptError(
        `Bad fault rule "${part}": unknown action "${verb}" (drop, corrupt, dup or delay=MS)`,
      );
    }
    const type = TYPE_BY_NAME.get(typeName!);
    if (type === undefined) {
      throw new FaultScriptError(
        `Bad fault rule "${part}": unknown frame type "${typeName}" (${TYPE_LIST})`,
      );
    }
    const seq = seqText === undefined ? undefined : Number(seqText);
    if (seq !== undefined && seq > 0xffffffff) {
      throw new FaultScriptError(`Bad fault rule "${part}": sequence number over 4294967295`);
    }
    const attempt = attemptText === undefined ? 1 : Number(attemptText);
    if (attempt < 1) throw new FaultScriptError(`Bad fault rule "${part}": attempts count from 1`);
    rules.push({ action, type, seq, attempt, text: part });
  }
  return rules;
}
