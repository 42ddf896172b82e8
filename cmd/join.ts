/**
 * `chat join`: the chat client. Parses the flags and hands them to the terminal client
 * (`lib/client/terminal_client.ts`, when stdin and stdout are terminals) or the pipe client
 * (`lib/client/piped_client.ts`).
 * @module
 */

import { CLIENT_ACK_DELAY_MS, LOSSY_LINK_OPTIONS } from "../lib/arq/mod.ts";
import {
  boolFlag,
  choiceFlag,
  type FlagSpec,
  intFlag,
  parseFlags,
  parseHostPort,
  stringFlag,
  UsageError,
} from "../lib/cli/args.ts";
import type { Command } from "../lib/cli/command.ts";
import type { ArqChoice } from "../lib/client/client_plan.ts";
import { CLIENT_CATALOG, type ClientText } from "../lib/client/messages.ts";
import { DEFAULT_LANG, type Lang, textIn } from "../lib/i18n/mod.ts";
import { runInPipe } from "../lib/client/piped_client.ts";
import { DEFAULT_RECONNECT_FOR_MS, runOnTerminal } from "../lib/client/terminal_client.ts";
import { FaultInjector, parseFaultScript, parseProbability } from "../lib/faults/mod.ts";
import { WakeScheduler } from "../lib/net/scheduler.ts";
import { TCP_DIALER } from "../lib/net/tcp_transport.ts";
import { observeDatagrams, udpDialer } from "../lib/net/udp_transport.ts";
import { Turn } from "../lib/net/turn.ts";
import { traceClockStart } from "../lib/net/trace.ts";
import { PcapngFile } from "../lib/pcap/mod.ts";
import { MAX_WINDOW, type SessionParams } from "../lib/protocol/control.ts";
import { MAX_PAYLOAD } from "../lib/protocol/header.ts";

const spec: FlagSpec = {
  port: { type: "string", short: "p" },
  nick: { type: "string", short: "n" },
  arq: { type: "string" },
  window: { type: "string", short: "w" },
  ack: { type: "string" },
  recovery: { type: "string" },
  cc: { type: "string" },
  loss: { type: "string" },
  corrupt: { type: "string" },
  faults: { type: "string" },
  seed: { type: "string" },
  trace: { type: "boolean" },
  pcap: { type: "string" },
  mode: { type: "string" },
  text: { type: "boolean" },
  udp: { type: "boolean" },
  timestamps: { type: "boolean" },
  reconnect: { type: "string" },
};

const helpEn = `chat join: the chat client

Usage: chat join HOST[:PORT] [options]

  -p, --port N        server port (default 55555)
  -n, --nick NAME     nickname (asked for on a terminal when missing)
  --arq gbn|sr        Go-Back-N (default) or Selective Repeat
  -w, --window N      sliding window in frames, 1..${MAX_WINDOW} (default 8)
  --ack frame|sack    one ACK per DATA frame (textbook), or delayed cumulative ACKs with SACK
                      ranges, held up to ${CLIENT_ACK_DELAY_MS} ms (default sack)
  --recovery fast|timeout  fast: resend what the ACKs show lost at once, probe a lost tail
                      (default); timeout: wait for the retransmission timer (the textbook)
  --cc none|aimd      congestion control of this client's sender (default none)
  --loss P            drop this fraction of the frames this client sends (0.2, 0,2 or 20%)
  --corrupt P         flip one bit in this fraction of the frames this client sends
  --faults SCRIPT     deterministic faults, e.g. "corrupt:data#1,drop:data#2" (see chat docs protocol)
  --seed N            seed of the fault injection (default 1)
  --trace             show every frame sent and received
  --pcap FILE         write this session to FILE (pcapng, opens in Wireshark)
  --mode ui|line      ui: ask nickname, protocol, window and faults before connecting
  --text              speak the plain-text protocol (like netcat) instead of the binary one
  --udp               the binary protocol over UDP (the same port): datagrams can really be
                      lost, duplicated and reordered on the way, and the ARQ repairs it
  --timestamps        show the time before each line (/timestamp on|off changes it)
  --reconnect S       when the connection drops, try again for S seconds, back in the same
                      room with the same nickname (default ${
  DEFAULT_RECONNECT_FOR_MS / 1000
}; 0: exit instead)
  --lang pt-BR|en     language of this client (default: the system's, from LC_ALL,
                      LC_MESSAGES or LANG); the server answers in it too when it is given
                      here or is not English (LANG verb)

On a terminal, type text to chat; /help lists /nick, /who, /msg, /me, /join, /rooms,
/timestamp, /stats, /loss, /corrupt, /quote, /op and the operator commands, /quit. Ctrl-C, or
Ctrl-D on an empty line, leaves. A paste stays one line until Enter.
In a pipe, stdin lines are sent (text as MSG, /commands as above), stdout gets only chat lines
and notices, and the client quits once everything was answered:
  printf 'hello\\n' | chat join 192.168.0.88 --nick bot`;

const helpPt = `chat join: o cliente do chat

Uso: chat join HOST[:PORTA] [opções]

  -p, --port N        porta do servidor (padrão 55555)
  -n, --nick NOME     apelido (perguntado no terminal quando falta)
  --arq gbn|sr        Go-Back-N (padrão) ou Selective Repeat
  -w, --window N      janela deslizante em quadros, 1..${MAX_WINDOW} (padrão 8)
  --ack frame|sack    um ACK por quadro DATA (como no livro), ou ACKs cumulativos
                      atrasados com faixas SACK, segurados até ${CLIENT_ACK_DELAY_MS} ms (padrão sack)
  --recovery fast|timeout  fast: reenvia na hora o que os ACKs mostram perdido e sonda
                      uma cauda perdida (padrão); timeout: espera o temporizador de
                      retransmissão (como no livro)
  --cc none|aimd      controle de congestionamento do transmissor deste cliente (padrão
                      none)
  --loss P            descarta essa fração dos quadros que este cliente envia (0.2, 0,2
                      ou 20%)
  --corrupt P         inverte um bit nessa fração dos quadros que este cliente envia
  --faults ROTEIRO    falhas determinísticas, por exemplo "corrupt:data#1,drop:data#2"
                      (veja chat docs protocol)
  --seed N            semente da injeção de falhas (padrão 1)
  --trace             mostra cada quadro enviado e recebido
  --pcap ARQUIVO      grava esta sessão no ARQUIVO (pcapng, abre no Wireshark)
  --mode ui|line      ui: pergunta apelido, protocolo, janela e falhas antes de conectar
  --text              fala o protocolo de texto puro (como o netcat) em vez do binário
  --udp               o protocolo binário sobre UDP (a mesma porta): os datagramas podem
                      mesmo se perder, duplicar e chegar fora de ordem no caminho, e o ARQ
                      conserta
  --timestamps        mostra o horário antes de cada linha (/timestamp on|off muda)
  --reconnect S       se a conexão cair, tenta de novo por S segundos, voltando à mesma
                      sala com o mesmo apelido (padrão ${DEFAULT_RECONNECT_FOR_MS / 1000}; 0: sai)
  --lang pt-BR|en     idioma deste cliente (padrão: o do sistema, de LC_ALL, LC_MESSAGES
                      ou LANG); o servidor também responde nele quando é dado aqui ou não
                      é inglês (comando LANG)

No terminal, digite o texto para conversar; /help lista /nick, /who, /msg, /me, /join,
/rooms, /timestamp, /stats, /loss, /corrupt, /quote, /op e os comandos de operador, /quit.
Ctrl-C, ou Ctrl-D numa linha vazia, sai. Um texto colado fica numa linha só até o Enter.
Num pipe, as linhas da entrada são enviadas (texto como MSG, /comandos como acima), a saída
mostra só as linhas do chat e os avisos, e o cliente sai quando tudo foi respondido:
  printf 'oi\\n' | chat join 192.168.0.88 --nick robo`;

interface JoinSettings {
  host: string;
  port: number;
  nick: string | undefined;
  text: boolean;
  params: SessionParams;
  recovery: "fast" | "timeout";
  cc: "none" | "aimd";
  loss: number;
  corrupt: number;
  script: ReturnType<typeof parseFaultScript>;
  seed: number;
  trace: boolean;
  pcap: string | undefined;
  ui: boolean;
  udp: boolean;
  timestamps: boolean;
  reconnectForMs: number;
}

function settingsFrom(args: string[], t: ClientText): JoinSettings {
  const flags = parseFlags(args, spec, 1);
  const target = flags.positionals[0];
  if (target === undefined) throw new UsageError(t.cli.missingHost);
  const hp = parseHostPort(target);
  const portFlag = stringFlag(flags, "port");
  const port = portFlag !== undefined ? intFlag(flags, "port", 55555, 1, 65535) : hp.port ?? 55555;
  const prob = (name: string) => {
    const t = stringFlag(flags, name);
    if (t === undefined) return 0;
    try {
      return parseProbability(t, `--${name}`);
    } catch {
      throw UsageError.said((w) => w.probability(`--${name}`, t));
    }
  };
  let script: ReturnType<typeof parseFaultScript> = [];
  const scriptText = stringFlag(flags, "faults");
  if (scriptText !== undefined) {
    try {
      script = parseFaultScript(scriptText);
    } catch (error) {
      throw new UsageError(`--faults: ${(error as Error).message}`);
    }
  }
  const mode = choiceFlag(flags, "mode", ["ui", "line"] as const, "line");
  return {
    host: hp.host,
    port,
    nick: stringFlag(flags, "nick"),
    text: boolFlag(flags, "text"),
    params: {
      mode: choiceFlag(flags, "arq", ["gbn", "sr"] as const, "gbn"),
      window: intFlag(flags, "window", 8, 1, MAX_WINDOW),
      ackPolicy: choiceFlag(flags, "ack", ["frame", "sack"] as const, "sack"),
      maxPayload: MAX_PAYLOAD,
    },
    recovery: choiceFlag(flags, "recovery", ["fast", "timeout"] as const, "fast"),
    cc: choiceFlag(flags, "cc", ["none", "aimd"] as const, "none"),
    loss: prob("loss"),
    corrupt: prob("corrupt"),
    script,
    seed: intFlag(flags, "seed", 1, 0, 0xffffffff),
    trace: boolFlag(flags, "trace"),
    pcap: stringFlag(flags, "pcap"),
    ui: mode === "ui",
    udp: boolFlag(flags, "udp"),
    timestamps: boolFlag(flags, "timestamps"),
    reconnectForMs: intFlag(flags, "reconnect", DEFAULT_RECONNECT_FOR_MS / 1000, 0, 7 * 86_400) *
      1000,
  };
}

/** Whether fault injection was asked for. */
function faulty(c: ArqChoice, script: JoinSettings["script"]): boolean {
  return c.loss > 0 || c.corrupt > 0 || script.length > 0;
}

/**
 * The language `chat join` asks the server for (`LANG`): its own when `--lang` gave it; on a
 * binary session also when the environment's is not English (a lab machine's default English
 * locale does not override a teacher's `chat serve --lang pt-BR`). A text session without
 * `--lang` sends nothing before its nickname: a seed 000 server would take `LANG` for one.
 */
export function serverLangFor(lang: Lang, langGiven: boolean, text: boolean): Lang | undefined {
  if (langGiven) return lang;
  return !text && lang !== DEFAULT_LANG ? lang : undefined;
}

async function run(args: string[], lang: Lang, langGiven = false): Promise<number> {
  const t = textIn(CLIENT_CATALOG, lang);
  const s = settingsFrom(args, t);
  const terminal = Deno.stdin.isTerminal() && Deno.stdout.isTerminal();
  if (s.ui && !terminal) throw new UsageError(t.cli.uiNeedsTerminal);
  if (s.ui && s.text) throw new UsageError(t.cli.uiNeedsBinary);
  const nick = s.nick?.trim();
  if (!terminal && !nick) throw new UsageError(t.cli.missingNick);
  if (s.text && s.udp) throw new UsageError(t.cli.textNotOverUdp);
  if (s.text && faulty(s, s.script)) throw new UsageError(t.cli.faultsNeedBinary);
  let pcap: PcapngFile | undefined;
  if (s.pcap !== undefined) {
    try {
      pcap = await PcapngFile.create(s.pcap, { role: "client" });
    } catch (error) {
      console.error(`chat join: ${t.cli.cannotWriteCapture(s.pcap, (error as Error).message)}`);
      return 1;
    }
  }
  const scheduler = new WakeScheduler();
  const turn = new Turn();
  let clockNoted = false;
  // Over UDP the trace also shows each datagram, and the capture records them as they were.
  let traceLine: ((line: string) => void) | undefined;
  const dialer = s.udp
    ? udpDialer(observeDatagrams({
      trace: s.trace ? (line) => traceLine?.(line) : undefined,
      record: pcap?.datagram,
    }))
    : TCP_DIALER;
  const connecting = (choice: ArqChoice, trace: ((line: string) => void) | undefined) => {
    // Once per process: every reconnection's lines are on the same clock.
    if (trace && !clockNoted) {
      clockNoted = true;
      trace(t.traceClock(traceClockStart()));
    }
    const faults = s.text ? undefined : new FaultInjector(
      { loss: choice.loss, corrupt: choice.corrupt, script: s.script, seed: s.seed },
      "client",
    );
    traceLine = trace;
    return {
      faults,
      options: {
        dialer,
        turn,
        host: s.host,
        port: s.port,
        text: s.text,
        params: choice.params,
        arq: {
          ...(faulty(choice, s.script) ? LOSSY_LINK_OPTIONS : {}),
          ackDelayMs: CLIENT_ACK_DELAY_MS,
          recovery: s.recovery,
          cc: s.cc,
        },
        faults,
        trace,
        scheduler,
        serverLang: serverLangFor(lang, langGiven, s.text),
        makeCapture: s.udp ? undefined : pcap?.forConnection,
      },
    };
  };
  const plan = {
    text: t,
    nick,
    askSettings: s.ui,
    choice: { params: s.params, loss: s.loss, corrupt: s.corrupt },
    maxWindow: MAX_WINDOW,
    trace: s.trace,
    timestamps: s.timestamps,
    reconnectForMs: s.reconnectForMs,
    connecting,
  };
  try {
    if (terminal) return await runOnTerminal(plan, !Deno.noColor);
    return await runInPipe({ ...plan, nick: nick! });
  } finally {
    scheduler.stop();
    await pcap?.close();
  }
}

/** The `join` subcommand. */
export const join: Command = {
  name: "join",
  summary: {
    en: "Join a chat server (the terminal client)",
    "pt-BR": "Entra num servidor de chat (o cliente)",
  },
  help: { en: helpEn, "pt-BR": helpPt },
  run,
};
