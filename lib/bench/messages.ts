/**
 * Every sentence `chat bench` shows a person about a run (what held it back, what the server
 * refused and what to do about it, progress), in one table, so that a translation is one more
 * table of the same shape. Protocol words (verbs, status codes, flags) stay as they are.
 * @module
 */

/** Seconds as a person reads them: `about 15 s`, `about 3 min`. */
function about(seconds: number): string {
  if (seconds < 90) return `about ${Math.max(1, Math.round(seconds))} s`;
  return `about ${Math.round(seconds / 60)} min`;
}

/** The bench's user-facing text, English. Strings, or functions of the values they show. */
export const BENCH_TEXT = {
  /** A limit, e.g. `the server's flood limit of 10 messages per 5 s per user`. */
  limit: (kind: "flood" | "command", burst: number, perSeconds: number, per: string) =>
    `the server's ${kind} limit of ${burst} ${
      kind === "flood" ? "messages" : "commands"
    } per ${perSeconds} s per ${per}`,
  perUser: "user",
  perConnection: "connection",
  perAddress: "address",
  /** What the pacing costs, said before a run. */
  paced: (limit: string, seconds: number) => `paced to ${limit}: ${about(seconds)}`,
  /** The pacing makes the run longer than its deadline. */
  pacedPastDeadline: (seconds: number, timeoutS: number) =>
    `that is longer than --timeout ${timeoutS}: give --timeout ${
      Math.ceil(seconds * 1.5 + 30)
    }, fewer --messages, or run chat bench without HOST`,
  /** The server states no limits: refusals will be counted, not avoided. */
  limitsUnknown: "the server states no limits in STATS: the bench cannot pace to them",
  /** Refusals of workload messages, by status code, with what to do. */
  refused: (code: number, n: number, reply: string) => {
    const what = `${n} message${n === 1 ? "" : "s"}`;
    switch (code) {
      case 429:
        return `the server's flood limit refused ${what} (${reply}): start it with --flood off, ` +
          "or run chat bench without HOST";
      case 413:
        return `the server refused ${what} as too long (${reply}): use a smaller --size`;
      case 403:
        return `the server refused ${what} (${reply}): is the bench muted or banned?`;
      case 503:
        return `the server refused ${what} (${reply}): it is full or stopping`;
      default:
        return `the server refused ${what} (${reply})`;
    }
  },
  /** A client's registration was refused: why, and what to do. */
  registrationRefused: (code: number, nick: string, reply: string) => {
    switch (code) {
      case 409:
        return `the nickname ${nick} is taken on the server (${reply}): another chat bench ` +
          "with the same names? Run it again";
      case 503:
        return `the server is full (${reply}): ask for fewer --clients, or start it with a ` +
          "larger --max-clients";
      case 429:
        return `the server refused connections this fast (${reply}): ask for fewer --clients, ` +
          "or run chat bench without HOST";
      case 403:
        return `the server refused the bench (${reply})`;
      default:
        return `registration refused (${reply})`;
    }
  },
  /** The room of the run was refused. */
  roomRefused: (room: string, reply: string) =>
    `the server refused the room ${room} (${reply}): give another with --room NAME`,
  tooManyPerAddress: (clients: number, most: number) =>
    `the server allows ${most} connections per address and the run needs ${clients}: ask for ` +
    "fewer --clients, or run chat bench without HOST",
  sizeTooLarge: (size: number, most: number) =>
    `the server takes chat text of at most ${most} bytes, not ${size}: use a smaller --size`,
  registrationTimedOut: "registration timed out",
  probeTimedOut: (n: number) => `probe barrier timed out (${n} clients never saw a probe)`,
  /** The server ended a client's session in the middle of the run. */
  serverEnded: (reply: string) => `the server ended a session: ${reply}`,
  operatorRefused: "the operator password was refused: no server CPU",
  lost: (n: number) => `LOST ${n} deliveries`,
  duplicated: (n: number) => `DUPLICATED ${n} deliveries`,
  outOfOrder: (n: number) => `OUT OF ORDER ${n} deliveries`,
  /** One progress line (stderr not a terminal). */
  progress: (what: string, done: number, total: number, seconds: number) =>
    `chat bench: ${what}: ${done}/${total} deliveries (${
      total > 0 ? Math.floor((100 * done) / total) : 0
    } %) after ${Math.round(seconds)} s`,
  /** The line before each run. */
  runStarts: (what: string, i: number, n: number) => `chat bench: run ${i} of ${n}: ${what}`,
  /** The line after each run. */
  runEnds: (what: string, status: string, seconds: number) =>
    `chat bench: ${what}: ${status} after ${seconds.toFixed(1)} s`,
  wrote: (file: string) => `wrote ${file}`,
} as const;
