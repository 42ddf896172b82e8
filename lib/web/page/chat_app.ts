/// <reference lib="dom" />
/**
 * The chat page: the join form (nickname; plain text, Go-Back-N or Selective Repeat; window,
 * ACK policy and the page's own loss and corruption), the chat (the server's lines as `chat
 * join` shows them, the same status codes; the same slash commands, and any other `/verb args`
 * sent to the server as `VERB args`, so new server commands such as rooms work at once), and
 * for a binary session the live window view of the page's own ARQ engine.
 *
 * On a phone the chat and the window view are two tabs; on a wide screen they sit side by side.
 * @module
 */

import { interpretTyped, slashHelp } from "../../client/commands.ts";
import { CLIENT_TEXT } from "../../client/messages.ts";
import { actOnTyped } from "../../client/typed_actions.ts";
import type { ServerEvent } from "../../client/server_lines.ts";
import { parseProbability } from "../../faults/mod.ts";
import { MAX_WINDOW } from "../../protocol/control.ts";
import { BrowserClient, type JoinChoice } from "./browser_client.ts";
import { byId, h } from "./dom.ts";
import { WindowPanel } from "./window_panel.ts";

/** Lines kept in the chat view. */
const MAX_LINES = 500;

/** What a test (or a curious student) can read of the page's state. */
export interface ChatPageState {
  readonly phase: "form" | "joining" | "chat";
  readonly nick: string | undefined;
  readonly protocol: string | undefined;
  readonly lines: readonly string[];
  readonly error: string;
  readonly window: ReturnType<WindowPanel["snapshot"]> | undefined;
  readonly pendingFault: string | undefined;
}

/** Starts the chat page on the elements of `index.html`. */
export function startChatPage(): { state(): ChatPageState; panel: WindowPanel } {
  const form = byId<HTMLFormElement>("join");
  const error = byId("join-error");
  const log = byId("log");
  const input = byId<HTMLInputElement>("say");
  const chatForm = byId<HTMLFormElement>("chat-form");
  const status = byId("status");
  const protocol = byId<HTMLSelectElement>("protocol");
  const windowTab = byId<HTMLButtonElement>("tab-window");
  const panel = new WindowPanel({ local: "this page", peer: "server" });
  byId("window-panel").append(panel.el);
  let client: BrowserClient | undefined;
  let phase: ChatPageState["phase"] = "form";
  let registered = false;

  const field = (name: string) => (form.elements.namedItem(name) as HTMLInputElement).value;

  const show = (cls: string, ...parts: (Node | string)[]) => {
    const atBottom = log.scrollHeight - log.scrollTop - log.clientHeight < 40;
    log.append(h("li", { class: cls }, ...parts));
    while (log.childElementCount > MAX_LINES) log.firstElementChild!.remove();
    if (atBottom) log.scrollTop = log.scrollHeight;
  };
  const say = (text: string) => {
    for (const line of text.split("\n")) show("local", line);
  };

  const setPhase = (p: ChatPageState["phase"]) => {
    phase = p;
    document.body.dataset.phase = p;
    const binary = client?.binary ?? false;
    document.body.dataset.binary = binary ? "yes" : "no";
    windowTab.disabled = !binary;
    if (p === "chat") input.focus();
  };

  const onEvent = (e: ServerEvent) => {
    if (!registered) {
      if (e.kind === "status") {
        if (e.code === 200) {
          registered = true;
          setPhase("chat");
          const c = client!.choice;
          status.textContent = `${c.nick} · ${
            c.protocol === "text" ? "text" : `${c.protocol.toUpperCase()} w${c.window}`
          }`;
        } else {
          error.textContent = `${e.title}: ${e.body}`;
        }
      }
      if (e.kind !== "status" || e.code === 200) showEvent(e);
      return;
    }
    showEvent(e);
  };

  const showEvent = (e: ServerEvent) => {
    switch (e.kind) {
      case "status": {
        const cls = e.code < 300 ? "status ok" : e.code < 500 ? "status warn" : "status err";
        show(cls, h("b", {}, e.title), " ", e.body);
        return;
      }
      case "chat":
        show("chat", h("b", { class: "nick" }, `[${e.from}]`), ": ", e.text);
        return;
      case "private":
        show("private", h("b", { class: "nick" }, `[${e.from} -> ${e.to}]`), ": ", e.text);
        return;
      case "notice":
        show("notice", `*** ${e.text}`);
        return;
      case "other":
        show("other", e.line);
        return;
    }
  };

  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    error.textContent = "";
    let choice: JoinChoice;
    try {
      choice = readChoice(field);
    } catch (e) {
      error.textContent = (e as Error).message;
      return;
    }
    setPhase("joining");
    registered = false;
    // Before the handshake: its frames are the first records.
    panel.reset({ local: `this page (${choice.nick})`, peer: "server" }, {
      faultNext: (f) => client?.faultNext(f),
      now: () => client?.recordingNow() ?? 0,
    });
    try {
      client = await BrowserClient.open(choice, {
        onEvent,
        onRecord: (r) => panel.push(r),
        onClosed: (reason) => {
          const wasIn = registered;
          client = undefined;
          registered = false;
          setPhase("form");
          if (wasIn) say(CLIENT_TEXT.sessionEnded(reason));
          else if (error.textContent === "") error.textContent = CLIENT_TEXT.sessionEnded(reason);
          status.textContent = "not connected";
        },
      });
      setPhase(phase);
    } catch (e) {
      setPhase("form");
      error.textContent = (e as Error).message;
    }
  });

  chatForm.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const line = input.value;
    input.value = "";
    if (client) act(client, line);
  });

  const act = (c: BrowserClient, line: string) => {
    const t = interpretTyped(line);
    if (t.kind === "quit") return c.quit();
    if (t.kind === "help" && !t.server) {
      return say(`${slashHelp()}\nAny other /VERB ARGS is sent to the server as VERB ARGS.`);
    }
    if (t.kind === "error") {
      // An unknown slash command goes to the server as its verb (rooms: /join ROOM).
      const m = /^\/([A-Za-z][A-Za-z0-9_-]*)(?:\s+(.*))?$/.exec(line.trim());
      if (m && t.message === CLIENT_TEXT.unknownCommand(`/${m[1]!.toLowerCase()}`)) {
        c.send(m[2] ? `${m[1]!.toUpperCase()} ${m[2]}` : m[1]!.toUpperCase());
        return;
      }
    }
    if (t.kind === "send" && t.line.startsWith("MSG ")) {
      show("mine", h("b", { class: "nick" }, `[${c.choice.nick}]`), ": ", t.line.slice(4));
    }
    // The rest as chat join does it: the same commands, figures and messages.
    actOnTyped(c, line, c.faults, say);
  };

  // A line to send from the window tab too: watch its frames leave without changing tabs.
  const quick = h("input", {
    "aria-label": "Message",
    placeholder: "Send a line from here",
    autocomplete: "off",
    enterkeyhint: "send",
  });
  panel.addControl(
    h(
      "form",
      {
        class: "quick-say",
        onsubmit: (ev: Event) => {
          ev.preventDefault();
          const line = quick.value;
          quick.value = "";
          if (client && line.trim() !== "") act(client, line);
        },
      },
      quick,
      h("button", { type: "submit" }, "Send"),
    ),
  );
  byId("who").addEventListener("click", () => client && act(client, "/who"));
  byId("leave").addEventListener("click", () => client?.quit());
  for (const tab of ["chat", "window"]) {
    byId(`tab-${tab}`).addEventListener("click", () => document.body.dataset.tab = tab);
  }
  document.body.dataset.tab = "chat";
  const syncProtocol = () => document.body.dataset.choice = protocol.value;
  protocol.addEventListener("change", syncProtocol);
  syncProtocol();
  setPhase("form");

  return {
    panel,
    state: () => ({
      phase,
      nick: client?.choice.nick,
      protocol: client?.choice.protocol,
      lines: [...log.children].map((li) => li.textContent ?? ""),
      error: error.textContent ?? "",
      window: client?.binary ? panel.snapshot() : undefined,
      pendingFault: client?.pendingFault,
    }),
  };
}

/** The join form's fields as a {@link JoinChoice}; throws with a sentence for the person. */
function readChoice(field: (name: string) => string): JoinChoice {
  const nick = field("nick").trim();
  if (nick === "") throw new Error(CLIENT_TEXT.nicknameEmpty.replace(", or Ctrl-C to leave", ""));
  const protocol = field("protocol") as JoinChoice["protocol"];
  const windowText = field("window").trim();
  const window = Number(windowText);
  if (!Number.isInteger(window) || window < 1 || window > MAX_WINDOW) {
    throw new Error(CLIENT_TEXT.windowBad(MAX_WINDOW, windowText));
  }
  const ackPolicy = field("ack") === "sack" ? "sack" : "frame";
  const prob = (name: string, what: string) => {
    const text = field(name).trim() || "0";
    try {
      return parseProbability(text.includes("%") ? text : `${text}%`, what);
    } catch {
      throw new Error(CLIENT_TEXT.probabilityBad(what, text));
    }
  };
  return {
    nick,
    protocol,
    window,
    ackPolicy,
    loss: prob("loss", CLIENT_TEXT.loss),
    corrupt: prob("corrupt", CLIENT_TEXT.corruption),
  };
}
