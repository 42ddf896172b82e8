/**
 * `chat join` in Brazilian Portuguese: the slash commands (the same names and verbs in both
 * languages), `/help` in 80 columns, usage errors with translated placeholders, the questions
 * asked again in Portuguese with decimal commas, `/stats`, and the real CLI picking the language
 * from `LANG`, `LC_ALL` or `--lang`.
 */

import assert from "node:assert/strict";
import { numberFlag, parseFlags, UsageError } from "../lib/cli/args.ts";
import { interpretTyped, slashHelp } from "../lib/client/commands.ts";
import { arqStatsLine, CLIENT_CATALOG } from "../lib/client/messages.ts";
import { askUiSettings } from "../lib/client/questions.ts";
import { actOnTyped } from "../lib/client/typed_actions.ts";
import { englishWordsIn } from "../lib/i18n/check.ts";
import { NullLogger } from "../lib/log/logger.ts";
import { MAX_PAYLOAD } from "../lib/protocol/header.ts";
import { ChatServer } from "../lib/server/server.ts";
import { runChat } from "./support/live_session.ts";

const pt = CLIENT_CATALOG["pt-BR"];
const en = CLIENT_CATALOG.en;

Deno.test("typed lines map to the same verbs in Portuguese, errors in Portuguese", () => {
  for (const line of ["olá", "/nick bia", "/who", "/msg bia oi", "/join g1", "/quote STATS"]) {
    assert.deepEqual(interpretTyped(line, pt), interpretTyped(line, en), line);
  }
  assert.deepEqual(interpretTyped("/msg bia", pt), {
    kind: "error",
    message: "Uso: /msg APELIDO TEXTO",
  });
  assert.deepEqual(interpretTyped("/msg bia", en), {
    kind: "error",
    message: "Usage: /msg NICK TEXT",
  });
  assert.deepEqual(interpretTyped("/xyz", pt), {
    kind: "error",
    message: "Comando desconhecido /xyz: digite /help",
  });
  assert.deepEqual(interpretTyped("/timestamp sim", pt), { kind: "timestamps", on: true });
  assert.deepEqual(interpretTyped("/timestamp não", pt), { kind: "timestamps", on: false });
  assert.deepEqual(interpretTyped("/timestamp n", en), { kind: "timestamps", on: false });
  assert.deepEqual(interpretTyped("/help servidor", pt), { kind: "help", server: true });
});

Deno.test("/help in Portuguese lists every command, fits 80 columns, and has no English prose", () => {
  const help = slashHelp(pt);
  const listed = (h: string) => [...h.matchAll(/^ {2}(\/\w+)/gm)].map((m) => m[1]!);
  assert.deepEqual(listed(help), listed(slashHelp(en)));
  assert.match(help, /^Comandos do chat join/);
  assert.match(help, /\/msg APELIDO TEXTO +mensagem privada para APELIDO/);
  assert.match(help, /\/op SENHA/);
  for (const line of help.split("\n")) {
    assert.ok(line.length <= 80, `too wide: ${line}`);
    assert.deepEqual(englishWordsIn(line), [], line);
  }
});

Deno.test("the --mode ui questions in Portuguese: asked again in Portuguese, decimal commas taken", async () => {
  const answers = ["udp", "sr", "0", "4", "0,2", "meio", "12,5%"];
  const asked: string[] = [];
  const said: string[] = [];
  const r = await askUiSettings(
    (q) => {
      asked.push(q);
      return Promise.resolve(answers.shift());
    },
    (t) => said.push(t),
    {
      params: { mode: "gbn", window: 8, ackPolicy: "sack", maxPayload: MAX_PAYLOAD },
      loss: 0.1,
      corrupt: 0,
    },
    256,
    pt,
  );
  assert.equal(r?.params.mode, "sr");
  assert.equal(r?.params.window, 4);
  assert.equal(r?.loss, 0.2);
  assert.equal(r?.corrupt, 0.125);
  assert.ok(asked.includes("Probabilidade de perda, de 0 a 1 [0,1]: "), asked.join("|"));
  assert.deepEqual(said, [
    "O protocolo tem que ser gbn ou sr: udp",
    "A janela tem que ser um número inteiro de 1 a 256: 0",
    "A probabilidade de corrupção tem que ser um número de 0 a 1 (0,1 ou 10% também valem): meio",
  ]);
});

Deno.test("local answers (/timestamp, /stats, /loss) speak the table's language", () => {
  const said: string[] = [];
  const target = { send: () => {}, endpoint: undefined };
  actOnTyped(target, "/timestamp on", undefined, (t) => said.push(t), { timestamps: false }, pt);
  actOnTyped(target, "/stats", undefined, (t) => said.push(t), { timestamps: false }, pt);
  actOnTyped(target, "/loss 0,1", undefined, (t) => said.push(t), { timestamps: false }, pt);
  assert.deepEqual(said, [pt.timestampsOn, pt.noArqCounters, pt.faultsNeedBinary]);
  assert.notEqual(pt.timestampsOn, en.timestampsOn);
  const figures = {
    mode: "SR",
    window: 8,
    srtt: 12.25,
    rto: 200,
    framesSent: 3,
    dataSent: 2,
    retransmissions: 1,
    timeouts: 0,
    nacksSent: 0,
    nacksReceived: 0,
    duplicates: 0,
    corruptReceived: 0,
  };
  assert.match(arqStatsLine(figures, pt), /^SR janela=8 srtt=12,3ms .* retransmissões=1 /);
  assert.match(arqStatsLine(figures), /^SR window=8 srtt=12.3ms .* retransmissions=1 /);
});

Deno.test("number flags take a decimal comma", () => {
  const flags = parseFlags(["--rate", "2,5", "--duration", "0.5", "--x", "1,000"], {
    rate: { type: "string" },
    duration: { type: "string" },
    x: { type: "string" },
  });
  assert.equal(numberFlag(flags, "rate", 0, 0, 10), 2.5);
  assert.equal(numberFlag(flags, "duration", 0, 0, 10), 0.5);
  assert.throws(() => numberFlag(flags, "x", 0, 0, 1e6), UsageError);
});

async function withServer(fn: (port: number) => Promise<void>): Promise<void> {
  const server = ChatServer.listen({ host: "127.0.0.1", port: 0, logger: new NullLogger() });
  try {
    await fn(server.addr.port);
  } finally {
    await server.shutdown("test over", 1000);
  }
}

Deno.test("LANG=pt_BR.UTF-8 chat join speaks Portuguese, --lang en English, LC_ALL before LANG", () =>
  withServer(async (port) => {
    const args = ["join", `127.0.0.1:${port}`, "--nick", "ana", "--text"];
    const stdin = "/frobnicate\n/msg ana\n";
    const ptRun = await runChat(args, { stdin, env: { LC_ALL: "", LANG: "pt_BR.UTF-8" } });
    assert.equal(ptRun.code, 0, ptRun.stderr);
    assert.match(ptRun.stderr, /^Comando desconhecido \/frobnicate: digite \/help$/m);
    assert.match(ptRun.stderr, /^Uso: \/msg APELIDO TEXTO$/m);
    const enRun = await runChat([...args, "--lang", "en"], {
      stdin,
      env: { LC_ALL: "", LANG: "pt_BR.UTF-8" },
    });
    assert.equal(enRun.code, 0, enRun.stderr);
    assert.match(enRun.stderr, /^Unknown command \/frobnicate: type \/help$/m);
    assert.match(enRun.stderr, /^Usage: \/msg NICK TEXT$/m);
    const lcAll = await runChat(args, { stdin, env: { LC_ALL: "pt_PT.UTF-8", LANG: "en_US" } });
    assert.match(lcAll.stderr, /^Comando desconhecido/m);
  }));

Deno.test("chat join says in Portuguese that nothing listens, and refuses a --lang it does not speak", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = listener.addr.port;
  listener.close();
  const r = await runChat(["join", `127.0.0.1:${port}`, "--nick", "ana", "--lang", "pt-BR"]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /não foi possível conectar a 127\.0\.0\.1:\d+: conexão recusada/);
  const usage = await runChat([
    "join",
    "127.0.0.1",
    "--nick",
    "ana",
    "--lang",
    "pt-BR",
    "--mode",
    "ui",
  ]);
  assert.equal(usage.code, 2);
  assert.match(usage.stderr, /--mode ui precisa de um terminal/);
  const bad = await runChat(["join", "127.0.0.1", "--lang", "fr"]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--lang must be one of en, pt-BR: fr/);
});
