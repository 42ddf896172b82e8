/**
 * `chat docs TOPIC`: prints a document embedded in the program, in the language chosen where it
 * has a translation.
 * @module
 */

import { parseFlags, UsageError } from "../lib/cli/args.ts";
import type { Command } from "../lib/cli/command.ts";
import { renderDoc } from "../lib/docs/render.ts";
import { DOC_TOPICS } from "../lib/docs/topics.ts";
import type { Catalog } from "../lib/i18n/catalog.ts";
import type { Lang } from "../lib/i18n/mod.ts";

function topicList(lang: Lang): string {
  return DOC_TOPICS.map((t) => `  ${t.name.padEnd(11)} ${t.summary[lang]}`).join("\n");
}

const help: Catalog<string> = {
  en: `chat docs: print the documentation carried by the program

Usage: chat docs <topic> [--lang pt-BR|en]

Topics:
${topicList("en")}

Example: chat docs lab > LAB.md`,
  "pt-BR": `chat docs: mostra a documentação que vem dentro do programa

Uso: chat docs <tópico> [--lang pt-BR|en]

Tópicos:
${topicList("pt-BR")}

Exemplo: chat docs lab > ROTEIRO.md`,
};

/** `chat docs`'s usage errors, by language. */
const ERRORS = {
  en: {
    missing: "Missing topic",
    unknown: (name: string, names: string) => `Unknown topic: ${name} (${names})`,
  },
  "pt-BR": {
    missing: "Falta o tópico",
    unknown: (name: string, names: string) => `Tópico desconhecido: ${name} (${names})`,
  },
};

function run(args: string[], lang: Lang): Promise<number> {
  const flags = parseFlags(args, {}, 1);
  const name = flags.positionals[0];
  if (name === undefined) throw new UsageError(ERRORS[lang].missing);
  const topic = DOC_TOPICS.find((t) => t.name === name.toLowerCase());
  if (!topic) {
    throw new UsageError(ERRORS[lang].unknown(name, DOC_TOPICS.map((t) => t.name).join(", ")));
  }
  console.log(renderDoc(topic.text[lang]).trimEnd());
  return Promise.resolve(0);
}

/** The `docs` subcommand. */
export const docs: Command = {
  name: "docs",
  summary: {
    en: "Print the protocol description or the lab guide",
    "pt-BR": "Mostra a descrição do protocolo ou o roteiro de laboratório",
  },
  help,
  run,
};
