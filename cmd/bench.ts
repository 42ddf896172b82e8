/**
 * `chat bench`: the load generator. Parses flags, starts a server when none is given, runs the
 * workload for each ARQ mode (and each swept value), and prints a table, JSON, CSV or an SVG plot.
 * @module
 */

import {
  boolFlag,
  type FlagSpec,
  intFlag,
  numberFlag,
  parseFlags,
  parseHostPort,
  stringFlag,
  UsageError,
} from "../lib/cli/args.ts";
import type { Command } from "../lib/cli/command.ts";
import { startChildServer } from "../lib/bench/child_server.ts";
import { renderSweepSvg } from "../lib/bench/plot.ts";
import { formatTable, toCsv, toJsonLines } from "../lib/bench/report.ts";
import type { RunResult } from "../lib/bench/result.ts";
import { BENCH_TEXT } from "../lib/bench/messages.ts";
import { benchRoomName, runBench, type RunParams } from "../lib/bench/run.ts";
import { validateRoomName } from "../lib/chat/rooms.ts";
import { parseFaultScript, parseProbability } from "../lib/faults/mod.ts";
import { fdLimitWarning, readFdLimits } from "../lib/net/fd_limit.ts";
import { MAX_WINDOW } from "../lib/protocol/control.ts";
import { CLIENT_ACK_DELAY_MS } from "../lib/arq/mod.ts";

const spec: FlagSpec = {
  clients: { type: "string", short: "c" },
  messages: { type: "string", short: "m" },
  senders: { type: "string" },
  size: { type: "string" },
  rate: { type: "string" },
  duration: { type: "string" },
  inflight: { type: "string" },
  arq: { type: "string" },
  window: { type: "string", short: "w" },
  ack: { type: "string" },
  "ack-delay": { type: "string" },
  recovery: { type: "string" },
  cc: { type: "string" },
  loss: { type: "string" },
  corrupt: { type: "string" },
  faults: { type: "string" },
  seed: { type: "string" },
  sweep: { type: "string" },
  json: { type: "boolean" },
  csv: { type: "boolean" },
  plot: { type: "string" },
  timeout: { type: "string" },
  transport: { type: "string" },
  room: { type: "string" },
  "teacher-password": { type: "string" },
};

const helpEn = `chat bench: measure the chat server under load, Go-Back-N against Selective Repeat

Usage: chat bench [HOST[:PORT]] [options]

With no HOST it starts its own server (this program, serve --port 0 --flood off) and stops it
after. Clients register, a probe proves all are in, then each sends its messages; a run ends
when every message reached every other client, or at the deadline. Each run takes place in a
room of its own (bench-<random>), so a class can chat, or run another bench, on the same server
without seeing its traffic (a server without rooms: its one room); its nicknames (b<tag><n>)
are its own too.

Against HOST, the bench asks STATS for the server's limits and paces its clients to stay inside
them, saying what that costs ("paced to the server's flood limit of 10 messages per 5 s per
user: about 10 s"). A message the server still refuses (429, 413, ...) is counted as refused,
never as lost, and the bench says what to do. The exit status is 0 only when every message
reached every other client once and in order; a deadline, a refusal or a failure gives 1.

  -c, --clients N        clients (default 10)
  -m, --messages N       messages per sending client (default 100)
  --senders K            only the first K clients send, the others listen (default: all);
                         e.g. --clients 10000 --senders 10 holds a full lab while ten chat
  --size BYTES           chat text per message, >= 24 (default 64)
  --rate R               open loop: R messages/s offered by all clients together (default 0:
                         closed loop, as fast as the server delivers)
  --duration S           with --rate: send for S seconds (sets --messages)
  --inflight N|auto      closed loop: messages of its own each sender keeps in flight, until
                         every other client has it and its reply came (default auto:
                         ceil(1280 / senders), as the peer harness ../shared/bench/ircload.mjs
                         --window auto)
  --arq MODE             gbn, sr, both (gbn and sr), text, or all (default both)
  --transport T          tcp, udp, or both (each mode over TCP then UDP, interleaved);
                         default tcp. UDP runs also report the datagrams the kernel dropped
                         (/proc/net/snmp); text runs only over TCP
  -w, --window N         ARQ window 1..${MAX_WINDOW} (default 8)
  --ack frame|sack       ACK policy (default sack)
  --ack-delay MS         sack: hold an in-order ACK up to MS ms or half a window; a gap or a
                         duplicate is ACKed at once (default ${CLIENT_ACK_DELAY_MS}; 0 = one ACK per read)
  --recovery MODE        the clients' loss recovery: fast (resend what the ACKs show lost at
                         once, probe a lost tail), timeout (the textbook: wait for the timer),
                         or both (one run each) (default fast)
  --cc MODE              the clients' congestion control: none, aimd or both (default none)
  --loss P, --corrupt P  faults injected by every client on the frames it sends (seeded)
  --faults SCRIPT        deterministic faults, e.g. "drop:data#3"
  --seed N               seed (default 1)
  --sweep PARAM=V1,V2    repeat for each value of loss, corrupt, window, clients or size
  --json / --csv         one JSON object per run / CSV instead of the table
  --plot FILE.svg        with --sweep: goodput, p99 latency and efficiency against PARAM
  --timeout S            deadline of each run (default 120, or longer when pacing needs it)
  --room NAME            the room of every run (default: a fresh bench-<random> per run)
  --teacher-password P   HOST's teacher password: the bench becomes an operator to read the
                         server's CPU and memory in STATS (its own server: always)

Examples:
  chat bench --clients 10
  chat bench --clients 4 --arq both --loss 0.1 --seed 3
  chat bench --arq both --sweep loss=0,0.05,0.1,0.2 --plot loss.svg
  chat bench --arq sr --recovery both --sweep loss=0,0.05,0.1 --plot recovery.svg
  chat bench --clients 50 --transport both`;

const helpPt = `chat bench: mede o servidor do chat sob carga, Go-Back-N contra Selective Repeat

Uso: chat bench [HOST[:PORTA]] [opções]

Sem HOST, inicia o próprio servidor (este programa, serve --port 0 --flood off) e o para no
fim. Os clientes se registram, uma sonda confirma que todos entraram, e então cada um manda
as suas mensagens; uma rodada termina quando cada mensagem chegou a todos os outros
clientes, ou no prazo. Cada rodada acontece numa sala própria (bench-<aleatório>), para que
a turma possa conversar, ou rodar outro bench, no mesmo servidor sem ver esse tráfego (num
servidor sem salas: na única sala).

  -c, --clients N        clientes (padrão 10)
  -m, --messages N       mensagens por cliente que envia (padrão 100)
  --senders K            só os K primeiros clientes enviam, os outros escutam (padrão:
                         todos); por exemplo --clients 10000 --senders 10 enche um
                         laboratório enquanto dez conversam
  --size BYTES           texto de cada mensagem, >= 24 (padrão 64)
  --rate R               malha aberta: R mensagens/s oferecidas por todos os clientes
                         juntos (padrão 0: malha fechada, tão rápido quanto o servidor
                         entrega)
  --duration S           com --rate: envia por S segundos (define --messages)
  --inflight N|auto      malha fechada: mensagens próprias que cada remetente mantém em
                         trânsito, até todos os outros clientes as terem e a resposta
                         chegar (padrão auto:
                         ceil(1280 / remetentes), como ../shared/bench/ircload.mjs
                         --window auto)
  --arq MODO             gbn, sr, both (gbn e sr), text ou all (padrão both)
  --transport T          tcp, udp ou both (cada modo sobre TCP e depois UDP, intercalados);
                         padrão tcp. As rodadas UDP mostram também os datagramas que o
                         kernel descartou (/proc/net/snmp); as de texto rodam só sobre TCP
  -w, --window N         janela do ARQ 1..${MAX_WINDOW} (padrão 8)
  --ack frame|sack       política de ACK (padrão sack)
  --ack-delay MS         sack: segura um ACK em ordem até MS ms ou meia janela; um buraco
                         ou um duplicado é confirmado na hora (padrão ${CLIENT_ACK_DELAY_MS}; 0 = um
                         ACK por leitura)
  --recovery MODO        a recuperação de perdas dos clientes: fast (reenvia na hora o que
                         os ACKs mostram perdido, sonda uma cauda perdida), timeout (como
                         no livro: espera o temporizador) ou both (uma rodada de cada)
                         (padrão fast)
  --cc MODO              o controle de congestionamento dos clientes: none, aimd ou both
                         (padrão none)
  --loss P, --corrupt P  falhas injetadas por cada cliente nos quadros que envia (com
                         semente)
  --faults ROTEIRO       falhas determinísticas, por exemplo "drop:data#3"
  --seed N               semente (padrão 1)
  --sweep PARAM=V1,V2    repete para cada valor de loss, corrupt, window, clients ou size
                         (valores com ponto decimal: a vírgula separa os valores)
  --json / --csv         um objeto JSON por rodada / CSV em vez da tabela
  --plot ARQUIVO.svg     com --sweep: goodput, latência p99 e eficiência contra PARAM
  --timeout S            prazo de cada rodada (padrão 120)
  --room NOME            a sala de todas as rodadas (padrão: uma bench-<aleatório> nova
                         por rodada)
  --teacher-password P   a senha do professor do HOST: o bench vira operador para ler a
                         CPU e a memória do servidor no STATS (no próprio servidor:
                         sempre)

Exemplos:
  chat bench --clients 10
  chat bench --clients 4 --arq both --loss 0.1 --seed 3
  chat bench --arq both --sweep loss=0,0.05,0.1,0.2 --plot loss.svg
  chat bench --arq sr --recovery both --sweep loss=0,0.05,0.1 --plot recovery.svg
  chat bench --clients 50 --transport both`;

const SWEEPABLE = ["loss", "corrupt", "window", "clients", "size"] as const;

function prob(flags: ReturnType<typeof parseFlags>, name: string): number {
  const t = stringFlag(flags, name);
  if (t === undefined) return 0;
  try {
    return parseProbability(t, `--${name}`);
  } catch {
    throw UsageError.said((w) => w.probability(`--${name}`, t));
  }
}

/** A flag taking one of `choices` (the first is the default), or `both`: every choice. */
function both<T extends string>(
  flags: ReturnType<typeof parseFlags>,
  name: string,
  choices: readonly T[],
): T[] {
  const raw = stringFlag(flags, name)?.toLowerCase();
  if (raw === undefined) return [choices[0]!];
  if (raw === "both") return [...choices];
  const found = choices.find((c) => c === raw);
  if (!found) throw new UsageError(`--${name} must be ${choices.join(", ")} or both: ${raw}`);
  return [found];
}

async function run(args: string[]): Promise<number> {
  const flags = parseFlags(args, spec, 1);
  const target = flags.positionals[0];
  const hp = target === undefined ? undefined : parseHostPort(target);
  const clients = intFlag(flags, "clients", 10, 2, 20000);
  const rate = numberFlag(flags, "rate", 0, 0, 1e9);
  const duration = numberFlag(flags, "duration", 0, 0, 3600);
  let messages = intFlag(flags, "messages", 100, 1, 10_000_000);
  const senders = intFlag(flags, "senders", clients, 1, clients);
  if (duration > 0) {
    if (rate === 0) throw new UsageError("--duration needs --rate (open loop)");
    messages = Math.max(1, Math.round((rate * duration) / senders));
  }
  const size = intFlag(flags, "size", 64, 24, 30000);
  const arqFlag = (stringFlag(flags, "arq") ?? "both").toLowerCase();
  const modes: ("gbn" | "sr" | "text")[] = arqFlag === "both"
    ? ["gbn", "sr"]
    : arqFlag === "all"
    ? ["gbn", "sr", "text"]
    : arqFlag === "gbn" || arqFlag === "sr" || arqFlag === "text"
    ? [arqFlag]
    : (() => {
      throw new UsageError(`--arq must be gbn, sr, both, text or all: ${arqFlag}`);
    })();
  const transportFlag = (stringFlag(flags, "transport") ?? "tcp").toLowerCase();
  const transports: ("tcp" | "udp")[] = transportFlag === "both"
    ? ["tcp", "udp"]
    : transportFlag === "tcp" || transportFlag === "udp"
    ? [transportFlag]
    : (() => {
      throw new UsageError(`--transport must be tcp, udp or both: ${transportFlag}`);
    })();
  if (transportFlag === "udp" && modes.every((m) => m === "text")) {
    throw new UsageError(
      "--arq text needs a stream: the plain-text protocol does not run over UDP",
    );
  }
  const ack = (stringFlag(flags, "ack") ?? "sack").toLowerCase();
  if (ack !== "frame" && ack !== "sack") {
    throw new UsageError(`--ack must be frame or sack: ${ack}`);
  }
  const recoveries = both(flags, "recovery", ["fast", "timeout"] as const);
  const ccs = both(flags, "cc", ["none", "aimd"] as const);
  const faultsText = stringFlag(flags, "faults") ?? "";
  let script;
  try {
    script = parseFaultScript(faultsText);
  } catch (error) {
    throw new UsageError(`--faults: ${(error as Error).message}`);
  }
  const base: Omit<RunParams, "host" | "port" | "mode" | "sweep"> = {
    clients,
    ...(senders < clients ? { senders } : {}),
    messages,
    size,
    rate,
    inflight: stringFlag(flags, "inflight")?.toLowerCase() === "auto"
      ? 0
      : intFlag(flags, "inflight", 0, 1, 1_000_000),
    window: intFlag(flags, "window", 8, 1, MAX_WINDOW),
    ackPolicy: ack,
    ackDelayMs: numberFlag(flags, "ack-delay", CLIENT_ACK_DELAY_MS, 0, 1000),
    recovery: recoveries[0]!,
    cc: ccs[0]!,
    loss: prob(flags, "loss"),
    corrupt: prob(flags, "corrupt"),
    faults: faultsText,
    script,
    seed: intFlag(flags, "seed", 1, 0, 0xffffffff),
    timeoutS: numberFlag(flags, "timeout", 120, 1, 3600),
  };
  let sweep: { param: typeof SWEEPABLE[number]; values: number[] } | undefined;
  const sweepText = stringFlag(flags, "sweep");
  if (sweepText !== undefined) {
    const m = /^([a-z]+)=(.+)$/.exec(sweepText.trim());
    const param = m?.[1] as typeof SWEEPABLE[number] | undefined;
    if (!m || !param || !SWEEPABLE.includes(param)) {
      throw new UsageError(
        `--sweep must be PARAM=V1,V2,... with PARAM one of ${SWEEPABLE.join(", ")}: ${sweepText}`,
      );
    }
    const values = m[2]!.split(",").map((v) => Number(v.trim()));
    if (values.some((v) => !Number.isFinite(v) || v < 0)) {
      throw new UsageError(`--sweep values must be numbers >= 0: ${m[2]}`);
    }
    sweep = { param, values };
  }
  const plot = stringFlag(flags, "plot");
  if (plot !== undefined && !sweep) throw new UsageError("--plot needs --sweep");
  const json = boolFlag(flags, "json");
  const csv = boolFlag(flags, "csv");

  // Every client is an open file here (and on the server): refuse a run that cannot fit.
  const most = sweep?.param === "clients" ? Math.max(clients, ...sweep.values) : clients;
  const limits = await readFdLimits();
  const fdProblem = limits && fdLimitWarning(limits, most);
  if (fdProblem) {
    console.error(`chat bench: ${fdProblem}`);
    return 1;
  }
  const roomFlag = stringFlag(flags, "room");
  if (roomFlag !== undefined && !validateRoomName(roomFlag).ok) {
    const why = validateRoomName(roomFlag);
    throw new UsageError(`--room: ${why.ok ? "" : why.reason}`);
  }
  const server = hp ? undefined : await startChildServer();
  const operatorPassword = server?.teacherPassword ?? stringFlag(flags, "teacher-password");
  const host = hp?.host ?? "127.0.0.1";
  const port = hp ? hp.port ?? 55555 : server!.port;
  // A bar on a terminal; elsewhere (a log, a CI job) a line now and then.
  const bar = Deno.stderr.isTerminal();
  const timeoutGiven = stringFlag(flags, "timeout");
  const results: RunResult[] = [];
  const values = sweep ? sweep.values : [undefined];
  const total = values.length * modes.reduce(
    (n, mode) =>
      n +
      (mode === "text"
        ? (transports.includes("tcp") ? 1 : 0)
        : recoveries.length * ccs.length * transports.length),
    0,
  );
  try {
    for (const value of values) {
      for (const mode of modes) {
        // Text sessions have no ARQ: one run, whatever the recovery and cc.
        const variants = mode === "text"
          ? [{ recovery: base.recovery, cc: base.cc }]
          : recoveries.flatMap((recovery) => ccs.map((cc) => ({ recovery, cc })));
        for (const variant of variants) {
          for (const transport of transports) {
            if (mode === "text" && transport === "udp") continue;
            const what = [
              transports.length > 1 || transport !== "tcp" ? `${mode}/${transport}` : mode,
              ...(recoveries.length > 1 && mode !== "text" ? [variant.recovery] : []),
              ...(ccs.length > 1 && mode !== "text" ? [`cc=${variant.cc}`] : []),
              ...(value === undefined ? [] : [`${sweep!.param}=${value}`]),
            ].join(" ");
            if (!bar) say(BENCH_TEXT.runStarts(what, results.length + 1, total));
            const params: RunParams = {
              ...base,
              ...variant,
              ...(sweep && value !== undefined ? { [sweep.param]: value } : {}),
              host,
              port,
              mode,
              ...(transportFlag === "tcp" ? {} : { transport }),
              room: roomFlag ?? benchRoomName(),
              ...(operatorPassword !== undefined ? { operatorPassword } : {}),
              sweep: sweep && value !== undefined ? { param: sweep.param, value } : null,
              onProgress: bar ? progressBar(what) : progressLines(what),
              onNote: (sentence) => {
                if (bar) clearBar();
                say(`chat bench: ${what}: ${sentence}`);
              },
              stretchDeadline: timeoutGiven === undefined,
            };
            if (params.loss > 1 || params.corrupt > 1) {
              throw new UsageError("loss and corrupt are at most 1");
            }
            const result = await runBench(params);
            results.push(result);
            if (bar) clearBar();
            else say(BENCH_TEXT.runEnds(what, result.status, result.elapsedS));
          }
        }
      }
    }
  } finally {
    await server?.stop();
  }
  if (json) console.log(toJsonLines(results).trimEnd());
  else if (csv) console.log(toCsv(results).trimEnd());
  else {
    console.log(
      `chat bench: ${host}:${port}${server ? " (own server)" : ""}, ${clients} clients${
        senders < clients ? ` (${senders} sending)` : ""
      } x ${messages} messages of ${size} bytes`,
    );
    const paced = [...new Set(results.flatMap((r) => r.pacedTo ?? []))];
    for (const line of paced) console.log(`chat bench: ${line}`);
    console.log(formatTable(results));
  }
  if (plot !== undefined && sweep) {
    await Deno.writeTextFile(plot, renderSweepSvg(results, sweep.param));
    say(BENCH_TEXT.wrote(plot));
  }
  // Anything short of every message delivered once, in order, is a failure of the run.
  return results.some((r) =>
      r.status !== "complete" || (r.refused ?? 0) > 0 || r.lost > 0 || r.duplicated > 0 ||
      r.outOfOrder > 0
    )
    ? 1
    : 0;
}

const encoder = new TextEncoder();

/** One line on stderr. */
function say(line: string): void {
  Deno.stderr.writeSync(encoder.encode(`${line}\n`));
}

function clearBar(): void {
  Deno.stderr.writeSync(encoder.encode("\r\x1b[K"));
}

/** A progress bar redrawn on the terminal, at most ten times a second. */
function progressBar(what: string): (done: number, total: number) => void {
  let last = 0;
  return (done, total) => {
    const now = performance.now();
    if (now - last < 100) return;
    last = now;
    const frac = total > 0 ? Math.min(1, done / total) : 0;
    const bar = "#".repeat(Math.round(frac * 30)).padEnd(30, ".");
    Deno.stderr.writeSync(
      encoder.encode(`\r${what.padEnd(14)} [${bar}] ${(frac * 100).toFixed(0).padStart(3)}%`),
    );
  };
}

/** How often a progress line is printed where there is no terminal, ms. */
const PROGRESS_EVERY_MS = 5000;

/** A progress line on stderr every few seconds (a log, a pipe, a CI job). */
function progressLines(what: string): (done: number, total: number) => void {
  const start = performance.now();
  let last = start;
  return (done, total) => {
    const now = performance.now();
    if (now - last < PROGRESS_EVERY_MS) return;
    last = now;
    say(BENCH_TEXT.progress(what, done, total, (now - start) / 1000));
  };
}

/** The `bench` subcommand. */
export const bench: Command = {
  name: "bench",
  summary: {
    en: "Load generator: GBN vs SR vs text, tables and plots",
    "pt-BR": "Gerador de carga: GBN contra SR contra texto, tabelas e gráficos",
  },
  help: { en: helpEn, "pt-BR": helpPt },
  run,
};
