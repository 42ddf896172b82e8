/// <reference lib="dom" />
/**
 * Draws a {@link WindowSnapshot}: the round-trip figures, the sender's window (one cell per
 * sequence number, coloured by state, `base` and `next` marked, a timer bar per frame for
 * Selective Repeat or one for Go-Back-N), and the receiver's window (the next frame expected,
 * the frames Selective Repeat holds out of order, the ones Go-Back-N discards).
 * @module
 */

import { fill, h } from "./dom.ts";
import type { WindowSnapshot } from "../window_model.ts";
import { PAGE_CATALOG, type WindowText } from "./page_text.ts";

/** Names of the two ends, as the view shows them. */
export interface EndNames {
  /** The observed end (`this page`, `server`). */
  readonly local: string;
  /** Its peer. */
  readonly peer: string;
}

/** Draws `snap` into `el` (its children are replaced), in the words of `text`. */
export function renderWindow(
  el: HTMLElement,
  snap: WindowSnapshot,
  names: EndNames,
  text: WindowText = PAGE_CATALOG.en.window,
): void {
  if (snap.mode === undefined) {
    fill(el, h("p", { class: "hint" }, snap.state === "handshake" ? text.handshake : snap.state));
    return;
  }
  const mode = snap.mode === "gbn" ? "Go-Back-N" : "Selective Repeat";
  const c = snap.counts;
  const reasons = Object.entries(c.byReason).map(([k, v]) => `${k} ${v}`).join(", ");
  fill(
    el,
    h(
      "div",
      { class: "figures", "data-test": "figures" },
      figure(text.mode, mode),
      figure(text.window, `${snap.window}`),
      figure("ACK", snap.ackPolicy === "sack" ? text.ackSack : text.ackFrame),
      figure("RTO", `${Math.round(snap.rto)} ms`),
      figure("SRTT", snap.srtt > 0 ? `${snap.srtt.toFixed(1)} ms` : "–"),
      figure(text.resent, `${c.retransmissions}${reasons ? ` (${reasons})` : ""}`),
      figure(text.timeouts, `${c.timeouts}`),
    ),
    senderRow(snap, names, text),
    receiverRow(snap, names, text),
    legend(text),
  );
}

function figure(name: string, value: string): HTMLElement {
  return h("span", { class: "figure" }, h("small", {}, name), " ", h("b", {}, value));
}

function senderRow(snap: WindowSnapshot, names: EndNames, text: WindowText): HTMLElement {
  const { base, next, slots, timers } = snap.sender;
  if (!snap.sender.known) {
    return h(
      "section",
      { class: "row sender", "data-test": "sender" },
      h("h4", {}, text.sender(names.local, names.peer)),
      h("p", { class: "note" }, text.waiting),
    );
  }
  const timerOf = new Map(timers.map((t) => [t.seq, t]));
  const cells = slots.map((slot) => {
    const marks: string[] = [];
    if (slot.seq === base) marks.push(text.base);
    if (slot.seq === next) marks.push(text.next);
    const t = timerOf.get(slot.seq);
    const left = t ? Math.max(0, t.due - snap.now) : 0;
    const frac = t ? Math.max(0, Math.min(1, left / Math.max(1, t.rto))) : 0;
    return h(
      "div",
      {
        class: `cell ${slot.state}`,
        title: text.slotTitle(slot.seq, slot.state, slot.attempts, slot.fault),
        "data-seq": slot.seq,
        "data-state": slot.state,
      },
      h("span", { class: "seq" }, slot.seq),
      slot.attempts > 1 ? h("span", { class: "tries" }, `×${slot.attempts}`) : null,
      slot.state === "lost"
        ? h("span", { class: "fault" }, slot.fault === "corrupt" ? "≠" : "✕")
        : null,
      t
        ? h(
          "span",
          { class: "timer", title: text.timerLeft(Math.round(left), Math.round(t.rto)) },
          h("span", { class: "bar", style: `width:${(frac * 100).toFixed(1)}%` }),
        )
        : null,
      marks.length > 0 ? h("span", { class: "mark" }, marks.join(" ")) : null,
    );
  });
  const timerNote = snap.mode === "gbn"
    ? timers.length > 0
      ? text.gbnTimer(timers[0]!.seq, Math.max(0, Math.round(timers[0]!.due - snap.now)))
      : text.gbnTimerStopped
    : text.srTimers(timers.length);
  return h(
    "section",
    { class: "row sender", "data-test": "sender" },
    h(
      "h4",
      {},
      text.sender(names.local, names.peer),
      h("small", {}, ` ${text.base} ${base}, ${text.next} ${next}`),
    ),
    h("div", { class: "cells" }, ...cells),
    h("p", { class: "note" }, timerNote),
  );
}

function receiverRow(snap: WindowSnapshot, names: EndNames, text: WindowText): HTMLElement {
  const r = snap.receiver;
  if (!r.known) {
    return h(
      "section",
      { class: "row receiver", "data-test": "receiver" },
      h("h4", {}, text.receiver(names.peer, names.local)),
      h("p", { class: "note" }, text.waiting),
    );
  }
  const held = new Set(r.held);
  const cells = [];
  for (let i = 0; i < Math.max(1, snap.window); i++) {
    const seq = (r.expected + i) >>> 0;
    const state = i === 0 ? "expected" : held.has(seq) ? "held" : "empty";
    cells.push(
      h(
        "div",
        { class: `cell ${state}`, "data-seq": seq, "data-state": state },
        h("span", { class: "seq" }, seq),
        i === 0 ? h("span", { class: "mark" }, text.expected) : null,
      ),
    );
  }
  const chips = [
    ...r.discarded.map((d) => h("span", { class: "chip discarded" }, text.discarded(d.seq))),
    ...r.duplicates.map((d) => h("span", { class: "chip duplicate" }, text.again(d.seq))),
  ];
  const note = snap.mode === "sr" ? text.srHolds(r.held.length) : text.gbnTakes;
  return h(
    "section",
    { class: "row receiver", "data-test": "receiver" },
    h(
      "h4",
      {},
      text.receiver(names.peer, names.local),
      h("small", {}, ` ${text.expected} ${r.expected}`),
    ),
    h("div", { class: "cells" }, ...cells),
    h("p", { class: "note" }, note, " ", ...chips),
  );
}

function legend(text: WindowText): HTMLElement {
  const items: [string, string][] = [
    ["unsent", text.legend.unsent],
    ["flight", text.legend.flight],
    ["resent", text.legend.resent],
    ["lost", text.legend.lost],
    ["acked", text.legend.acked],
    ["held", text.legend.held],
  ];
  return h(
    "p",
    { class: "legend" },
    ...items.map(([cls, text]) => h("span", {}, h("i", { class: `swatch ${cls}` }), text)),
  );
}
