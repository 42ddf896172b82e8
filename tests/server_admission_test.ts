/**
 * Admission: connections open at once (registered or not), per address, unregistered ones in
 * all and per address, new connections per address per second; a released ticket gives its
 * place back.
 */

import assert from "node:assert/strict";
import {
  Admission,
  type AdmissionLimits,
  type AdmissionRefusal,
  Ticket,
} from "../lib/server/admission.ts";
import { SERVER_TEXT } from "../lib/chat/messages.ts";
import { SERVER_TEXT_PT_BR } from "../lib/chat/messages_pt_br.ts";
import { NO_LIMITS } from "../lib/server/limits_config.ts";

function admission(limits: Partial<AdmissionLimits>): Admission {
  return new Admission({ ...NO_LIMITS, maxConnections: 1000, ...limits });
}

/** A refusal as its code and its English and Portuguese sentences (or "ticket"). */
function said(r: Ticket | AdmissionRefusal): "ticket" | { code: number; text: string; pt: string } {
  if (r instanceof Ticket) return "ticket";
  return { code: r.code, text: r.say(SERVER_TEXT), pt: r.say(SERVER_TEXT_PT_BR) };
}

function ticket(a: Admission, address: string, now = 0): Ticket {
  const t = a.admit(address, now);
  assert.ok(t instanceof Ticket, JSON.stringify(t));
  return t;
}

Deno.test("connections per address: the next one is refused with 503, another address is not", () => {
  const a = admission({ perAddress: 2 });
  const t1 = ticket(a, "10.0.0.1");
  ticket(a, "10.0.0.1");
  assert.deepEqual(said(a.admit("10.0.0.1", 0)), {
    code: 503,
    text: "Too many connections from 10.0.0.1 (2)",
    pt: "Conexões demais vindas de 10.0.0.1 (2)",
  });
  ticket(a, "10.0.0.2");
  t1.release();
  t1.release();
  ticket(a, "10.0.0.1");
  assert.equal(a.openNow, 3);
});

Deno.test("--max-clients counts connections that never registered", () => {
  const a = admission({ maxConnections: 2 });
  ticket(a, "10.0.0.1");
  ticket(a, "10.0.0.2");
  assert.deepEqual(said(a.admit("10.0.0.3", 0)), {
    code: 503,
    text: "Server full (2 connections)",
    pt: "Servidor lotado (2 conexões)",
  });
});

Deno.test("unregistered connections are bounded in all and per address; registering frees a place", () => {
  const a = admission({ unregistered: 3, unregisteredPerAddress: 2 });
  const t1 = ticket(a, "10.0.0.1");
  ticket(a, "10.0.0.1");
  assert.match(
    (a.admit("10.0.0.1", 0) as AdmissionRefusal).say(SERVER_TEXT),
    /waiting to register \(2\)/,
  );
  ticket(a, "10.0.0.2");
  assert.match((a.admit("10.0.0.3", 0) as AdmissionRefusal).say(SERVER_TEXT), /^Server busy: 3/);
  t1.registerDone();
  t1.registerDone();
  assert.equal(a.unregisteredNow, 2);
  ticket(a, "10.0.0.1");
  t1.release();
  assert.equal(a.unregisteredNow, 3, "a registered ticket's release leaves the unregistered count");
});

Deno.test("new connections per address: a burst passes, the next gets 429, time refills it", () => {
  const a = admission({ connectRate: { burst: 3, perSeconds: 3 } });
  for (let i = 0; i < 3; i++) ticket(a, "10.0.0.1").release();
  assert.deepEqual(said(a.admit("10.0.0.1", 0)), {
    code: 429,
    text: "Too many new connections from 10.0.0.1 (3 per 3 s)",
    pt: "Conexões novas demais vindas de 10.0.0.1 (3 a cada 3 s)",
  });
  ticket(a, "10.0.0.2");
  ticket(a, "10.0.0.1", 1000);
});

Deno.test("addresses with nothing open and full buckets are forgotten, so the table stays small", () => {
  const a = admission({ connectRate: { burst: 10, perSeconds: 1 } });
  for (let i = 0; i < 5000; i++) ticket(a, `10.1.${i >> 8}.${i & 255}`, i).release();
  assert.ok(a.addresses < 2100, `${a.addresses} addresses kept`);
});

Deno.test("every ticket of an address shares the address's command budget", () => {
  const a = admission({ addressCommands: { burst: 3, perSeconds: 3 } });
  const t1 = ticket(a, "10.0.0.1");
  const t2 = ticket(a, "10.0.0.1");
  assert.equal(t1.budget.command(0), undefined);
  assert.equal(t2.budget.command(0), undefined);
  assert.equal(t1.budget.command(0), undefined);
  assert.ok(t2.budget.command(0) !== undefined);
});
