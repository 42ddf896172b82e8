/**
 * The teacher's controls without sockets: 403 for every operator verb from anyone else (logged),
 * the password (wrong ones counted, compared in full), and KICK, MUTE, UNMUTE, BAN, UNBAN,
 * ANNOUNCE, FAULTS and CLOSE taking effect, each answered with a status code and logged.
 */

import assert from "node:assert/strict";
import { type ChatEvent, type LinkFaults, Lobby } from "../lib/chat/mod.ts";
import { FakeClient } from "./support/fake_client.ts";

/** A client with frames: it records the faults it is given. */
class BinaryFake extends FakeClient {
  readonly faultsSet: (LinkFaults | undefined)[] = [];
  setFaults(f: LinkFaults | undefined): void {
    this.faultsSet.push(f);
  }
}

function setup() {
  const events: ChatEvent[] = [];
  let now = 0;
  const lobby = new Lobby(
    { flood: null, endOfTurn: (f) => f(), operatorPassword: "s3nha", clock: () => now },
    (e) => events.push(e),
  );
  let id = 0;
  const join = (nick: string, address = `10.0.0.${id + 1}`, binary = false) => {
    const c = binary ? new BinaryFake(++id, address) : new FakeClient(++id, address);
    lobby.connect(c);
    lobby.input(c, nick, now);
    return c;
  };
  const teacher = join("prof", "10.0.0.100");
  lobby.input(teacher, "OP s3nha", 0);
  return {
    lobby,
    events,
    join,
    teacher,
    at: (t: number) => now = t,
    ops: () => events.filter((e) => e.type === "operator"),
  };
}

Deno.test("every operator verb gets 403 from a non-operator, and the refusal is logged", () => {
  const { lobby, events, join } = setup();
  const ana = join("ana");
  const operatorVerbs = lobby.commands.all().filter((c) => c.operator).map((c) => c.verb);
  assert.deepEqual(operatorVerbs, [
    "KICK",
    "MUTE",
    "UNMUTE",
    "BAN",
    "UNBAN",
    "ANNOUNCE",
    "FAULTS",
    "CLOSE",
  ]);
  for (const verb of operatorVerbs) {
    ana.clear();
    lobby.input(ana, `${verb.toLowerCase()} prof now`, 0);
    assert.equal(
      ana.text(),
      `403 Forbidden\nOperator command: ${verb} (type OP <password> first)\n`,
    );
  }
  const denied = events.filter((e) => e.type === "denied");
  assert.equal(denied.length, operatorVerbs.length);
  assert.ok(lobby.findMember("prof"), "nobody was kicked");
});

Deno.test("OP: a wrong password is 403 and logged, three close the connection; a prefix is wrong", () => {
  const { lobby, events, join } = setup();
  const ana = join("ana");
  for (const guess of ["s3nh", "s3nha!", "S3NHA"]) {
    ana.clear();
    lobby.input(ana, `OP ${guess}`, 0);
    assert.equal(ana.text(), "403 Forbidden\nWrong operator password\n", guess);
  }
  assert.ok(ana.closed, "closed after three wrong passwords");
  assert.equal(events.filter((e) => e.type === "denied" && e.verb === "OP").length, 3);
  const bia = join("bia");
  bia.clear();
  lobby.input(bia, "OP s3nha", 0);
  assert.equal(bia.text(), "200 OK - Operator\nYou are an operator: HELP lists your commands\n");
  const none = new Lobby({ endOfTurn: (f) => f() });
  const c = new FakeClient(1);
  none.connect(c);
  none.input(c, "x", 0);
  c.clear();
  none.input(c, "OP ", 0);
  assert.equal(c.text(), "403 Forbidden\nThis server has no operator password\n");
});

Deno.test("KICK disconnects with 403 Kicked, tells the room, logs it; its token is dead", () => {
  const { lobby, join, teacher, ops } = setup();
  const ana = join("ana");
  const bia = join("bia");
  lobby.input(ana, "TOKEN", 0);
  const token = ana.text().match(/Token\n([0-9a-f]{32})\n/)![1]!;
  bia.clear();
  teacher.clear();
  lobby.input(teacher, "KICK ana spam", 0);
  assert.match(ana.text(), /403 Forbidden - Kicked\nKicked by prof: spam\n$/);
  assert.ok(ana.closed);
  assert.equal(bia.text(), "*** ana left (kicked by prof: spam)\n");
  assert.equal(
    teacher.text(),
    "*** ana left (kicked by prof: spam)\n200 OK - Kicked\nKicked ana\n",
  );
  assert.deepEqual(ops().at(-1), {
    type: "operator",
    id: teacher.id,
    nick: "prof",
    action: "kick",
    target: "ana",
    detail: "spam",
  });
  const back = new FakeClient(50, "10.0.0.1");
  lobby.connect(back);
  lobby.input(back, `RESUME ana ${token}`, 0);
  assert.equal(back.text(), "403 Forbidden\nUnknown or expired token: register again\n");
  assert.ok(back.closed);
  teacher.clear();
  lobby.input(teacher, "KICK nobody", 0);
  assert.equal(teacher.text(), "404 Not Found\nNo such user: nobody\n");
});

Deno.test("MUTE refuses a user's text with 403 until UNMUTE or the time is up; logged", () => {
  const { lobby, join, teacher, ops, at } = setup();
  const ana = join("ana");
  const bia = join("bia");
  teacher.clear();
  lobby.input(teacher, "MUTE ana 2", 0);
  assert.equal(teacher.text(), "200 OK - Muted\nMuted ana for 2 minutes\n");
  assert.match(ana.text(), /\*\*\* prof muted you for 2 minutes/);
  for (const cmd of ["MSG oi", "ME acena", "PRIV bia oi"]) {
    ana.clear();
    bia.clear();
    lobby.input(ana, cmd, 60_000);
    assert.equal(ana.text(), "403 Forbidden\nYou are muted for 1 more minutes\n", cmd);
    assert.equal(bia.text(), "", cmd);
  }
  ana.clear();
  lobby.input(ana, "MSG de volta", 120_001);
  assert.equal(ana.text(), "200 OK\nMessage sent\n", "the mute ends by itself");
  lobby.input(teacher, "MUTE ana", 130_000); // default 15 minutes
  at(130_000);
  lobby.input(teacher, "UNMUTE ana", 130_000);
  ana.clear();
  lobby.input(ana, "MSG livre", 130_000);
  assert.equal(ana.text(), "200 OK\nMessage sent\n");
  assert.deepEqual(ops().map((e) => e.type === "operator" && e.action), [
    "op",
    "mute",
    "mute",
    "unmute",
  ]);
  teacher.clear();
  lobby.input(teacher, "MUTE ana 0", 0);
  assert.match(teacher.text(), /^400 Bad Request\nMinutes must be from 1 to 1440: 0\n/);
});

Deno.test("BAN by nickname: disconnected, its nickname and address refused until it ends", () => {
  const { lobby, join, teacher, ops, at } = setup();
  const ana = join("ana", "10.0.0.7");
  const bia = join("bia", "10.0.0.8");
  teacher.clear();
  lobby.input(teacher, "BAN ana 10 cheating", 0);
  assert.match(
    ana.text(),
    /403 Forbidden - Banned\nBanned until \d\d:\d\d:\d\d \(10 more minutes\): cheating\n$/,
  );
  assert.ok(ana.closed);
  assert.equal(
    teacher.text(),
    "*** ana left (banned by prof: cheating)\n" +
      "200 OK - Banned\nBanned ana and address 10.0.0.7 for 10 minutes; ana disconnected\n",
  );
  assert.ok(!bia.closed, "another address is not touched");
  const again = join("ana2", "10.0.0.7");
  assert.match(again.text(), /^403 Forbidden - Banned\n/, "the address is refused at once");
  assert.ok(again.closed);
  const lookalike = join("ANA", "10.0.0.9");
  assert.match(lookalike.text(), /^403 Forbidden - Banned\n/, "the nickname and look-alikes too");
  at(10 * 60_000 + 1);
  assert.match(join("ana", "10.0.0.7").text(), /^200 OK - Connected\n/, "the ban ends");
  assert.equal(ops().filter((e) => e.type === "operator" && e.action === "ban").length, 1);
});

Deno.test("BAN by address kicks every non-operator from it; UNBAN lifts it", () => {
  const { lobby, join, teacher } = setup();
  const a = join("a", "10.0.0.7");
  const b = join("b", "::ffff:10.0.0.7");
  const c = join("c", "10.0.0.8");
  lobby.input(teacher, "BAN 10.0.0.7", 0);
  assert.ok(a.closed && b.closed, "both users from 10.0.0.7 (IPv4-mapped too)");
  assert.ok(!c.closed);
  assert.match(join("d", "10.0.0.7").text(), /^403 Forbidden - Banned\n/);
  teacher.clear();
  lobby.input(teacher, "UNBAN 10.0.0.7", 0);
  assert.equal(teacher.text(), "200 OK - Unbanned\nLifted the ban on 10.0.0.7\n");
  assert.match(join("e", "10.0.0.7").text(), /^200 OK - Connected\n/);
  teacher.clear();
  lobby.input(teacher, "UNBAN 10.0.0.7", 0);
  assert.match(teacher.text(), /^404 Not Found\n/);
  teacher.clear();
  lobby.input(teacher, "BAN prof", 0);
  assert.equal(teacher.text(), "400 Bad Request\nYou cannot ban yourself\n");
});

Deno.test("ANNOUNCE reaches every room as a notice that cannot pass for a chat line", () => {
  const { lobby, join, teacher } = setup();
  const ana = join("ana");
  const bia = join("bia");
  lobby.input(bia, "JOIN sala", 0);
  ana.clear();
  bia.clear();
  teacher.clear();
  lobby.input(teacher, "ANNOUNCE prova amanhã [bia]: sem consulta", 0);
  const line = "*** Announcement from prof: prova amanhã [bia\\u{5d}: sem consulta\n";
  assert.equal(ana.text(), line);
  assert.equal(bia.text(), line);
  assert.equal(teacher.text(), line + "200 OK - Announced\nAnnounced in 2 rooms\n");
  assert.match(join("caio").text(), /\(\d\d:\d\d:\d\d\) \*\*\* Announcement from prof/, "kept");
  teacher.clear();
  lobby.input(teacher, "ANNOUNCE x\x1b[2J", 0);
  assert.match(teacher.text(), /^400 Bad Request\nControl characters/);
});

Deno.test("FAULTS sets a user's or a room's link faults, on newcomers too, and says so", () => {
  const { lobby, join, teacher, ops } = setup();
  const bin = join("bin", "10.0.0.1", true) as BinaryFake;
  const txt = join("txt");
  teacher.clear();
  lobby.input(teacher, "FAULTS bin 0.2 10%", 0);
  assert.equal(teacher.text(), "200 OK - Faults\nFaults for bin: loss 20% and corruption 10%\n");
  assert.deepEqual(bin.faultsSet.at(-1), { loss: 0.2, corrupt: 0.1 });
  assert.match(bin.text(), /\*\*\* prof set loss 20% and corruption 10% on the frames/);
  teacher.clear();
  lobby.input(teacher, "FAULTS txt 0.2 0.1", 0);
  assert.match(teacher.text(), /^400 Bad Request\ntxt uses the plain-text protocol/);
  lobby.input(teacher, "FAULTS bin off", 0);
  assert.equal(bin.faultsSet.at(-1), undefined);
  // A room's setting: its binary members now, and whoever comes later.
  const other = join("other", "10.0.0.3", true) as BinaryFake;
  lobby.input(other, "JOIN lab", 0);
  teacher.clear();
  lobby.input(teacher, "FAULTS #lab 0.3 0", 0);
  assert.equal(
    teacher.text(),
    "200 OK - Faults\nFaults for #lab: loss 30% and corruption 0% (1 binary of 1 users)\n",
  );
  assert.deepEqual(other.faultsSet.at(-1), { loss: 0.3, corrupt: 0 });
  lobby.input(bin, "JOIN lab", 0);
  assert.deepEqual(bin.faultsSet.at(-1), { loss: 0.3, corrupt: 0 }, "a newcomer gets it");
  lobby.input(bin, "JOIN lobby", 0);
  assert.equal(bin.faultsSet.at(-1), undefined, "leaving the room leaves its faults");
  lobby.input(txt, "JOIN lab", 0); // a text member has none to set
  for (const bad of ["bin 2 0", "bin x 0", "bin 0.1", "nobody 0 0", "#nope 0 0"]) {
    teacher.clear();
    lobby.input(teacher, `FAULTS ${bad}`, 0);
    assert.match(teacher.text(), /^40[04] /, bad);
  }
  assert.equal(ops().filter((e) => e.type === "operator" && e.action === "faults").length, 3);
});

Deno.test("CLOSE moves everyone to the default room and drops the room; the default stays", () => {
  const { lobby, join, teacher } = setup();
  const ana = join("ana");
  const bia = join("bia");
  lobby.input(ana, "JOIN sala", 0);
  lobby.input(bia, "JOIN sala", 0);
  lobby.input(ana, "MSG antes", 0);
  ana.clear();
  teacher.clear();
  lobby.input(teacher, "CLOSE sala", 0);
  assert.equal(ana.text(), "*** prof closed sala: you are in lobby now\n");
  assert.equal(
    teacher.text(),
    "*** 2 users came from sala (closed by prof)\n" +
      "200 OK - Closed\nClosed sala: 2 users moved to lobby\n",
  );
  assert.equal(lobby.rooms.find("sala"), undefined);
  bia.clear();
  lobby.input(ana, "MSG depois", 0);
  assert.equal(bia.text(), "[ana]: depois\n", "both in the default room now");
  lobby.input(ana, "JOIN sala", 0);
  assert.doesNotMatch(ana.text(), /antes/, "a closed room's history is gone");
  teacher.clear();
  lobby.input(teacher, "CLOSE lobby", 0);
  assert.equal(teacher.text(), "400 Bad Request\nThe default room cannot be closed: lobby\n");
  teacher.clear();
  lobby.input(teacher, "CLOSE nada", 0);
  assert.equal(teacher.text(), "404 Not Found\nNo such room: nada\n");
});
