/**
 * The documents `chat docs` prints, embedded in the program (text imports), so a lab machine
 * with only the binary has them, each in every language it was translated to.
 * @module
 */

import protocol from "../../docs/PROTOCOL.md" with { type: "text" };
import protocolPt from "../../docs/PROTOCOL.pt-BR.md" with { type: "text" };
import lab from "../../docs/LAB.md" with { type: "text" };
import labPt from "../../docs/LAB.pt-BR.md" with { type: "text" };
import labKey from "../../docs/LAB-KEY.md" with { type: "text" };
import labKeyPt from "../../docs/LAB-KEY.pt-BR.md" with { type: "text" };
import type { Catalog } from "../i18n/catalog.ts";
import { suiteCatalog } from "../tester/catalog.ts";

/** One printable document. */
export interface DocTopic {
  /** The word after `chat docs`. */
  readonly name: string;
  /** One line for the topic list, in every language. */
  readonly summary: Catalog<string>;
  /** The Markdown text in every language (the original where there is no translation). */
  readonly text: Catalog<string>;
}

const tests = suiteCatalog();

/** Every document, in the order `chat docs` lists them. */
export const DOC_TOPICS: readonly DocTopic[] = [
  {
    name: "protocol",
    summary: {
      en: "wire format, ARQ rules, application protocol",
      "pt-BR": "formato dos quadros, regras do ARQ, protocolo de aplicação",
    },
    text: { en: protocol, "pt-BR": protocolPt },
  },
  {
    name: "lab",
    summary: {
      en: "lab guide for teachers and students",
      "pt-BR": "roteiro de laboratório para professores e alunos",
    },
    text: { en: lab, "pt-BR": labPt },
  },
  {
    name: "lab-pt",
    summary: {
      en: "the lab guide in Brazilian Portuguese, whatever the language",
      "pt-BR": "o roteiro em português do Brasil, seja qual for o idioma",
    },
    text: { en: labPt, "pt-BR": labPt },
  },
  {
    name: "lab-key",
    summary: {
      en: "the teacher's key: answers to the lab guide",
      "pt-BR": "o gabarito do professor: respostas do roteiro",
    },
    text: { en: labKey, "pt-BR": labKeyPt },
  },
  {
    name: "lab-key-pt",
    summary: {
      en: "the teacher's key in Brazilian Portuguese, whatever the language",
      "pt-BR": "o gabarito em português do Brasil, seja qual for o idioma",
    },
    text: { en: labKeyPt, "pt-BR": labKeyPt },
  },
  {
    name: "tests",
    summary: {
      en: "the tests of chat test and the rule each checks",
      "pt-BR": "os testes do chat test e a regra que cada um confere (em inglês)",
    },
    text: { en: tests, "pt-BR": tests },
  },
];
