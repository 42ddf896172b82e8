/**
 * The window view's log lines in every language ({@link EVENT_CATALOG}): one entry per kind of
 * engine event, and the line of a gap in the feed. An event kind a table does not know is logged
 * by its fields ({@link eventText}), so a newer engine never breaks the view. Pure.
 * @module
 */

import type { ArqEvent } from "../arq/mod.ts";
import type { Catalog } from "../i18n/catalog.ts";
import { frameTypeName } from "../protocol/header.ts";

type Ev<K extends ArqEvent["kind"]> = Extract<ArqEvent, { kind: K }>;

/** The log line of each kind of engine event the view explains, and of a gap. */
export interface EventTexts {
  readonly established: (e: Ev<"established">) => string;
  readonly retransmit: (e: Ev<"retransmit">) => string;
  readonly timeout: (e: Ev<"timeout">) => string;
  readonly "nack-sent": (e: Ev<"nack-sent">) => string;
  readonly "nack-received": (e: Ev<"nack-received">) => string;
  readonly duplicate: (e: Ev<"duplicate">) => string;
  readonly "out-of-order": (e: Ev<"out-of-order">) => string;
  readonly rtt: (e: Ev<"rtt">) => string;
  readonly keepalive: (e: Ev<"keepalive">) => string;
  readonly closed: (e: Ev<"closed">) => string;
  /** Records the feed left out. */
  readonly gap: (missed: number) => string;
  /** The sequence diagram's mark of a timer that expired on a frame (its type's name). */
  readonly timeoutMark: (type: string, seq: number) => string;
  /** The sequence diagram's mark of a NACK the receiver owes. */
  readonly nackOwedMark: (seq: number) => string;
}

const typeName = (type: number) => type === 0 ? "?" : frameTypeName(type);

function fmt(ms: number): string {
  return ms < 10 ? ms.toFixed(1) : String(Math.round(ms));
}

/** The log lines in every language. */
export const EVENT_CATALOG: Catalog<EventTexts> = {
  en: {
    established: (e) =>
      `established: ${e.params.mode.toUpperCase()}, window ${e.params.window}, ` +
      `ACK policy ${e.params.ackPolicy}`,
    retransmit: (e) =>
      `resend ${typeName(e.type)} ${e.seq} (transmission ${e.attempt}, ${e.reason})`,
    timeout: (e) => `timer expired: ${typeName(e.type)} ${e.seq}; RTO now ${Math.round(e.rto)} ms`,
    "nack-sent": (e) => `a frame failed its checksum: NACK ${e.seq} sent`,
    "nack-received": (e) => `NACK ${e.seq} received: ${e.action}`,
    duplicate: (e) => `DATA ${e.seq} came again (its ACK was lost or late)`,
    "out-of-order": (e) => `DATA ${e.seq} out of order (expected ${e.expected})`,
    rtt: (e) => `RTT ${fmt(e.sample)} ms: SRTT ${fmt(e.srtt)} ms, RTO ${Math.round(e.rto)} ms`,
    keepalive: (e) => `nothing heard for a while: PING ${e.seq}`,
    closed: (e) => `closed: ${e.reason}`,
    gap: (missed) => `${missed} records left out (the feed could not keep up)`,
    timeoutMark: (type, seq) => `timeout ${type} ${seq}`,
    nackOwedMark: (seq) => `NACK ${seq} owed`,
  },
  "pt-BR": {
    established: (e) =>
      `estabelecida: ${e.params.mode.toUpperCase()}, janela ${e.params.window}, ` +
      `política de ACK ${e.params.ackPolicy}`,
    retransmit: (e) =>
      `reenvia ${typeName(e.type)} ${e.seq} (transmissão ${e.attempt}, ${
        RESEND_REASON_PT[e.reason] ?? e.reason
      })`,
    timeout: (e) =>
      `o temporizador estourou: ${typeName(e.type)} ${e.seq}; RTO agora ${Math.round(e.rto)} ms`,
    "nack-sent": (e) => `um quadro falhou no checksum: NACK ${e.seq} enviado`,
    "nack-received": (e) => `NACK ${e.seq} recebido: ${NACK_ACTION_PT[e.action] ?? e.action}`,
    duplicate: (e) => `DATA ${e.seq} chegou de novo (o ACK dele se perdeu ou atrasou)`,
    "out-of-order": (e) => `DATA ${e.seq} fora de ordem (esperado ${e.expected})`,
    rtt: (e) => `RTT ${fmt(e.sample)} ms: SRTT ${fmt(e.srtt)} ms, RTO ${Math.round(e.rto)} ms`,
    keepalive: (e) => `nada ouvido faz um tempo: PING ${e.seq}`,
    closed: (e) => `fechada: ${e.reason}`,
    gap: (missed) =>
      `${missed} ${
        missed === 1 ? "registro ficou" : "registros ficaram"
      } de fora (o feed não deu conta)`,
    timeoutMark: (type, seq) => `estouro ${type} ${seq}`,
    nackOwedMark: (seq) => `NACK ${seq} devido`,
  },
};

/** Why a frame was resent, in Portuguese (the engine's words are English identifiers). */
const RESEND_REASON_PT: Readonly<Record<string, string>> = {
  timeout: "temporizador",
  fast: "recuperação rápida",
  nack: "NACK",
  probe: "sonda",
  duplicate: "ACK duplicado",
};

/** What a NACK did, in Portuguese. */
const NACK_ACTION_PT: Readonly<Record<string, string>> = {
  resent: "reenviado",
  stale: "velho",
  ignored: "ignorado",
};

/** Entries of {@link EventTexts} that are not an event kind's line. */
const NOT_EVENTS: ReadonlySet<string> = new Set(["gap", "timeoutMark", "nackOwedMark"]);

/** The log line of any event in the words of `texts`: its entry, or its fields. */
export function eventText(e: ArqEvent, texts: EventTexts = EVENT_CATALOG.en): string {
  const f = (texts as unknown as Record<string, ((e: ArqEvent) => string) | undefined>)[e.kind];
  if (f && !NOT_EVENTS.has(e.kind)) return f(e);
  const { kind, ...rest } = e as { kind: string } & Record<string, unknown>;
  const fields = Object.entries(rest).map(([k, v]) =>
    `${k}=${typeof v === "object" ? JSON.stringify(v) : v}`
  );
  return fields.length > 0 ? `${kind}: ${fields.join(" ")}` : kind;
}
