/**
 * Rooms, history and the teacher's controls end to end, each test over TCP and over the
 * in-memory transport: two rooms with text, GBN, SR and netcat-style clients in each (a line of
 * one reaches nobody in the other), the last 20 lines replayed marked to a newcomer (binary and
 * text), the seed 000 client's exact bytes in the default room beside another room, and an
 * operator's kick, mute, ban and run-time faults taking effect on live sessions and logged.
 */

import assert from "node:assert/strict";
import {
  type Client,
  client,
  e2e,
  quitAll,
  Raw,
  startServer,
  waitFor,
  withServer,
} from "./support/e2e.ts";
import { WakeScheduler } from "../lib/net/scheduler.ts";
import { KeptLog } from "./support/kept_log.ts";

const HISTORY = /^\(\d\d:\d\d:\d\d\) /;

/** Every chat line a client got (history lines not included). */
function chatFrom(c: Client): string[] {
  return c.chat();
}

/** The kept events, and the operator's actions among them. */
class OperatorLog extends KeptLog {
  actions(): string[] {
    return this.events.filter((e) => e.event === "operator").map((e) =>
      `${e.fields.action}${e.fields.target !== undefined ? ` ${e.fields.target}` : ""}`
    );
  }
}

e2e("two rooms: a line in one reaches nobody in the other (text, GBN, SR, netcat)", async (t) => {
  await withServer(t, { flood: null }, async (server, scheduler) => {
    const g1 = await client(server, scheduler, "g1", "gbn");
    const t1 = await client(server, scheduler, "t1", "text");
    const nc1 = await Raw.open(server);
    await nc1.write("nc1\n");
    const s2 = await client(server, scheduler, "s2", "sr");
    const g2 = await client(server, scheduler, "g2", "gbn");
    const t2 = await client(server, scheduler, "t2", "text");
    const nc2 = await Raw.open(server);
    await nc2.write("JOIN sala\nnc2\n"); // a netcat user that chose its room first
    for (const c of [s2, g2, t2]) c.conn.send("JOIN sala");
    await waitFor(
      "all in",
      () =>
        [s2, g2, t2].every((c) =>
          c.events.some((e) => e.kind === "status" && e.title.endsWith("Joined"))
        ) && nc1.text.includes("Welcome") && nc2.text.includes("Welcome"),
    );
    const lobby = [g1, t1];
    const sala = [s2, g2, t2];
    for (const c of [...lobby, ...sala]) c.conn.send(`MSG de ${lobby.includes(c) ? "1" : "2"}`);
    await nc1.write("MSG de 1\n");
    await nc2.write("MSG de 2\n");
    await waitFor(
      "lines",
      () =>
        lobby.every((c) => chatFrom(c).length === 2) && sala.every((c) =>
          chatFrom(c).length === 3
        ) &&
        (nc1.text.match(/\]: de /g) ?? []).length === 2 &&
        (nc2.text.match(/\]: de /g) ?? []).length === 3,
    );
    // A moment for anything misrouted to arrive too.
    await new Promise((r) => setTimeout(r, 200));
    for (const c of lobby) {
      assert.ok(chatFrom(c).every((l) => l.endsWith("de 1")), chatFrom(c).join());
    }
    for (const c of sala) {
      assert.ok(
        chatFrom(c).every((l) => l.endsWith("de 2")),
        chatFrom(c).join(),
      );
    }
    // (The lobby heard s2, g2 and t2 come and go to sala before any line was said.)
    assert.doesNotMatch(nc1.text, /de 2|\[(g2|s2|t2|nc2)\]/);
    assert.doesNotMatch(nc2.text, /de 1|g1|t1|nc1/);
    assert.match(
      nc2.text,
      /^200 OK - Joined\nYou will be in sala once registered\n200 OK - Connected/,
    );
    nc1.conn.close();
    nc2.conn.close();
    await nc1.done;
    await nc2.done;
    await quitAll(...lobby, ...sala);
  });
});

e2e(
  "a newcomer gets the last 20 lines marked; the seed 000 client still works beside a room",
  async (t) => {
    await withServer(t, { flood: null }, async (server, scheduler) => {
      const talker = await Raw.open(server);
      await talker.write("talker\n");
      await talker.write(Array.from({ length: 25 }, (_, i) => `MSG linha ${i + 1}\n`).join(""));
      const other = await client(server, scheduler, "outra", "sr");
      other.conn.send("JOIN sala");
      other.conn.send("MSG só na sala");
      await waitFor("lines said", () => talker.text.split("Message sent").length === 26);
      // The seed client: waits for the bare prompt, sends its nickname without a newline.
      const seed = await Raw.open(server);
      await waitFor("prompt", () => seed.text.length >= 4);
      assert.equal(seed.text, "NICK");
      await seed.write("João");
      await waitFor("history", () => seed.text.includes("linha 25\n"));
      const lines = seed.text.slice(4).split("\n");
      assert.equal(lines[0], "200 OK - Connected");
      assert.match(lines[1]!, /^Welcome, João! 3 users online\. Type HELP for commands\.$/);
      const history = lines.filter((l) => HISTORY.test(l)).map((l) => l.replace(HISTORY, ""));
      assert.deepEqual(history, Array.from({ length: 20 }, (_, i) => `[talker]: linha ${i + 6}`));
      assert.doesNotMatch(seed.text, /só na sala/);
      await new Promise((r) => setTimeout(r, 60));
      await seed.write("MSG Bom dia!");
      await waitFor("broadcast", () => talker.text.includes("[João]: Bom dia!\n"));
      await new Promise((r) => setTimeout(r, 60));
      await seed.write("LIST");
      await waitFor("list", () => seed.text.includes("User List"));
      assert.match(seed.text, /200 OK - User List\ntalker, João\n/, "the default room's users");
      // A binary newcomer in the room gets that room's history as events of its own kind.
      const late = await client(server, scheduler, "late", "gbn");
      assert.equal(late.events.filter((e) => e.kind === "history").length, 20);
      assert.equal(chatFrom(late).length, 0, "no history line is taken for new chat");
      late.conn.send("JOIN sala");
      await waitFor(
        "sala's history",
        () =>
          late.events.some((e) => e.kind === "history" && e.line.endsWith("[outra]: só na sala")),
      );
      await new Promise((r) => setTimeout(r, 60));
      await seed.write("QUIT");
      await waitFor("bye", () => seed.closed);
      talker.conn.close();
      await talker.done;
      await seed.close();
      await quitAll(other, late);
    });
  },
);

e2e(
  "an operator's kick, mute, ban and run-time faults take effect on live sessions and are logged",
  async (t) => {
    const log = new OperatorLog();
    const server = startServer(t, { teacherPassword: "aula42", logger: log, flood: null });
    const scheduler = new WakeScheduler();
    try {
      const prof = await client(server, scheduler, "prof", "gbn");
      const sr = await client(server, scheduler, "aluno", "sr");
      const txt = await client(server, scheduler, "texto", "text");
      const status = (c: Client, code: number, re: RegExp) =>
        waitFor(
          `${code} ${re}`,
          () => c.events.some((e) => e.kind === "status" && e.code === code && re.test(e.body)),
        );
      txt.conn.send("KICK aluno");
      await status(txt, 403, /^Operator command: KICK/);
      prof.conn.send("OP aula42");
      await status(prof, 200, /operator/);
      // Faults on the frames the server sends the SR student: it still gets every line.
      prof.conn.send("FAULTS aluno 0 0.5");
      await status(prof, 200, /^Faults for aluno: loss 0% and corruption 50%/);
      for (let i = 0; i < 40; i++) {
        txt.conn.send(`MSG ${i}`);
      }
      await waitFor("40 lines through corruption", () => chatFrom(sr).length === 40, 60_000);
      assert.deepEqual(chatFrom(sr), Array.from({ length: 40 }, (_, i) => `[texto]: ${i}`));
      assert.ok(sr.conn.endpoint!.stats.corruptReceived > 0, "the server corrupted frames to it");
      prof.conn.send("FAULTS aluno off");
      await status(prof, 200, /server's own fault settings/);
      prof.conn.send("MUTE texto 5");
      await status(prof, 200, /^Muted texto for 5 minutes/);
      txt.conn.send("MSG calado?");
      await status(txt, 403, /^You are muted/);
      prof.conn.send("KICK texto chega");
      await waitFor("kicked", () => txt.conn.closeReason !== undefined);
      assert.ok(
        txt.events.some((e) => e.kind === "status" && e.title === "403 Forbidden - Kicked"),
      );
      prof.conn.send("BAN aluno 30");
      await waitFor("banned", () => sr.conn.closeReason !== undefined);
      assert.ok(sr.events.some((e) => e.kind === "status" && e.title === "403 Forbidden - Banned"));
      const again = await Raw.open(server);
      await again.write("aluno\n");
      await waitFor("refused", () => again.closed);
      assert.match(again.text, /^403 Forbidden - Banned\nBanned until/);
      await again.close();
      assert.deepEqual(log.actions(), [
        "op",
        "faults aluno",
        "faults aluno",
        "mute texto",
        "kick texto",
        `ban aluno and address 127.0.0.1`,
      ]);
      assert.ok(log.events.some((e) => e.event === "denied" && e.level === "warn"));
      await quitAll(prof);
    } finally {
      await server.shutdown("test over", 1000);
      scheduler.stop();
    }
  },
);
