/**
 * `chat serve`: parses flags and runs the server until SIGINT/SIGTERM.
 * @module
 */

import {
  boolFlag,
  choiceFlag,
  type FlagSpec,
  intFlag,
  parseFlags,
  stringFlag,
  UsageError,
} from "../lib/cli/args.ts";
import type { Command } from "../lib/cli/command.ts";
import { traceClockStart } from "../lib/net/trace.ts";
import { SERVER_TEXT } from "../lib/server/messages.ts";
import {
  DEFAULT_ANNOUNCE_MAX,
  DEFAULT_HISTORY_LINES,
  DEFAULT_MAX_ROOMS,
  DEFAULT_ROOM,
  parseFlood,
} from "../lib/chat/mod.ts";
import { DEFAULT_RECONNECT_GRACE_MS } from "../lib/chat/reservations.ts";
import { newTeacherPassword, TEACHER_PASSWORD_ENV } from "../lib/cli/teacher_password.ts";
import { parseFaultScript, parseProbability } from "../lib/faults/mod.ts";
import { type Logger, NullLogger, WorkerLogger } from "../lib/log/logger.ts";
import { lanAddresses } from "../lib/net/addresses.ts";
import { fdLimitWarning, readFdLimits } from "../lib/net/fd_limit.ts";
import { listenUdp, observeDatagrams } from "../lib/net/udp_transport.ts";
import { ChatServer } from "../lib/server/server.ts";
import { PcapngFile } from "../lib/pcap/mod.ts";
import { onShutdownSignal } from "../lib/cli/signals.ts";

const spec: FlagSpec = {
  host: { type: "string" },
  port: { type: "string", short: "p" },
  "max-clients": { type: "string" },
  "announce-max": { type: "string" },
  log: { type: "string" },
  trace: { type: "boolean" },
  quiet: { type: "boolean", short: "q" },
  seed: { type: "string" },
  flood: { type: "string" },
  loss: { type: "string" },
  corrupt: { type: "string" },
  faults: { type: "string" },
  pcap: { type: "string" },
  udp: { type: "string" },
  history: { type: "string" },
  "max-rooms": { type: "string" },
  "reconnect-grace": { type: "string" },
  "teacher-password": { type: "string" },
  "web-origin": { type: "string" },
};

const help = `chat serve: run the chat server

Usage: chat serve [options]

  --host ADDR          address to listen on (default 0.0.0.0: every interface)
  -p, --port N         TCP and UDP port (default 55555; 0 picks a free port)
  --udp on|off         also serve binary sessions over UDP on the same port (default on)
  --max-clients N      most users at once (default 10000)
  --announce-max N     join/leave notices go to everyone while at most N users are in
                       (default 1000); a larger room stays quiet (N joins cost N²/2 lines)
  --flood MSGS/SECS    flood limit per user for MSG, ME, PRIV, JOIN and OP, or "off"
                       (default 10/5)
  --history N          lines of a room's history replayed on join (default ${DEFAULT_HISTORY_LINES}; 0: off)
  --max-rooms N        most rooms at once, the default room included (default ${DEFAULT_MAX_ROOMS})
  --reconnect-grace S  a user whose connection drops keeps its nickname S seconds for
                       chat join to reconnect (default ${
  DEFAULT_RECONNECT_GRACE_MS / 1000
}; 0: not held)
  --teacher-password P the password of /op (OP P), which gives /kick, /mute, /ban, /announce,
                       /faults and /close; default: \$${TEACHER_PASSWORD_ENV}, else one made now
                       and printed
  --log FILE           also append JSON-lines events to FILE
  --trace              print every frame and text line sent and received
  -q, --quiet          no event lines on the console (the "listening on" line stays)
  --loss P             drop this fraction of the frames the server sends (0..1 or 20%)
  --corrupt P          corrupt this fraction of the frames the server sends
  --faults SCRIPT      deterministic faults, e.g. "drop:data#3,corrupt:ack#5@2"
  --seed N             seed of the fault injection (default 1)
  --pcap FILE          write every session's traffic to FILE (pcapng, opens in Wireshark)
  --web-origin LIST    also let pages from these origins open a WebSocket to the chat, e.g.
                       "http://10.0.0.5:8080" (comma-separated, or "*"); default: only the
                       page this server serves
  -h, --help           show this help

One TCP port serves both protocols: binary sessions (chat join) and plain-text sessions
(chat join --text, netcat, telnet), and the web page (http://HOST:PORT/ in a browser or on a
phone: chat, and a live view of its sliding window; /teacher with the teacher password: every
session and its window, for the projector); the same UDP port serves binary sessions
(chat join --udp), where the loss is real. Everyone starts in the room "${DEFAULT_ROOM}"; /join
NAME makes or enters another. Stop with Ctrl-C: every client is told.`;

async function run(args: string[]): Promise<number> {
  const flags = parseFlags(args, spec);
  const port = intFlag(flags, "port", 55555, 0, 65535);
  const host = stringFlag(flags, "host") ?? "0.0.0.0";
  const maxClients = intFlag(flags, "max-clients", 10000, 1, 1_000_000);
  const announceMax = intFlag(flags, "announce-max", DEFAULT_ANNOUNCE_MAX, 0, 1_000_000);
  const seed = intFlag(flags, "seed", 1, 0, 0xffffffff);
  const flood = parseFloodFlag(stringFlag(flags, "flood"));
  const history = intFlag(flags, "history", DEFAULT_HISTORY_LINES, 0, 1000);
  const maxRooms = intFlag(flags, "max-rooms", DEFAULT_MAX_ROOMS, 1, 1_000_000);
  const graceS = intFlag(flags, "reconnect-grace", DEFAULT_RECONNECT_GRACE_MS / 1000, 0, 86_400);
  const given = stringFlag(flags, "teacher-password") ?? Deno.env.get(TEACHER_PASSWORD_ENV);
  if (given !== undefined && given.trim() === "") {
    throw new UsageError("--teacher-password must not be empty");
  }
  const teacherPassword = given?.trim() ?? newTeacherPassword();
  const loss = probability(flags, "loss");
  const corrupt = probability(flags, "corrupt");
  const scriptText = stringFlag(flags, "faults");
  let script;
  try {
    script = scriptText === undefined ? [] : parseFaultScript(scriptText);
  } catch (error) {
    throw new UsageError(`--faults: ${(error as Error).message}`);
  }
  const faulty = loss > 0 || corrupt > 0 || script.length > 0;
  const udp = choiceFlag(flags, "udp", ["on", "off"] as const, "on") === "on";
  const pcapPath = stringFlag(flags, "pcap");
  const logFile = stringFlag(flags, "log");
  const quiet = boolFlag(flags, "quiet");
  const trace = boolFlag(flags, "trace") ? (line: string) => console.log(line) : undefined;
  const origins = (stringFlag(flags, "web-origin") ?? "").split(",").map((o) => o.trim())
    .filter((o) => o !== "");
  for (const o of origins) {
    if (o !== "*" && !/^https?:\/\/[^/\s]+$/.test(o)) {
      throw new UsageError(`--web-origin takes origins like http://10.0.0.5:8080: ${o}`);
    }
  }
  // Before the logging Worker: a Worker left running would keep the process alive.
  const pcap = pcapPath === undefined ? undefined : await openPcap(pcapPath);
  // Quiet with no log file: nothing would be written, so no logging Worker (about 15 MB).
  let logger: Logger;
  try {
    logger = quiet && logFile === undefined
      ? new NullLogger()
      : await WorkerLogger.start({ file: logFile, console: !quiet });
  } catch (error) {
    await pcap?.close();
    throw error;
  }
  let server: ChatServer | undefined;
  try {
    // With --port 0 the port TCP got may be taken for UDP: another free one is tried then.
    for (let attempt = 1;; attempt++) {
      server = ChatServer.listen({
        host,
        port,
        maxClients,
        announceMax,
        flood,
        history,
        maxRooms,
        reconnectGraceMs: graceS * 1000,
        teacherPassword,
        logger,
        logMessages: logFile !== undefined,
        trace,
        faults: faulty ? { loss, corrupt, script, seed } : undefined,
        // A UDP session's datagrams are recorded by its listener, as they were.
        capture: pcap && ((l, r) => r.transport === "udp" ? NO_CAPTURE : pcap.forConnection(l, r)),
        web: { origins },
      });
      if (!udp) break;
      try {
        const observer = observeDatagrams({ trace, record: pcap?.datagram });
        server.serve(listenUdp(host, server.addr.port, { observer }));
        break;
      } catch (error) {
        if (port !== 0 || attempt >= 5 || !(error instanceof Deno.errors.AddrInUse)) throw error;
        await server.shutdown();
      }
    }
  } catch (error) {
    await server?.shutdown();
    await logger.close();
    await pcap?.close();
    if (error instanceof Deno.errors.AddrInUse) {
      const which = server ? "UDP port" : "port";
      console.error(
        `chat serve: ${which} ${
          server?.addr.port ?? port
        } is already in use on ${host}; try another --port${server ? " or --udp off" : ""}`,
      );
      return 1;
    }
    if (error instanceof Deno.errors.PermissionDenied || error instanceof Deno.errors.NotCapable) {
      console.error(
        `chat serve: not allowed to listen on ${host}:${port}: ${(error as Error).message}`,
      );
      return 1;
    }
    throw error;
  }
  // Before anything can connect and see the server running (a signal must never kill it).
  const signalled = onShutdownSignal(() => server.shutdown("server stopped by its operator"));
  const shownHost = server.addr.hostname.includes(":")
    ? `[${server.addr.hostname}]`
    : server.addr.hostname;
  console.log(`listening on ${shownHost}:${server.addr.port} (TCP${udp ? " and UDP" : ""})`);
  if (trace) console.log(SERVER_TEXT.traceClock(traceClockStart()));
  if (given === undefined) {
    console.log(`teacher password: ${teacherPassword} (type /op ${teacherPassword} in chat join)`);
  }
  if (host === "0.0.0.0" || host === "::") {
    const lan = lanAddresses().filter((a) => host === "::" || a.family === "IPv4");
    if (lan.length > 0) {
      console.log("clients on other machines can join with:");
      for (const a of lan) {
        const portPart = server.addr.port === 55555 ? "" : `:${server.addr.port}`;
        const addr = a.family === "IPv6" ? `[${a.address}]` : a.address;
        console.log(`  chat join ${addr}${portPart}    (${a.name})`);
      }
      if (udp) console.log(`  (add --udp for the same chat over UDP, where datagrams can be lost)`);
    }
  }
  const webHost = host === "0.0.0.0" || host === "::"
    ? lanAddresses().find((a) => a.family === "IPv4")?.address ?? "127.0.0.1"
    : server.addr.hostname;
  const web = `http://${webHost.includes(":") ? `[${webHost}]` : webHost}:${server.addr.port}`;
  console.log(`web page (browsers, phones): ${web}/`);
  console.log(`teacher's page (asks for the teacher password): ${web}/teacher`);
  const limits = await readFdLimits();
  const fdWarning = limits && fdLimitWarning(limits, maxClients);
  if (fdWarning) console.error(`chat serve: warning: ${fdWarning}`);
  await server.finished;
  signalled.dispose();
  await logger.close();
  await pcap?.close();
  return 0;
}

function parseFloodFlag(text: string | undefined) {
  if (text === undefined) return undefined;
  try {
    return parseFlood(text);
  } catch (error) {
    throw new UsageError(`--flood: ${(error as Error).message}`);
  }
}

function probability(flags: ReturnType<typeof parseFlags>, name: string): number {
  const text = stringFlag(flags, name);
  if (text === undefined) return 0;
  try {
    return parseProbability(text, `--${name}`);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/** What a UDP connection records per connection: nothing (its listener records each datagram). */
const NO_CAPTURE = Object.freeze({ sent() {}, received() {}, close() {} });

async function openPcap(path: string): Promise<PcapngFile> {
  try {
    return await PcapngFile.create(path, { role: "server" });
  } catch (error) {
    throw new Error(`cannot write the capture file ${path}: ${(error as Error).message}`);
  }
}

/** The `serve` subcommand. */
export const serve: Command = { name: "serve", summary: "Run the chat server", help, run };
