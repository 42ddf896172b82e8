/**
 * `chat join`'s text in Brazilian Portuguese: the table of `messages.ts`'s shape (the type checks
 * the keys and every function's signature; `tests/i18n_catalog_test.ts` the contents). Numbers
 * are shown with a decimal comma; verbs, status codes and slash command names stay as they are.
 * @module
 */

import { withDecimalComma as dc } from "../i18n/number.ts";
import type { ArqStatsFigures, ClientText } from "./messages.ts";

/** The client's user-facing text, Brazilian Portuguese. */
export const CLIENT_TEXT_PT_BR: ClientText = {
  prompt: "> ",
  traceClock: (start: string) =>
    `trace: tempos em segundos desde o início do chat join, às ${start}`,
  askNickname: "Apelido: ",
  askProtocol: (def: string) => `Protocolo, gbn (Go-Back-N) ou sr (Selective Repeat) [${def}]: `,
  askWindow: (max: number, def: number) => `Janela, de 1 a ${max} quadros [${def}]: `,
  askLoss: (def: number) => `Probabilidade de perda, de 0 a 1 [${dc(def)}]: `,
  askCorrupt: (def: number) => `Probabilidade de corrupção, de 0 a 1 [${dc(def)}]: `,
  nicknameEmpty: "O apelido não pode ficar vazio: digite um, ou Ctrl-C para sair",
  nicknameRefused: (reason: string) => `${reason}. Digite outro apelido, ou Ctrl-C para sair`,
  protocolBad: (answer: string) => `O protocolo tem que ser gbn ou sr: ${answer}`,
  windowBad: (max: number, answer: string) =>
    `A janela tem que ser um número inteiro de 1 a ${max}: ${answer}`,
  probabilityBad: (what: string, answer: string) =>
    `A ${what} tem que ser um número de 0 a 1 (0,1 ou 10% também valem): ${answer}`,
  loss: "probabilidade de perda",
  corruption: "probabilidade de corrupção",
  sessionEnded: (reason: string) => `Sessão encerrada: ${reason}`,
  closedBeforeReply: (reason: string) => `o servidor encerrou a sessão: ${reason}`,
  inputTruncated: (max: number) =>
    `Uma linha tem no máximo ${max} caracteres: o resto foi descartado`,
  noArqCounters: "Sessão em texto puro: não há contadores de ARQ",
  faultsNeedBinary: "A injeção de falhas precisa do protocolo binário (sem --text)",
  probabilitySet: (what: string, p: number) => `A ${what} agora é ${dc(p)}`,
  usage: (syntax: string) => `Uso: ${syntax}`,
  unknownCommand: (cmd: string) => `Comando desconhecido ${cmd}: digite /help`,
  welcomeHint: "/help",
  serverHelpHint: "No chat join, /nick, /who, /msg e /quit mandam esses comandos por você;\n" +
    "qualquer outro vai como está com /quote, por exemplo /quote STATS",
  helpTitle: "Comandos do chat join (texto sem / vai para a sua sala):",
  helpWord: 'Uma linha só com "help" mostra esta ajuda; /say help manda a palavra.',
  slash: {
    say: "manda TEXTO para a sua sala, mesmo /texto ou só help",
    nick: "troca de apelido",
    who: "quem está na sua sala",
    msg: "mensagem privada para APELIDO",
    stats: "contadores de ARQ, RTT e RTO desta sessão",
    loss: "descarta essa fração dos quadros enviados (binário)",
    corrupt: "corrompe essa fração dos quadros enviados (binário)",
    quote: "manda LINHA ao servidor como está, ex.: /quote STATS",
    help: "esta ajuda; /help server: os comandos do próprio servidor",
    quit: "sai (também com Ctrl-C, ou Ctrl-D numa linha vazia)",
    me: "uma ação: os outros veem * APELIDO AÇÃO",
    join: "vai para a SALA (criada se nova; você começa na padrão)",
    rooms: "as salas e quem está em cada uma",
    timestamp: "mostra ou esconde o horário antes de cada linha",
    op: "vira operador (com a senha do professor)",
    kick: "desconecta APELIDO",
    mute: "silencia APELIDO (padrão: 15 min)",
    unmute: "deixa APELIDO falar de novo",
    ban: "desconecta e bloqueia (padrão: 15 min)",
    unban: "tira um banimento",
    announce: "uma linha para todas as salas",
    faults: "falhas nos quadros para eles (off tira)",
    close: "fecha a SALA: todos vão para a padrão",
  },
  slashArgs: {
    say: "TEXTO",
    nick: "NOME",
    msg: "APELIDO TEXTO",
    me: "AÇÃO",
    join: "SALA",
    timestamp: "on|off",
    loss: "P",
    corrupt: "P",
    quote: "LINHA",
    help: "[server]",
    op: "SENHA",
    kick: "APELIDO [MOTIVO]",
    mute: "APELIDO [MIN]",
    unmute: "APELIDO",
    ban: "APELIDO|IP [MIN] [MOTIVO]",
    unban: "APELIDO|IP",
    announce: "TEXTO",
    faults: "APELIDO|#SALA PERDA CORRUPÇÃO",
    close: "SALA",
  },
  helpOperator: "Comandos de operador (depois do /op):",
  timestampsOn: "Horários ligados",
  timestampsOff: "Horários desligados",
  connectionLost: (reason: string) => `Conexão perdida (${reason}): reconectando`,
  reconnecting: (attempt: number, seconds: string) =>
    `reconectando (tentativa ${attempt}, próxima em ${dc(seconds)} s)`,
  reconnectFailed: (why: string) => `Ainda sem conexão: ${why}`,
  backIn: (room: string, nick: string) => `De volta à sala ${room} como ${nick}`,
  backNoToken:
    "O servidor não conhecia mais esta sessão (foi reiniciado?): o registro foi feito de novo",
  gaveUp: (reason: string) => `Desisti de reconectar: ${reason}`,
  reconnectTimedOut: (seconds: number) => `Nenhum servidor por ${seconds} s: desisti`,
  queuedWhileAway: (n: number) =>
    n === 1
      ? "1 linha digitada durante a queda foi enviada agora"
      : `${n} linhas digitadas durante a queda foram enviadas agora`,
  queueFull: (max: number) =>
    `Sem conexão: no máximo ${max} linhas esperam a conexão voltar; esta foi descartada`,
  keys: "Teclas: setas, Home/End, Cima/Baixo (histórico), Ctrl-U, Ctrl-K, Ctrl-W, Ctrl-L.\n" +
    "Um texto colado fica numa linha só (quebras e tabs viram espaços) até o Enter.",
  arqStats: (f: ArqStatsFigures) =>
    `${f.mode} janela=${f.window} srtt=${dc(f.srtt.toFixed(1))}ms rto=${f.rto.toFixed(0)}ms ` +
    `quadros enviados=${f.framesSent} dados=${f.dataSent} retransmissões=${f.retransmissions} ` +
    `timeouts=${f.timeouts} nacks enviados/recebidos=${f.nacksSent}/${f.nacksReceived} ` +
    `duplicados=${f.duplicates} corrompidos recebidos=${f.corruptReceived}` +
    (f.injected
      ? ` injetados: descartados=${f.injected.dropped} corrompidos=${f.injected.corrupted}`
      : ""),
  session: {
    refused: (where: string) =>
      `não foi possível conectar a ${where}: conexão recusada (o \`chat serve\` está rodando lá?)`,
    unknownHost: (where: string, host: string) =>
      `não foi possível conectar a ${where}: host desconhecido ${host}`,
    cannotConnect: (where: string, why: string) => `não foi possível conectar a ${where}: ${why}`,
    cannotOpen: (where: string, why: string) =>
      `não foi possível abrir uma sessão com ${where}: ${why}`,
    textNeedsStream: (where: string) =>
      `não foi possível conectar a ${where}: o protocolo de texto puro precisa de um fluxo (TCP), não de datagramas`,
    udpSilent:
      " (nenhuma resposta por UDP: o `chat serve` está rodando lá com o UDP ligado, e a porta UDP está aberta?)",
    closedByClient: "fechada pelo cliente",
    closedByServer: "conexão fechada pelo servidor",
  },
  cli: {
    missingHost: "Falta o HOST (o endereço do servidor)",
    uiNeedsTerminal: "--mode ui precisa de um terminal",
    uiNeedsBinary: "--mode ui pergunta configurações do protocolo binário: tire o --text",
    missingNick: "Falta o --nick (obrigatório quando a entrada ou a saída não é um terminal)",
    faultsNeedBinary: "--loss, --corrupt e --faults precisam do protocolo binário (sem --text)",
    textNotOverUdp: "--text precisa de um fluxo: o protocolo de texto puro não roda sobre UDP",
    cannotWriteCapture: (path: string, why: string) =>
      `não foi possível gravar o arquivo de captura ${path}: ${why}`,
  },
};
