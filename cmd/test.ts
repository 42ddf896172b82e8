/**
 * `chat test`: parses flags and wires the conformance tester (`lib/tester`) to its outputs.
 * @module
 */

import { dirname, resolve } from "node:path";
import {
  boolFlag,
  choiceFlag,
  type FlagSpec,
  intFlag,
  parseFlags,
  parseHostPort,
  stringFlag,
  UsageError,
} from "../lib/cli/args.ts";
import { type Command, EXIT_USAGE } from "../lib/cli/command.ts";
import {
  CommandTarget,
  FixedTarget,
  formatCounts,
  formatFailureDetails,
  formatMatrixTable,
  formatResultLine,
  formatSummary,
  LEVEL_CHOICES,
  type LevelChoice,
  parseServersFile,
  runMatrix,
  runSuite,
  selectTests,
  ServersFileError,
  type SuiteReport,
  summarize,
  toJson,
  toJUnit,
  toMatrixCsv,
  toMatrixHtml,
} from "../lib/tester/mod.ts";

const spec: FlagSpec = {
  level: { type: "string", short: "l" },
  only: { type: "string" },
  list: { type: "boolean" },
  timeout: { type: "string" },
  verbose: { type: "boolean", short: "v" },
  json: { type: "boolean" },
  junit: { type: "string" },
  servers: { type: "string" },
  jobs: { type: "string", short: "j" },
  out: { type: "string" },
};

const helpEn = `chat test: grade a chat server against docs/PROTOCOL.md

Usage: chat test HOST[:PORT] [options]          a server that is running (port 55555 by default)
       chat test --servers FILE [options]       start, test and stop each server of a list

Prints one line per test (PASS/FAIL, test id, reason), then a summary naming the failures.
Each test id names the PROTOCOL.md section whose rule it checks (chat docs protocol).
Exit status: 0 when every required test passed, 1 otherwise, 2 on a usage error.

  -l, --level LEVEL  text: the seed 000 protocol alone (NICK prompt, nickname, MSG, LIST,
                     QUIT; status codes judged by number, so a server answering in
                     Portuguese passes); full (default): this project's whole text protocol;
                     binary: the reliable binary protocol (handshake, checksum, fragments,
                     ACK/NACK, Go-Back-N and Selective Repeat, teardown), the tester acting as
                     a lossy network on its own frames; all: full and binary
  --only GLOBS       only the tests whose id matches one of the comma-separated globs,
                     e.g. 'text/msg/*' or '*nack*'
  --list             list the selected tests with the rule each checks, and exit
  --timeout MS       how long to wait for each reply (default 2000)
  -v, --verbose      print the rule and the transcript (what was sent and received) of
                     every failure
  --json             print the results as one JSON document instead of lines
  --junit FILE       also write the results as JUnit XML
  --servers FILE     one server per line: NAME COMMAND... (run in FILE's folder, not through a
                     shell); the command must listen on 127.0.0.1 at the port given as {port}
                     in it or as $PORT; each test gets a freshly started server
  -j, --jobs N       with --servers: test up to N servers at once (default 2)
  --out PREFIX       with --servers: write the matrix to PREFIX.csv and PREFIX.html
                     (default chat-test-matrix)

Tests use fresh nicknames and stay within the default flood limit (10 messages per 5 s per
user); a server that answers 429 or 503 to the tester is named as rate-limiting it.

Examples:
  chat test 127.0.0.1:55555
  chat test 192.168.0.88 --level text --only 'text/msg/*'
  chat test --servers turma.txt --jobs 4 --level all     (turma.txt: g01 python3 g01/server.py --port {port})`;

const helpPt = `chat test: avalia um servidor de chat pelo docs/PROTOCOL.md

Uso: chat test HOST[:PORTA] [opções]        um servidor que já está rodando (porta 55555
                                             por padrão)
     chat test --servers ARQUIVO [opções]    inicia, testa e para cada servidor de uma lista

Mostra uma linha por teste (PASS/FAIL, id do teste, motivo) e depois um resumo com as
falhas. O id de cada teste diz a seção do PROTOCOL.md cuja regra ele confere (chat docs
protocol). Código de saída: 0 quando todos os testes obrigatórios passaram, 1 se não, 2
num erro de uso.

  -l, --level NÍVEL  text: só o protocolo do seed 000 (prompt NICK, apelido, MSG, LIST,
                     QUIT; códigos de status julgados pelo número, então um servidor que
                     responde em português passa); full (padrão): todo o protocolo de
                     texto deste projeto; binary: o protocolo binário confiável (handshake,
                     checksum, fragmentos, ACK/NACK, Go-Back-N e Selective Repeat,
                     encerramento), com o testador fazendo papel de rede com perdas nos
                     próprios quadros; all: full e binary
  --only GLOBS       só os testes cujo id casa com um dos globs separados por vírgula,
                     por exemplo 'text/msg/*' ou '*nack*'
  --list             lista os testes escolhidos com a regra que cada um confere, e sai
  --timeout MS       quanto esperar por cada resposta (padrão 2000)
  -v, --verbose      mostra a regra e a transcrição (o que foi enviado e recebido) de
                     cada falha
  --json             mostra os resultados como um documento JSON em vez de linhas
  --junit ARQUIVO    grava também os resultados em JUnit XML
  --servers ARQUIVO  um servidor por linha: NOME COMANDO... (rodado na pasta do ARQUIVO,
                     sem shell); o comando tem que escutar em 127.0.0.1 na porta dada
                     como {port} nele ou como $PORT; cada teste ganha um servidor novo
  -j, --jobs N       com --servers: testa até N servidores ao mesmo tempo (padrão 2)
  --out PREFIXO      com --servers: grava a matriz em PREFIXO.csv e PREFIXO.html
                     (padrão chat-test-matrix)

Os testes usam apelidos novos e respeitam o limite de flood padrão (10 mensagens a cada
5 s por usuário); um servidor que responde 429 ou 503 ao testador é apontado como
limitando o testador.

Exemplos:
  chat test 127.0.0.1:55555
  chat test 192.168.0.88 --level text --only 'text/msg/*'
  chat test --servers turma.txt --jobs 4 --level all
      (turma.txt: g01 python3 g01/server.py --port {port})`;

async function run(args: string[]): Promise<number> {
  try {
    return await runTest(args);
  } catch (error) {
    if (error instanceof UsageError || error instanceof ServersFileError) {
      console.error(`chat test: ${error.message} (see chat test -h)`);
      return EXIT_USAGE;
    }
    throw error;
  }
}

async function runTest(args: string[]): Promise<number> {
  const flags = parseFlags(args, spec, 1);
  const level = choiceFlag<LevelChoice>(flags, "level", LEVEL_CHOICES, "full");
  const only = (stringFlag(flags, "only") ?? "").split(",").map((g) => g.trim()).filter((g) => g);
  const tests = selectTests(level, only);
  if (tests.length === 0) {
    throw new UsageError(`No test of level ${level} matches --only: ${only.join(",")}`);
  }
  if (boolFlag(flags, "list")) {
    for (const t of tests) {
      console.log(`${t.id.padEnd(44)} ${t.required === false ? "(advisory) " : ""}${t.rule}`);
    }
    return 0;
  }
  const replyMs = intFlag(flags, "timeout", 2000, 100, 60_000);
  const serversFile = stringFlag(flags, "servers");
  const target = flags.positionals[0];
  if (serversFile !== undefined && target !== undefined) {
    throw new UsageError(`Give either HOST[:PORT] or --servers FILE, not both: ${target}`);
  }
  if (serversFile === undefined) {
    if (target === undefined) throw new UsageError("Missing HOST[:PORT] (or --servers FILE)");
    for (const f of ["jobs", "out"]) {
      if (flags.values[f] !== undefined) throw new UsageError(`--${f} needs --servers FILE`);
    }
  }
  const out = {
    json: boolFlag(flags, "json"),
    junit: stringFlag(flags, "junit"),
    verbose: boolFlag(flags, "verbose"),
    colour: Deno.stdout.isTerminal() && !Deno.env.get("NO_COLOR"),
  };
  let reports: SuiteReport[];
  if (serversFile !== undefined) {
    const jobs = intFlag(flags, "jobs", 2, 1, 64);
    reports = await runServers(serversFile, tests, level, replyMs, jobs, out);
    const prefix = stringFlag(flags, "out") ?? "chat-test-matrix";
    await Deno.writeTextFile(`${prefix}.csv`, toMatrixCsv(reports));
    await Deno.writeTextFile(`${prefix}.html`, toMatrixHtml(reports, `chat test: ${serversFile}`));
    if (!out.json) {
      console.log(formatMatrixTable(reports, out.colour).join("\n"));
      console.log(`Wrote ${prefix}.csv and ${prefix}.html`);
    }
  } else {
    const hp = parseHostPort(target!);
    const fixed = new FixedTarget(hp.host, hp.port ?? 55555);
    if (!out.json) {
      console.log(`chat test ${fixed.description}: ${tests.length} tests, level ${level}`);
    }
    const report = await runSuite(tests, fixed, {
      level,
      replyMs,
      onResult: (r) => {
        if (out.json) return;
        console.log(formatResultLine(r, out.colour));
        if (out.verbose && r.status === "fail") console.log(formatFailureDetails(r).join("\n"));
      },
    });
    if (!out.json) console.log(formatSummary(report, out.colour).join("\n"));
    reports = [report];
  }
  if (out.json) console.log(JSON.stringify(toJson(reports), null, 2));
  if (out.junit !== undefined) await Deno.writeTextFile(out.junit, toJUnit(reports));
  return reports.every((r) => summarize(r.results).failed === 0) ? 0 : 1;
}

async function runServers(
  file: string,
  tests: ReturnType<typeof selectTests>,
  level: LevelChoice,
  replyMs: number,
  jobs: number,
  out: { json: boolean; verbose: boolean; colour: boolean },
): Promise<SuiteReport[]> {
  let text: string;
  try {
    text = await Deno.readTextFile(file);
  } catch (error) {
    throw new UsageError(`Cannot read the servers file: ${file} (${(error as Error).message})`);
  }
  const cwd = dirname(resolve(file));
  const targets = parseServersFile(text, file).map((s) =>
    new CommandTarget(s.name, s.argv, { cwd })
  );
  const log = (line: string) => out.json ? console.error(line) : console.log(line);
  log(
    `chat test: ${targets.length} servers from ${file}, ${tests.length} tests each, level ${level}, ${jobs} at a time`,
  );
  return await runMatrix(targets, tests, {
    jobs,
    level,
    replyMs,
    onResult: (server, r) => {
      if (out.verbose && r.status === "fail") {
        log(`[${server.name}] ${formatResultLine(r, out.colour)}`);
        log(formatFailureDetails(r).join("\n"));
      }
    },
    onServer: (report) => log(`[${report.name}] ${formatCounts(report)}`),
  });
}

/** The `test` subcommand. */
export const test: Command = {
  name: "test",
  summary: {
    en: "Conformance tester: grade a chat server (or a class's) against PROTOCOL.md",
    "pt-BR": "Testador de conformidade: avalia um servidor (ou os da turma) pelo PROTOCOL.md",
  },
  help: { en: helpEn, "pt-BR": helpPt },
  run,
};
