/**
 * Which frames a binary session's endpoint gets to see: the server's limits on what a client can
 * make it do with control frames. DATA is not limited here (each delivered message pays as a
 * command in the room) and neither are ACKs (they only free the window) or RST (it ends the
 * session). Every other frame (SYN, NACK, PING, PONG, FIN) takes a token of the connection's
 * command budget, and a NACK is answered at most once per sequence number per RTO: a receiver
 * NACKs each expected frame once (see PROTOCOL.md), so a second NACK of the same frame within a
 * round trip is never needed, and each one answered makes the server resend a frame (Selective
 * Repeat) or the rest of its window (Go-Back-N). A SYN asking for a max payload below
 * {@link MIN_PAYLOAD} resets the session (the engine itself takes any size).
 * @module
 */

import type { CommandBudget } from "../chat/limits.ts";
import { MIN_PAYLOAD, SYN_PAYLOAD_SIZE } from "../protocol/control.ts";
import type { Frame } from "../protocol/frame.ts";
import { FrameType, MAX_PAYLOAD } from "../protocol/header.ts";

/** Slots of the table of NACKs answered (a window is at most 256 frames). */
const NACK_SLOTS = 256;

/** The gate of one binary session (see the module). */
export class FrameGate {
  readonly #budget: CommandBudget | undefined;
  readonly #rto: () => number;
  readonly #onExcess: (reason: string) => void;
  /** Per slot (`seq % 256`): the sequence number last NACKed there and when it was answered. */
  readonly #nackSeq = new Float64Array(NACK_SLOTS).fill(-1);
  readonly #nackAt = new Float64Array(NACK_SLOTS);
  /** Frames refused since the session started. */
  refused = 0;
  #reset = false;

  /**
   * A gate charging `budget` (none: only the NACK rule), with the session's current RTO, calling
   * `onExcess` with the RST reason when the session must be reset (a peer far past its budget, a
   * SYN the server does not take).
   */
  constructor(
    budget: CommandBudget | undefined,
    rto: () => number,
    onExcess: (reason: string) => void,
  ) {
    this.#budget = budget;
    this.#rto = rto;
    this.#onExcess = onExcess;
  }

  /** True when `f`, received at `now`, goes on to the endpoint. */
  admit(f: Frame, now: number): boolean {
    switch (f.type) {
      case FrameType.DATA:
      case FrameType.ACK:
      case FrameType.RST:
        return true;
      case FrameType.NACK: {
        const slot = f.seq % NACK_SLOTS;
        if (this.#nackSeq[slot] === f.seq && now - this.#nackAt[slot]! < this.#rto()) {
          this.refused++;
          return false;
        }
        if (!this.#pay(now)) return false;
        this.#nackSeq[slot] = f.seq;
        this.#nackAt[slot] = now;
        return true;
      }
      case FrameType.SYN: {
        if (f.payload.length === SYN_PAYLOAD_SIZE) {
          const maxPayload = (f.payload[5]! << 8) | f.payload[6]!;
          if (maxPayload < MIN_PAYLOAD) {
            this.#resetOnce(
              `Protocol error: SYN: Max payload out of range: ${maxPayload} (${MIN_PAYLOAD}..${MAX_PAYLOAD})`,
            );
            return false;
          }
        }
        return this.#pay(now);
      }
      default:
        return this.#pay(now);
    }
  }

  #pay(now: number): boolean {
    const refused = this.#budget?.command(now);
    if (refused === undefined) return true;
    this.refused++;
    if (refused.close) this.#resetOnce("429 Too Many Requests: control frame flood");
    return false;
  }

  #resetOnce(reason: string): void {
    if (this.#reset) return;
    this.#reset = true;
    this.#onExcess(reason);
  }
}
