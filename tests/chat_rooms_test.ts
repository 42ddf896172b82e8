/**
 * Rooms without sockets: a line, a notice or a history line of one room reaches nobody in
 * another; LIST, ROOMS, JOIN before the nickname, room names like nicknames (look-alikes are one
 * room), bounded rooms, a JOIN flood limited as MSG is; history on join (20 lines, marked, bounded,
 * per room, off), actions (`ME`) that cannot pass for another's line.
 */

import assert from "node:assert/strict";
import { History, Lobby, validateRoomName } from "../lib/chat/mod.ts";
import { ServerLineParser } from "../lib/client/server_lines.ts";
import { FakeClient, roomWithClients } from "./support/fake_client.ts";

const HISTORY_LINE = /^\(\d\d:\d\d:\d\d\) /;

Deno.test("a line in one room reaches nobody in another; notices stay in their room", () => {
  const { lobby, join } = roomWithClients({ flood: null });
  const [ana, bia, caio, dani] = [join("ana"), join("bia"), join("caio"), join("dani")];
  lobby.input(caio, "JOIN sala", 0);
  lobby.input(dani, "JOIN #Sala", 0); // a leading # and another case: the same room
  for (const c of [ana, bia, caio, dani]) c.clear();
  lobby.input(ana, "MSG só no lobby", 1);
  lobby.input(caio, "MSG só na sala", 1);
  assert.equal(bia.text(), "[ana]: só no lobby\n");
  assert.equal(dani.text(), "[caio]: só na sala\n");
  assert.doesNotMatch(ana.text() + bia.text(), /sala\n/);
  assert.doesNotMatch(caio.text() + dani.text(), /lobby\n/);
  for (const c of [ana, bia, caio, dani]) c.clear();
  lobby.input(dani, "NICK daniela", 1);
  assert.equal(caio.text(), "*** dani is now known as daniela\n");
  assert.equal(ana.text() + bia.text(), "", "a rename is told in its room only");
  lobby.input(bia, "QUIT", 1);
  assert.equal(ana.text(), "*** bia left (quit)\n");
  assert.equal(caio.text(), "*** dani is now known as daniela\n", "a leave too");
  lobby.input(ana, "PRIV caio oi", 1);
  assert.match(caio.text(), /\[ana -> caio\]: oi\n$/, "private messages cross rooms");
});

Deno.test("JOIN moves a member: replies, notices in both rooms, LIST and ROOMS per room", () => {
  const { lobby, join } = roomWithClients({ flood: null });
  const [ana, bia] = [join("ana"), join("bia")];
  ana.clear();
  bia.clear();
  lobby.input(bia, "JOIN sala", 0);
  assert.equal(bia.text(), "200 OK - Joined\nYou are in sala (1 user)\n");
  assert.equal(ana.text(), "*** bia left (joined sala)\n");
  ana.clear();
  lobby.input(ana, "JOIN SALA", 0);
  assert.equal(bia.text().split("\n").at(-2), "*** ana joined (2 online)");
  ana.clear();
  lobby.input(ana, "LIST", 0);
  assert.equal(ana.text(), "200 OK - User List\nbia, ana\n");
  ana.clear();
  lobby.input(ana, "ROOMS", 0);
  assert.equal(ana.text(), "200 OK - Room List\nlobby (0), sala (2)\n");
  ana.clear();
  lobby.input(ana, "JOIN sala", 0);
  assert.equal(ana.text(), "200 OK - Joined\nYou are in sala (2 users)\n", "already there");
  lobby.input(ana, "JOIN lobby", 0);
  lobby.input(bia, "JOIN lobby", 0);
  ana.clear();
  lobby.input(ana, "ROOMS", 0);
  assert.equal(ana.text(), "200 OK - Room List\nlobby (2)\n", "an empty room is dropped");
});

Deno.test("room names follow the nickname rules and look-alikes are one room", () => {
  const { lobby, join } = roomWithClients({ flood: null });
  const [ana, bia] = [join("ana"), join("bia")];
  lobby.input(ana, "JOIN sala", 0);
  // Cyrillic ѕ and а, fullwidth, another case: all the room ana is in.
  for (const name of ["\u0455\u0430l\u0430", "ｓａｌａ", "SALA", "sala\u200b"]) {
    bia.clear();
    lobby.input(bia, `JOIN ${name}`, 0);
    assert.match(
      bia.text(),
      /^200 OK - Joined\nYou are in sala \(2 users\)\n/,
      JSON.stringify(name),
    );
    lobby.input(bia, "JOIN lobby", 0);
  }
  for (const bad of ["", "a b", "x\x1b[2J", "\u202eevil", "-x", "a".repeat(33), "\u3164"]) {
    bia.clear();
    lobby.input(bia, `JOIN ${bad}`, 0);
    assert.match(bia.text(), /^400 Bad Request\n/, JSON.stringify(bad));
  }
  assert.equal(validateRoomName("#turma-1").ok, true);
  assert.equal(validateRoomName("turma.1").ok, false);
});

Deno.test("JOIN before the nickname registers straight into the room; the lobby hears nothing", () => {
  const { lobby, join } = roomWithClients({ flood: null });
  const ana = join("ana");
  ana.clear();
  const bot = new FakeClient(99);
  lobby.connect(bot);
  lobby.input(bot, "JOIN bench-1", 0);
  assert.equal(bot.text(), "200 OK - Joined\nYou will be in bench-1 once registered\n");
  lobby.input(bot, "bot", 0);
  assert.match(bot.text(), /200 OK - Connected\nWelcome, bot! 2 users online/);
  assert.equal(ana.text(), "", "no join notice in the lobby");
  lobby.input(bot, "LIST", 0);
  assert.match(bot.text(), /200 OK - User List\nbot\n$/);
  const bad = new FakeClient(100);
  lobby.connect(bad);
  lobby.input(bad, "JOIN a b", 0);
  assert.match(bad.text(), /^400 Bad Request\nInvalid room name: /);
  assert.ok(!bad.closed, "still registering: the nickname may come");
  lobby.input(bad, "carla", 0);
  assert.match(bad.text(), /200 OK - Connected/);
});

Deno.test("a JOIN flood is limited like MSG: 429 past the bucket, and rooms stay bounded", () => {
  const { lobby, join } = roomWithClients({ flood: { burst: 10, perSeconds: 5 }, maxRooms: 3 });
  const mallory = join("mallory");
  const other = join("other");
  lobby.input(other, "JOIN keep", 0);
  mallory.clear();
  for (let i = 0; i < 50; i++) lobby.input(mallory, `JOIN r${i}`, 0);
  const codes = [...mallory.text().matchAll(/^(\d{3}) /gm)].map((m) => Number(m[1]));
  assert.deepEqual(codes.slice(0, 10), Array(10).fill(200), "ten pass");
  assert.deepEqual(codes.slice(10), Array(40).fill(429), "forty are refused");
  assert.ok(lobby.rooms.size <= 3, `${lobby.rooms.size} rooms`);
  mallory.clear();
  lobby.input(mallory, "MSG still limited", 0);
  assert.match(mallory.text(), /^429 /, "JOIN and MSG share one bucket");
  const full = roomWithClients({ flood: null, maxRooms: 2 });
  const [a, b] = [full.join("a"), full.join("b")];
  full.lobby.input(a, "JOIN one", 0);
  b.clear();
  full.lobby.input(b, "JOIN two", 0);
  assert.equal(b.text(), "503 Service Unavailable\nToo many rooms (2)\n");
  a.clear();
  full.lobby.input(a, "JOIN three", 0);
  assert.match(a.text(), /^200 OK - Joined\n/, "alone in its room, a may swap it for another");
});

Deno.test("a newcomer gets the room's last 20 lines, marked as history, in order", () => {
  const { lobby, join } = roomWithClients({ flood: null });
  const ana = join("ana");
  const bia = join("bia");
  lobby.input(bia, "JOIN sala", 0);
  for (let i = 1; i <= 25; i++) lobby.input(ana, `MSG linha ${i}`, i * 1000);
  lobby.input(bia, "MSG só na sala", 30_000);
  const caio = join("caio");
  const lines = caio.text().split("\n").filter((l) => HISTORY_LINE.test(l));
  assert.equal(lines.length, 20);
  assert.deepEqual(
    lines.map((l) => l.replace(HISTORY_LINE, "")),
    Array.from({ length: 20 }, (_, i) => `[ana]: linha ${i + 6}`),
  );
  assert.match(caio.text(), /^200 OK - Connected\n[^\n]*\n\(/, "the history follows the welcome");
  const parser = new ServerLineParser();
  const events = caio.text().trimEnd().split("\n").map((l) => parser.line(l)).filter((e) => e);
  assert.equal(events.filter((e) => e!.kind === "chat").length, 0, "no history line is new chat");
  const h = events.find((e) => e!.kind === "history");
  assert.ok(h?.kind === "history" && h.said.kind === "chat" && h.said.from === "ana");
  caio.clear();
  lobby.input(caio, "JOIN sala", 0);
  assert.match(caio.text(), /^200 OK - Joined\n[^\n]*\n\(\d\d:\d\d:\d\d\) \[bia\]: só na sala\n$/);
});

Deno.test("history keeps chat and actions, not notices; 0 turns it off; its bytes are bounded", () => {
  const { lobby, join } = roomWithClients({ flood: null });
  const ana = join("ana");
  join("bia").close();
  lobby.input(ana, "ME waves", 0);
  lobby.input(ana, "NICK ana2", 0);
  const caio = join("caio");
  const history = caio.text().split("\n").filter((l) => HISTORY_LINE.test(l));
  assert.deepEqual(history.map((l) => l.replace(HISTORY_LINE, "")), ["* ana waves"]);
  const off = roomWithClients({ flood: null, history: 0 });
  const x = off.join("x");
  off.lobby.input(x, "MSG hello", 0);
  assert.doesNotMatch(off.join("y").text(), /\(\d\d:/);
  const h = new History(20, 1000);
  for (let i = 0; i < 50; i++) h.push(new TextEncoder().encode(`${"x".repeat(90)}${i}\n`), 0);
  assert.ok(h.bytes <= 1000 && h.size === 10, `${h.size} lines, ${h.bytes} bytes`);
  assert.match(new TextDecoder().decode(h.replay()), /x49\n$/);
});

Deno.test("History keeps the newest lines in order across its buffer's moves, whatever their sizes", () => {
  const enc = new TextEncoder();
  let seed = 7;
  const rnd = () => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32;
  for (const [maxLines, maxBytes] of [[20, 64 * 1024], [5, 300], [1, 50], [50, 4096]] as const) {
    const h = new History(maxLines, maxBytes);
    const said: string[] = [];
    for (let i = 0; i < 2000; i++) {
      const line = `${i} ${"y".repeat(Math.floor(rnd() ** 3 * maxBytes))}\n`;
      h.push(enc.encode(line), i);
      if (line.length <= maxBytes) said.push(line);
      let bytes = 0;
      let kept = 0;
      for (let k = said.length - 1; k >= 0 && kept < maxLines; k--) {
        if (bytes + said[k]!.length > maxBytes) break;
        bytes += said[k]!.length;
        kept++;
      }
      if (i % 97 === 0 || i === 1999) {
        const text = new TextDecoder().decode(h.replay()).replace(/^\(\d\d:\d\d:\d\d\) /gm, "");
        assert.equal(
          text,
          said.slice(said.length - kept).join(""),
          `${maxLines}/${maxBytes} at ${i}`,
        );
      }
      assert.equal(h.size, kept);
    }
  }
});

Deno.test("ME is an action line the others see; it cannot pass for another's chat line", () => {
  const { lobby, join } = roomWithClients({ flood: null });
  const [ana, bia] = [join("ana"), join("bia")];
  ana.clear();
  bia.clear();
  lobby.input(ana, "ME acena para a turma", 0);
  assert.equal(bia.text(), "* ana acena para a turma\n");
  assert.equal(ana.text(), "200 OK\nAction sent\n", "not echoed, as MSG");
  for (const evil of ["x\n[bia]: forged", "\x1b[2K[bia]: forged", "", "\u202e"]) {
    ana.clear();
    lobby.input(ana, `ME ${evil}`, 0);
    assert.match(ana.text(), /^400 Bad Request\n/, JSON.stringify(evil));
  }
  bia.clear();
  lobby.input(ana, "ME [bia]: I am bia", 0);
  assert.equal(bia.text(), "* ana [bia]: I am bia\n", "the sender's nickname always comes first");
  const e = new ServerLineParser().line(bia.text().trimEnd());
  assert.deepEqual(e?.kind === "action" && [e.from, e.text], ["ana", "[bia]: I am bia"]);
});

Deno.test("the lobby's rooms are dropped when empty, not while someone may come back", () => {
  let now = 0;
  const lobby = new Lobby({ flood: null, endOfTurn: (f) => f(), clock: () => now });
  const a = new FakeClient(1);
  lobby.connect(a);
  lobby.input(a, "ana", 0);
  lobby.input(a, "TOKEN", 0);
  lobby.input(a, "JOIN sala", 0);
  lobby.input(a, "MSG one", 0);
  lobby.leave(a, "connection lost");
  assert.ok(lobby.rooms.find("sala"), "held for ana");
  now = 61_000;
  lobby.expireHeld(now);
  assert.equal(lobby.rooms.find("sala"), undefined, "dropped once the hold ended");
});
