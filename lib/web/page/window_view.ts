/// <reference lib="dom" />
/**
 * Draws a {@link WindowSnapshot}: the round-trip figures, the sender's window (one cell per
 * sequence number, coloured by state, `base` and `next` marked, a timer bar per frame for
 * Selective Repeat or one for Go-Back-N), and the receiver's window (the next frame expected,
 * the frames Selective Repeat holds out of order, the ones Go-Back-N discards).
 * @module
 */

import { fill, h } from "./dom.ts";
import type { SenderSlot, WindowSnapshot } from "../window_model.ts";

/** Names of the two ends, as the view shows them. */
export interface EndNames {
  /** The observed end (`this page`, `server`). */
  readonly local: string;
  /** Its peer. */
  readonly peer: string;
}

const STATE_TEXT: Readonly<Record<SenderSlot["state"], string>> = {
  unsent: "not sent yet",
  flight: "in flight",
  resent: "resent, in flight",
  lost: "lost on the way (the sender does not know yet)",
  acked: "acknowledged",
};

/** Draws `snap` into `el` (its children are replaced). */
export function renderWindow(el: HTMLElement, snap: WindowSnapshot, names: EndNames): void {
  if (snap.mode === undefined) {
    fill(el, h("p", { class: "hint" }, snap.state === "handshake" ? "Handshake…" : snap.state));
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
      figure("mode", mode),
      figure("window", `${snap.window}`),
      figure("ACK", snap.ackPolicy === "sack" ? "delayed + SACK" : "per frame"),
      figure("RTO", `${Math.round(snap.rto)} ms`),
      figure("SRTT", snap.srtt > 0 ? `${snap.srtt.toFixed(1)} ms` : "–"),
      figure("resent", `${c.retransmissions}${reasons ? ` (${reasons})` : ""}`),
      figure("timeouts", `${c.timeouts}`),
    ),
    senderRow(snap, names),
    receiverRow(snap, names),
    legend(),
  );
}

function figure(name: string, value: string): HTMLElement {
  return h("span", { class: "figure" }, h("small", {}, name), " ", h("b", {}, value));
}

const WAITING = "joined while running: its sequence numbers show with its next DATA frame";

function senderRow(snap: WindowSnapshot, names: EndNames): HTMLElement {
  const { base, next, slots, timers } = snap.sender;
  if (!snap.sender.known) {
    return h(
      "section",
      { class: "row sender", "data-test": "sender" },
      h("h4", {}, `Sender: ${names.local} → ${names.peer}`),
      h("p", { class: "note" }, WAITING),
    );
  }
  const timerOf = new Map(timers.map((t) => [t.seq, t]));
  const cells = slots.map((slot) => {
    const marks: string[] = [];
    if (slot.seq === base) marks.push("base");
    if (slot.seq === next) marks.push("next");
    const t = timerOf.get(slot.seq);
    const left = t ? Math.max(0, t.due - snap.now) : 0;
    const frac = t ? Math.max(0, Math.min(1, left / Math.max(1, t.rto))) : 0;
    return h(
      "div",
      {
        class: `cell ${slot.state}`,
        title: `${slot.seq}: ${STATE_TEXT[slot.state]}${
          slot.attempts > 1 ? `, ${slot.attempts} transmissions` : ""
        }${
          slot.fault
            ? ` (${slot.fault === "drop" ? "dropped" : "corrupted"} by fault injection)`
            : ""
        }`,
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
          { class: "timer", title: `timer: ${Math.round(left)} of ${Math.round(t.rto)} ms left` },
          h("span", { class: "bar", style: `width:${(frac * 100).toFixed(1)}%` }),
        )
        : null,
      marks.length > 0 ? h("span", { class: "mark" }, marks.join(" ")) : null,
    );
  });
  const timerNote = snap.mode === "gbn"
    ? timers.length > 0
      ? `one timer, on the oldest frame in flight (${timers[0]!.seq}): ${
        Math.max(0, Math.round(timers[0]!.due - snap.now))
      } ms left`
      : "one timer: stopped (nothing in flight)"
    : `one timer per frame in flight: ${timers.length} running`;
  return h(
    "section",
    { class: "row sender", "data-test": "sender" },
    h(
      "h4",
      {},
      `Sender: ${names.local} → ${names.peer}`,
      h("small", {}, ` base ${base}, next ${next}`),
    ),
    h("div", { class: "cells" }, ...cells),
    h("p", { class: "note" }, timerNote),
  );
}

function receiverRow(snap: WindowSnapshot, names: EndNames): HTMLElement {
  const r = snap.receiver;
  if (!r.known) {
    return h(
      "section",
      { class: "row receiver", "data-test": "receiver" },
      h("h4", {}, `Receiver: ${names.peer} → ${names.local}`),
      h("p", { class: "note" }, WAITING),
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
        i === 0 ? h("span", { class: "mark" }, "expected") : null,
      ),
    );
  }
  const chips = [
    ...r.discarded.map((d) => h("span", { class: "chip discarded" }, `${d.seq} discarded`)),
    ...r.duplicates.map((d) => h("span", { class: "chip duplicate" }, `${d.seq} again`)),
  ];
  const note = snap.mode === "sr"
    ? `holds out-of-order frames until the gap is filled: ${r.held.length} held`
    : "takes only the frame expected: every other one is discarded";
  return h(
    "section",
    { class: "row receiver", "data-test": "receiver" },
    h(
      "h4",
      {},
      `Receiver: ${names.peer} → ${names.local}`,
      h("small", {}, ` expected ${r.expected}`),
    ),
    h("div", { class: "cells" }, ...cells),
    h("p", { class: "note" }, note, " ", ...chips),
  );
}

function legend(): HTMLElement {
  const items: [string, string][] = [
    ["unsent", "not sent"],
    ["flight", "in flight"],
    ["resent", "resent"],
    ["lost", "lost"],
    ["acked", "acknowledged"],
    ["held", "held (SR)"],
  ];
  return h(
    "p",
    { class: "legend" },
    ...items.map(([cls, text]) => h("span", {}, h("i", { class: `swatch ${cls}` }), text)),
  );
}
