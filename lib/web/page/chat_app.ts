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
import { CLIENT_CATALOG, type ClientText } from "../../client/messages.ts";
import { DEFAULT_LANG, type Lang } from "../../i18n/lang.ts";
import { actOnTyped } from "../../client/typed_actions.ts";
import type { ServerEvent } from "../../client/server_lines.ts";
import { parseProbability } from "../../faults/mod.ts";
import { MAX_WINDOW } from "../../protocol/control.ts";
import { BrowserClient, type JoinChoice } from "./browser_client.ts";
import { byId, h } from "./dom.ts";
import { WindowPanel } from "./window_panel.ts";
import { PAGE_CATALOG, wireLangSwitch } from "./page_text.ts";

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
  // The page's language: the switch's choice, else the browser's (see page_text.ts).
  const picked = wireLangSwitch(byId<HTMLSelectElement>("lang"), (chosen, chosenText) => {
    lang = chosen;
    langChosen = true;
    text = chosenText;
    words = CLIENT_CATALOG[lang];
    panel.setText(text);
    quick.setAttribute("aria-label", text.message);
    quick.setAttribute("placeholder", text.quickSay);
    quickSend.textContent = text.send;
    showStatus();
    // The chat's replies too (LANG), when connected.
    if (client && registered) client.send(`LANG ${lang}`);
  });
  let lang: Lang = picked.lang;
  let langChosen = picked.chosen;
  let text = PAGE_CATALOG[lang];
  let words: ClientText = CLIENT_CATALOG[lang];
  const panel = new WindowPanel({ local: text.thisPage, peer: text.server }, text);
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
          showStatus();
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
      choice = {
        ...readChoice(field, words),
        lang: langChosen || lang !== DEFAULT_LANG ? lang : undefined,
      };
    } catch (e) {
      error.textContent = (e as Error).message;
      return;
    }
    setPhase("joining");
    registered = false;
    // Before the handshake: its frames are the first records.
    panel.reset({ local: `${text.thisPage} (${choice.nick})`, peer: text.server }, {
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
          if (wasIn) say(words.sessionEnded(reason));
          else if (error.textContent === "") error.textContent = words.sessionEnded(reason);
          showStatus();
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
    const t = interpretTyped(line, words);
    if (t.kind === "quit") return c.quit();
    if (t.kind === "help" && !t.server) return say(`${slashHelp(words)}\n${text.otherVerbs}`);
    if (t.kind === "error") {
      // An unknown slash command goes to the server as its verb (rooms: /join ROOM).
      const m = /^\/([A-Za-z][A-Za-z0-9_-]*)(?:\s+(.*))?$/.exec(line.trim());
      if (m && t.message === words.unknownCommand(`/${m[1]!.toLowerCase()}`)) {
        c.send(m[2] ? `${m[1]!.toUpperCase()} ${m[2]}` : m[1]!.toUpperCase());
        return;
      }
    }
    if (t.kind === "send" && t.line.startsWith("MSG ")) {
      show("mine", h("b", { class: "nick" }, `[${c.choice.nick}]`), ": ", t.line.slice(4));
    }
    // The rest as chat join does it: the same commands, figures and messages.
    actOnTyped(c, line, c.faults, say, { timestamps: false }, words);
  };

  // A line to send from the window tab too: watch its frames leave without changing tabs.
  const quick = h("input", {
    "aria-label": text.message,
    placeholder: text.quickSay,
    autocomplete: "off",
    enterkeyhint: "send",
  });
  const quickSend = h("button", { type: "submit" }, text.send);
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
      quickSend,
    ),
  );
  /** The header's line: who is connected with what, or that nobody is. */
  const showStatus = () => {
    const c = registered ? client?.choice : undefined;
    status.textContent = c === undefined
      ? text.notConnected
      : `${c.nick} · ${
        c.protocol === "text" ? text.text : `${c.protocol.toUpperCase()} w${c.window}`
      }`;
  };
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

/** The join form's fields as a {@link JoinChoice}; throws with a sentence (in `words`) for the person. */
function readChoice(field: (name: string) => string, words: ClientText): JoinChoice {
  const nick = field("nick").trim();
  // The terminal's sentence without its terminal advice (Ctrl-C).
  if (nick === "") throw new Error(words.nicknameEmpty.split(":")[0]!);
  const protocol = field("protocol") as JoinChoice["protocol"];
  const windowText = field("window").trim();
  const window = Number(windowText);
  if (!Number.isInteger(window) || window < 1 || window > MAX_WINDOW) {
    throw new Error(words.windowBad(MAX_WINDOW, windowText));
  }
  const ackPolicy = field("ack") === "sack" ? "sack" : "frame";
  const prob = (name: string, what: string) => {
    const text = field(name).trim() || "0";
    try {
      return parseProbability(text.includes("%") ? text : `${text}%`, what);
    } catch {
      throw new Error(words.probabilityBad(what, text));
    }
  };
  return {
    nick,
    protocol,
    window,
    ackPolicy,
    loss: prob("loss", words.loss),
    corrupt: prob("corrupt", words.corruption),
  };
}
