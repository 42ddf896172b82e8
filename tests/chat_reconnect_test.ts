/**
 * Nicknames held for reconnecting users, without sockets: a user that asked for a token and
 * drops keeps its nickname for the grace period (nobody, not even a look-alike, takes it),
 * `RESUME nick token` puts it back in its room with its role and the count and replay of the
 * lines it missed; a guessed token is refused and the nickname stays held; QUIT, a kick or the
 * end of the period give it up; a resume of a connection the server has not seen die replaces it.
 */

import assert from "node:assert/strict";
import { type ChatEvent, Lobby } from "../lib/chat/mod.ts";
import { FakeClient } from "./support/fake_client.ts";

function setup(grace = 60_000) {
  let now = 0;
  let id = 0;
  const events: ChatEvent[] = [];
  const lobby = new Lobby(
    {
      flood: null,
      endOfTurn: (f) => f(),
      clock: () => now,
      reconnectGraceMs: grace,
      operatorPassword: "pw",
    },
    (e) => events.push(e),
  );
  const connect = (first: string) => {
    const c = new FakeClient(++id);
    lobby.connect(c);
    lobby.input(c, first, now);
    return c;
  };
  const tokenOf = (c: FakeClient) => {
    c.clear();
    lobby.input(c, "TOKEN", now);
    const m = /^200 OK - Token\n([0-9a-f]{32})\n$/.exec(c.text());
    assert.ok(m, c.text());
    return m[1]!;
  };
  return { lobby, events, connect, tokenOf, at: (t: number) => now = t };
}

Deno.test("a dropped user's nickname is held; RESUME puts it back with the lines it missed", () => {
  const { lobby, connect, tokenOf, at, events } = setup();
  const ana = connect("ana");
  const bia = connect("bia");
  for (const c of [ana, bia]) lobby.input(c, "JOIN sala", 0);
  const token = tokenOf(ana);
  assert.equal(tokenOf(ana), token, "asked again: the same token");
  lobby.input(ana, "OP pw", 0);
  bia.clear();
  lobby.leave(ana, "connection lost");
  assert.equal(bia.text(), "*** ana left (connection lost)\n");
  at(1000);
  for (const thief of ["ana", "ANA", "\u0430na"]) {
    const t = connect(thief);
    assert.equal(t.text(), `409 Conflict\nNickname taken: ${thief}\n`, thief);
  }
  lobby.input(bia, "NICK Ana", 1000);
  assert.match(bia.text(), /409 Conflict\nNickname taken: Ana\n$/, "not by NICK either");
  for (let i = 1; i <= 3; i++) lobby.input(bia, `MSG enquanto fora ${i}`, 1000);
  bia.clear();
  const back = connect(`RESUME ana ${token}`);
  const text = back.text();
  assert.match(
    text,
    /^200 OK - Resumed\nWelcome back, ana! You are in sala \(2 users\); 3 lines were said while you were away\.\n/,
  );
  const replay = text.split("\n").filter((l) => /^\(\d\d:\d\d:\d\d\) /.test(l));
  assert.deepEqual(
    replay.map((l) => l.slice(11)),
    [1, 2, 3].map((i) => `[bia]: enquanto fora ${i}`),
  );
  assert.equal(bia.text(), "*** ana is back (2 online)\n");
  back.clear();
  lobby.input(back, "KICK bia", 1000);
  assert.match(back.text(), /200 OK - Kicked\n/, "still an operator");
  assert.ok(events.some((e) => e.type === "held") && events.some((e) => e.type === "resume"));
});

Deno.test("a guessed token is 403 and closed, and the nickname stays held", () => {
  const { connect, tokenOf, lobby } = setup();
  const ana = connect("ana");
  const token = tokenOf(ana);
  lobby.leave(ana, "connection lost");
  const wrong = token.replace(/^./, (c) => (c === "0" ? "1" : "0"));
  for (const guess of [wrong, "", "0".repeat(32), token.toUpperCase(), `${token}x`]) {
    const g = connect(`RESUME ana ${guess}`);
    assert.equal(g.text(), "403 Forbidden\nUnknown or expired token: register again\n", guess);
    assert.ok(g.closed);
  }
  assert.match(connect("ana").text(), /^409 Conflict/, "still held");
  const other = connect("bia");
  const tb = tokenOf(other);
  assert.match(connect(`RESUME ana ${tb}`).text(), /^403 /, "another user's token is not ana's");
  assert.match(connect(`RESUME ana ${token}`).text(), /^200 OK - Resumed\n/);
});

Deno.test("the hold ends with the grace period; QUIT holds nothing; no token, no hold", () => {
  const { connect, tokenOf, lobby, at } = setup(30_000);
  const ana = connect("ana");
  const token = tokenOf(ana);
  lobby.leave(ana, "connection lost");
  at(29_999);
  assert.match(connect("ana").text(), /^409 /);
  at(30_000);
  assert.match(connect(`RESUME ana ${token}`).text(), /^403 /, "expired");
  assert.match(connect("ana").text(), /^200 OK - Connected/, "free again");
  const bia = connect("bia");
  tokenOf(bia);
  lobby.input(bia, "QUIT", 30_000);
  assert.match(connect("bia").text(), /^200 OK - Connected/, "QUIT gives the nickname up");
  const caio = connect("caio"); // never asked for a token (a netcat user)
  lobby.leave(caio, "connection closed");
  assert.match(connect("caio").text(), /^200 OK - Connected/);
  assert.equal(lobby.reservations.size, 0);
});

Deno.test("RESUME over a connection not yet seen dead replaces it (409 Replaced) in its room", () => {
  const { connect, tokenOf, lobby } = setup();
  const ana = connect("ana");
  const bia = connect("bia");
  lobby.input(ana, "JOIN lab", 0);
  lobby.input(bia, "JOIN lab", 0);
  const token = tokenOf(ana);
  ana.clear();
  bia.clear();
  const fresh = connect(`RESUME ana ${token}`);
  assert.match(
    ana.text(),
    /409 Conflict - Replaced\nThis nickname came back on another connection\n$/,
  );
  assert.ok(ana.closed);
  assert.match(
    fresh.text(),
    /^200 OK - Resumed\nWelcome back, ana! You are in lab \(2 users\); 0 lines/,
  );
  assert.equal(bia.text(), "", "the room saw nothing");
  lobby.input(bia, "MSG oi", 0);
  assert.match(fresh.text(), /\[bia\]: oi\n$/);
  assert.equal(lobby.size, 2);
});

Deno.test("a held room outlives its last member; a resume after CLOSE lands in the default room", () => {
  const { connect, tokenOf, lobby } = setup();
  const teacher = connect("prof");
  lobby.input(teacher, "OP pw", 0);
  const ana = connect("ana");
  lobby.input(ana, "JOIN solo", 0);
  const token = tokenOf(ana);
  lobby.leave(ana, "connection lost");
  assert.ok(lobby.rooms.find("solo"), "kept for ana");
  lobby.input(teacher, "CLOSE solo", 0);
  assert.equal(lobby.rooms.find("solo"), undefined);
  const back = connect(`RESUME ana ${token}`);
  assert.match(back.text(), /^200 OK - Resumed\nWelcome back, ana! You are in lobby /);
});
