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
import {
  DEFAULT_ANNOUNCE_MAX,
  DEFAULT_HISTORY_LINES,
  DEFAULT_MAX_ROOMS,
  DEFAULT_ROOM,
  formatRate,
  parseFlood,
  parseRate,
} from "../lib/chat/mod.ts";
import { DEFAULT_RECONNECT_GRACE_MS } from "../lib/chat/reservations.ts";
import { newTeacherPassword, TEACHER_PASSWORD_ENV } from "../lib/cli/teacher_password.ts";
import { DEFAULT_ROOM_OUTPUT, type RateLimit } from "../lib/chat/limits.ts";
import { parseFaultScript, parseProbability } from "../lib/faults/mod.ts";
import { type Logger, NullLogger, WorkerLogger } from "../lib/log/logger.ts";
import { lanAddresses } from "../lib/net/addresses.ts";
import { fdLimitWarning, readFdLimits } from "../lib/net/fd_limit.ts";
import { listenUdp, observeDatagrams } from "../lib/net/udp_transport.ts";
import { ChatServer } from "../lib/server/server.ts";
import type { AdmissionLimits } from "../lib/server/admission.ts";
import {
  DEFAULT_LAG_BYTES,
  DEFAULT_LIMITS,
  DEFAULT_MEMORY_BYTES,
  DEFAULT_OUTBOX_BYTES,
  DEFAULT_REGISTER_TIMEOUT_MS,
} from "../lib/server/limits_config.ts";
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
  limits: { type: "string" },
  "per-address": { type: "string" },
  unregistered: { type: "string" },
  "unregistered-per-address": { type: "string" },
  "connect-rate": { type: "string" },
  commands: { type: "string" },
  "address-commands": { type: "string" },
  "address-flood": { type: "string" },
  "register-timeout": { type: "string" },
  "outbox-max": { type: "string" },
  "lag-max": { type: "string" },
  "memory-max": { type: "string" },
  "room-output": { type: "string" },
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

function rate(name: keyof typeof DEFAULT_LIMITS): string {
  return formatRate(DEFAULT_LIMITS[name] as RateLimit | null);
}

function count(name: keyof typeof DEFAULT_LIMITS): string {
  return String(DEFAULT_LIMITS[name] ?? "off");
}

function size(bytes: number): string {
  return bytes % (1024 * 1024) === 0 ? `${bytes / 1024 / 1024}m` : `${bytes / 1024}k`;
}

const help = `chat serve: run the chat server

Usage: chat serve [options]

  --host ADDR          address to listen on (default 0.0.0.0: every interface)
  -p, --port N         TCP and UDP port (default 55555; 0 picks a free port)
  --udp on|off         also serve binary sessions over UDP on the same port (default on)
  --max-clients N      most users at once (default 10000)
  --announce-max N     join/leave notices go to everyone while at most N users are in
                       (default 1000); a larger room stays quiet (N joins cost N²/2 lines)
  --flood MSGS/SECS    flood limit per user for MSG, ME, PRIV, NICK, JOIN and OP, or "off"
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

Limits (R = N/SECS, a burst of N refilled at N per SECS; "off" turns one off; a client sees
them with the LIMITS command):
  --limits off         every limit below off (benchmarks; --flood stays)
  --address-flood R    MSG/PRIV/NICK of all the users of one address (default ${
  rate("addressFlood")
})
  --commands R         commands per connection, any verb (default ${rate("commands")})
  --address-commands R commands of all the connections of one address (default ${
  rate("addressCommands")
})
  --connect-rate R     new connections per address (default ${rate("connectRate")})
  --per-address N      connections open at once from one address (default ${count("perAddress")})
  --unregistered N     connections that have not sent their nickname yet (default ${
  count("unregistered")
})
  --unregistered-per-address N    of those, from one address (default ${
  count("unregisteredPerAddress")
})
  --register-timeout S seconds a connection has to register (default ${
  DEFAULT_REGISTER_TIMEOUT_MS / 1000
})
  --outbox-max SIZE    replies and frames one client may leave unread (default ${
  size(DEFAULT_OUTBOX_BYTES)
})
  --lag-max SIZE       how far one client may fall behind the room (default ${
  size(DEFAULT_LAG_BYTES)
})
  --memory-max SIZE    output all clients together may hold (default ${size(DEFAULT_MEMORY_BYTES)})
  --room-output SIZE   output per second the room may fan out, a line's bytes times its
                       recipients, in bursts of 4 s' worth; lines under 64k of output always
                       pass (default ${size(DEFAULT_ROOM_OUTPUT.bytesPerSecond)})

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
  const limits = limitsFrom(flags);
  const registerTimeoutMs = stringFlag(flags, "register-timeout") === undefined
    ? undefined
    : intFlag(flags, "register-timeout", 60, 1, 86_400) * 1000;
  const outboxBytes = sizeFlag(flags, "outbox-max");
  const lagBytes = sizeFlag(flags, "lag-max");
  const memoryBytes = sizeFlag(flags, "memory-max");
  const roomOutputText = stringFlag(flags, "room-output");
  const roomOutput = roomOutputText?.trim().toLowerCase() === "off"
    ? null
    : roomOutputText === undefined
    ? undefined
    : { ...DEFAULT_ROOM_OUTPUT, bytesPerSecond: sizeFlag(flags, "room-output")! };
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
        limits,
        registerTimeoutMs,
        outboxBytes,
        lagBytes,
        memoryBytes,
        roomOutput,
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
  const fdLimits = await readFdLimits();
  const fdWarning = fdLimits && fdLimitWarning(fdLimits, maxClients);
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

/** The limits given on the command line (`--limits off`, or one flag per limit). */
function limitsFrom(
  flags: ReturnType<typeof parseFlags>,
): Partial<Omit<AdmissionLimits, "maxConnections">> | "off" {
  const all = stringFlag(flags, "limits");
  if (all !== undefined) {
    const t = all.trim().toLowerCase();
    if (t === "off") return "off";
    if (t !== "on") throw new UsageError(`--limits must be on or off: ${all}`);
  }
  const rateOf = (name: string) => {
    const text = stringFlag(flags, name);
    if (text === undefined) return undefined;
    try {
      return parseRate(text, `--${name}`);
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
  };
  const countOf = (name: string) => {
    const text = stringFlag(flags, name);
    if (text === undefined) return undefined;
    if (text.trim().toLowerCase() === "off") return null;
    return intFlag(flags, name, 0, 1, 1_000_000);
  };
  return {
    addressFlood: rateOf("address-flood"),
    commands: rateOf("commands"),
    addressCommands: rateOf("address-commands"),
    connectRate: rateOf("connect-rate"),
    perAddress: countOf("per-address"),
    unregistered: countOf("unregistered"),
    unregisteredPerAddress: countOf("unregistered-per-address"),
  };
}

/** A size in bytes: `262144`, `256k`, `16m`; usage error when below 1k. */
function sizeFlag(flags: ReturnType<typeof parseFlags>, name: string): number | undefined {
  const text = stringFlag(flags, name);
  if (text === undefined) return undefined;
  const m = /^(\d+)\s*([km]?)b?$/i.exec(text.trim());
  const unit = m?.[2]?.toLowerCase() === "k" ? 1024 : m?.[2] ? 1024 * 1024 : 1;
  const n = m ? Number(m[1]) * unit : NaN;
  if (!(n >= 1024)) {
    throw new UsageError(`--${name} must be a size of at least 1k (e.g. 256k, 16m): ${text}`);
  }
  return n;
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
