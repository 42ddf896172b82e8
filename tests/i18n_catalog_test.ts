/**
 * Every message has both languages: each catalog's pt-BR table has every key of the English one
 * and no other, every function the same arity and a non-empty result for sample arguments, and
 * no English left where that can be told; and no catalog declared in lib/ or cmd/ escapes this
 * test.
 */

import assert from "node:assert/strict";
import { commands } from "../cmd/mod.ts";
import { SERVE_CATALOG } from "../cmd/serve.ts";
import { SERVER_CATALOG } from "../lib/chat/messages.ts";
import { CLI_CATALOG } from "../lib/cli/messages.ts";
import { CLIENT_CATALOG } from "../lib/client/messages.ts";
import { DOC_TOPICS } from "../lib/docs/topics.ts";
import { PAGE_CATALOG } from "../lib/web/page/page_text.ts";
import { EVENT_CATALOG } from "../lib/web/event_text.ts";
import type { Catalog } from "../lib/i18n/catalog.ts";
import { catalogProblems, type CheckOptions } from "../lib/i18n/check.ts";

const STATS_SAMPLE = {
  mode: "GBN",
  window: 8,
  srtt: 12.5,
  rto: 200,
  framesSent: 10,
  dataSent: 8,
  retransmissions: 1,
  timeouts: 1,
  nacksSent: 0,
  nacksReceived: 1,
  duplicates: 0,
  corruptReceived: 0,
  injected: { dropped: 1, corrupted: 0 },
};

/** One engine event of each kind the window view's log explains, by kind. */
const EVENT_SAMPLES: Record<string, readonly unknown[]> = {
  established: [{
    kind: "established",
    params: { mode: "gbn", window: 8, ackPolicy: "sack", maxPayload: 1024 },
    isn: 0,
    peerIsn: 0,
  }],
  retransmit: [{ kind: "retransmit", type: 5, seq: 3, attempt: 2, reason: "timeout" }],
  timeout: [{ kind: "timeout", type: 5, seq: 3, rto: 400 }],
  "nack-sent": [{ kind: "nack-sent", seq: 3 }],
  "nack-received": [{ kind: "nack-received", seq: 3, action: "resent" }],
  duplicate: [{ kind: "duplicate", seq: 3 }],
  "out-of-order": [{ kind: "out-of-order", seq: 5, expected: 3 }],
  rtt: [{ kind: "rtt", sample: 12, srtt: 10, rttvar: 2, rto: 200 }],
  keepalive: [{ kind: "keepalive", seq: 1 }],
  closed: [{ kind: "closed", reason: "RST" }], // the engine's reason stays as on the wire
};

/** {@link EVENT_SAMPLES} under a key path prefix. */
const eventSamples = (prefix: string) =>
  Object.fromEntries(Object.entries(EVENT_SAMPLES).map(([k, v]) => [`${prefix}${k}`, v]));

/** Every catalog, by the name it is exported under, with what its check needs. */
const CATALOGS: Record<string, { catalog: Catalog<unknown>; options?: CheckOptions }> = {
  SERVER_CATALOG: {
    catalog: SERVER_CATALOG,
    options: {
      sameAllowed: ["usages.LIST", "usages.ROOMS", "usages.TOKEN", "usages.QUIT", "usages.HELP"],
      samples: { nameProblem: [{ kind: "long", length: 30, max: 24 }] },
    },
  },
  SERVE_CATALOG: { catalog: SERVE_CATALOG },
  PAGE_CATALOG: {
    catalog: PAGE_CATALOG,
    options: {
      sameAllowed: [
        "tabChat",
        "acks",
        "window.handshake",
        "window.base",
        "eventLines.nackOwedMark",
      ],
      samples: eventSamples("eventLines."),
    },
  },
  EVENT_CATALOG: {
    catalog: EVENT_CATALOG,
    options: { samples: eventSamples(""), sameAllowed: ["nackOwedMark"] },
  },
  CLI_CATALOG: {
    catalog: CLI_CATALOG,
    options: { samples: { mainHelp: ["1.0", [{ name: "serve", summary: "x" }]] } },
  },
  CLIENT_CATALOG: {
    catalog: CLIENT_CATALOG,
    options: {
      sameAllowed: [
        "prompt",
        "welcomeHint",
        "slashArgs.timestamp",
        "slashArgs.loss",
        "slashArgs.corrupt",
        "slashArgs.help",
        "slashArgs.mute",
      ],
      samples: { arqStats: [STATS_SAMPLE] },
    },
  },
};

for (const c of commands) {
  CATALOGS[`chat ${c.name} -h`] = { catalog: c.help };
  CATALOGS[`chat ${c.name}'s summary`] = { catalog: c.summary };
}
for (const t of DOC_TOPICS) CATALOGS[`chat docs ${t.name}'s summary`] = { catalog: t.summary };

for (const [name, { catalog, options }] of Object.entries(CATALOGS)) {
  Deno.test(`${name} has every message in every language`, () => {
    assert.deepEqual(catalogProblems(name, catalog, options), []);
  });
}

Deno.test("every catalog declared in lib/ and cmd/ is checked here", async () => {
  const declared: string[] = [];
  for (const dir of ["lib", "cmd"]) {
    for await (const path of walk(new URL(`../${dir}/`, import.meta.url))) {
      const text = await Deno.readTextFile(path);
      for (const m of text.matchAll(/export const (\w+): Catalog</g)) declared.push(m[1]!);
    }
  }
  assert.ok(declared.includes("CLIENT_CATALOG"), declared.join(", "));
  assert.ok(declared.includes("CLI_CATALOG"), declared.join(", "));
  assert.deepEqual(declared.filter((d) => !(d in CATALOGS)), []);
});

async function* walk(dir: URL): AsyncGenerator<URL> {
  for await (const e of Deno.readDir(dir)) {
    const url = new URL(e.isDirectory ? `${e.name}/` : e.name, dir);
    if (e.isDirectory) yield* walk(url);
    else if (e.name.endsWith(".ts") && !e.name.endsWith(".generated.ts")) yield url;
  }
}
