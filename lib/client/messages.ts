/**
 * Every sentence `chat join` shows a person (prompts, questions, errors, the slash-command help),
 * in one table, so that a translation is one more table of the same shape. Protocol words (verbs,
 * status codes) are not here: they stay as they are on the wire.
 * @module
 */

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

/** `/stats`'s line. */
export function arqStatsLine(f: ArqStatsFigures): string {
  return `${f.mode} window=${f.window} srtt=${f.srtt.toFixed(1)}ms rto=${f.rto.toFixed(0)}ms ` +
    `frames sent=${f.framesSent} data=${f.dataSent} retransmissions=${f.retransmissions} ` +
    `timeouts=${f.timeouts} nacks sent/received=${f.nacksSent}/${f.nacksReceived} ` +
    `duplicates=${f.duplicates} corrupt received=${f.corruptReceived}` +
    (f.injected
      ? ` injected: dropped=${f.injected.dropped} corrupted=${f.injected.corrupted}`
      : "");
}

/** The shape a translation of {@link CLIENT_TEXT} has. */
export type ClientText = typeof CLIENT_TEXT;
