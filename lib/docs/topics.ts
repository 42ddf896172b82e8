/**
 * The documents `chat docs` prints, embedded in the program (text imports), so a lab machine
 * with only the binary has them.
 * @module
 */

import protocol from "../../docs/PROTOCOL.md" with { type: "text" };
import lab from "../../docs/LAB.md" with { type: "text" };
import labPt from "../../docs/LAB.pt-BR.md" with { type: "text" };
import labKey from "../../docs/LAB-KEY.md" with { type: "text" };
import labKeyPt from "../../docs/LAB-KEY.pt-BR.md" with { type: "text" };
import { suiteCatalog } from "../tester/catalog.ts";

/** One printable document. */
export interface DocTopic {
  /** The word after `chat docs`. */
  readonly name: string;
  /** One line for the topic list. */
  readonly summary: string;
  /** The Markdown text. */
  readonly text: string;
}

/** Every document, in the order `chat docs` lists them. */
export const DOC_TOPICS: readonly DocTopic[] = [
  { name: "protocol", summary: "wire format, ARQ rules, application protocol", text: protocol },
  { name: "lab", summary: "lab guide for teachers and students (English)", text: lab },
  { name: "lab-pt", summary: "roteiro de laboratório (português do Brasil)", text: labPt },
  { name: "lab-key", summary: "the teacher's key: answers to the lab guide", text: labKey },
  { name: "lab-key-pt", summary: "gabarito do professor para o roteiro", text: labKeyPt },
  {
    name: "tests",
    summary: "the tests of chat test and the rule each checks",
    text: suiteCatalog(),
  },
];
