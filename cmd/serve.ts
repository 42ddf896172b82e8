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
import { SERVER_CATALOG } from "../lib/chat/messages.ts";
import type { Catalog } from "../lib/i18n/catalog.ts";
import type { Lang } from "../lib/i18n/mod.ts";

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

const helpEn = `chat serve: run the chat server

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
  --lang pt-BR|en      language of the console and of the replies (default: the system's,
                       from LC_ALL, LC_MESSAGES or LANG); a client may ask for its own (LANG)
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

const helpPt = `chat serve: roda o servidor do chat

Uso: chat serve [opções]

  --host ENDEREÇO      endereço onde escutar (padrão 0.0.0.0: todas as interfaces)
  -p, --port N         porta TCP e UDP (padrão 55555; 0 escolhe uma porta livre)
  --udp on|off         atende também sessões binárias por UDP na mesma porta (padrão on)
  --max-clients N      máximo de usuários ao mesmo tempo (padrão 10000)
  --announce-max N     avisos de entrada e saída vão para todos enquanto houver no máximo
                       N usuários (padrão 1000); uma sala maior fica quieta (N entradas
                       custam N²/2 linhas)
  --flood MSGS/SEGS    limite de flood por usuário para MSG, ME, PRIV, JOIN e OP, ou "off"
                       (padrão 10/5)
  --history N          linhas do histórico de uma sala repassadas a quem entra (padrão
                       ${DEFAULT_HISTORY_LINES}; 0: desligado)
  --max-rooms N        máximo de salas ao mesmo tempo, contando a padrão (padrão ${DEFAULT_MAX_ROOMS})
  --reconnect-grace S  quem perde a conexão guarda o apelido por S segundos para o chat
                       join reconectar (padrão ${DEFAULT_RECONNECT_GRACE_MS / 1000}; 0: não guarda)
  --teacher-password P a senha do /op (OP P), que dá /kick, /mute, /ban, /announce,
                       /faults e /close; padrão: \$${TEACHER_PASSWORD_ENV}, senão uma criada
                       agora e mostrada
  --log ARQUIVO        grava também os eventos no ARQUIVO, em JSON lines
  --trace              mostra cada quadro e cada linha de texto enviados e recebidos
  -q, --quiet          sem linhas de eventos no console (a linha "escutando em" continua)
  --loss P             descarta essa fração dos quadros que o servidor envia (0..1 ou 20%)
  --corrupt P          corrompe essa fração dos quadros que o servidor envia
  --faults ROTEIRO     falhas determinísticas, por exemplo "drop:data#3,corrupt:ack#5@2"
  --seed N             semente da injeção de falhas (padrão 1)
  --pcap ARQUIVO       grava o tráfego de todas as sessões no ARQUIVO (pcapng, abre no
                       Wireshark)
  --web-origin LISTA   deixa também páginas dessas origens abrirem um WebSocket para o
                       chat, por exemplo "http://10.0.0.5:8080" (separadas por vírgula, ou
                       "*"); padrão: só a página que este servidor serve
  --lang pt-BR|en      idioma do console e das respostas (padrão: o do sistema, de LC_ALL,
                       LC_MESSAGES ou LANG); um cliente pode pedir o seu (comando LANG)
  -h, --help           mostra esta ajuda

Limites (R = N/SEGS, uma rajada de N reposta a N por SEGS; "off" desliga um; um cliente os
vê com o comando LIMITS):
  --limits off         desliga todos os limites abaixo (benchmarks; --flood continua)
  --address-flood R    MSG/PRIV/NICK de todos os usuários de um endereço (padrão ${
  rate("addressFlood")
})
  --commands R         comandos por conexão, qualquer verbo (padrão ${rate("commands")})
  --address-commands R comandos de todas as conexões de um endereço (padrão ${
  rate("addressCommands")
})
  --connect-rate R     conexões novas por endereço (padrão ${rate("connectRate")})
  --per-address N      conexões abertas ao mesmo tempo de um endereço (padrão ${
  count("perAddress")
})
  --unregistered N     conexões que ainda não mandaram o apelido (padrão ${count("unregistered")})
  --unregistered-per-address N    dessas, de um endereço (padrão ${count("unregisteredPerAddress")})
  --register-timeout S segundos que uma conexão tem para se registrar (padrão ${
  DEFAULT_REGISTER_TIMEOUT_MS / 1000
})
  --outbox-max TAM     respostas e quadros que um cliente pode deixar sem ler (padrão ${
  size(DEFAULT_OUTBOX_BYTES)
})
  --lag-max TAM        quanto um cliente pode ficar atrás da sala (padrão ${
  size(DEFAULT_LAG_BYTES)
})
  --memory-max TAM     saída que todos os clientes juntos podem reter (padrão ${
  size(DEFAULT_MEMORY_BYTES)
})
  --room-output TAM    saída por segundo que a sala pode espalhar, os bytes de uma linha
                       vezes seus destinatários, em rajadas de 4 s; linhas de menos de 64k
                       de saída sempre passam (padrão ${size(DEFAULT_ROOM_OUTPUT.bytesPerSecond)})

Uma porta TCP só atende os dois protocolos: sessões binárias (chat join) e de texto puro
(chat join --text, netcat, telnet), e a página web (http://HOST:PORTA/ no navegador ou no
celular: o chat e uma vista ao vivo da janela deslizante; /teacher com a senha do
professor: todas as sessões e suas janelas, para o projetor); a mesma porta UDP atende
sessões binárias (chat join --udp), onde a perda é de verdade. Todos começam na sala
"${DEFAULT_ROOM}"; /join NOME cria outra sala ou entra nela. Pare com Ctrl-C: todos os
clientes são avisados.`;

/** `chat serve`'s own lines (its console and its usage errors), English. */
const SERVE_TEXT_EN = {
  listening: (address: string, udp: boolean) =>
    `listening on ${address} (TCP${udp ? " and UDP" : ""})`,
  teacherPassword: (password: string) =>
    `teacher password: ${password} (type /op ${password} in chat join)`,
  /** The first line of `--trace`: what its times count from. */
  traceClock: (start: string) => `trace: times are seconds since this server started, at ${start}`,
  joinWith: "clients on other machines can join with:",
  addUdp: "  (add --udp for the same chat over UDP, where datagrams can be lost)",
  webPage: (url: string) => `web page (browsers, phones): ${url}/`,
  teacherPage: (url: string) => `teacher's page (asks for the teacher password): ${url}/teacher`,
  warning: (what: string) => `warning: ${what}`,
  portInUse: (port: number, host: string) =>
    `port ${port} is already in use on ${host}; try another --port`,
  udpPortInUse: (port: number, host: string) =>
    `UDP port ${port} is already in use on ${host}; try another --port or --udp off`,
  notAllowed: (where: string, why: string) => `not allowed to listen on ${where}: ${why}`,
  emptyPassword: "--teacher-password must not be empty",
  badOrigin: (origin: string) => `--web-origin takes origins like http://10.0.0.5:8080: ${origin}`,
  cannotWriteCapture: (path: string, why: string) =>
    `cannot write the capture file ${path}: ${why}`,
};

/** `chat serve`'s own lines in every language. */
export const SERVE_CATALOG: Catalog<typeof SERVE_TEXT_EN> = {
  en: SERVE_TEXT_EN,
  "pt-BR": {
    listening: (address: string, udp: boolean) =>
      `escutando em ${address} (TCP${udp ? " e UDP" : ""})`,
    teacherPassword: (password: string) =>
      `senha do professor: ${password} (digite /op ${password} no chat join)`,
    traceClock: (start: string) =>
      `trace: tempos em segundos desde o início do servidor, às ${start}`,
    joinWith: "nas outras máquinas, os clientes entram com:",
    addUdp: "  (acrescente --udp para o mesmo chat sobre UDP, onde os datagramas podem se perder)",
    webPage: (url: string) => `página web (navegadores, celulares): ${url}/`,
    teacherPage: (url: string) => `página do professor (pede a senha do professor): ${url}/teacher`,
    warning: (what: string) => `aviso: ${what}`,
    portInUse: (port: number, host: string) =>
      `a porta ${port} já está em uso em ${host}; tente outra --port`,
    udpPortInUse: (port: number, host: string) =>
      `a porta UDP ${port} já está em uso em ${host}; tente outra --port ou --udp off`,
    notAllowed: (where: string, why: string) => `sem permissão para escutar em ${where}: ${why}`,
    emptyPassword: "--teacher-password não pode ser vazia",
    badOrigin: (origin: string) =>
      `--web-origin recebe origens como http://10.0.0.5:8080: ${origin}`,
    cannotWriteCapture: (path: string, why: string) =>
      `não foi possível gravar o arquivo de captura ${path}: ${why}`,
  },
};

async function run(args: string[], lang: Lang): Promise<number> {
  const t = SERVE_CATALOG[lang];
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
    throw new UsageError(t.emptyPassword);
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
      throw new UsageError(t.badOrigin(o));
    }
  }
  // Before the logging Worker: a Worker left running would keep the process alive.
  const pcap = pcapPath === undefined ? undefined : await openPcap(pcapPath, t);
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
        lang,
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
      const inUse = server ? t.udpPortInUse : t.portInUse;
      console.error(`chat serve: ${inUse(server?.addr.port ?? port, host)}`);
      return 1;
    }
    if (error instanceof Deno.errors.PermissionDenied || error instanceof Deno.errors.NotCapable) {
      console.error(`chat serve: ${t.notAllowed(`${host}:${port}`, (error as Error).message)}`);
      return 1;
    }
    throw error;
  }
  // Before anything can connect and see the server running (a signal must never kill it).
  const signalled = onShutdownSignal(() => server.shutdown(SERVER_CATALOG[lang].stoppedByOperator));
  const shownHost = server.addr.hostname.includes(":")
    ? `[${server.addr.hostname}]`
    : server.addr.hostname;
  console.log(t.listening(`${shownHost}:${server.addr.port}`, udp));
  if (trace) console.log(t.traceClock(traceClockStart()));
  if (given === undefined) console.log(t.teacherPassword(teacherPassword));
  if (host === "0.0.0.0" || host === "::") {
    const lan = lanAddresses().filter((a) => host === "::" || a.family === "IPv4");
    if (lan.length > 0) {
      console.log(t.joinWith);
      for (const a of lan) {
        const portPart = server.addr.port === 55555 ? "" : `:${server.addr.port}`;
        const addr = a.family === "IPv6" ? `[${a.address}]` : a.address;
        console.log(`  chat join ${addr}${portPart}    (${a.name})`);
      }
      if (udp) console.log(t.addUdp);
    }
  }
  const webHost = host === "0.0.0.0" || host === "::"
    ? lanAddresses().find((a) => a.family === "IPv4")?.address ?? "127.0.0.1"
    : server.addr.hostname;
  const web = `http://${webHost.includes(":") ? `[${webHost}]` : webHost}:${server.addr.port}`;
  console.log(t.webPage(web));
  console.log(t.teacherPage(web));
  const fdLimits = await readFdLimits();
  const fdWarning = fdLimits && fdLimitWarning(fdLimits, maxClients);
  if (fdWarning) console.error(`chat serve: ${t.warning(fdWarning)}`);
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
    throw UsageError.said((t) => t.flood((error as Error).message, text));
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
  } catch {
    throw UsageError.said((t) => t.probability(`--${name}`, text));
  }
}

/** What a UDP connection records per connection: nothing (its listener records each datagram). */
const NO_CAPTURE = Object.freeze({ sent() {}, received() {}, close() {} });

async function openPcap(path: string, t: typeof SERVE_TEXT_EN): Promise<PcapngFile> {
  try {
    return await PcapngFile.create(path, { role: "server" });
  } catch (error) {
    throw new Error(t.cannotWriteCapture(path, (error as Error).message));
  }
}

/** The `serve` subcommand. */
export const serve: Command = {
  name: "serve",
  summary: { en: "Run the chat server", "pt-BR": "Roda o servidor do chat" },
  help: { en: helpEn, "pt-BR": helpPt },
  run,
};
