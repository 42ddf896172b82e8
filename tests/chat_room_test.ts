/** Room: the application protocol without sockets. */

import assert from "node:assert/strict";
import { hasControl, Lobby, parseFlood, VERBS } from "../lib/chat/mod.ts";
import { onesSum } from "../lib/protocol/checksum.ts";
import { FakeClient, roomWithClients } from "./support/fake_client.ts";

const setup = roomWithClients;

Deno.test("Room registers a nickname with 200 and tells the others", () => {
  const { join } = setup();
  const ana = join("ana");
  assert.equal(
    ana.text(),
    "200 OK - Connected\nWelcome, ana! 1 user online. Type HELP for commands.\n",
  );
  ana.clear();
  const joao = join("João");
  assert.match(joao.text(), /^200 OK - Connected\nWelcome, João! 2 users online/);
  assert.equal(ana.text(), "*** João joined (2 online)\n");
});

Deno.test("Room refuses a taken nickname case-insensitively with 409 and closes", () => {
  const { join } = setup();
  join("João");
  const dup = join("joão");
  assert.equal(dup.text(), "409 Conflict\nNickname taken: joão\n");
  assert.ok(dup.closed);
});

Deno.test("Room refuses invalid nicknames with 400 and a full room with 503", () => {
  const { join } = setup({ maxClients: 1 });
  const bad = join("not valid");
  assert.match(bad.text(), /^400 Bad Request\nInvalid nickname: /);
  assert.ok(bad.closed);
  join("ana");
  const full = join("bia");
  assert.equal(full.text(), "503 Service Unavailable\nServer full (1 users)\n");
});

Deno.test("Room broadcasts MSG to everyone else with one shared byte array", () => {
  const { room, join } = setup();
  const [a, b, c] = [join("a"), join("b"), join("c")];
  for (const x of [a, b, c]) x.clear();
  room.input(a, "MSG Olá a todos", 1);
  assert.equal(a.text(), "200 OK\nMessage sent\n");
  assert.equal(b.text(), "[a]: Olá a todos\n");
  assert.equal(c.text(), "[a]: Olá a todos\n");
  assert.equal(b.sent[0], c.sent[0], "the same Uint8Array object");
});

Deno.test("Room LIST/WHO, NICK, PRIV, unknown verbs and QUIT", () => {
  const { room, join } = setup();
  const [a, b] = [join("ana"), join("bia")];
  a.clear();
  b.clear();
  room.input(a, "who", 1);
  assert.equal(a.text(), "200 OK - User List\nana, bia\n");
  a.clear();
  room.input(a, "PRIV BIA psst", 1);
  assert.equal(b.text(), "[ana -> bia]: psst\n");
  assert.equal(a.text(), "200 OK\nPrivate message sent to bia\n");
  a.clear();
  room.input(a, "PRIV nobody hi", 1);
  assert.equal(a.text(), "404 Not Found\nNo such user: nobody\n");
  a.clear();
  room.input(a, "PRIV bia", 1);
  assert.match(a.text(), /^400 Bad Request\n/);
  a.clear();
  b.clear();
  room.input(a, "NICK Ana2", 1);
  assert.equal(a.text(), "200 OK - Nickname changed\nYou are now Ana2\n");
  assert.equal(b.text(), "*** ana is now known as Ana2\n");
  a.clear();
  room.input(a, "NICK BIA", 1);
  assert.equal(a.text(), "409 Conflict\nNickname taken: BIA\n");
  assert.ok(!a.closed);
  a.clear();
  room.input(a, "TESTE", 1);
  assert.equal(a.text(), "404 Not Found\nUnknown command: TESTE\n");
  a.clear();
  b.clear();
  room.input(a, "QUIT", 1);
  assert.equal(a.text(), "200 OK - Disconnecting\nBye, Ana2\n");
  assert.ok(a.closed);
  assert.equal(b.text(), "*** Ana2 left (quit)\n");
  room.leave(a, "again");
  assert.equal(b.text(), "*** Ana2 left (quit)\n", "leave is idempotent");
});

Deno.test("Room rejects control characters so nobody forges a line", () => {
  const { room, join } = setup();
  const [a, b] = [join("a"), join("b")];
  b.clear();
  for (
    const evil of [
      "x\n[teacher]: hi",
      "x\r[teacher]: hi",
      "\x1b[2K[teacher]",
      "a\u2028b",
      "\u202eabc",
    ]
  ) {
    a.clear();
    room.input(a, `MSG ${evil}`, 1);
    assert.match(
      a.text(),
      /^400 Bad Request\nControl characters are not allowed: U\+[0-9A-F]{4}\n$/,
      JSON.stringify(evil),
    );
  }
  assert.equal(b.text(), "");
});

Deno.test("Room answers 413 over maxText and 429 past the flood limit", () => {
  const { room, join } = setup({ maxText: 100, flood: { burst: 10, perSeconds: 5 } });
  const [a] = [join("a"), join("b")];
  a.clear();
  room.input(a, `MSG ${"x".repeat(101)}`, 1);
  assert.equal(a.text(), "413 Payload Too Large\nMessage too long (101 bytes, max 100)\n");
  a.clear();
  for (let i = 0; i < 10; i++) room.input(a, `MSG ${i}`, 1000);
  assert.equal(a.text(), "200 OK\nMessage sent\n".repeat(10));
  a.clear();
  room.input(a, "MSG eleven", 1000);
  assert.equal(a.text(), "429 Too Many Requests\nSlow down: 10 messages per 5 s\n");
  a.clear();
  room.input(a, "MSG later", 1600); // 0.6 s refills 1.2 tokens
  assert.equal(a.text(), "200 OK\nMessage sent\n");
});

Deno.test("Room without a flood limit never answers 429", () => {
  const { room, join } = setup({ flood: null });
  const [a] = [join("a"), join("b")];
  a.clear();
  for (let i = 0; i < 500; i++) room.input(a, `MSG ${i}`, 0);
  assert.ok(!a.text().includes("429"));
});

Deno.test("Room shutdown sends 503 to everyone and closes them", () => {
  const { room, join } = setup();
  const [a, b] = [join("a"), join("b")];
  room.shutdown("maintenance");
  for (const c of [a, b]) {
    assert.match(c.text(), /503 Service Unavailable\nServer shutting down: maintenance\n$/);
    assert.ok(c.closed);
  }
});

Deno.test("HELP lists a user's verbs and an operator's all; STATS shows CPU to operators only", () => {
  const { room, join } = setup({ stats: () => ({ cpuUserMs: 1 }), operatorPassword: "pw" });
  const [a, b] = [join("a"), join("b")];
  const userVerbs = room.commands.all().filter((c) => !c.operator).flatMap((c) => [
    c.verb,
    ...c.aliases,
  ]);
  a.clear();
  room.input(a, "HELP", 0);
  for (const verb of userVerbs) assert.ok(a.text().includes(verb), verb);
  assert.ok(!a.text().includes("KICK"), "no operator verb for a user");
  a.clear();
  room.input(a, "STATS", 0);
  const [head, body] = a.text().split("\n");
  assert.equal(head, "200 OK - Stats");
  const facts = JSON.parse(body!);
  assert.equal(facts.users, 2);
  assert.equal(facts.rooms, 1);
  assert.equal(facts.room, "lobby");
  assert.equal(facts.limits.maxText, 32768);
  assert.equal(facts.cpuUserMs, undefined, "no CPU for a user");
  room.input(a, "OP pw", 0);
  a.clear();
  room.input(a, "HELP", 0);
  for (const verb of VERBS) assert.ok(a.text().includes(verb), verb);
  a.clear();
  room.input(a, "STATS", 0);
  assert.equal(JSON.parse(a.text().split("\n")[1]!).cpuUserMs, 1, "an operator sees it");
  for (const line of b.text().split("\n").filter((l) => l.startsWith("***"))) {
    assert.ok(!line.includes("]: "));
  }
});

Deno.test("parseFlood reads MSGS/SECONDS and off, and rejects the rest", () => {
  assert.deepEqual(parseFlood("10/5"), { burst: 10, perSeconds: 5 });
  assert.equal(parseFlood("off"), null);
  assert.throws(() => parseFlood("ten"), /MSGS\/SECONDS/);
  assert.throws(() => parseFlood("0/5"), /at least 1/);
});

Deno.test("Room announces joins, leaves and renames only up to announceMax users", () => {
  const { room, join } = setup({ announceMax: 3 });
  const ana = join("ana");
  join("bia");
  const cai = join("cai");
  assert.match(ana.text(), /\*\*\* cai joined \(3 online\)\n$/);
  ana.clear();
  const dan = join("dan"); // 4 users > 3: quiet
  dan.clear();
  room.input(cai, "NICK caio", 0);
  room.input(cai, "MSG still heard", 0);
  assert.equal(ana.text(), "[caio]: still heard\n", "chat lines still go to everyone");
  room.leave(dan, "quit"); // back to 3: announced again
  assert.equal(ana.text(), "[caio]: still heard\n*** dan left (quit)\n");
});

/** A client of a room whose turns end later, as a server's do: it takes runs of lines. */
class FollowerClient extends FakeClient {}

/**
 * A follower that wants pieces of at most 40 bytes with their sums (as a binary session wants
 * frame payloads); it checks every piece it is handed.
 */
class PieceClient extends FollowerClient {
  readonly logPieceMax = 40;
  override send(bytes: Uint8Array, sum?: number): void {
    if (sum !== undefined) {
      assert.equal(sum, onesSum(bytes), "the sum handed over with a piece");
      const lines = bytes.reduce((n, b) => n + (b === 0x0a ? 1 : 0), 0);
      assert.equal(bytes.at(-1), 0x0a, "a piece ends at a line end");
      assert.ok(bytes.length <= 40 || lines === 1, `${bytes.length} bytes in ${lines} lines`);
    }
    super.send(bytes);
  }
}

type ClientKind = "plain" | "follower" | "pieces";

/**
 * Runs a seeded random session with one kind of client, moving between three rooms; returns what
 * each one received. A "plain" lobby ends its turn after every broadcast (each line handed over
 * alone).
 */
function randomSession(seed: number, kind: ClientKind) {
  const turnEnd: (() => void)[] = [];
  const room = new Lobby({
    flood: null,
    endOfTurn: kind === "plain" ? (fn) => fn() : (fn) => turnEnd.push(fn),
  });
  const endTurn = () => {
    for (const fn of turnEnd.splice(0)) fn();
  };
  let a = seed >>> 0;
  const rnd = () => {
    a = (Math.imul(a, 1664525) + 1013904223) >>> 0;
    return a / 4294967296;
  };
  const clients: FakeClient[] = [];
  for (let step = 0; step < 400; step++) {
    const r = rnd();
    if (r < 0.1 || clients.length < 2) {
      const id = clients.length + 1;
      const c = kind === "plain"
        ? new FakeClient(id)
        : kind === "follower"
        ? new FollowerClient(id)
        : new PieceClient(id);
      clients.push(c);
      room.connect(c);
      room.input(c, `u${c.id}`, step);
    } else {
      const c = clients[Math.floor(rnd() * clients.length)]!;
      if (c.closed) continue;
      const k = rnd();
      const line = k < 0.5
        ? `MSG hello ${"é".repeat(Math.floor(rnd() * 3))}${"x".repeat(Math.floor(rnd() * 40))}`
        : k < 0.6
        ? `PRIV u${1 + Math.floor(rnd() * clients.length)} psst ${step}`
        : k < 0.65
        ? "LIST"
        : k < 0.72
        ? `NICK n${step}`
        : k < 0.82
        ? `JOIN ${["lobby", "r1", "r2"][Math.floor(rnd() * 3)]}`
        : k < 0.87
        ? `ME waves ${step}`
        : k < 0.93
        ? "QUIT"
        : "BOGUS";
      room.input(c, line, step);
    }
    if (rnd() < 0.3) endTurn();
  }
  endTurn();
  room.shutdown("over");
  return clients.map((c) => ({ text: c.text(), pieces: c.sent.length }));
}

Deno.test("log followers receive exactly what plain clients receive, in the same order (seeded)", () => {
  for (const seed of [1, 2, 3, 42, 1234]) {
    const plain = randomSession(seed, "plain");
    const followed = randomSession(seed, "follower");
    const pieced = randomSession(seed, "pieces");
    assert.equal(followed.length, plain.length);
    assert.equal(pieced.length, plain.length);
    for (let i = 0; i < plain.length; i++) {
      assert.equal(followed[i]!.text, plain[i]!.text, `seed ${seed}, client ${i + 1}`);
      assert.equal(pieced[i]!.text, plain[i]!.text, `seed ${seed}, client ${i + 1}, pieces`);
    }
    const all = plain.map((c) => c.text).join("");
    assert.match(all, /You are in r1 /, "members moved between rooms");
    assert.match(all, /\n\(\d\d:\d\d:\d\d\) \[/, "and were given history");
    const pieces = (r: { pieces: number }[]) => r.reduce((s, x) => s + x.pieces, 0);
    assert.ok(
      pieces(followed) < pieces(plain),
      `followers take runs of lines at once: ${pieces(followed)} vs ${pieces(plain)} sends`,
    );
  }
});

Deno.test("a follower gets the turn's other lines at the end of the turn or before its own output", () => {
  const turnEnd: (() => void)[] = [];
  const room = new Lobby({ flood: null, endOfTurn: (fn) => turnEnd.push(fn) });
  const ana = new FollowerClient(1);
  const bia = new FollowerClient(2);
  for (const [c, nick] of [[ana, "ana"], [bia, "bia"]] as const) {
    room.connect(c);
    room.input(c, nick, 0);
  }
  for (const fn of turnEnd.splice(0)) fn();
  ana.clear();
  bia.clear();
  room.input(ana, "MSG one", 1);
  room.input(bia, "MSG two", 1);
  room.input(ana, "MSG three", 1);
  // Its own message first hands a follower the lines before it (the order stays), then skips it.
  assert.equal(bia.text(), "[ana]: one\n200 OK\nMessage sent\n");
  assert.equal(ana.text(), "200 OK\nMessage sent\n[bia]: two\n200 OK\nMessage sent\n");
  for (const fn of turnEnd.splice(0)) fn();
  assert.equal(bia.text(), "[ana]: one\n200 OK\nMessage sent\n[ana]: three\n");
  assert.equal(ana.text(), "200 OK\nMessage sent\n[bia]: two\n200 OK\nMessage sent\n");
});

Deno.test("hasControl finds C0, DEL, C1 and line/bidi controls anywhere, and nothing else", () => {
  for (const c of ["\x00", "\t", "\x1b", "\x1f", "\x7f", "\x80", "\x9f", "\u2028", "\u2029"]) {
    for (const text of [c, `ok${c}`, `${c}ok`, `é${c}`, `😀 ${c} x`]) {
      assert.ok(hasControl(text), JSON.stringify(text));
    }
  }
  for (const c of ["\u202a", "\u202e", "\u2066", "\u2069"]) assert.ok(hasControl(`a${c}b`));
  for (const text of ["", "hello, world ~!", "olá, ação", "日本語", "😀", "\u00a0", "\u202f x"]) {
    assert.equal(hasControl(text), false, JSON.stringify(text));
  }
});

Deno.test("a member's chat lines carry its current nickname after a rename", () => {
  const { room, join } = setup({ flood: null });
  const ana = join("ana");
  const bia = join("bia");
  ana.clear();
  room.input(bia, "MSG one", 0);
  room.input(bia, "NICK beatriz", 0);
  room.input(bia, "MSG two", 0);
  assert.equal(
    ana.text(),
    "[bia]: one\n*** bia is now known as beatriz\n[beatriz]: two\n",
  );
});
