/**
 * The command budget (per connection and per address), the room's output budget, and the room
 * answering over-budget commands: 429, and a connection that will not stop is closed.
 */

import assert from "node:assert/strict";
import { Lobby, parseRate, TokenBucket } from "../lib/chat/mod.ts";
import { AddressBudget, ConnectionBudget, RoomOutput } from "../lib/chat/limits.ts";
import { SERVER_TEXT } from "../lib/chat/messages.ts";
import { SERVER_TEXT_PT_BR } from "../lib/chat/messages_pt_br.ts";
import { FakeClient, roomWithClients } from "./support/fake_client.ts";

const LIMITS = {
  commands: { burst: 5, perSeconds: 5 },
  addressCommands: { burst: 8, perSeconds: 8 },
  addressFlood: { burst: 3, perSeconds: 3 },
};

Deno.test("a connection's budget refuses past its burst and refills with time", () => {
  const address = new AddressBudget(LIMITS, 0);
  const b = new ConnectionBudget(address, 0);
  for (let i = 0; i < 5; i++) assert.equal(b.command(0), undefined);
  const refused = b.command(0)!;
  assert.equal(refused.close, false);
  assert.equal(refused.say(SERVER_TEXT), "Slow down: 5 commands per 5 s");
  assert.equal(refused.say(SERVER_TEXT_PT_BR), "Mais devagar: 5 comandos a cada 5 s");
  assert.equal(b.command(1000), undefined, "one token back after a second");
});

Deno.test("a connection that sends its whole burst again while refused is to be closed", () => {
  const b = new ConnectionBudget(new AddressBudget(LIMITS, 0), 0);
  for (let i = 0; i < 5; i++) b.command(0);
  const refusals = Array.from({ length: 6 }, () => b.command(0)!);
  assert.deepEqual(refusals.map((r) => r.close), [false, false, false, false, false, true]);
  assert.match(refusals[5]!.say(SERVER_TEXT), /^Excess flood: 6 commands refused in a row$/);
});

Deno.test("connections of one address share its budget; another address has its own", () => {
  const a = new AddressBudget(LIMITS, 0);
  const conns = [new ConnectionBudget(a, 0), new ConnectionBudget(a, 0)];
  let allowed = 0;
  for (let i = 0; i < 10; i++) if (conns[i % 2]!.command(0) === undefined) allowed++;
  assert.equal(allowed, 8, "the address's 8, though each connection may send 5");
  assert.match(conns[0]!.command(0)!.say(SERVER_TEXT), /from your address|commands per 5 s/);
  const other = new ConnectionBudget(new AddressBudget(LIMITS, 0), 0);
  assert.equal(other.command(0), undefined);
});

Deno.test("broadcasts of an address share its flood bucket", () => {
  const a = new AddressBudget(LIMITS, 0);
  const b = new ConnectionBudget(a, 0);
  const c = new ConnectionBudget(a, 0);
  assert.equal(b.broadcast(0), undefined);
  assert.equal(c.broadcast(0), undefined);
  assert.equal(b.broadcast(0), undefined);
  const refused = c.broadcast(0)!;
  assert.equal(refused.say(SERVER_TEXT), "Slow down: 3 messages per 3 s from your address");
  assert.equal(
    refused.say(SERVER_TEXT_PT_BR),
    "Mais devagar: 3 mensagens a cada 3 s vindas do seu endereço",
  );
  assert.equal(a.idle(10_000), true, "full again after a while: the address can be forgotten");
});

Deno.test("a limit turned off never refuses", () => {
  const b = new ConnectionBudget(
    new AddressBudget({ commands: null, addressCommands: null, addressFlood: null }, 0),
    0,
  );
  for (let i = 0; i < 10_000; i++) assert.equal(b.command(0), undefined);
  assert.equal(b.broadcast(0), undefined);
});

Deno.test("parseRate reads N/SECONDS and off, and names the flag in its error", () => {
  assert.deepEqual(parseRate("100/5", "--commands"), { burst: 100, perSeconds: 5 });
  assert.equal(parseRate("off", "--commands"), null);
  assert.throws(() => parseRate("100", "--commands"), /--commands must be N\/SECONDS or off: 100/);
  assert.throws(() => parseRate("0/5", "--commands"), /--commands/);
});

Deno.test("TokenBucket.full says when the bucket refilled", () => {
  const t = new TokenBucket({ burst: 2, perSeconds: 2 }, 0);
  assert.equal(t.full(0), true);
  t.take(0);
  assert.equal(t.full(500), false);
  assert.equal(t.full(1000), true);
});

Deno.test("the room's output budget refuses costly lines past it, never short ones", () => {
  const out = new RoomOutput({ bytesPerSecond: 1_000_000, burstSeconds: 1, small: 64 * 1024 }, 0);
  // 1500-byte lines to 400 members: 600 KB each; one fits in the budget, the second does not.
  assert.equal(out.take(1500, 400, 0), true);
  assert.equal(out.take(1500, 400, 0), false);
  // A short line in the same room (40 bytes to 400: 16 KB) always passes.
  for (let i = 0; i < 100; i++) assert.equal(out.take(40, 400, 0), true);
  assert.equal(out.take(1500, 400, 2000), true, "refilled after two seconds");
});

Deno.test("the room's output budget lets a burst of its seconds' worth through at once", () => {
  const out = new RoomOutput({ bytesPerSecond: 1_000_000, burstSeconds: 4, small: 64 * 1024 }, 0);
  // 600 KB lines: six pass at once (3.6 MB of 4 MB), the seventh does not.
  for (let i = 0; i < 6; i++) assert.equal(out.take(1500, 400, 0), true, `line ${i}`);
  assert.equal(out.take(1500, 400, 0), false);
  // Refilled at 1 MB/s, never beyond the burst: after a minute, six again and no more.
  for (let i = 0; i < 6; i++) assert.equal(out.take(1500, 400, 60_000), true);
  assert.equal(out.take(1500, 400, 60_000), false);
});

function budgeted(id: number, address: AddressBudget, now = 0): FakeClient {
  const c = new FakeClient(id);
  Object.defineProperty(c, "budget", { value: new ConnectionBudget(address, now) });
  return c;
}

Deno.test("the room answers a command over budget with 429 and closes one that will not stop", () => {
  const room = new Lobby({ flood: null, endOfTurn: (fn) => fn() });
  const a = budgeted(1, new AddressBudget(LIMITS, 0));
  room.connect(a);
  room.input(a, "ana", 0);
  for (let i = 0; i < 4; i++) room.input(a, "LIST", 0);
  room.input(a, "LIST", 0);
  assert.match(a.text(), /429 Too Many Requests\nSlow down: 5 commands per 5 s\n$/);
  assert.equal(a.closed, false);
  for (let i = 0; i < 5; i++) room.input(a, "STATS", 0);
  assert.equal(a.closed, true, "closed after its burst again while refused");
  assert.equal(room.size, 0);
});

Deno.test("NICK pays the flood bucket: a quick rename passes, a rename flood gets 429", () => {
  const { room, join } = roomWithClients({ flood: { burst: 3, perSeconds: 5 } });
  const a = join("ana");
  const w = join("wit");
  w.clear();
  for (let i = 0; i < 10; i++) room.input(a, `NICK ana${i}`, 0);
  assert.equal(a.text().match(/200 OK - Nickname changed/g)?.length, 3);
  assert.equal(a.text().match(/429 Too Many Requests/g)?.length, 7);
  assert.equal(w.text().match(/is now known as/g)?.length, 3, "three notices, not ten");
});

Deno.test("LIMITS answers one line of JSON with the limits the room was given", () => {
  const { room, join } = roomWithClients({ limits: () => ({ flood: "10/5", perAddress: 100 }) });
  const a = join("ana");
  a.clear();
  room.input(a, "LIMITS", 0);
  const [status, body] = a.text().split("\n");
  assert.equal(status, "200 OK - Limits");
  assert.deepEqual(JSON.parse(body!), { flood: "10/5", perAddress: 100 });
});
