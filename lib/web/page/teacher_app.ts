/// <reference lib="dom" />
/**
 * The teacher's page, for the projector: every open session (kind, transport, ARQ discipline,
 * window, RTT, RTO, retransmissions), refreshed every second from the teacher's feed, and the
 * live window view of the one chosen (its server side: what the server sends it, what it
 * holds), with "drop / corrupt the next frame" acting on the server's side of that session.
 * @module
 */

import type { SessionSummary } from "../../server/session_summary.ts";
import type { ViewRecord } from "../view_record.ts";
import { byId, fill, h } from "./dom.ts";
import { PAGE_CATALOG, wireLangSwitch } from "./page_text.ts";
import { WindowPanel } from "./window_panel.ts";

/** What a test can read of the teacher's page. */
export interface TeacherPageState {
  readonly connected: boolean;
  readonly sessions: readonly SessionSummary[];
  readonly watching: number | undefined;
  readonly window: ReturnType<WindowPanel["snapshot"]> | undefined;
  readonly error: string;
}

type FeedMessage =
  | { type: "sessions"; t: number; list: SessionSummary[] }
  | { type: "watching"; id: number | null }
  | { type: "records"; id: number | null; records: ViewRecord[] }
  | { type: "error"; message: string };

/** Starts the teacher's page on the elements of `teacher.html`. */
export function startTeacherPage(): { state(): TeacherPageState; panel: WindowPanel } {
  const table = byId("sessions");
  const title = byId("watch-title");
  const errorLine = byId("teacher-error");
  // The page's language: the switch's choice (shared with the chat page), else the browser's.
  const { lang } = wireLangSwitch(byId<HTMLSelectElement>("lang"), (_, chosenText) => {
    text = chosenText;
    panel.setText(text);
    if (watching !== undefined) {
      const row = sessions.find((s) => s.id === watching);
      title.textContent = text.teacher.watchTitle(watching, row?.nick);
    }
    drawTable();
  });
  let text = PAGE_CATALOG[lang];
  const panel = new WindowPanel({ local: text.server, peer: text.teacher.client(0) }, text);
  byId("window-panel").append(panel.el);
  const login = byId<HTMLFormElement>("login");
  // Kept for this tab only, so a reload does not ask again.
  let password = sessionStorage.getItem("chat-teacher-password") ?? "";
  let sessions: SessionSummary[] = [];
  let watching: number | undefined;
  let connected = false;
  // The server's feed clock against ours, for the timers' countdown.
  let serverT = 0;
  let localAt = performance.now();
  let ws: WebSocket | undefined;

  const send = (msg: unknown) =>
    ws?.readyState === WebSocket.OPEN && ws.send(JSON.stringify(msg) + "\n");

  const watch = (id: number) => {
    watching = id;
    const row = sessions.find((s) => s.id === id);
    title.textContent = text.teacher.watchTitle(id, row?.nick);
    panel.reset({ local: text.server, peer: row?.nick ?? text.teacher.client(id) }, {
      faultNext: (fault) => send({ op: "fault", fault }),
      now: () => serverT + (performance.now() - localAt),
    });
    send({ op: "watch", id });
    drawTable();
  };

  const drawTable = () => {
    const rows = sessions.map((s) => {
      const a = s.arq;
      const kind = a ? (a.mode ?? "binary").toUpperCase() : s.kind;
      const over = s.transport === "ws" ? text.teacher.browser : s.transport;
      return h(
        "tr",
        {
          class: s.id === watching ? "watching" : a ? "binary" : "",
          "data-id": s.id,
          "data-kind": kind,
          "data-over": over,
          onclick: a ? () => watch(s.id) : undefined,
          title: a ? text.teacher.showWindow : text.teacher.noWindow,
        },
        h("td", { class: "num" }, s.id),
        h("td", { class: "nick" }, s.nick ?? "–"),
        h("td", {}, kind),
        h("td", {}, over),
        h("td", { class: "num" }, a?.window ?? "–"),
        h("td", { class: "num" }, a ? (a.srtt > 0 ? a.srtt.toFixed(1) : "–") : "–"),
        h("td", { class: "num" }, a?.rto ?? "–"),
        h("td", { class: "num" }, a?.retransmissions ?? "–"),
        h("td", { class: "num" }, a?.timeouts ?? "–"),
      );
    });
    fill(
      table,
      h("caption", {}, text.teacher.caption),
      h(
        "thead",
        {},
        h(
          "tr",
          {},
          ...text.teacher.columns.map((t) => h("th", {}, t)),
        ),
      ),
      h("tbody", {}, ...rows),
    );
    byId("count").textContent = text.teacher.count(sessions.length);
  };

  const onMessage = (m: FeedMessage) => {
    switch (m.type) {
      case "sessions":
        serverT = m.t;
        localAt = performance.now();
        sessions = m.list;
        drawTable();
        return;
      case "records":
        if (m.id === watching) { for (const r of m.records) panel.push(r); }
        return;
      case "watching":
        return;
      case "error":
        errorLine.textContent = m.message;
        return;
    }
  };

  const connect = () => {
    if (password === "") {
      document.body.dataset.login = "yes";
      return;
    }
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    ws = new WebSocket(
      `${scheme}//${location.host}/teacher/ws?password=${encodeURIComponent(password)}`,
    );
    ws.binaryType = "arraybuffer";
    const decoder = new TextDecoder();
    let carry = "";
    let opened = false;
    ws.onopen = () => {
      opened = connected = true;
      document.body.dataset.login = "no";
      sessionStorage.setItem("chat-teacher-password", password);
      errorLine.textContent = "";
      if (watching !== undefined) send({ op: "watch", id: watching });
    };
    ws.onmessage = (e) => {
      const text = typeof e.data === "string" ? e.data : decoder.decode(e.data, { stream: true });
      const lines = (carry + text).split("\n");
      carry = lines.pop()!;
      for (const line of lines) if (line) onMessage(JSON.parse(line));
    };
    ws.onclose = () => {
      connected = false;
      if (!opened) {
        // Refused at the door: the password (or the server has none).
        password = "";
        sessionStorage.removeItem("chat-teacher-password");
        document.body.dataset.login = "yes";
        errorLine.textContent = text.teacher.refused;
        return;
      }
      errorLine.textContent = text.teacher.reconnecting;
      setTimeout(connect, 2000);
    };
  };
  login.addEventListener("submit", (ev) => {
    ev.preventDefault();
    password = (login.elements.namedItem("password") as HTMLInputElement).value.trim();
    connect();
  });
  drawTable();
  connect();

  return {
    panel,
    state: () => ({
      connected,
      sessions,
      watching,
      window: watching === undefined ? undefined : panel.snapshot(),
      error: errorLine.textContent ?? "",
    }),
  };
}
