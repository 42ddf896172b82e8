/// <reference lib="dom" />
/**
 * The chat page's words in every language ({@link PAGE_CATALOG}), and which language a browser
 * gets: the one chosen with the page's switch (kept in `localStorage`), else the first of
 * `navigator.languages` the page speaks, else English. The HTML names its words by key
 * (`data-i18n="join"`, `data-i18n-placeholder="say"`, `data-i18n="teacher.open"`);
 * {@link applyPageText} fills them in. Pure but for the document given and `localStorage`.
 * @module
 */

import type { Catalog } from "../../i18n/catalog.ts";
import { DEFAULT_LANG, type Lang, langOfLocale } from "../../i18n/lang.ts";
import type { SenderSlot } from "../window_model.ts";
import { EVENT_CATALOG } from "../event_text.ts";

/** A sender cell's state, as its tooltip says it. */
type SlotState = SenderSlot["state"];

/** The chat page's words, English. */
const PAGE_TEXT_EN = {
  language: "Language",
  notConnected: "not connected",
  tabChat: "Chat",
  tabWindow: "Window",
  nickname: "Nickname",
  protocol: "Protocol",
  plainText: "Plain text (no ARQ)",
  binaryGbn: "Binary: Go-Back-N",
  binarySr: "Binary: Selective Repeat",
  slidingWindow: "Sliding window",
  windowFrames: "Window (frames)",
  acks: "ACKs",
  ackFrame: "one per frame",
  ackSack: "delayed, with SACK",
  lossPercent: "Loss (%)",
  corruptPercent: "Corruption (%)",
  faultsHint: "Loss and corruption are injected on the frames this page sends.",
  join: "Join",
  say: "Message, or /help",
  message: "Message",
  send: "Send",
  leave: "Leave",
  windowView: "Window view",
  quickSay: "Send a line from here",
  otherVerbs: "Any other /VERB ARGS is sent to the server as VERB ARGS.",
  text: "text",
  thisPage: "this page",
  server: "server",
  dropNext: "Drop next frame",
  corruptNext: "Corrupt next frame",
  pause: "Pause",
  resume: "Resume",
  step: "Step",
  sequenceDiagram: "Sequence diagram",
  events: "Events (newest first)",
  armed: (fault: "drop" | "corrupt") =>
    `The next DATA frame sent will be ${fault === "drop" ? "dropped" : "corrupted"}.`,
  paused: (waiting: number) => `Paused: ${waiting} records waiting (Step shows the next).`,
  /** The window panel's log lines (event_text.ts). */
  eventLines: EVENT_CATALOG.en,
  /** The teacher's page (teacher.html, teacher_app.ts). */
  teacher: {
    title: "chat · teacher",
    heading: "chat · teacher",
    password: "Teacher password",
    open: "Open",
    passwordHint:
      "The one chat serve printed (or --teacher-password): the same as /op in the chat.",
    sessions: "Sessions",
    chooseHint: "Choose a binary session to watch its window (the server's side of it).",
    noneWatched: "No session watched",
    watchTitle: (id: number, nick?: string) =>
      `Session #${id}${nick ? ` (${nick})` : ""}: the server's side`,
    client: (id: number) => `client #${id}`,
    showWindow: "show its window",
    noWindow: "plain text: no ARQ window",
    browser: "browser",
    caption: "win: window in frames · resent: retransmissions · t/o: timeouts",
    columns: ["#", "nick", "kind", "over", "win", "SRTT ms", "RTO ms", "resent", "t/o"],
    count: (n: number) => `${n} session${n === 1 ? "" : "s"}`,
    refused: "The server refused the password (or has no teacher's page).",
    reconnecting: "Not connected to the server: trying again…",
  },
  /** The window view's words (window_view.ts). */
  window: {
    handshake: "Handshake…",
    mode: "mode",
    window: "window",
    ackSack: "delayed + SACK",
    ackFrame: "per frame",
    resent: "resent",
    timeouts: "timeouts",
    waiting: "joined while running: its sequence numbers show with its next DATA frame",
    sender: (from: string, to: string) => `Sender: ${from} → ${to}`,
    receiver: (from: string, to: string) => `Receiver: ${from} → ${to}`,
    base: "base",
    next: "next",
    expected: "expected",
    slotTitle: (seq: number, state: SlotState, attempts: number, fault?: "drop" | "corrupt") =>
      `${seq}: ${
        {
          unsent: "not sent yet",
          flight: "in flight",
          resent: "resent, in flight",
          lost: "lost on the way (the sender does not know yet)",
          acked: "acknowledged",
        }[state]
      }${attempts > 1 ? `, ${attempts} transmissions` : ""}${
        fault ? ` (${fault === "drop" ? "dropped" : "corrupted"} by fault injection)` : ""
      }`,
    timerLeft: (left: number, rto: number) => `timer: ${left} of ${rto} ms left`,
    gbnTimer: (seq: number, left: number) =>
      `one timer, on the oldest frame in flight (${seq}): ${left} ms left`,
    gbnTimerStopped: "one timer: stopped (nothing in flight)",
    srTimers: (running: number) => `one timer per frame in flight: ${running} running`,
    discarded: (seq: number) => `${seq} discarded`,
    again: (seq: number) => `${seq} again`,
    srHolds: (held: number) => `holds out-of-order frames until the gap is filled: ${held} held`,
    gbnTakes: "takes only the frame expected: every other one is discarded",
    diagramLabel: (local: string, peer: string) => `Sequence diagram between ${local} and ${peer}`,
    corruptedFrame: (label: string) => `${label} corrupted`,
    legend: {
      unsent: "not sent",
      flight: "in flight",
      resent: "resent",
      lost: "lost",
      acked: "acknowledged",
      held: "held (SR)",
    },
  },
};

/** The shape of every language's table of {@link PAGE_CATALOG}. */
export type PageText = typeof PAGE_TEXT_EN;

/** The window view's words, one language. */
export type WindowText = PageText["window"];

/** The chat page's words in every language. */
export const PAGE_CATALOG: Catalog<PageText> = {
  en: PAGE_TEXT_EN,
  "pt-BR": {
    language: "Idioma",
    notConnected: "sem conexão",
    tabChat: "Chat",
    tabWindow: "Janela",
    nickname: "Apelido",
    protocol: "Protocolo",
    plainText: "Texto puro (sem ARQ)",
    binaryGbn: "Binário: Go-Back-N",
    binarySr: "Binário: Selective Repeat",
    slidingWindow: "Janela deslizante",
    windowFrames: "Janela (quadros)",
    acks: "ACKs",
    ackFrame: "um por quadro",
    ackSack: "atrasados, com SACK",
    lossPercent: "Perda (%)",
    corruptPercent: "Corrupção (%)",
    faultsHint: "A perda e a corrupção são injetadas nos quadros que esta página envia.",
    join: "Entrar",
    say: "Mensagem, ou /help",
    message: "Mensagem",
    send: "Enviar",
    leave: "Sair",
    windowView: "Vista da janela",
    quickSay: "Envie uma linha daqui",
    otherVerbs: "Qualquer outro /VERBO ARGS vai para o servidor como VERBO ARGS.",
    text: "texto",
    thisPage: "esta página",
    server: "servidor",
    dropNext: "Descartar o próximo quadro",
    corruptNext: "Corromper o próximo quadro",
    pause: "Pausar",
    resume: "Continuar",
    step: "Passo",
    sequenceDiagram: "Diagrama de sequência",
    events: "Eventos (os mais novos primeiro)",
    armed: (fault: "drop" | "corrupt") =>
      `O próximo quadro DATA enviado vai ser ${fault === "drop" ? "descartado" : "corrompido"}.`,
    paused: (waiting: number) =>
      `Em pausa: ${waiting} ${
        waiting === 1 ? "registro esperando" : "registros esperando"
      } (Passo mostra o próximo).`,
    eventLines: EVENT_CATALOG["pt-BR"],
    teacher: {
      title: "chat · professor",
      heading: "chat · professor",
      password: "Senha do professor",
      open: "Abrir",
      passwordHint:
        "A que o chat serve mostrou (ou a do --teacher-password): a mesma do /op no chat.",
      sessions: "Sessões",
      chooseHint: "Escolha uma sessão binária para ver a janela dela (o lado do servidor).",
      noneWatched: "Nenhuma sessão escolhida",
      watchTitle: (id: number, nick?: string) =>
        `Sessão #${id}${nick ? ` (${nick})` : ""}: o lado do servidor`,
      client: (id: number) => `cliente #${id}`,
      showWindow: "mostrar a janela dela",
      noWindow: "texto puro: sem janela de ARQ",
      browser: "navegador",
      caption: "jan: janela em quadros · reenv: retransmissões · t/o: estouros do temporizador",
      columns: ["#", "apelido", "tipo", "via", "jan", "SRTT ms", "RTO ms", "reenv", "t/o"],
      count: (n: number) => `${n} ${n === 1 ? "sessão" : "sessões"}`,
      refused: "O servidor recusou a senha (ou não tem página do professor).",
      reconnecting: "Sem conexão com o servidor: tentando de novo…",
    },
    window: {
      handshake: "Handshake…",
      mode: "modo",
      window: "janela",
      ackSack: "atrasado + SACK",
      ackFrame: "por quadro",
      resent: "reenviados",
      timeouts: "estouros do temporizador",
      waiting:
        "entrou com a sessão rodando: os números de sequência aparecem com o próximo quadro DATA",
      sender: (from: string, to: string) => `Transmissor: ${from} → ${to}`,
      receiver: (from: string, to: string) => `Receptor: ${from} → ${to}`,
      base: "base",
      next: "próximo",
      expected: "esperado",
      slotTitle: (seq: number, state: SlotState, attempts: number, fault?: "drop" | "corrupt") =>
        `${seq}: ${
          {
            unsent: "ainda não enviado",
            flight: "em trânsito",
            resent: "reenviado, em trânsito",
            lost: "perdido no caminho (o transmissor ainda não sabe)",
            acked: "confirmado",
          }[state]
        }${attempts > 1 ? `, ${attempts} transmissões` : ""}${
          fault ? ` (${fault === "drop" ? "descartado" : "corrompido"} pela injeção de falhas)` : ""
        }`,
      timerLeft: (left: number, rto: number) => `temporizador: faltam ${left} de ${rto} ms`,
      gbnTimer: (seq: number, left: number) =>
        `um temporizador só, no quadro mais antigo em trânsito (${seq}): faltam ${left} ms`,
      gbnTimerStopped: "um temporizador só: parado (nada em trânsito)",
      srTimers: (running: number) => `um temporizador por quadro em trânsito: ${running} rodando`,
      discarded: (seq: number) => `${seq} descartado`,
      again: (seq: number) => `${seq} de novo`,
      srHolds: (held: number) =>
        `guarda os quadros fora de ordem até o buraco ser preenchido: ${held} ${
          held === 1 ? "guardado" : "guardados"
        }`,
      gbnTakes: "só aceita o quadro esperado: todos os outros são descartados",
      diagramLabel: (local: string, peer: string) =>
        `Diagrama de sequência entre ${local} e ${peer}`,
      corruptedFrame: (label: string) => `${label} corrompido`,
      legend: {
        unsent: "não enviado",
        flight: "em trânsito",
        resent: "reenviado",
        lost: "perdido",
        acked: "confirmado",
        held: "guardado (SR)",
      },
    },
  },
};

/** The `localStorage` key of the language chosen with the page's switch. */
export const LANG_STORAGE_KEY = "chat-lang";

/**
 * The page's language: `stored` (the switch's choice) when it names one, else the first of
 * `preferred` (`navigator.languages`) the page speaks, else English. `chosen` says whether a
 * person picked it (the switch) rather than the browser's defaults.
 */
export function choosePageLang(
  stored: string | null | undefined,
  preferred: readonly string[],
): { readonly lang: Lang; readonly chosen: boolean } {
  const picked = stored ? langOfLocale(stored) : undefined;
  if (picked !== undefined) return { lang: picked, chosen: true };
  for (const tag of preferred) {
    const lang = langOfLocale(tag);
    if (lang !== undefined) return { lang, chosen: false };
  }
  return { lang: DEFAULT_LANG, chosen: false };
}

/** The language the switch chose before (`localStorage`), if the browser lets the page keep it. */
export function storedPageLang(): string | null {
  try {
    return localStorage.getItem(LANG_STORAGE_KEY);
  } catch {
    return null;
  }
}

/**
 * Puts the page in its language ({@link choosePageLang}: the stored choice, else the browser's)
 * and wires `select`, the page's switch: a change is stored (shared by the chat and teacher
 * pages), fills the page's words and tells `onChange`. Returns the language chosen at start.
 */
export function wireLangSwitch(
  select: HTMLSelectElement,
  onChange: (lang: Lang, text: PageText) => void,
): { readonly lang: Lang; readonly chosen: boolean } {
  const picked = choosePageLang(storedPageLang(), navigator.languages ?? [navigator.language]);
  applyPageText(document, picked.lang, PAGE_CATALOG[picked.lang]);
  select.value = picked.lang;
  select.addEventListener("change", () => {
    const lang = langOfLocale(select.value) ?? DEFAULT_LANG;
    try {
      localStorage.setItem(LANG_STORAGE_KEY, lang);
    } catch { /* storage refused: the choice lasts this page */ }
    applyPageText(document, lang, PAGE_CATALOG[lang]);
    onChange(lang, PAGE_CATALOG[lang]);
  });
  return picked;
}

/** Fills the words of `root` named by `data-i18n` (text) and `data-i18n-*` (attributes). */
export function applyPageText(root: Document, lang: Lang, text: PageText): void {
  root.documentElement.lang = lang;
  // A key names a string of the table, nested tables by dots (`teacher.open`).
  const word = (key: string | undefined) => {
    let w: unknown = text;
    for (const part of key?.split(".") ?? []) {
      w = typeof w === "object" && w !== null ? (w as Record<string, unknown>)[part] : undefined;
    }
    return key !== undefined && typeof w === "string" ? w : undefined;
  };
  for (const el of root.querySelectorAll<HTMLElement>("[data-i18n]")) {
    const w = word(el.dataset.i18n);
    if (w !== undefined) el.textContent = w;
  }
  for (const attr of ["placeholder", "aria-label"]) {
    for (const el of root.querySelectorAll<HTMLElement>(`[data-i18n-${attr}]`)) {
      const w = word(el.getAttribute(`data-i18n-${attr}`) ?? undefined);
      if (w !== undefined) el.setAttribute(attr, w);
    }
  }
}
