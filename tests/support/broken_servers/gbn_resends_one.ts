/**
 * Broken on purpose: a Go-Back-N sender that, on a timeout, a NACK or a duplicate ACK, sends
 * only the first frame of the window again instead of every frame in flight (the others wait
 * for later timeouts one by one). Selective Repeat is unchanged. Everything else is the
 * project's server.
 *
 * The engine's internals are private, so this patches the Go-Back-N half's entry points (each
 * runs synchronously) and the one place frames leave an endpoint: while a GBN entry point runs,
 * only its first retransmitted DATA frame goes out.
 * @module
 */

import { FrameOut } from "../../../lib/arq/frame_out.ts";
import { GbnSender } from "../../../lib/arq/gbn.ts";
import { FrameType } from "../../../lib/protocol/mod.ts";
import { serve } from "./arq_server.ts";

/** Inside a GBN sender's entry point: whether it already resent one DATA frame. */
let inGbn = false;
let resentOne = false;

const frame = FrameOut.prototype.frame;
FrameOut.prototype.frame = function (this: FrameOut, type, seq, flags, payload, attempt, ...rest) {
  if (inGbn && type === FrameType.DATA && attempt > 1) {
    if (resentOne) return;
    resentOne = true;
  }
  frame.call(this, type, seq, flags, payload, attempt, ...rest);
};

type Entry = "onAck" | "onNack" | "onRetransmitTimer" | "onReorderTimer" | "onProbeTimer";
for (const name of ["onAck", "onNack", "onRetransmitTimer", "onReorderTimer", "onProbeTimer"]) {
  const entry = name as Entry;
  const original = GbnSender.prototype[entry] as (this: GbnSender, ...a: unknown[]) => unknown;
  (GbnSender.prototype[entry] as unknown) = function (this: GbnSender, ...args: unknown[]) {
    inGbn = true;
    resentOne = false;
    try {
      return original.apply(this, args);
    } finally {
      inGbn = false;
    }
  };
}
serve();
