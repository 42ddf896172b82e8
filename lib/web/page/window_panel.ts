/// <reference lib="dom" />
/**
 * The live window view as one panel, the same on the chat page (the page's own session) and on
 * the teacher's page (a session of the server): a {@link WindowModel} fed with records, drawn at
 * most ten times a second, with the buttons that act on the live session ("drop the next
 * frame", "corrupt the next frame") and the ones that hold the view (pause: records wait; step:
 * one record at a time; resume: all of them).
 * @module
 */

import { byId, fill, h } from "./dom.ts";
import { sequenceDiagram } from "./sequence_diagram.ts";
import { type EndNames, renderWindow } from "./window_view.ts";
import { WindowModel, type WindowSnapshot } from "../window_model.ts";
import type { ViewRecord } from "../view_record.ts";
import { PAGE_CATALOG, type PageText } from "./page_text.ts";

/** What the panel's buttons act on. */
export interface PanelActions {
  /** Drop or corrupt the next DATA frame the observed end sends. */
  faultNext(fault: "drop" | "corrupt"): void;
  /** The current recording time of the observed end, ms (timers count down to it). */
  now(): number;
}

/** The panel's words that {@link WindowPanel.setText} changes. */
type PanelLabel = "dropNext" | "corruptNext" | "step" | "sequenceDiagram" | "events";

/** Most records that wait while the view is paused (older ones are applied at once). */
const MAX_WAITING = 5000;
/** Least time between two drawings, ms. */
const DRAW_EVERY_MS = 100;
/** Items of the sequence diagram shown. */
const DIAGRAM_ROWS = 32;

/** The panel (see the module comment). */
export class WindowPanel {
  /** The panel's element, to be put in the page. */
  readonly el: HTMLElement;
  #names: EndNames;
  #actions: PanelActions | undefined;
  #model: WindowModel;
  #waiting: ViewRecord[] = [];
  #paused = false;
  #armed: string | undefined;
  #dirty = true;
  #lastDraw = 0;
  readonly #view: HTMLElement;
  readonly #diagram: HTMLElement;
  readonly #log: HTMLElement;
  readonly #status: HTMLElement;
  readonly #pauseButton: HTMLButtonElement;
  readonly #stepButton: HTMLButtonElement;
  readonly #labels: { el: HTMLElement; key: PanelLabel }[] = [];
  #text: PageText;

  /** A panel naming its ends `names`, its buttons in the language of `text` (default English). */
  constructor(names: EndNames, text: PageText = PAGE_CATALOG.en) {
    this.#names = names;
    this.#text = text;
    this.#model = new WindowModel(text.eventLines);
    this.#view = h("div", { class: "window", "data-test": "window" });
    this.#diagram = h("div", { class: "diagram", "data-test": "diagram" });
    this.#log = h("ol", { class: "events", "data-test": "events" });
    this.#status = h("p", { class: "status-line", "aria-live": "polite" });
    this.#pauseButton = h("button", { type: "button", onclick: () => this.togglePause() });
    this.#stepButton = h("button", { type: "button", disabled: true, onclick: () => this.step() });
    const labelled = <E extends HTMLElement>(el: E, key: PanelLabel) => {
      this.#labels.push({ el, key });
      return el;
    };
    labelled(this.#stepButton, "step");
    this.el = h(
      "div",
      { class: "panel" },
      h(
        "div",
        { class: "controls" },
        labelled(
          h("button", {
            type: "button",
            class: "danger",
            "data-test": "drop",
            onclick: () => this.#fault("drop"),
          }),
          "dropNext",
        ),
        labelled(
          h("button", {
            type: "button",
            class: "danger",
            "data-test": "corrupt",
            onclick: () => this.#fault("corrupt"),
          }),
          "corruptNext",
        ),
        this.#pauseButton,
        this.#stepButton,
      ),
      this.#status,
      this.#view,
      labelled(h("h4", {}), "sequenceDiagram"),
      this.#diagram,
      labelled(h("h4", {}), "events"),
      this.#log,
    );
    this.setText(text);
    const tick = () => {
      requestAnimationFrame(tick);
      this.#maybeDraw();
    };
    requestAnimationFrame(tick);
  }

  /** Relabels the panel in the language of `text`. */
  setText(text: PageText): void {
    this.#text = text;
    this.#model.setTexts(text.eventLines);
    for (const { el, key } of this.#labels) el.textContent = text[key];
    this.#pauseButton.textContent = this.#paused ? text.resume : text.pause;
    this.#dirty = true;
  }

  /** Adds an element below the panel's buttons (the chat page's line to send). */
  addControl(el: HTMLElement): void {
    this.el.querySelector(".controls")!.append(el);
  }

  /** Starts over with a new session (the old records are forgotten). */
  reset(names: EndNames, actions: PanelActions | undefined): void {
    this.#names = names;
    this.#actions = actions;
    this.#model = new WindowModel(this.#text.eventLines);
    this.#waiting = [];
    this.#armed = undefined;
    this.#dirty = true;
  }

  /** A record of the live session: applied now, or queued while paused. */
  push(record: ViewRecord): void {
    if (this.#paused) {
      this.#waiting.push(record);
      if (this.#waiting.length > MAX_WAITING) this.#model.apply(this.#waiting.shift()!);
    } else {
      this.#apply(record);
    }
    this.#dirty = true;
  }

  /** Pauses (records wait) or resumes (every waiting record is applied). */
  togglePause(): void {
    this.#paused = !this.#paused;
    if (!this.#paused) {
      for (const r of this.#waiting) this.#apply(r);
      this.#waiting = [];
    }
    this.#pauseButton.textContent = this.#paused ? this.#text.resume : this.#text.pause;
    this.#stepButton.disabled = !this.#paused;
    this.#dirty = true;
  }

  /** While paused: applies the next waiting record. */
  step(): void {
    const r = this.#waiting.shift();
    if (r) this.#apply(r);
    this.#dirty = true;
  }

  /** True while paused. */
  get paused(): boolean {
    return this.#paused;
  }

  /** The snapshot drawn now (what tests read). */
  snapshot(): WindowSnapshot {
    return this.#model.snapshot(this.#viewNow());
  }

  /** Records waiting while paused. */
  get waiting(): number {
    return this.#waiting.length;
  }

  #apply(r: ViewRecord): void {
    this.#model.apply(r);
    // The armed fault was used when a DATA frame left with it.
    if (r.r === "frame" && r.dir === "send" && r.type === 5 && this.#armed !== undefined) {
      if (r.fault === "drop" || r.fault === "corrupt") this.#armed = undefined;
    }
  }

  #fault(fault: "drop" | "corrupt"): void {
    if (!this.#actions) return;
    this.#actions.faultNext(fault);
    this.#armed = fault;
    this.#dirty = true;
  }

  /** Paused: the time of the last record applied; live: the session's clock. */
  #viewNow(): number {
    if (this.#paused || !this.#actions) return this.#model.lastTime;
    return Math.max(this.#model.lastTime, this.#actions.now());
  }

  #maybeDraw(): void {
    const now = performance.now();
    if (now - this.#lastDraw < DRAW_EVERY_MS) return;
    const snap = this.#model.snapshot(this.#viewNow());
    // Timers count down: draw while any runs, else only when something changed.
    if (!this.#dirty && (this.#paused || snap.sender.timers.length === 0)) return;
    this.#dirty = false;
    this.#lastDraw = now;
    renderWindow(this.#view, snap, this.#names, this.#text.window);
    fill(
      this.#diagram,
      sequenceDiagram(snap.diagram, this.#names, DIAGRAM_ROWS, this.#text.window),
    );
    fill(
      this.#log,
      ...snap.log.slice(-14).reverse().map((l) =>
        h("li", { class: l.kind }, h("time", {}, (l.t / 1000).toFixed(3)), " ", l.text)
      ),
    );
    const parts: string[] = [];
    if (this.#armed) {
      parts.push(this.#text.armed(this.#armed === "drop" ? "drop" : "corrupt"));
    }
    if (this.#paused) {
      parts.push(this.#text.paused(this.#waiting.length));
    }
    this.#status.textContent = parts.join(" ");
  }
}

/** The element with `id` filled with `panel`. */
export function mountPanel(id: string, panel: WindowPanel): void {
  fill(byId(id), panel.el);
}
