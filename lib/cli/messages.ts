/**
 * What `chat` itself says (its help, the command list, its usage errors), in every language.
 * Each subcommand's own help is its {@link Command}'s `help` catalog.
 * @module
 */

import type { Catalog } from "../i18n/catalog.ts";

/** One subcommand as the command list shows it. */
export interface ListedCommand {
  readonly name: string;
  readonly summary: string;
}

function commandList(list: readonly ListedCommand[], helpSummary: string): string[] {
  const width = Math.max(4, ...list.map((c) => c.name.length));
  return [
    ...list.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    `  ${"help".padEnd(width)}  ${helpSummary}`,
  ];
}

/** `chat`'s own text, English. */
const CLI_TEXT_EN = {
  mainHelp: (version: string, list: readonly ListedCommand[]) =>
    [
      `chat ${version}: a multi-user LAN chat to see protocols in action`,
      "",
      "Usage: chat <command> [options]",
      "",
      "Commands:",
      ...commandList(list, "Show help for a command: chat help <command>"),
      "",
      "Options: -h, --help   show help;  -V, --version   print the version;",
      "         --lang pt-BR|en   language (default: the system's, from LC_ALL, LC_MESSAGES",
      "         or LANG)",
      "",
      "Quick start: chat serve --port 55555   (on one machine)",
      "             chat join 192.168.0.88    (on every other machine)",
    ].join("\n"),
  missingCommand: "missing command",
  unknownCommand: (name: string) => `unknown command: ${name}`,
  badLang: (choices: string, value: string) => `--lang must be one of ${choices}: ${value}`,
  /** The flag helpers' usage errors (lib/cli/args.ts). */
  flags: {
    unknownFlag: (flag: string) => `Unknown flag: ${flag}`,
    missingValue: (flag: string) => `Missing value for ${flag}`,
    dashValue: (flag: string, value: string) =>
      `Missing value for ${flag}: ${value} looks like a flag (to give it as the value, write ${flag}=${value})`,
    noValue: (flag: string, given: string) => `${flag} takes no value: ${given}`,
    /** After every usage error: where the whole usage is. */
    seeHelp: (command: string) => `(see ${command} -h)`,
    unexpected: (arg: string) => `Unexpected argument: ${arg}`,
    integer: (name: string, min: number, max: number, raw: string) =>
      `--${name} must be an integer from ${min} to ${max}: ${raw}`,
    number: (name: string, min: number, max: number, raw: string) =>
      `--${name} must be a number from ${min} to ${max}: ${raw}`,
    choice: (name: string, choices: string, raw: string) =>
      `--${name} must be one of ${choices}: ${raw}`,
    missingHost: (text: string) => `Missing host: ${text}`,
    badPort: (port: string) => `Port must be an integer from 1 to 65535: ${port}`,
    probability: (flag: string, raw: string) =>
      `${flag} must be a probability between 0 and 1 (or 0% to 100%): ${raw}`,
    /** `why`: the parser's own (English) reason. */
    flood: (why: string, _raw: string) => `--flood: ${why}`,
  },
};

/** The shape of every language's table of {@link CLI_CATALOG}. */
export type CliText = typeof CLI_TEXT_EN;

const CLI_TEXT_PT_BR: CliText = {
  mainHelp: (version: string, list: readonly ListedCommand[]) =>
    [
      `chat ${version}: um chat multiusuário para a rede local, para ver protocolos em ação`,
      "",
      "Uso: chat <comando> [opções]",
      "",
      "Comandos:",
      ...commandList(list, "Mostra a ajuda de um comando: chat help <comando>"),
      "",
      "Opções: -h, --help   mostra a ajuda;  -V, --version   mostra a versão;",
      "        --lang pt-BR|en   idioma (padrão: o do sistema, de LC_ALL, LC_MESSAGES ou",
      "        LANG)",
      "",
      "Para começar: chat serve --port 55555   (numa máquina)",
      "              chat join 192.168.0.88    (em cada uma das outras)",
    ].join("\n"),
  missingCommand: "falta o comando",
  unknownCommand: (name: string) => `comando desconhecido: ${name}`,
  badLang: (choices: string, value: string) => `--lang tem que ser um de ${choices}: ${value}`,
  flags: {
    unknownFlag: (flag: string) => `Opção desconhecida: ${flag}`,
    missingValue: (flag: string) => `Falta o valor de ${flag}`,
    dashValue: (flag: string, value: string) =>
      `Falta o valor de ${flag}: ${value} parece uma opção (para dá-lo como valor, escreva ${flag}=${value})`,
    noValue: (flag: string, given: string) => `${flag} não leva valor: ${given}`,
    seeHelp: (command: string) => `(veja ${command} -h)`,
    unexpected: (arg: string) => `Argumento a mais: ${arg}`,
    integer: (name: string, min: number, max: number, raw: string) =>
      `--${name} tem que ser um número inteiro de ${min} a ${max}: ${raw}`,
    number: (name: string, min: number, max: number, raw: string) =>
      `--${name} tem que ser um número de ${min} a ${max} (vale vírgula decimal): ${raw}`,
    choice: (name: string, choices: string, raw: string) =>
      `--${name} tem que ser um de ${choices}: ${raw}`,
    missingHost: (text: string) => `Falta o host: ${text}`,
    badPort: (port: string) => `A porta tem que ser um número inteiro de 1 a 65535: ${port}`,
    probability: (flag: string, raw: string) =>
      `${flag} tem que ser uma probabilidade de 0 a 1 (ou de 0% a 100%; vale vírgula decimal): ${raw}`,
    flood: (_why: string, raw: string) =>
      `--flood tem que ser MSGS/SEGUNDOS com pelo menos 1 mensagem (por exemplo 10/5 ou 3/2,5), ou off: ${raw}`,
  },
};

/** `chat`'s own text in every language. */
export const CLI_CATALOG: Catalog<CliText> = { en: CLI_TEXT_EN, "pt-BR": CLI_TEXT_PT_BR };
