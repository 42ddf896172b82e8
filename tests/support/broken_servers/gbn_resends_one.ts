/**
 * Broken on purpose: a Go-Back-N sender that, on a timeout or a NACK, sends only the first frame
 * of the window again instead of every frame in flight (the others wait for later timeouts one by
 * one). Selective Repeat is unchanged. Everything else is the project's server.
 * @module
 */

import { ArqEndpoint } from "../../../lib/arq/mod.ts";
import { FrameType } from "../../../lib/protocol/mod.ts";
import { serve } from "./arq_server.ts";

const emit = ArqEndpoint.prototype.emit;
/** Endpoints that already sent one retransmitted DATA in the current synchronous run. */
const resent = new WeakSet<ArqEndpoint>();

ArqEndpoint.prototype.emit = function (this: ArqEndpoint, type, seq, flags, payload, attempt, sum) {
  if (type === FrameType.DATA && attempt > 1 && this.params?.mode === "gbn") {
    if (resent.has(this)) return;
    resent.add(this);
    queueMicrotask(() => resent.delete(this));
  }
  emit.call(this, type, seq, flags, payload, attempt, sum);
};
serve();
