/**
 * What a hostile member can put on a witness's screen through the room: look-alike nicknames,
 * forged lines in messages and leave reasons, controls and invisible characters. Only the
 * room's public API is used, so these tests also run against older rooms.
 */

import assert from "node:assert/strict";
import fc from "fast-check";
import { validateNick } from "../lib/chat/mod.ts";
import { roomWithClients } from "./support/fake_client.ts";
import { assertWitnessView, UNSHOWABLE } from "./support/witness_view.ts";

function setup() {
  return roomWithClients({ flood: null });
}

Deno.test("look-alikes of a present nickname get 409, at registration and with NICK", () => {
  const { room, join } = setup();
  join("w1");
  for (const evil of ["w1\u034f", "w1\ufe0f", "\uff57\uff11", "\u051d1", "W1", "wI", "w\u200b1"]) {
    const c = join(evil);
    assert.match(c.text(), /^409 Conflict\nNickname taken: /, JSON.stringify(evil));
    assert.ok(c.closed, JSON.stringify(evil));
  }
  const mallory = join("mallory");
  for (const evil of ["w1\u034f", "\uff57\uff11", "\u051d1", "wl"]) {
    mallory.clear();
    room.input(mallory, `NICK ${evil}`, 0);
    assert.match(mallory.text(), /^409 Conflict\n/, JSON.stringify(evil));
  }
  assert.deepEqual(room.nicks(), ["w1", "mallory"]);
});

Deno.test("an invisible nickname is refused; accents and case keep their rules", () => {
  const { room, join } = setup();
  for (const evil of ["\u3164", "\u115f", "\u200b", "\u3164\u3164", "\ufe0f"]) {
    const c = join(evil);
    assert.match(c.text(), /^400 Bad Request\nInvalid nickname: /, JSON.stringify(evil));
  }
  const joao = join("João");
  assert.match(joao.text(), /^200 OK/);
  assert.match(join("Joao").text(), /^200 OK/, "accents are not removed: two names");
  assert.match(join("joão").text(), /^409 Conflict/, "case still does not count");
  assert.match(join("Jo\u0061\u0303o").text(), /^409 Conflict/, "NFD João is João");
  assert.match(join("Νίκος").text(), /^200 OK/);
  assert.match(join("νίκος").text(), /^409 Conflict/, "Greek capitals and smalls");
  assert.match(join("Z\u0300\u0301\u0302\u0303").text(), /^400 Bad Request/, "zalgo nickname");
  assert.match(join("a\u202eb").text(), /^400 Bad Request/, "bidi control");
  assert.deepEqual(room.nicks(), ["João", "Joao", "Νίκος"]);
});

Deno.test("PRIV finds its target by the same keys: case, width and look-alikes", () => {
  const { room, join } = setup();
  const joao = join("João");
  const ana = join("ana");
  for (const target of ["JOÃO", "jo\u0061\u0303o", "\uff2a\uff4f\u00e3\uff4f"]) {
    joao.clear();
    room.input(ana, `PRIV ${target} oi`, 0);
    assert.equal(joao.text(), "[ana -> João]: oi\n", JSON.stringify(target));
  }
  ana.clear();
  room.input(ana, "PRIV Joao oi", 0);
  assert.equal(ana.text(), "404 Not Found\nNo such user: Joao\n");
  ana.clear();
  room.input(ana, "PRIV \x1b[2J\u202e oi", 0);
  assert.equal(ana.text(), "404 Not Found\nNo such user: \\u{1b}[2J\\u{202e}\n");
});

Deno.test("validateNick drops invisible characters, so the name shown is the name checked", () => {
  const check = validateNick("w1\u034f");
  assert.ok(check.ok);
  assert.equal(check.ok && check.nick, "w1");
  const cgj = validateNick("a\u034f\u0301na");
  assert.equal(cgj.ok && cgj.nick, "\u00e1na", "composed once the joiner is gone");
});

Deno.test("a leave reason from the peer cannot forge a line on a witness's screen", () => {
  const { room, join } = setup();
  const witness = join("witness");
  join("teacher");
  const evil = join("evil");
  witness.clear();
  room.leave(evil, "reset by peer: bye\n[teacher]: the exam is cancelled\x1b[2K\u202e");
  const text = witness.text();
  assert.equal(text.split("\n").length, 2, JSON.stringify(text));
  assert.ok(text.startsWith("*** evil left (reset by peer: bye\\n[teacher"), text);
  assertWitnessView(text, []);
  witness.clear();
  const c = join("other");
  room.leave(c, "x".repeat(2000));
  assert.ok(witness.text().split("\n")[1]!.length < 140, "bounded");
});

Deno.test("hostile chat text reaches a witness as one clean line or not at all", () => {
  const { room, join } = setup();
  const witness = join("witness");
  const mallory = join("mallory");
  witness.clear();
  for (
    const evil of [
      "x\n[teacher]: forged",
      "x\r[teacher]: forged",
      "\x1b[2K\r[teacher]: forged",
      "\u202e[teacher]: forged",
      "a\u2028[teacher]: forged",
      "\u0085[teacher]: forged",
    ]
  ) {
    mallory.clear();
    room.input(mallory, `MSG ${evil}`, 0);
    assert.match(mallory.text(), /^400 Bad Request\n/, JSON.stringify(evil));
  }
  room.input(mallory, "MSG pass\u200bword\u{e0041}\u00ad", 0);
  room.input(mallory, "MSG code:\tindented", 0);
  room.input(mallory, `MSG Z${"\u0300\u0301\u0302\u0303".repeat(20)}`, 0);
  room.input(mallory, "MSG \u200b\u3164\ufeff", 0);
  assert.match(mallory.text(), /400 Bad Request\nEmpty message\n$/, "all invisible is empty");
  const chat = assertWitnessView(witness.text(), ["mallory"]);
  assert.deepEqual(chat, [
    "[mallory]: password",
    "[mallory]: code: indented",
    "[mallory]: Z\u0300\u0301\u0302",
  ]);
});

Deno.test("property: nothing a hostile member sends puts a forged or unshowable line on a witness", () => {
  const hostile = fc.array(
    fc.oneof(
      fc.constantFrom("\n", "\r", "\t", "\x1b", "\x07", "\u0085", "\u009b", "\u2028", "\u2029"),
      fc.constantFrom("\u202e", "\u2066", "\u200e", "\u200b", "\u200d", "\u2060", "\ufeff"),
      fc.constantFrom("\u00ad", "\u034f", "\u3164", "\ufe0f", "\u{e0041}", "\u0301", "\u0489"),
      fc.constantFrom("[teacher]: ", "200 OK", "*** ", "]:", "a", "1", "ã", "😀", " "),
    ),
    { maxLength: 20 },
  ).map((p) => p.join(""));
  fc.assert(
    fc.property(
      fc.array(fc.tuple(fc.constantFrom("MSG", "NICK", "PRIV witness"), hostile)),
      (cmds) => {
        const { room, join } = setup();
        const witness = join("witness");
        const mallory = join("mallory");
        witness.clear();
        for (const [verb, text] of cmds) room.input(mallory, `${verb} ${text}`, 0);
        room.leave(mallory, `reset by peer: ${cmds.map((c) => c[1]).join("")}`);
        // Lines addressed to the witness name the sender's current nickname.
        const senders = new Set<string>(["mallory"]);
        for (const line of witness.text().split("\n")) {
          const rename = /^\*\*\* .* is now known as (.*)$/.exec(line);
          if (rename) senders.add(rename[1]!);
        }
        const view = witness.text().replace(/^\[(\S+) -> witness\]: /gm, "[$1]: ");
        assertWitnessView(view, [...senders]);
        for (const nick of senders) {
          assert.ok(!UNSHOWABLE.test(nick) && !/[\s\]]/.test(nick), JSON.stringify(nick));
        }
        return true;
      },
    ),
    { numRuns: 500, seed: 13 },
  );
});
