/// <reference lib="dom" />
/**
 * The sequence diagram of a session, as qvis and the textbooks draw one: two timelines (the
 * observed end on the left, its peer on the right), time going down, one slanted arrow per
 * frame (sent: left to right; received: right to left), a frame the fault injection dropped
 * stopping half-way at a cross, a corrupted one dashed, a timeout marked on the sender's line.
 * Arrows are one row apart in the order they happened; a pause of more than
 * {@link GAP_MS} between two is drawn as a break labelled with its length (a timeout's wait
 * shows as a long break before the retransmission).
 * @module
 */

import { s } from "./dom.ts";
import type { DiagramItem } from "../window_model.ts";
import type { EndNames } from "./window_view.ts";
import { PAGE_CATALOG, type WindowText } from "./page_text.ts";
import { FrameType } from "../../protocol/header.ts";

/** A pause longer than this between two items is drawn as a labelled break, ms. */
export const GAP_MS = 30;

const W = 300;
const X_LOCAL = 62;
const X_PEER = 270;
const ROW = 20;
const SLANT = 14;
const TOP = 34;
const GAP_ROW = 16;

/** The colour class of a frame type. */
function typeClass(type: number): string {
  switch (type) {
    case FrameType.DATA:
      return "data";
    case FrameType.ACK:
      return "ack";
    case FrameType.NACK:
      return "nack";
    case FrameType.PING:
    case FrameType.PONG:
      return "ping";
    case 0:
      return "bad";
    default:
      return "control";
  }
}

/**
 * The diagram of the last `max` items of `items` as an SVG element (scaled to its container's
 * width by its viewBox), its words those of `text`.
 */
export function sequenceDiagram(
  items: readonly DiagramItem[],
  names: EndNames,
  max = 40,
  text: WindowText = PAGE_CATALOG.en.window,
): SVGElement {
  const shown = items.slice(-max);
  const parts: SVGElement[] = [];
  let y = TOP;
  let prev: number | undefined;
  for (const it of shown) {
    if (prev !== undefined && it.t - prev > GAP_MS) {
      parts.push(
        s("line", { class: "gap", x1: X_LOCAL - 8, y1: y + 2, x2: X_PEER + 8, y2: y + 2 }),
        s(
          "text",
          { class: "gaplabel", x: (X_LOCAL + X_PEER) / 2, y: y + 5 },
          `… ${ms(it.t - prev)}`,
        ),
      );
      y += GAP_ROW;
    }
    prev = it.t;
    parts.push(item(it, y, text));
    y += ROW;
  }
  const height = y + SLANT + 6;
  return s(
    "svg",
    {
      class: "seqdiag",
      viewBox: `0 0 ${W} ${height}`,
      width: "100%",
      role: "img",
      "aria-label": text.diagramLabel(names.local, names.peer),
      "data-items": shown.length,
    },
    s("text", { class: "end", x: X_LOCAL, y: 16 }, names.local),
    s("text", { class: "end", x: X_PEER, y: 16 }, names.peer),
    s("line", { class: "life", x1: X_LOCAL, y1: 22, x2: X_LOCAL, y2: height }),
    s("line", { class: "life", x1: X_PEER, y1: 22, x2: X_PEER, y2: height }),
    ...parts,
  );
}

function item(it: DiagramItem, y: number, text: WindowText): SVGElement {
  const time = s("text", { class: "time", x: 2, y: y + 4 }, `${(it.t / 1000).toFixed(3)}`);
  if (it.kind === "mark") {
    return s(
      "g",
      { class: "mark", "data-label": it.label },
      time,
      s("circle", { cx: X_LOCAL, cy: y, r: 3.5 }),
      s("text", { x: X_LOCAL + 7, y: y + 4 }, it.label),
    );
  }
  const cls = `${typeClass(it.type)} ${it.fate}`;
  const send = it.kind === "send";
  const x1 = send ? X_LOCAL : X_PEER;
  const x2 = send ? X_PEER : X_LOCAL;
  const y1 = send ? y : y - SLANT;
  const y2 = send ? y + SLANT : y;
  const dropped = it.fate === "dropped";
  // A dropped frame stops half-way.
  const ex = dropped ? (x1 + x2) / 2 : x2;
  const ey = dropped ? (y1 + y2) / 2 : y2;
  // The label sits near the sender's end, above the arrow: a frame and the answer crossing
  // it in the next row keep their labels apart (one near each line).
  const lx = send ? x1 + 10 : x1 - 10;
  const ly = y1 + (ey - y1) * (10 / Math.max(1, Math.abs(ex - x1))) - 3;
  const end = dropped
    ? s("text", { class: "cross", x: ex, y: ey + 4 }, "✕")
    : s("polygon", { points: arrowHead(x1, y1, ex, ey) });
  return s(
    "g",
    {
      class: `arrow ${cls}`,
      "data-label": it.label,
      "data-fate": it.fate,
      "data-dir": it.kind,
    },
    time,
    s("line", { x1, y1, x2: ex, y2: ey }),
    end,
    s(
      "text",
      { class: `label ${send ? "from-local" : "from-peer"}`, x: lx, y: ly },
      it.fate === "corrupted" ? text.corruptedFrame(it.label) : it.label,
    ),
  );
}

function arrowHead(x1: number, y1: number, x2: number, y2: number): string {
  const a = Math.atan2(y2 - y1, x2 - x1);
  const l = 7;
  const w = 3.5;
  const bx = x2 - l * Math.cos(a);
  const by = y2 - l * Math.sin(a);
  const px = -Math.sin(a) * w;
  const py = Math.cos(a) * w;
  return `${x2},${y2} ${(bx + px).toFixed(1)},${(by + py).toFixed(1)} ${(bx - px).toFixed(1)},${
    (by - py).toFixed(1)
  }`;
}

function ms(d: number): string {
  return d >= 1000 ? `${(d / 1000).toFixed(1)} s` : `${Math.round(d)} ms`;
}
