/**
 * Every sentence `chat join` shows a person (prompts, questions, errors, the slash-command help,
 * `/stats`, why a connection failed), in one table per language ({@link CLIENT_CATALOG}; the
 * Brazilian Portuguese one is `messages_pt_br.ts`). Protocol words (verbs, status codes, slash
 * command names) are not here: they stay as they are on the wire.
 * @module
 */

import type { Catalog } from "../i18n/catalog.ts";
import { CLIENT_TEXT_PT_BR } from "./messages_pt_br.ts";

/** The client's user-facing text, English. Strings, or functions of the values they show. */
export const CLIENT_TEXT = {
  prompt: "> ",
  traceClock: (start: string) => `trace: times are seconds since chat join started, at ${start}`,
  askNickname: "Nickname: ",
  askProtocol: (def: string) => `Protocol, gbn (Go-Back-N) or sr (Selective Repeat) [${def}]: `,
  askWindow: (max: number, def: number) => `Window, 1 to ${max} frames [${def}]: `,
  askLoss: (def: number) => `Loss probability, 0 to 1 [${def}]: `,
  askCorrupt: (def: number) => `Corruption probability, 0 to 1 [${def}]: `,
  nicknameEmpty: "The nickname cannot be empty: type one, or Ctrl-C to leave",
  nicknameRefused: (reason: string) => `${reason}. Type another nickname, or Ctrl-C to leave`,
  protocolBad: (answer: string) => `The protocol must be gbn or sr: ${answer}`,
  windowBad: (max: number, answer: string) =>
    `The window must be an integer from 1 to ${max}: ${answer}`,
  probabilityBad: (what: string, answer: string) =>
    `The ${what} must be a number from 0 to 1 (0,1 or 10% too): ${answer}`,
  loss: "loss probability",
  corruption: "corruption probability",
  sessionEnded: (reason: string) => `Session ended: ${reason}`,
  closedBeforeReply: (reason: string) => `the server closed the session: ${reason}`,
  inputTruncated: (max: number) => `A line holds at most ${max} characters: the rest was dropped`,
  noArqCounters: "Plain-text session: no ARQ counters",
  faultsNeedBinary: "Fault injection needs the binary protocol (no --text)",
  probabilitySet: (what: string, p: number) => `The ${what} is now ${p}`,
  usage: (syntax: string) => `Usage: ${syntax}`,
  unknownCommand: (cmd: string) => `Unknown command ${cmd}: type /help`,
  welcomeHint: "/help",
  serverHelpHint: "In chat join, /nick, /who, /msg and /quit send these for you;\n" +
    "send any other as it is with /quote, e.g. /quote STATS",
  helpTitle: "chat join commands (text without a / is sent to your room):",
  helpWord: 'A line that is just "help" shows this help; /say help sends the word.',
  slash: {
    say: "send TEXT to your room, even /text or just help",
    nick: "change nickname",
    who: "the users in your room and their protocols (text, GBN, SR)",
    msg: "private message to NICK",
    stats: "ARQ counters, RTT and RTO of this session",
    loss: "drop this fraction of the frames sent (binary protocol)",
    corrupt: "corrupt this fraction of the frames sent (binary protocol)",
    quote: "send LINE to the server as it is, e.g. /quote STATS",
    help: "this help; /help server: the server's own commands",
    quit: "leave (Ctrl-C, or Ctrl-D on an empty line, too)",
    me: "an action: the others see * NICK ACTION",
    join: "go to ROOM (made if new; you start in the default one)",
    rooms: "the rooms and their users",
    timestamp: "the time before each line, or not",
    op: "become an operator (the teacher's password)",
    kick: "disconnect NICK",
    mute: "refuse NICK's messages (default 15 min)",
    unmute: "let NICK talk again",
    ban: "disconnect, refuse (default 15 min)",
    unban: "lift a ban",
    announce: "a line to every room",
    faults: "loss, corruption on frames sent to them; off",
    close: "everyone to the default room, ROOM gone",
  },
  /** What each slash command takes, as `/help` and usage errors show it. */
  slashArgs: {
    say: "TEXT",
    nick: "NAME",
    msg: "NICK TEXT",
    me: "ACTION",
    join: "ROOM",
    timestamp: "on|off",
    loss: "P",
    corrupt: "P",
    quote: "LINE",
    help: "[server]",
    op: "PASSWORD",
    kick: "NICK [WHY]",
    mute: "NICK [MIN]",
    unmute: "NICK",
    ban: "NICK|ADDRESS [MIN] [WHY]",
    unban: "NICK|ADDRESS",
    announce: "TEXT",
    faults: "NICK|#ROOM LOSS CORRUPT",
    close: "ROOM",
  },
  helpOperator: "Operator commands (after /op):",
  timestampsOn: "Timestamps on",
  timestampsOff: "Timestamps off",
  connectionLost: (reason: string) => `Connection lost (${reason}): reconnecting`,
  reconnecting: (attempt: number, seconds: string) =>
    `reconnecting (attempt ${attempt}, next in ${seconds} s)`,
  reconnectFailed: (why: string) => `Not back yet: ${why}`,
  backIn: (room: string, nick: string) => `Back in ${room} as ${nick}`,
  backNoToken: "The server did not know this session any more (restarted?): registered again",
  gaveUp: (reason: string) => `Not reconnecting: ${reason}`,
  reconnectTimedOut: (seconds: number) => `No server for ${seconds} s: giving up`,
  queuedWhileAway: (n: number) => `${n} line${n === 1 ? "" : "s"} typed while away sent now`,
  queueFull: (max: number) =>
    `Not connected: at most ${max} lines wait for the connection; this one was dropped`,
  keys: "Keys: Left/Right, Home/End, Up/Down (history), Ctrl-U, Ctrl-K, Ctrl-W, Ctrl-L.\n" +
    "A paste stays one line (its line breaks and tabs become spaces) until Enter.",
  arqStats: (f: ArqStatsFigures) =>
    `${f.mode} window=${f.window} srtt=${f.srtt.toFixed(1)}ms rto=${f.rto.toFixed(0)}ms ` +
    `frames sent=${f.framesSent} data=${f.dataSent} retransmissions=${f.retransmissions} ` +
    `timeouts=${f.timeouts} nacks sent/received=${f.nacksSent}/${f.nacksReceived} ` +
    `duplicates=${f.duplicates} corrupt received=${f.corruptReceived}` +
    (f.injected
      ? ` injected: dropped=${f.injected.dropped} corrupted=${f.injected.corrupted}`
      : ""),
  /** Why a connection could not be made or ended (the client core's words). */
  session: {
    refused: (where: string) =>
      `cannot connect to ${where}: connection refused (is \`chat serve\` running there?)`,
    unknownHost: (where: string, host: string) =>
      `cannot connect to ${where}: unknown host ${host}`,
    cannotConnect: (where: string, why: string) => `cannot connect to ${where}: ${why}`,
    cannotOpen: (where: string, why: string) => `cannot open a session with ${where}: ${why}`,
    textNeedsStream: (where: string) =>
      `cannot connect to ${where}: the plain-text protocol needs a stream (TCP), not datagrams`,
    /** Said after {@link cannotOpen} when a UDP handshake went unanswered. */
    udpSilent:
      " (no answer over UDP: is `chat serve` running there with UDP on, and the UDP port open?)",
    closedByClient: "closed by client",
    closedByServer: "connection closed by the server",
  },
  /** `chat join`'s own usage errors and failures. */
  cli: {
    missingHost: "Missing HOST (the server's address)",
    uiNeedsTerminal: "--mode ui needs a terminal",
    uiNeedsBinary: "--mode ui asks for binary-protocol settings: leave out --text",
    missingNick: "Missing --nick (required when stdin or stdout is not a terminal)",
    faultsNeedBinary: "--loss, --corrupt and --faults need the binary protocol (no --text)",
    textNotOverUdp: "--text needs a stream: the plain-text protocol does not run over UDP",
    cannotWriteCapture: (path: string, why: string) =>
      `cannot write the capture file ${path}: ${why}`,
  },
};

/** The figures `/stats` shows. */
export interface ArqStatsFigures {
  readonly mode: string;
  readonly window: number;
  readonly srtt: number;
  readonly rto: number;
  readonly framesSent: number;
  readonly dataSent: number;
  readonly retransmissions: number;
  readonly timeouts: number;
  readonly nacksSent: number;
  readonly nacksReceived: number;
  readonly duplicates: number;
  readonly corruptReceived: number;
  readonly injected?: { readonly dropped: number; readonly corrupted: number } | undefined;
}

/** `/stats`'s line, in the language of `text`. */
export function arqStatsLine(f: ArqStatsFigures, text: ClientText = CLIENT_TEXT): string {
  return text.arqStats(f);
}

/** The shape a translation of {@link CLIENT_TEXT} has. */
export type ClientText = typeof CLIENT_TEXT;

/** The client's text in every language. */
export const CLIENT_CATALOG: Catalog<ClientText> = { en: CLIENT_TEXT, "pt-BR": CLIENT_TEXT_PT_BR };
