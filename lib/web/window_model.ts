/**
 * The live window view's model: a pure reducer of {@link ViewRecord}s (frames sent and received
 * by one endpoint, and its engine's events) into what the view draws: the sender's window (base,
 * next, each frame unsent / in flight / acknowledged / lost / resent, its timer), the receiver's
 * (the next sequence number expected, what Selective Repeat holds out of order, what Go-Back-N
 * discards), the round-trip figures, a sequence diagram of frames and ACKs, and a log of events.
 *
 * It follows the protocol rules of `docs/PROTOCOL.md` as the endpoint applies them: cumulative
 * ACKs for Go-Back-N and for the "sack" policy (plus SACK ranges), one ACK per frame for Selective
 * Repeat with the "frame" policy; one timer for Go-Back-N (on the oldest frame in flight,
 * restarted by progress) and one per frame for Selective Repeat, each armed with the RTO in force
 * when the frame left. A frame is "lost" when the observed side's own fault injection dropped or
 * corrupted its last transmission: the view knows it, the sender does not until its timer or a
 * NACK tells it.
 *
 * New kinds of engine event cost one entry per language in `event_text.ts` (its log line); an
 * event a table does not know is logged by its fields, so a newer engine never breaks the view.
 * @module
 */

import type { ArqEvent } from "../arq/mod.ts";
import { FrameType, frameTypeName } from "../protocol/header.ts";
import { seqAdd, seqDiff } from "../protocol/seq.ts";
import type { FrameRecord, ViewRecord } from "./view_record.ts";
import { EVENT_CATALOG, eventText, type EventTexts } from "./event_text.ts";

export { eventText };

const typeName = (type: number) => type === 0 ? "?" : frameTypeName(type);

/** How a frame of the sender's window is shown. */
export type SlotState = "unsent" | "flight" | "resent" | "lost" | "acked";

/** One sequence number of the sender's window. */
export interface SenderSlot {
  readonly seq: number;
  readonly state: SlotState;
  /** Transmissions so far (0 = unsent). */
  readonly attempts: number;
  /** What the fault injection did to the last transmission, if anything. */
  readonly fault?: "drop" | "corrupt" | undefined;
}

/** A running retransmission timer. */
export interface TimerView {
  /** The frame it guards (Go-Back-N: the oldest in flight). */
  readonly seq: number;
  /** When it expires (recording time, ms). */
  readonly due: number;
  /** The RTO it was armed with, ms. */
  readonly rto: number;
}

/** One arrow (or mark) of the sequence diagram. */
export interface DiagramItem {
  readonly t: number;
  /** A frame: sent by this side (`send`) or by the peer (`recv`); a mark on this side's line. */
  readonly kind: "send" | "recv" | "mark";
  /** `DATA 5`, `ACK 4 +[6,8)`, `timeout DATA 5`. */
  readonly label: string;
  readonly type: number;
  readonly seq: number;
  readonly attempt: number;
  /** Dropped or corrupted on the way (by the sender's fault injection), or failed its checksum. */
  readonly fate: "ok" | "dropped" | "corrupted" | "bad";
}

/** One line of the event log. */
export interface LogLine {
  readonly t: number;
  readonly kind: string;
  readonly text: string;
}

/** What the view draws at one moment. */
export interface WindowSnapshot {
  /** Recording time the snapshot is for, ms. */
  readonly now: number;
  readonly who: string;
  readonly role: "client" | "server" | undefined;
  /** "handshake", "established", or "closed: REASON". */
  readonly state: string;
  readonly mode: "gbn" | "sr" | undefined;
  readonly window: number;
  readonly ackPolicy: "frame" | "sack" | undefined;
  readonly rto: number;
  readonly srtt: number;
  readonly sender: {
    /** False while a recording that joined a running session waits for the first DATA sent. */
    readonly known: boolean;
    readonly base: number;
    readonly next: number;
    /** A few acknowledged frames before `base`, then `base .. base + window - 1`. */
    readonly slots: readonly SenderSlot[];
    readonly timers: readonly TimerView[];
  };
  readonly receiver: {
    /** False while a recording that joined a running session waits for the first DATA in. */
    readonly known: boolean;
    readonly expected: number;
    /** SR: frames held out of order (within the window), ascending. */
    readonly held: readonly number[];
    /** GBN: frames discarded because they were not the one expected, most recent last. */
    readonly discarded: readonly { readonly seq: number; readonly t: number }[];
    /** Frames that came again (already received). */
    readonly duplicates: readonly { readonly seq: number; readonly t: number }[];
  };
  readonly diagram: readonly DiagramItem[];
  readonly log: readonly LogLine[];
  readonly counts: {
    readonly dataSent: number;
    readonly retransmissions: number;
    readonly timeouts: number;
    readonly injected: number;
    /** Retransmissions by reason (timeout, nack, fast, probe, ...). */
    readonly byReason: Readonly<Record<string, number>>;
  };
}

/** Acknowledged frames kept to the left of `base`, to show the window sliding. */
const HISTORY = 4;
/** Diagram items and log lines kept. */
export const DIAGRAM_MAX = 400;
export const LOG_MAX = 300;
/** How long a discarded or duplicate frame stays shown, ms. */
const FLASH_MS = 4000;

interface Slot {
  state: "flight" | "lost" | "acked";
  attempts: number;
  fault: "drop" | "corrupt" | undefined;
  /** SR: when its own timer expires. */
  timerAt: number;
  timerRto: number;
}

/** The reducer (see the module comment). Feed it with {@link apply}; read it with {@link snapshot}. */
export class WindowModel {
  #texts: EventTexts;
  #who = "";
  #role: "client" | "server" | undefined;
  #state = "handshake";
  #mode: "gbn" | "sr" | undefined;
  #window = 0;
  #ackPolicy: "frame" | "sack" | undefined;
  #rto = 1000;
  #srtt = 0;
  #last = 0;
  // Sender.
  #base = 0;
  #next = 0;
  readonly #slots = new Map<number, Slot>();
  #history: number[] = [];
  #gbnTimer: TimerView | undefined;
  // Receiver.
  #expected = 0;
  readonly #held = new Set<number>();
  #discarded: { seq: number; t: number }[] = [];
  #duplicates: { seq: number; t: number }[] = [];
  /** DATA that came before the established event (a server is established by its first DATA). */
  #early: FrameRecord[] = [];
  /** The recording joined a running session: the next DATA each way sets the numbers. */
  #resyncSend = false;
  #resyncRecv = false;
  // Diagram, log, counts.
  readonly #diagram: DiagramItem[] = [];
  readonly #log: LogLine[] = [];
  #dataSent = 0;
  #retransmissions = 0;
  #timeouts = 0;
  #injected = 0;
  readonly #byReason: Record<string, number> = {};
  #applied = 0;

  /** Records applied so far. */
  get applied(): number {
    return this.#applied;
  }

  /** Time of the last record applied. */
  get lastTime(): number {
    return this.#last;
  }

  /** A model whose log lines are in the words of `texts` (default English). */
  constructor(texts: EventTexts = EVENT_CATALOG.en) {
    this.#texts = texts;
  }

  /** Writes the log lines from now on in the words of `texts` (the lines written stay). */
  setTexts(texts: EventTexts): void {
    this.#texts = texts;
  }

  /** Applies one record. */
  apply(rec: ViewRecord): void {
    this.#applied++;
    this.#last = Math.max(this.#last, rec.t);
    switch (rec.r) {
      case "start":
        this.#who = rec.who;
        this.#role = rec.role;
        this.#rto = rec.rto;
        this.#srtt = rec.srtt;
        if (rec.params) {
          // Joined a running session: the first frames each way give the sequence numbers.
          this.#state = "established";
          this.#mode = rec.params.mode;
          this.#window = rec.params.window;
          this.#ackPolicy = rec.params.ackPolicy;
          this.#resyncSend = this.#resyncRecv = true;
        }
        return;
      case "gap":
        this.#addLog(rec.t, "gap", this.#texts.gap(rec.missed));
        return;
      case "arq":
        this.#event(rec.t, rec.e);
        return;
      case "frame":
        if (rec.dir === "send") this.#sent(rec);
        else this.#received(rec);
        return;
    }
  }

  /** What the view draws at recording time `now` (timers count down to it). */
  snapshot(now: number = this.#last): WindowSnapshot {
    const slots: SenderSlot[] = this.#history.map((seq) => ({ seq, state: "acked", attempts: 0 }));
    for (let i = 0; i < Math.max(this.#window, 1) && this.#mode !== undefined; i++) {
      const seq = seqAdd(this.#base, i);
      const s = this.#slots.get(seq);
      if (s === undefined || seqDiff(seq, this.#next) >= 0) {
        slots.push({ seq, state: "unsent", attempts: 0 });
        continue;
      }
      const state: SlotState = s.state === "flight" && s.attempts > 1 ? "resent" : s.state;
      slots.push({ seq, state, attempts: s.attempts, fault: s.fault });
    }
    const timers: TimerView[] = [];
    if (this.#mode === "gbn") {
      if (this.#gbnTimer && this.#base !== this.#next) timers.push(this.#gbnTimer);
    } else if (this.#mode === "sr") {
      for (const [seq, s] of this.#slots) {
        if (s.state !== "acked") timers.push({ seq, due: s.timerAt, rto: s.timerRto });
      }
      timers.sort((a, b) => seqDiff(a.seq, b.seq));
    }
    const recent = (list: { seq: number; t: number }[]) => list.filter((d) => now - d.t < FLASH_MS);
    return {
      now,
      who: this.#who,
      role: this.#role,
      state: this.#state,
      mode: this.#mode,
      window: this.#window,
      ackPolicy: this.#ackPolicy,
      rto: this.#rto,
      srtt: this.#srtt,
      sender: { known: !this.#resyncSend, base: this.#base, next: this.#next, slots, timers },
      receiver: {
        known: !this.#resyncRecv,
        expected: this.#expected,
        held: [...this.#held].sort((a, b) => seqDiff(a, b)),
        discarded: recent(this.#discarded),
        duplicates: recent(this.#duplicates),
      },
      diagram: this.#diagram.slice(),
      log: this.#log.slice(),
      counts: {
        dataSent: this.#dataSent,
        retransmissions: this.#retransmissions,
        timeouts: this.#timeouts,
        injected: this.#injected,
        byReason: { ...this.#byReason },
      },
    };
  }

  #event(t: number, e: ArqEvent): void {
    this.#addLog(t, e.kind, eventText(e, this.#texts));
    switch (e.kind) {
      case "established": {
        this.#state = "established";
        this.#mode = e.params.mode;
        this.#window = e.params.window;
        this.#ackPolicy = e.params.ackPolicy;
        this.#base = this.#next = seqAdd(e.isn, 1);
        this.#expected = seqAdd(e.peerIsn, 1);
        const early = this.#early;
        this.#early = [];
        for (const f of early) this.#receivedData(f);
        return;
      }
      case "rtt":
        this.#rto = e.rto;
        this.#srtt = e.srtt;
        return;
      case "timeout":
        this.#rto = e.rto;
        this.#timeouts++;
        this.#mark(t, this.#texts.timeoutMark(typeName(e.type), e.seq), e.type, e.seq);
        if (this.#mode === "gbn" && e.type === FrameType.DATA) {
          this.#gbnTimer = { seq: this.#base, due: t + e.rto, rto: e.rto };
        }
        return;
      case "retransmit":
        this.#retransmissions++;
        this.#byReason[e.reason] = (this.#byReason[e.reason] ?? 0) + 1;
        return;
      case "nack-sent":
        this.#mark(t, this.#texts.nackOwedMark(e.seq), FrameType.NACK, e.seq);
        return;
      case "closed":
        this.#state = `closed: ${e.reason}`;
        return;
    }
  }

  #sent(f: FrameRecord): void {
    const fate = f.fault === "drop" ? "dropped" : f.fault === "corrupt" ? "corrupted" : "ok";
    if (fate !== "ok") this.#injected++;
    this.#addItem({
      t: f.t,
      kind: "send",
      label: this.#label(f),
      type: f.type,
      seq: f.seq,
      attempt: f.attempt,
      fate,
    });
    if (f.type !== FrameType.DATA || this.#mode === undefined) return;
    this.#dataSent++;
    const lostNow = fate !== "ok";
    const fault = f.fault === "drop" || f.fault === "corrupt" ? f.fault : undefined;
    if (this.#resyncSend) {
      this.#resyncSend = false;
      this.#base = this.#next = f.seq;
    }
    const ahead = seqDiff(f.seq, this.#next);
    if (ahead >= 256) {
      // Not the window followed so far (records were left out): start again from this frame.
      this.#slots.clear();
      this.#base = this.#next = f.seq;
    }
    if (seqDiff(f.seq, this.#next) >= 0) {
      // New frames (normally exactly `next`).
      for (let seq = this.#next; seqDiff(seq, f.seq) <= 0; seq = seqAdd(seq, 1)) {
        this.#slots.set(seq, {
          state: lostNow && seq === f.seq ? "lost" : "flight",
          attempts: 1,
          fault: seq === f.seq ? fault : undefined,
          timerAt: f.t + this.#rto,
          timerRto: this.#rto,
        });
      }
      this.#next = seqAdd(f.seq, 1);
      if (this.#mode === "gbn" && this.#gbnTimer === undefined) {
        this.#gbnTimer = { seq: this.#base, due: f.t + this.#rto, rto: this.#rto };
      }
      return;
    }
    const s = this.#slots.get(f.seq);
    if (s === undefined || s.state === "acked") return; // before base: already acknowledged
    s.attempts = Math.max(s.attempts + 1, f.attempt);
    s.state = lostNow ? "lost" : "flight";
    s.fault = fault;
    s.timerAt = f.t + this.#rto;
    s.timerRto = this.#rto;
    if (this.#mode === "gbn") {
      // Every retransmission (after a timeout, or a NACK) restarts Go-Back-N's one timer.
      this.#gbnTimer = { seq: this.#base, due: f.t + this.#rto, rto: this.#rto };
    }
  }

  #received(f: FrameRecord): void {
    this.#addItem({
      t: f.t,
      kind: "recv",
      label: f.type === 0 ? "bad checksum" : this.#label(f),
      type: f.type,
      seq: f.seq,
      attempt: 0,
      fate: f.type === 0 ? "bad" : "ok",
    });
    if (f.type === FrameType.ACK) this.#ack(f);
    else if (f.type === FrameType.DATA) {
      if (this.#mode === undefined) this.#early.push(f);
      else this.#receivedData(f);
    }
  }

  #receivedData(f: FrameRecord): void {
    if (this.#resyncRecv) {
      this.#resyncRecv = false;
      this.#expected = f.seq;
    }
    const d = seqDiff(f.seq, this.#expected);
    if (d === 0) {
      this.#expected = seqAdd(this.#expected, 1);
      while (this.#held.delete(this.#expected)) this.#expected = seqAdd(this.#expected, 1);
    } else if (d < 0 || this.#held.has(f.seq)) {
      this.#duplicates = [...this.#duplicates.slice(-15), { seq: f.seq, t: f.t }];
    } else if (this.#mode === "sr" && d < this.#window) {
      this.#held.add(f.seq);
    } else {
      this.#discarded = [...this.#discarded.slice(-15), { seq: f.seq, t: f.t }];
    }
  }

  #ack(f: FrameRecord): void {
    if (this.#mode === undefined) return; // the handshake's ACK
    const cumulative = this.#mode === "gbn" || this.#ackPolicy === "sack";
    let progress = false;
    const inFlight = (seq: number) => seqDiff(seq, this.#base) >= 0 && seqDiff(seq, this.#next) < 0;
    const ackOne = (seq: number) => {
      const s = this.#slots.get(seq);
      if (s && s.state !== "acked") {
        s.state = "acked";
        progress = true;
      }
    };
    if (cumulative) {
      if (inFlight(f.seq)) {
        for (let seq = this.#base; seqDiff(seq, f.seq) <= 0; seq = seqAdd(seq, 1)) ackOne(seq);
      }
      const sack = f.sack ?? [];
      for (let i = 0; i + 1 < sack.length; i += 2) {
        for (let seq = sack[i]!, n = 0; seqDiff(seq, sack[i + 1]!) < 0 && n < 256; n++) {
          if (inFlight(seq)) ackOne(seq);
          seq = seqAdd(seq, 1);
        }
      }
    } else if (inFlight(f.seq)) {
      ackOne(f.seq);
    }
    if (!progress) return;
    while (this.#base !== this.#next && this.#slots.get(this.#base)?.state === "acked") {
      this.#slots.delete(this.#base);
      this.#history = [...this.#history.slice(-(HISTORY - 1)), this.#base];
      this.#base = seqAdd(this.#base, 1);
    }
    if (this.#mode === "gbn") {
      this.#gbnTimer = this.#base !== this.#next
        ? { seq: this.#base, due: f.t + this.#rto, rto: this.#rto }
        : undefined;
    }
  }

  #label(f: FrameRecord): string {
    let text = `${typeName(f.type)} ${f.seq}`;
    if (f.type === FrameType.ACK && f.sack && f.sack.length > 0) {
      const ranges: string[] = [];
      for (let i = 0; i + 1 < f.sack.length; i += 2) ranges.push(`[${f.sack[i]},${f.sack[i + 1]})`);
      text += ` +${ranges.join("")}`;
    }
    if (f.attempt > 1) text += ` (#${f.attempt})`;
    return text;
  }

  #mark(t: number, label: string, type: number, seq: number): void {
    this.#addItem({ t, kind: "mark", label, type, seq, attempt: 0, fate: "ok" });
  }

  #addItem(item: DiagramItem): void {
    this.#diagram.push(item);
    if (this.#diagram.length > DIAGRAM_MAX) {
      this.#diagram.splice(0, this.#diagram.length - DIAGRAM_MAX);
    }
  }

  #addLog(t: number, kind: string, text: string): void {
    this.#log.push({ t, kind, text });
    if (this.#log.length > LOG_MAX) this.#log.splice(0, this.#log.length - LOG_MAX);
  }
}
