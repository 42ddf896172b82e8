/**
 * Seeded fault injection on the sending side of an endpoint: a "lost" frame never reaches the
 * wire, so a capture shows exactly what happened. Every decision is a pure function of
 * (seed, direction, frame type, sequence number, attempt): the same seed hits the same frames
 * whatever the timing, so a whole class reproduces the same run. Faults are simulated above
 * TCP; TCP itself never loses or corrupts a byte.
 * @module
 */

import { parseDecimal } from "../i18n/number.ts";
import { Offset } from "../protocol/header.ts";
import type { FrameType } from "../protocol/header.ts";
import { hashString, hashWords, unit } from "./hash.ts";
import type { FaultRule } from "./script.ts";

/** Fault settings of one endpoint. */
export interface FaultSettings {
  /** Probability that a frame is dropped (0..1). */
  readonly loss: number;
  /** Probability that a frame arrives with one bit flipped (0..1). */
  readonly corrupt: number;
  /** Probability that a frame is sent twice (0..1). */
  readonly duplicate: number;
  /** Extra delay of every frame in milliseconds. */
  readonly delayMs: number;
  /** Seed of every decision. */
  readonly seed: number;
  /** Deterministic rules applied on top of the probabilities. */
  readonly script: readonly FaultRule[];
}

/** What to do with one frame. */
export interface FaultDecision {
  /** Do not send it. */
  readonly drop: boolean;
  /** Bit to flip (counted from the frame start, always past magic and length), or -1. */
  readonly corruptBit: number;
  /** Send it twice. */
  readonly duplicate: boolean;
  /** Hold it back this long (ms). */
  readonly delayMs: number;
  /** True when a script rule decided. */
  readonly scripted: boolean;
}

/** Counters of injected faults. */
export interface FaultStats {
  /** Frames dropped. */
  dropped: number;
  /** Frames corrupted. */
  corrupted: number;
  /** Frames duplicated. */
  duplicated: number;
  /** Frames delayed. */
  delayed: number;
}

const SALT_LOSS = 0x4c4f5353;
const SALT_CORRUPT = 0x434f5252;
const SALT_DUP = 0x44555030;
const SALT_BIT = 0x42495430;
/** First bit a corruption may flip: bits of magic and length stay intact. */
export const FIRST_CORRUPTIBLE_BIT = Offset.type * 8;

const NONE: FaultDecision = {
  drop: false,
  corruptBit: -1,
  duplicate: false,
  delayMs: 0,
  scripted: false,
};

/** Decides the fate of each frame an endpoint sends. */
export class FaultInjector {
  /** Counters of what was injected. */
  readonly stats: FaultStats = { dropped: 0, corrupted: 0, duplicated: 0, delayed: 0 };
  #loss: number;
  #corrupt: number;
  readonly #duplicate: number;
  readonly #delayMs: number;
  readonly #seed: number;
  readonly #dir: number;
  readonly #script: readonly FaultRule[];

  /** `direction` names the sending side, e.g. `client` or `server:7`. */
  constructor(settings: Partial<FaultSettings>, direction: string) {
    this.#loss = checkP(settings.loss ?? 0, "loss");
    this.#corrupt = checkP(settings.corrupt ?? 0, "corrupt");
    this.#duplicate = checkP(settings.duplicate ?? 0, "duplicate");
    this.#delayMs = settings.delayMs ?? 0;
    this.#seed = (settings.seed ?? 1) >>> 0;
    this.#dir = hashString(direction);
    this.#script = settings.script ?? [];
  }

  /** Current loss probability. */
  get loss(): number {
    return this.#loss;
  }

  /** Current corruption probability. */
  get corrupt(): number {
    return this.#corrupt;
  }

  /** Changes the loss probability (`/loss` in the client). */
  setLoss(p: number): void {
    this.#loss = checkP(p, "loss");
  }

  /** Changes the corruption probability (`/corrupt` in the client). */
  setCorrupt(p: number): void {
    this.#corrupt = checkP(p, "corrupt");
  }

  /** Decides what happens to a frame of `frameLength` bytes. */
  decide(type: FrameType, seq: number, attempt: number, frameLength: number): FaultDecision {
    let drop = false;
    let corrupt = false;
    let duplicate = false;
    let delayMs = this.#delayMs;
    let scripted = false;
    for (const rule of this.#script) {
      if (rule.type !== type || rule.attempt !== attempt) continue;
      if (rule.seq !== undefined && rule.seq !== seq >>> 0) continue;
      scripted = true;
      switch (rule.action.kind) {
        case "drop":
          drop = true;
          break;
        case "corrupt":
          corrupt = true;
          break;
        case "dup":
          duplicate = true;
          break;
        case "delay":
          delayMs = Math.max(delayMs, rule.action.ms);
          break;
      }
    }
    const key = [this.#seed, this.#dir, type, seq >>> 0, attempt];
    if (!drop && this.#loss > 0) drop = unit(hashWords([...key, SALT_LOSS])) < this.#loss;
    if (drop) {
      this.stats.dropped++;
      return { drop: true, corruptBit: -1, duplicate: false, delayMs: 0, scripted };
    }
    if (!corrupt && this.#corrupt > 0) {
      corrupt = unit(hashWords([...key, SALT_CORRUPT])) < this.#corrupt;
    }
    if (!duplicate && this.#duplicate > 0) {
      duplicate = unit(hashWords([...key, SALT_DUP])) < this.#duplicate;
    }
    if (!corrupt && !duplicate && delayMs === 0) return scripted ? { ...NONE, scripted } : NONE;
    let corruptBit = -1;
    if (corrupt && frameLength > Offset.type) {
      const span = frameLength * 8 - FIRST_CORRUPTIBLE_BIT;
      corruptBit = FIRST_CORRUPTIBLE_BIT + (hashWords([...key, SALT_BIT]) % span);
      this.stats.corrupted++;
    }
    if (duplicate) this.stats.duplicated++;
    if (delayMs > 0) this.stats.delayed++;
    return { drop: false, corruptBit, duplicate, delayMs, scripted };
  }
}

/** Flips bit `bit` of a frame (bit 0 = most significant bit of byte 0). */
export function flipBit(frameBytes: Uint8Array, bit: number): void {
  const byte = bit >>> 3;
  if (byte >= frameBytes.length) {
    throw new RangeError(`Bit ${bit} is outside a ${frameBytes.length}-byte frame`);
  }
  frameBytes[byte] = frameBytes[byte]! ^ (0x80 >>> (bit & 7));
}

/**
 * Parses a probability given as `0.2`, `0,2` (decimal comma) or `20%`; throws with the flag name
 * on bad input.
 */
export function parseProbability(text: string, flag: string): number {
  const t = text.trim();
  const percent = t.endsWith("%");
  const n = parseDecimal(percent ? t.slice(0, -1) : t);
  const p = percent ? n / 100 : n;
  if (t === "" || t === "%" || !Number.isFinite(p) || p < 0 || p > 1) {
    throw new RangeError(`${flag} must be a probability between 0 and 1 (or 0% to 100%): ${text}`);
  }
  return p;
}

function checkP(p: number, name: string): number {
  if (!Number.isFinite(p) || p < 0 || p > 1) {
    throw new RangeError(`${name} must be a probability between 0 and 1: ${p}`);
  }
  return p;
}
