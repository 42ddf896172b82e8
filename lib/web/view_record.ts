/**
 * What the live window view is fed: one record per frame sent or received and per event of the
 * ARQ engine, with the observed endpoint's clock. The same records come from the page's own
 * session (in the page) and from any session of the server (over the teacher's feed, as JSON), so
 * one model and one view serve both. {@link LinkRecorder} makes them from a link's observer.
 * @module
 */

import type { ArqEvent } from "../arq/mod.ts";
import type { LinkObserver, ObservedFrame } from "../net/binary_link.ts";
import { decodeSack, type SessionParams } from "../protocol/control.ts";
import { Flag, FrameType } from "../protocol/header.ts";

/** A frame sent or received by the observed endpoint. */
export interface FrameRecord {
  readonly r: "frame";
  /** Milliseconds since the recording started. */
  readonly t: number;
  readonly dir: "send" | "recv";
  /** Frame type; 0 = received with a bad checksum. */
  readonly type: number;
  readonly seq: number;
  /** Transmission number of a sent frame (1 = first); 0 when received. */
  readonly attempt: number;
  /** Payload length. */
  readonly len: number;
  /** Flag LAST set. */
  readonly last: boolean;
  /** What the sender's fault injection did to it. */
  readonly fault?: "drop" | "corrupt" | "duplicate" | "delay";
  /** SACK ranges of an ACK, flattened: start0, end0, start1, end1, ... (end exclusive). */
  readonly sack?: readonly number[];
}

/** An event of the observed endpoint's engine, as it reported it. */
export interface EventRecord {
  readonly r: "arq";
  readonly t: number;
  readonly e: ArqEvent;
}

/** The start of a recording: who is observed and the timeout in force then. */
export interface StartRecord {
  readonly r: "start";
  readonly t: number;
  /** The observed endpoint's side. */
  readonly role: "client" | "server";
  /** Its retransmission timeout, ms. */
  readonly rto: number;
  /** Its smoothed RTT, ms (0 before a sample). */
  readonly srtt: number;
  /** Who is observed, for titles (`ana`, `server 10.0.0.7:51234`). */
  readonly who: string;
  /**
   * The session's parameters when the recording joins a session already established (the
   * teacher starts watching): the model then takes its sequence numbers from the first frames.
   */
  readonly params?: SessionParams;
}

/** Records were left out (a feed that could not keep up). */
export interface GapRecord {
  readonly r: "gap";
  readonly t: number;
  readonly missed: number;
}

/** One input of the window model. */
export type ViewRecord = FrameRecord | EventRecord | StartRecord | GapRecord;

/** Turns a link's observations into {@link ViewRecord}s, timed from its creation. */
export class LinkRecorder implements LinkObserver {
  readonly #emit: (record: ViewRecord) => void;
  readonly #origin: number;

  /** Records from `origin` (the link's clock at the start) on, each handed to `emit`. */
  constructor(origin: number, emit: (record: ViewRecord) => void) {
    this.#origin = origin;
    this.#emit = emit;
  }

  /** The time of `now` (the link's clock) in this recording. */
  at(now: number): number {
    return Math.round((now - this.#origin) * 1000) / 1000;
  }

  frame(f: ObservedFrame, now: number): void {
    let sack: number[] | undefined;
    if (f.type === FrameType.ACK && f.payload.length > 0) {
      try {
        sack = decodeSack(f.payload).flatMap((r) => [r.start, r.end]);
      } catch {
        // A bad SACK block ends the session; the event says so.
      }
    }
    const record: FrameRecord = {
      r: "frame",
      t: this.at(now),
      dir: f.dir,
      type: f.type,
      seq: f.seq,
      attempt: f.attempt,
      len: f.payload.length,
      last: (f.flags & Flag.LAST) !== 0,
      ...(f.fault ? { fault: f.fault } : {}),
      ...(sack ? { sack } : {}),
    };
    this.#emit(record);
  }

  event(e: ArqEvent, now: number): void {
    this.#emit({ r: "arq", t: this.at(now), e });
  }
}
