/**
 * The chat server's text in Brazilian Portuguese: the table of `messages.ts`'s shape (the type
 * checks the keys and every function's signature; `tests/i18n_catalog_test.ts` the contents).
 * Sentences avoid gendered words for the people they name (`Você expulsou ana`, not
 * `ana foi expulsa`); verbs, codes and reason phrases stay as they are on the wire.
 * @module
 */

import { withDecimalComma } from "../i18n/number.ts";
import type { ServerText } from "./messages.ts";
import type { NameProblem } from "./nick.ts";

const plural = (n: number, one: string, many: string) => n === 1 ? one : many;

/** The reasons the server itself gives for a lost session, and their Portuguese. */
const TRANSPORT_REASONS: readonly [RegExp, (m: RegExpExecArray) => string][] = [
  [/^connection closed$/, () => "conexão fechada"],
  [/^connection lost$/, () => "conexão perdida"],
  [/^closed by peer$/, () => "fechada pelo outro lado"],
  [/^server shutting down$/, () => "servidor desligando"],
  [/^registration timeout$/, () => "tempo de registro esgotado"],
  [/^internal error$/, () => "erro interno"],
  [/^too slow: (\d+) bytes queued$/, (m) => `lento demais: ${m[1]} bytes na fila`],
  [
    /^idle timeout: nothing received for (\d+) ms$/,
    (m) => `inatividade: nada recebido por ${m[1]} ms`,
  ],
  [
    /^link dead: no acknowledgement for (\d+) ms$/,
    (m) => `enlace morto: nenhuma confirmação por ${m[1]} ms`,
  ],
  [/^handshake timeout$/, () => "tempo do handshake esgotado"],
  [/^reset by peer: ([\s\S]*)$/, (m) => `reset pelo outro lado: ${m[1]}`],
];

function nameProblem(problem: NameProblem): string {
  switch (problem.kind) {
    case "control":
      return `caracteres de controle não são permitidos: ${problem.codePoint}`;
    case "empty":
      return "vazio";
    case "long":
      return `longo demais (${problem.length} caracteres, máximo ${problem.max})`;
    case "characters":
      return `só letras, dígitos, _ e - (não no início) são permitidos: ${problem.shown}`;
    case "marks":
      return `mais de ${problem.max} marcas combinantes numa letra: ${problem.shown}`;
  }
}

/** The server's text, Brazilian Portuguese. */
export const SERVER_TEXT_PT_BR: ServerText = {
  languageName: "português do Brasil",
  languageSet: (tag: string, others: string) =>
    `Idioma: português do Brasil (${tag}); também: ${others}`,
  unknownLanguage: (value: string, choices: string) =>
    `Idioma desconhecido: ${value} (um de ${choices})`,

  nickHint: "\nDigite um apelido (letras, algarismos, _ ou -) e tecle Enter: ",
  shuttingDown: "O servidor está sendo desligado",
  shuttingDownBecause: (reason: string) => `O servidor está sendo desligado: ${reason}`,
  stoppedByOperator: "a pedido de quem o roda",
  invalidRoom: (why: string) => `Nome de sala inválido: ${why}`,
  willBeIn: (room: string) => `Você vai estar em ${room} quando se registrar`,
  invalidNick: (why: string) => `Apelido inválido: ${why}`,
  nameProblem,
  nickTaken: (nick: string) => `Apelido em uso: ${nick}`,
  nickBanned: (nick: string) => `Apelido banido: ${nick}`,
  serverFull: (max: number) => `Servidor cheio (${max} usuários)`,
  tooManyRooms: (max: number) => `Salas demais (${max})`,
  welcome: (nick: string, users: number) =>
    `Olá, ${nick}! ${users} ${
      plural(users, "usuário", "usuários")
    } online. Digite HELP para ver os comandos.`,
  replaced: "Este apelido voltou em outra conexão",
  unknownToken: "Token desconhecido ou expirado: registre-se de novo",
  welcomeBack: (nick: string, room: string, users: number, missed: number) =>
    `De volta, ${nick}! Você está em ${room} (${users} ${plural(users, "usuário", "usuários")}); ${
      plural(missed, "1 linha foi dita", `${missed} linhas foram ditas`)
    } enquanto você estava fora.`,
  bannedUntil: (clock: string, minutes: number) =>
    `Banimento até ${clock} (mais ${minutes} ${plural(minutes, "minuto", "minutos")})`,

  unknownCommand: (verb: string) => `Comando desconhecido: ${verb}`,
  operatorCommand: (verb: string) => `Comando de operador: ${verb} (digite OP <senha> antes)`,
  usage: (syntax: string) => `Uso: ${syntax}`,
  slowDown: (burst: number, seconds: number) =>
    `Mais devagar: ${burst} mensagens a cada ${withDecimalComma(seconds)} s`,
  commandsSlowDown: (burst: number, seconds: number) =>
    `Mais devagar: ${burst} comandos a cada ${withDecimalComma(seconds)} s`,
  excessFlood: (refused: number) => `Excesso de comandos: ${refused} recusados seguidos`,
  addressCommandsSlowDown: (burst: number, seconds: number) =>
    `Mais devagar: ${burst} comandos a cada ${withDecimalComma(seconds)} s vindos do seu endereço`,
  addressFloodSlowDown: (burst: number, seconds: number) =>
    `Mais devagar: ${burst} mensagens a cada ${withDecimalComma(seconds)} s vindas do seu endereço`,
  roomBusy: (mbPerSecond: number) =>
    `Mais devagar: a sala está ocupada (${mbPerSecond} MB/s de saída)`,

  tooManyNewConnections: (address: string, burst: number, seconds: number) =>
    `Conexões novas demais vindas de ${address} (${burst} a cada ${withDecimalComma(seconds)} s)`,
  serverFullConnections: (max: number) => `Servidor lotado (${max} conexões)`,
  tooManyConnections: (address: string, max: number) =>
    `Conexões demais vindas de ${address} (${max})`,
  serverBusyUnregistered: (max: number) =>
    `Servidor ocupado: ${max} conexões esperando para se registrar`,
  tooManyUnregistered: (address: string, max: number) =>
    `Conexões demais vindas de ${address} esperando para se registrar (${max})`,
  controlCharacters: (codePoint: string) =>
    `Caracteres de controle não são permitidos: ${codePoint}`,
  emptyMessage: "Mensagem vazia",
  messageTooLong: (size: number, max: number) =>
    `Mensagem longa demais (${size} bytes, máximo ${max})`,
  lineTooLong: (max: number) => `Linha longa demais (máximo ${max} bytes)`,
  muted: (minutes: number) =>
    `Você não pode enviar mensagens por mais ${minutes} ${plural(minutes, "minuto", "minutos")}`,
  messageSent: "Mensagem enviada",
  actionSent: "Ação enviada",
  nowKnownAs: (nick: string) => `Agora você é ${nick}`,
  noSuchUser: (name: string) => `Usuário não encontrado: ${name}`,
  privateSent: (nick: string) => `Mensagem privada enviada para ${nick}`,
  youAreIn: (room: string, users: number) =>
    `Você está em ${room} (${users} ${plural(users, "usuário", "usuários")})`,
  bye: (nick: string) => `Tchau, ${nick}`,
  alreadyOperator: "Você já é operador",
  noOperatorPassword: "Este servidor não tem senha de operador",
  wrongOperatorPassword: "Senha de operador errada",
  nowOperator: "Você é operador: HELP lista os seus comandos",
  usages: {
    MSG: "MSG <texto>",
    ME: "ME <ação>",
    LIST: "LIST",
    NICK: "NICK <nome>",
    PRIV: "PRIV <apelido> <texto>",
    JOIN: "JOIN <sala>",
    ROOMS: "ROOMS",
    TOKEN: "TOKEN",
    QUIT: "QUIT",
    HELP: "HELP",
    STATS: "STATS",
    OP: "OP <senha>",
    LANG: "LANG <en|pt-BR>",
    KICK: "KICK <apelido> [motivo]",
    MUTE: "MUTE <apelido> [minutos]",
    UNMUTE: "UNMUTE <apelido>",
    BAN: "BAN <apelido|endereço> [minutos] [motivo]",
    UNBAN: "UNBAN <apelido|endereço>",
    ANNOUNCE: "ANNOUNCE <texto>",
    FAULTS: "FAULTS <apelido|#sala> <perda> <corrupção>|off",
    CLOSE: "CLOSE <sala>",
  },

  minutesRange: (max: number, given: string) => `Os minutos vão de 1 a ${max}: ${given}`,
  cannotKickYourself: "Não é possível se expulsar",
  cannotBanYourself: "Não é possível se banir",
  kickedBy: (op: string, reason: string) =>
    reason === "" ? `${op} expulsou você` : `${op} expulsou você: ${reason}`,
  kicked: (nick: string) => `Você expulsou ${nick}`,
  mutedYou: (op: string, minutes: number) =>
    `${op} silenciou você por ${minutes} ${
      plural(minutes, "minuto", "minutos")
    }: suas mensagens não são enviadas`,
  mutedFor: (nick: string, minutes: number) =>
    `Você silenciou ${nick} por ${minutes} ${plural(minutes, "minuto", "minutos")}`,
  unmutedYou: (op: string) => `${op} tirou o seu silêncio`,
  mayTalk: (nick: string) => `${nick} pode falar`,
  banAddress: (address: string) => `o endereço ${address}`,
  banNickAndAddress: (nick: string, address: string) => `${nick} e o endereço ${address}`,
  banNickname: (nick: string) => `o apelido ${nick}`,
  banned: (what: string, minutes: number, disconnected: readonly string[]) =>
    `Você baniu ${what} por ${minutes} ${plural(minutes, "minuto", "minutos")}${
      disconnected.length > 0 ? `; a conexão de ${disconnected.join(", ")} foi encerrada` : ""
    }`,
  noBan: (who: string) => `Não há banimento de ${who}`,
  unbanned: (who: string) => `Você tirou o banimento de ${who}`,
  announced: (rooms: number) => `Aviso enviado a ${rooms} ${plural(rooms, "sala", "salas")}`,
  badProbability: (what: "loss" | "corruption", value: string) =>
    `A ${what === "loss" ? "perda" : "corrupção"} tem que ser uma probabilidade de 0 a 1 ` +
    `(ou de 0% a 100%): ${value}`,
  serverFaults: "a configuração de falhas do próprio servidor",
  faultsWhat: (loss: string, corrupt: string) =>
    `perda de ${withDecimalComma(loss)} e corrupção de ${withDecimalComma(corrupt)}`,
  noSuchUserOrRoom: (name: string) => `Não há usuário nem sala com esse nome: ${name}`,
  plainTextUser: (nick: string) =>
    `${nick} usa o protocolo de texto puro: o servidor não envia quadros para essa sessão`,
  faultsSetOnYou: (op: string, what: string) =>
    `${op} pôs ${what} nos quadros que o servidor envia a você`,
  faultsFor: (name: string, what: string, binary: number, users: number | undefined) =>
    `Falhas para ${name}: ${what}${
      users === undefined ? "" : ` (${binary} binários de ${users} usuários)`
    }`,
  noSuchRoom: (room: string) => `Sala não encontrada: ${room}`,
  defaultRoomStays: (room: string) => `A sala padrão não pode ser fechada: ${room}`,
  closedYourRoom: (op: string, room: string, home: string) =>
    `${op} fechou ${room}: agora você está em ${home}`,
  closedRoom: (room: string, users: number, home: string) =>
    `Você fechou ${room}: ${users} ${plural(users, "usuário foi", "usuários foram")} para ${home}`,

  joinedNotice: (nick: string, online: number) => `*** ${nick} entrou (${online} online)`,
  leftNotice: (nick: string, why: string) => `*** ${nick} saiu (${why})`,
  backNotice: (nick: string, online: number) => `*** ${nick} voltou (${online} online)`,
  renamedNotice: (old: string, nick: string) => `*** ${old} agora se chama ${nick}`,
  announcement: (op: string, text: string) => `*** Aviso de ${op}: ${text}`,
  cameFrom: (users: number, room: string, op: string) =>
    `*** ${users} ${
      plural(users, "usuário veio", "usuários vieram")
    } de ${room} (${op} fechou a sala)`,
  movedTo: (room: string) => `foi para ${room}`,
  quitReason: "pediu para sair",
  wrongPasswordsReason: "senhas de operador erradas",
  kickedReason: (op: string, reason: string) =>
    reason === "" ? `expulsão por ${op}` : `expulsão por ${op}: ${reason}`,
  bannedReason: (op: string, reason: string) =>
    reason === "" ? `banimento por ${op}` : `banimento por ${op}: ${reason}`,
  transportReason: (reason: string) => {
    for (const [pattern, say] of TRANSPORT_REASONS) {
      const m = pattern.exec(reason);
      if (m) return say(m);
    }
    return reason;
  },
};
