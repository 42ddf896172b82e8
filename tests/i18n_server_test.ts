/**
 * The server in Portuguese and English: a `chat serve --lang pt-BR` lobby answers in Portuguese
 * with the status lines unchanged; `LANG` (before the nickname or after) switches one
 * connection's replies and the notices told to it alone, never what a room shares; a client that
 * never sends `LANG` (seed 000) gets the server's language; a bad `LANG` is a 400 in the current
 * one. Over TCP, `chat serve` under `LANG=pt_BR.UTF-8` speaks Portuguese on its console and
 * wire, `--lang en` English, and `chat join` asks for its language with `LANG`.
 */

import assert from "node:assert/strict";
import { SERVER_CATALOG } from "../lib/chat/messages.ts";
import type { NameProblem } from "../lib/chat/nick.ts";
import { IN_ROOM, MOVED, NOW_NAMED } from "../lib/client/reconnecting_chat.ts";
import { serverLangFor } from "../cmd/join.ts";
import { LANGS } from "../lib/i18n/mod.ts";
import { runChat, ServerProcess } from "./support/live_session.ts";
import { FakeClient, roomWithClients } from "./support/fake_client.ts";
import { rawClient, until } from "./support/tmux.ts";

Deno.test("a pt-BR server answers in Portuguese; status lines stay as on the wire", () => {
  const { lobby, join } = roomWithClients({ lang: "pt-BR" });
  const ana = join("ana");
  assert.equal(
    ana.text(),
    "200 OK - Connected\nOlá, ana! 1 usuário online. Digite HELP para ver os comandos.\n",
  );
  const bia = join("bia");
  assert.equal(ana.text().split("\n").at(-2), "*** bia entrou (2 online)");
  for (const c of [ana, bia]) c.clear();
  lobby.input(ana, "MSG oi", 1);
  assert.equal(ana.text(), "200 OK\nMensagem enviada\n");
  assert.equal(bia.text(), "[ana]: oi\n");
  ana.clear();
  lobby.input(ana, "TESTE", 1);
  assert.equal(ana.text(), "404 Not Found\nComando desconhecido: TESTE\n");
  ana.clear();
  bia.clear();
  lobby.input(ana, "JOIN #Sala", 1);
  assert.equal(ana.text(), "200 OK - Joined\nVocê está em Sala (1 usuário)\n");
  assert.equal(bia.text(), "*** ana saiu (foi para Sala)\n");
  const taken = join("ANA");
  assert.equal(taken.text(), "409 Conflict\nApelido em uso: ANA\n");
  const bad = join("a b");
  assert.match(bad.text(), /^400 Bad Request\nApelido inválido: só letras, dígitos/);
});

Deno.test("LANG before the nickname: that connection's replies in its language, the room's notices in the server's", () => {
  const { lobby, join } = roomWithClients({ lang: "pt-BR" });
  const ana = join("ana");
  ana.clear();
  const ben = new FakeClient(99);
  lobby.connect(ben);
  lobby.input(ben, "LANG en", 0);
  assert.equal(ben.text(), "200 OK - Language\nLanguage: English (en); also: pt-BR\n");
  ben.clear();
  lobby.input(ben, "ben", 0);
  assert.equal(
    ben.text(),
    "200 OK - Connected\nWelcome, ben! 2 users online. Type HELP for commands.\n",
  );
  assert.equal(ana.text(), "*** ben entrou (2 online)\n");
  ben.clear();
  lobby.input(ben, "MSG hi", 1);
  assert.equal(ben.text(), "200 OK\nMessage sent\n");
  ben.clear();
  lobby.input(ana, "NICK Ana", 1);
  assert.equal(ben.text(), "*** ana agora se chama Ana\n", "a shared notice: the server's");
  ben.clear();
  lobby.input(ben, "LANG pt_BR.UTF-8", 1);
  assert.equal(
    ben.text(),
    "200 OK - Language\nIdioma: português do Brasil (pt-BR); também: en\n",
  );
  ben.clear();
  lobby.input(ben, "LANG klingon", 1);
  assert.equal(ben.text(), "400 Bad Request\nIdioma desconhecido: klingon (um de en, pt-BR)\n");
  ben.clear();
  lobby.input(ben, "lang", 1);
  assert.match(ben.text(), /^200 OK - Language\nIdioma: português do Brasil/);
  assert.match(lobby.commands.help(false, SERVER_CATALOG["pt-BR"].usages), /LANG <en\|pt-BR>/);
});

Deno.test("a hostile LANG: escapes and 5000 bytes echoed bounded and inert, a flood of LANGs harmless, LANG as a nickname", () => {
  const { lobby, join } = roomWithClients({ lang: "pt-BR" });
  const ana = join("ana");
  ana.clear();
  const eve = new FakeClient(98);
  lobby.connect(eve);
  lobby.input(eve, `LANG \x1b[2J\x1b]0;pwned\x07${"x".repeat(5000)}`, 0);
  const reply = eve.text();
  assert.match(reply, /^400 Bad Request\nIdioma desconhecido: /);
  // deno-lint-ignore no-control-regex
  assert.ok(!/[\x00-\x08\x0b-\x1f\x7f]/.test(reply), JSON.stringify(reply));
  assert.ok(reply.length < 300, `${reply.length} bytes echoed`);
  eve.clear();
  for (let i = 0; i < 1000; i++) lobby.input(eve, i % 2 ? "LANG en" : "LANG pt-BR", 0);
  assert.equal(eve.text().split("\n").filter((l) => l === "200 OK - Language").length, 1000);
  assert.equal(ana.text(), "", "nothing of it reaches the room");
  eve.clear();
  lobby.input(eve, "eve", 0);
  assert.match(eve.text(), /^200 OK - Connected\nWelcome, eve!/, "the last LANG (en) holds");
  // A seed 000 user called LANG: a first line without a space after the verb is a nickname.
  const named = join("LANG");
  assert.match(named.text(), /^200 OK - Connected\nOlá, LANG!/);
});

Deno.test("a client that never sends LANG (seed 000) gets the server's language, either one", () => {
  for (const lang of LANGS) {
    const { lobby, join } = roomWithClients({ lang });
    const t = SERVER_CATALOG[lang];
    const c = join("seed");
    assert.equal(c.text(), `200 OK - Connected\n${t.welcome("seed", 1)}\n`);
    c.clear();
    lobby.input(c, "QUIT", 1);
    assert.equal(c.text(), `200 OK - Disconnecting\n${t.bye("seed")}\n`);
  }
  // A user may still be called LANG: without a space it is a nickname.
  const { join } = roomWithClients({ lang: "pt-BR" });
  assert.match(join("LANG").text(), /^200 OK - Connected\nOlá, LANG!/);
});

Deno.test("notices told to one user are in its language; what it shares, in the server's", () => {
  const { lobby, join } = roomWithClients({ lang: "en", operatorPassword: "pw" });
  const prof = join("prof");
  const bia = new FakeClient(50);
  lobby.connect(bia);
  lobby.input(bia, "LANG pt-BR", 0);
  lobby.input(bia, "bia", 0);
  lobby.input(prof, "OP pw", 1);
  for (const c of [prof, bia]) c.clear();
  lobby.input(prof, "MUTE bia 5", 1);
  assert.equal(
    bia.text(),
    "*** prof silenciou você por 5 minutos: suas mensagens não são enviadas\n",
  );
  assert.equal(prof.text(), "200 OK - Muted\nMuted bia for 5 minutes\n");
  bia.clear();
  lobby.input(bia, "MSG oi", 2);
  assert.equal(bia.text(), "403 Forbidden\nVocê não pode enviar mensagens por mais 5 minutos\n");
  bia.clear();
  lobby.input(prof, "ANNOUNCE prova amanhã", 3);
  assert.equal(bia.text(), "*** Announcement from prof: prova amanhã\n");
  bia.clear();
  lobby.input(prof, "KICK bia tchau", 4);
  assert.equal(bia.text(), "403 Forbidden - Kicked\nprof expulsou você: tchau\n");
  assert.ok(bia.closed);
});

Deno.test("every name problem has its words in both languages", () => {
  const problems: NameProblem[] = [
    { kind: "control", codePoint: "U+001B" },
    { kind: "empty" },
    { kind: "long", length: 30, max: 24 },
    { kind: "characters", shown: "a b" },
    { kind: "marks", max: 2, shown: "x" },
  ];
  for (const p of problems) {
    const [en, pt] = [SERVER_CATALOG.en.nameProblem(p), SERVER_CATALOG["pt-BR"].nameProblem(p)];
    assert.ok(en !== "" && pt !== "" && en !== pt, `${p.kind}: ${en} / ${pt}`);
  }
});

Deno.test("chat join reads the room and the nickname from the server's words in both languages", () => {
  for (const lang of LANGS) {
    const t = SERVER_CATALOG[lang];
    assert.equal(IN_ROOM.exec(t.youAreIn("sala", 3))?.[1], "sala", lang);
    assert.equal(NOW_NAMED.exec(t.nowKnownAs("Ana"))?.[1], "Ana", lang);
    const moved = MOVED.exec(`*** ${t.closedYourRoom("prof", "sala", "lobby")}`);
    assert.equal(moved?.[1] ?? moved?.[2], "lobby", lang);
  }
});

Deno.test("chat join asks for its language when --lang says so, or a binary session's environment is not English", () => {
  assert.equal(serverLangFor("pt-BR", false, false), "pt-BR");
  assert.equal(serverLangFor("en", false, false), undefined);
  assert.equal(serverLangFor("en", true, false), "en");
  assert.equal(
    serverLangFor("pt-BR", false, true),
    undefined,
    "text: a seed server would take it for a nickname",
  );
  assert.equal(serverLangFor("pt-BR", true, true), "pt-BR");
});

const PT = { LC_ALL: "", LANG: "pt_BR.UTF-8" };

Deno.test("LANG=pt_BR.UTF-8 chat serve speaks Portuguese on its console and to nc; --lang en English", async () => {
  for (
    const [env, extra, welcome, console] of [
      [PT, [], /Olá, ana! 1 usuário online/, /^escutando em 127\.0\.0\.1:\d+ \(TCP e UDP\)$/m],
      [
        PT,
        ["--lang", "en"],
        /Welcome, ana! 1 user online/,
        /^listening on 127\.0\.0\.1:\d+ \(TCP and UDP\)$/m,
      ],
    ] as const
  ) {
    const server = await ServerProcess.start([...extra, "--teacher-password", "x"], 10_000, env);
    try {
      assert.match(server.stdout.text, console);
      const page = extra.length === 0 ? /página do professor/ : /teacher's page/;
      assert.ok(await server.stdout.waitFor(page, 5000), server.stdout.text);
      const ana = await rawClient(server.port, "ana");
      try {
        await until("welcome", () => welcome.test(ana.text()));
        assert.match(ana.text(), /200 OK - Connected\n/);
      } finally {
        await ana.close();
      }
    } finally {
      await server.stop();
    }
  }
});

Deno.test("chat join under LANG=pt_BR.UTF-8 gets Portuguese replies from an English server; --lang en English", async () => {
  const server = await ServerProcess.start(["--lang", "en"]);
  try {
    const args = ["join", `127.0.0.1:${server.port}`, "--nick", "ana"];
    const pt = await runChat(args, { stdin: "/who\nMSG x\n", env: PT });
    assert.equal(pt.code, 0, pt.stderr);
    assert.match(pt.stderr, /^200 OK - Connected: Olá, ana! 1 usuário online\. Digite \/help/m);
    assert.match(pt.stderr, /^200 OK: Mensagem enviada$/m);
    assert.doesNotMatch(pt.stderr, /Language|Idioma/, "LANG's reply is not shown");
    const en = await runChat([...args, "--lang", "en"], { stdin: "MSG x\n", env: PT });
    assert.match(en.stderr, /^200 OK - Connected: Welcome, ana! 1 user online/m);
    assert.match(en.stderr, /^200 OK: Message sent$/m);
  } finally {
    await server.stop();
  }
});

Deno.test("chat join --text without --lang sends no LANG, so a seed 000 server sees its nickname first", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const first = (async () => {
    const conn = await listener.accept();
    const buf = new Uint8Array(256);
    const n = await conn.read(buf) ?? 0;
    await conn.write(new TextEncoder().encode("200 OK - Connected\nBem-vindo\n"));
    conn.close();
    return new TextDecoder().decode(buf.subarray(0, n));
  })();
  try {
    await runChat(["join", `127.0.0.1:${listener.addr.port}`, "--nick", "ana", "--text"], {
      env: PT,
      timeoutMs: 10_000,
    });
    assert.equal((await first).split("\n")[0], "ana");
  } finally {
    listener.close();
  }
});

Deno.test("Portuguese counts agree with their number (1 minuto, 2 minutos; 1 usuário foi)", () => {
  const pt = SERVER_CATALOG["pt-BR"];
  assert.equal(pt.mutedFor("ana", 1), "Você silenciou ana por 1 minuto");
  assert.equal(pt.mutedFor("ana", 2), "Você silenciou ana por 2 minutos");
  assert.equal(pt.muted(1), "Você não pode enviar mensagens por mais 1 minuto");
  assert.equal(pt.closedRoom("sala", 1, "lobby"), "Você fechou sala: 1 usuário foi para lobby");
  assert.equal(
    pt.cameFrom(3, "sala", "prof"),
    "*** 3 usuários vieram de sala (prof fechou a sala)",
  );
  assert.match(pt.bannedUntil("10:30", 1), /\(mais 1 minuto\)$/);
});
