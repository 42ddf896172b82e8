/**
 * What `chat join` does with a typed line and with the server's words: slash commands (from one
 * registry that also writes /help), the "help" a welcome invites, the questions asked again on
 * bad answers (decimal commas taken), the welcome's hint pointed at /help, and server text made
 * harmless for a terminal.
 */

import assert from "node:assert/strict";
import { backoffDelay } from "../lib/client/backoff.ts";
import { interpretTyped, slashHelp } from "../lib/client/commands.ts";
import { CLIENT_TEXT } from "../lib/client/messages.ts";
import {
  askUiSettings,
  askUntilValid,
  nicknameAnswer,
  probabilityAnswer,
  windowAnswer,
} from "../lib/client/questions.ts";
import { clientHintAfter, withClientWelcome } from "../lib/client/server_hints.ts";
import { ServerLineParser } from "../lib/client/server_lines.ts";
import { formatEvent, visible } from "../lib/client/style.ts";
import { parseProbability } from "../lib/faults/mod.ts";
import { MAX_PAYLOAD } from "../lib/protocol/header.ts";

Deno.test("interpretTyped sends text as MSG and maps the slash commands to verbs", () => {
  assert.deepEqual(interpretTyped("olá, turma"), { kind: "send", line: "MSG olá, turma" });
  assert.deepEqual(interpretTyped("/nick bia"), { kind: "send", line: "NICK bia" });
  assert.deepEqual(interpretTyped("/WHO"), { kind: "send", line: "LIST sessions" });
  assert.deepEqual(interpretTyped("/msg bia oi tudo bem"), {
    kind: "send",
    line: "PRIV bia oi tudo bem",
  });
  assert.deepEqual(interpretTyped("//etc/hosts"), { kind: "send", line: "MSG /etc/hosts" });
  assert.deepEqual(interpretTyped("/say help"), { kind: "send", line: "MSG help" });
  assert.deepEqual(interpretTyped("/quote STATS"), { kind: "send", line: "STATS" });
  assert.deepEqual(interpretTyped("/quote quit"), { kind: "quit" });
  assert.deepEqual(interpretTyped("/exit"), { kind: "quit" });
  assert.deepEqual(interpretTyped("   "), { kind: "none" });
  assert.equal(interpretTyped("/msg bia").kind, "error");
  assert.deepEqual(interpretTyped("/frobnicate"), {
    kind: "error",
    message: CLIENT_TEXT.unknownCommand("/frobnicate"),
  });
});

Deno.test("a line that is just help shows the client's help instead of becoming chat text", () => {
  for (const t of ["HELP", "help", " Help "]) {
    assert.deepEqual(interpretTyped(t), { kind: "help", server: false }, t);
  }
  assert.deepEqual(interpretTyped("/help"), { kind: "help", server: false });
  assert.deepEqual(interpretTyped("/help server"), { kind: "help", server: true });
  assert.deepEqual(interpretTyped("help me"), { kind: "send", line: "MSG help me" });
});

Deno.test("/help lists the client's commands, each one a command interpretTyped knows, in 80 columns", () => {
  const help = slashHelp();
  const listed = [...help.matchAll(/^ {2}(\/\w+)/gm)].map((m) => m[1]!);
  assert.ok(listed.length >= 9, help);
  for (const name of listed) {
    assert.notDeepEqual(interpretTyped(`${name} x y`), {
      kind: "error",
      message: CLIENT_TEXT.unknownCommand(name),
    });
  }
  assert.ok(!/^ {2}(MSG|LIST|NICK|PRIV|QUIT|HELP)\b/m.test(help), "no raw verbs as commands");
  for (const line of help.split("\n")) assert.ok(line.length <= 80, `too wide: ${line}`);
});

Deno.test("the welcome's hint points at /help, and the server's HELP reply says how to use it", () => {
  const p = new ServerLineParser();
  const [welcome] = p.message(
    "200 OK - Connected\nWelcome, ana! 2 users online. Type HELP for commands.\n",
  );
  const shown = withClientWelcome(welcome!);
  assert.equal(
    shown.kind === "status" && shown.body,
    "Welcome, ana! 2 users online. Type /help for commands.",
  );
  const [help] = p.message("200 OK - Help\nMSG <text> | LIST (WHO) | QUIT | HELP | STATS\n");
  assert.equal(clientHintAfter(help!), CLIENT_TEXT.serverHelpHint);
  assert.equal(clientHintAfter(welcome!), undefined);
  const [list] = p.message("200 OK - User List\nHELP, ana\n");
  assert.equal(withClientWelcome(list!), list, "only the registration reply is touched");
});

Deno.test("control characters from the server are shown, never sent to the terminal", () => {
  assert.equal(visible("a\x1b[2Jb\x07c\u009bd\x7f"), "a^[[2Jb^Gc\\u{9b}d^?");
  const [e] = new ServerLineParser().message("[eve]: hi\x1b]0;pwned\x07 there\n");
  const out = formatEvent(e!, true);
  // deno-lint-ignore no-control-regex -- the only ESC left must be our colour codes
  assert.ok(!/\x1b(?!\[\d+m)/.test(out), JSON.stringify(out));
  assert.ok(out.includes("^[]0;pwned^G"));
});

Deno.test("probabilities take a decimal comma, a point or a percentage", () => {
  assert.equal(parseProbability("0,1", "--loss"), 0.1);
  assert.equal(parseProbability(",25", "--loss"), 0.25);
  assert.equal(parseProbability("12,5%", "--loss"), 0.125);
  assert.throws(() => parseProbability("0,1,2", "--loss"), /--loss/);
  assert.throws(() => parseProbability("1,5", "--loss"), /--loss/);
  assert.deepEqual(probabilityAnswer("0,3", 0, "loss"), { ok: true, value: 0.3 });
  assert.deepEqual(probabilityAnswer("", 0.2, "loss"), { ok: true, value: 0.2 });
});

Deno.test("a bad answer is refused with the reason and the question asked again", async () => {
  const answers = ["", "  ", "ana"];
  const asked: string[] = [];
  const said: string[] = [];
  const nick = await askUntilValid(
    (q) => {
      asked.push(q);
      return Promise.resolve(answers.shift());
    },
    (t) => said.push(t),
    "Nickname: ",
    nicknameAnswer,
  );
  assert.equal(nick, "ana");
  assert.equal(asked.length, 3);
  assert.deepEqual(said, [CLIENT_TEXT.nicknameEmpty, CLIENT_TEXT.nicknameEmpty]);
  const left = await askUntilValid(() => Promise.resolve(undefined), () => {}, "?", nicknameAnswer);
  assert.equal(left, undefined, "Ctrl-C at a question leaves");
  assert.equal(windowAnswer("0", 8, 256).ok, false);
  assert.equal(windowAnswer("2.5", 8, 256).ok, false);
  assert.deepEqual(windowAnswer("", 8, 256), { ok: true, value: 8 });
});

Deno.test("--mode ui asks protocol, window, loss and corruption, each again until good", async () => {
  const answers = ["udp", "SR", "999", "abc", "16", "2", "0,2", "10%"];
  const said: string[] = [];
  const r = await askUiSettings(
    () => Promise.resolve(answers.shift()),
    (t) => said.push(t),
    {
      params: { mode: "gbn", window: 8, ackPolicy: "sack", maxPayload: MAX_PAYLOAD },
      loss: 0,
      corrupt: 0,
    },
    256,
  );
  assert.deepEqual(answers, []);
  assert.equal(said.length, 4, said.join("\n"));
  assert.equal(r?.params.mode, "sr");
  assert.equal(r?.params.window, 16);
  assert.equal(r?.loss, 0.2);
  assert.equal(r?.corrupt, 0.1);
});

Deno.test("the room, action, timestamp and operator commands map to their verbs", () => {
  const sends: [string, string][] = [
    ["/join sala", "JOIN sala"],
    ["/rooms", "ROOMS"],
    ["/me acena", "ME acena"],
    ["/op s3nha", "OP s3nha"],
    ["/kick ana chega", "KICK ana chega"],
    ["/mute ana 5", "MUTE ana 5"],
    ["/unmute ana", "UNMUTE ana"],
    ["/ban 10.0.0.7 30 cola", "BAN 10.0.0.7 30 cola"],
    ["/unban ana", "UNBAN ana"],
    ["/announce prova amanhã", "ANNOUNCE prova amanhã"],
    ["/faults #lab 0.2 0.1", "FAULTS #lab 0.2 0.1"],
    ["/close sala", "CLOSE sala"],
  ];
  for (const [typed, line] of sends) {
    assert.deepEqual(interpretTyped(typed), { kind: "send", line });
  }
  for (const typed of ["/join", "/me", "/op", "/kick", "/close", "/faults"]) {
    assert.equal(interpretTyped(typed).kind, "error", typed);
  }
  assert.deepEqual(interpretTyped("/timestamp on"), { kind: "timestamps", on: true });
  assert.deepEqual(interpretTyped("/timestamps OFF"), { kind: "timestamps", on: false });
  assert.equal(interpretTyped("/timestamp maybe").kind, "error");
  assert.match(slashHelp(), /Operator commands \(after \/op\):\n {2}\/kick/);
});

Deno.test("history lines and actions are parsed as such; a history line is never new chat", () => {
  const p = new ServerLineParser();
  const h = p.line("(14:02:11) [ana]: Bom dia!");
  assert.deepEqual(h, {
    kind: "history",
    time: "14:02:11",
    said: { kind: "chat", from: "ana", text: "Bom dia!", line: "[ana]: Bom dia!" },
    line: "(14:02:11) [ana]: Bom dia!",
  });
  assert.deepEqual(p.line("* ana acena"), {
    kind: "action",
    from: "ana",
    text: "acena",
    line: "* ana acena",
  });
  assert.equal(p.line("*** ana joined (2 online)")?.kind, "notice");
  assert.equal(p.line("(not a time) x")?.kind, "other");
  const hAction = p.line("(09:00:00) * bia boceja");
  assert.ok(hAction?.kind === "history" && hAction.said.kind === "action");
  assert.equal(formatEvent(p.line("[ana]: oi")!, false, "14:03"), "14:03 [ana]: oi");
  assert.equal(formatEvent(h!, false, "14:03"), "(14:02:11) [ana]: Bom dia!", "its own time");
});

Deno.test("the back-off doubles from 100 ms to 2 s, spread by a quarter either way", () => {
  assert.deepEqual([0, 1, 2, 3, 4, 5, 9, 40].map((a) => backoffDelay(a, 0.5)), [
    100,
    200,
    400,
    800,
    1600,
    2000,
    2000,
    2000,
  ]);
  assert.equal(backoffDelay(0, 0), 75);
  assert.equal(backoffDelay(10, 0.999999), 2500);
});
