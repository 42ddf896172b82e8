/**
 * The real CLI's help in both languages: `chat -h`, `chat help CMD` and every subcommand's `-h`
 * speak Portuguese under `LANG=pt_BR.UTF-8` and English with `--lang en` (anywhere on the line),
 * and usage errors come in the same language as the help they are printed with.
 */

import { renderDoc } from "../lib/docs/render.ts";
import assert from "node:assert/strict";
import { commands } from "../cmd/mod.ts";
import { runChat } from "./support/live_session.ts";

const PT = { LC_ALL: "", LANG: "pt_BR.UTF-8" };

Deno.test("chat -h and chat help join follow LANG, and --lang en wins over it", async () => {
  const pt = await runChat(["-h"], { env: PT });
  assert.equal(pt.code, 0);
  assert.match(pt.stdout, /^Uso: chat <comando> \[opções\]$/m);
  assert.match(pt.stdout, /^ {2}serve +Roda o servidor do chat$/m);
  const en = await runChat(["--lang", "en", "-h"], { env: PT });
  assert.match(en.stdout, /^Usage: chat <command> \[options\]$/m);
  assert.match(en.stdout, /^ {2}serve +Run the chat server$/m);
  const joinPt = await runChat(["help", "join"], { env: PT });
  assert.match(joinPt.stdout, /^Uso: chat join HOST\[:PORTA\] \[opções\]$/m);
  const unknown = await runChat(["frobnicate"], { env: PT });
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /^chat: comando desconhecido: frobnicate$/m);
});

Deno.test("every subcommand's -h in Portuguese and in English", async () => {
  for (const c of commands) {
    const pt = await runChat([c.name, "-h"], { env: PT });
    assert.equal(pt.code, 0, c.name);
    assert.equal(pt.stdout.trim(), c.help["pt-BR"].trim(), c.name);
    assert.match(pt.stdout, new RegExp(`^Uso: chat ${c.name}`, "m"));
    const en = await runChat([c.name, "-h", "--lang=en"], { env: PT });
    assert.equal(en.stdout.trim(), c.help.en.trim(), c.name);
  }
});

Deno.test("a usage error is printed in the help's language", async () => {
  const r = await runChat(["join"], { env: PT });
  assert.equal(r.code, 2);
  assert.match(
    r.stderr,
    /^chat join: Falta o HOST \(o endereço do servidor\) \(veja chat join -h\)$/m,
  );
  assert.doesNotMatch(r.stderr, /^Uso: chat join/m, "a pointer to -h, not the whole usage");
  const docs = await runChat(["docs", "nada", "--lang", "pt-BR"]);
  assert.equal(docs.code, 2);
  assert.match(docs.stderr, /^chat docs: Tópico desconhecido: nada \(/m);
});

Deno.test("the flag helpers' errors (numbers, choices, ports, unknown flags) in Portuguese, English with --lang en", async () => {
  for (
    const [args, pt, en] of [
      [
        ["join", "127.0.0.1", "--nick", "a", "--window", "abc"],
        /^chat join: --window tem que ser um número inteiro de 1 a 256: abc \(veja chat join -h\)$/m,
        /^chat join: --window must be an integer from 1 to 256: abc \(see chat join -h\)$/m,
      ],
      [
        ["join", "127.0.0.1:99999", "--nick", "a"],
        /^chat join: A porta tem que ser um número inteiro de 1 a 65535: 99999 \(veja chat join -h\)$/m,
        /^chat join: Port must be an integer from 1 to 65535: 99999 \(see chat join -h\)$/m,
      ],
      [
        ["join", "127.0.0.1", "--nick", "a", "--arq", "xyz"],
        /^chat join: --arq tem que ser um de gbn, sr: xyz \(veja chat join -h\)$/m,
        /^chat join: --arq must be one of gbn, sr: xyz \(see chat join -h\)$/m,
      ],
      [
        ["join", "127.0.0.1", "--nick", "a", "--loss", "1,5"],
        /^chat join: --loss tem que ser uma probabilidade de 0 a 1 .*: 1,5 \(veja chat join -h\)$/m,
        /^chat join: --loss must be a probability between 0 and 1 \(or 0% to 100%\): 1,5 \(see chat join -h\)$/m,
      ],
      [
        ["serve", "--flood", "abc"],
        /^chat serve: --flood tem que ser MSGS\/SEGUNDOS .*: abc \(veja chat serve -h\)$/m,
        /^chat serve: --flood: flood limit must be MSGS\/SECONDS \(e.g. 10\/5\) or off: abc \(see chat serve -h\)$/m,
      ],
      [
        ["serve", "--bogus"],
        /^chat serve: Opção desconhecida: --bogus \(veja chat serve -h\)$/m,
        /^chat serve: Unknown flag: --bogus \(see chat serve -h\)$/m,
      ],
      [
        ["serve", "extra"],
        /^chat serve: Argumento a mais: extra \(veja chat serve -h\)$/m,
        /^chat serve: Unexpected argument: extra \(see chat serve -h\)$/m,
      ],
    ] as const
  ) {
    const r = await runChat([...args], { env: PT });
    assert.equal(r.code, 2, args.join(" "));
    assert.match(r.stderr, pt);
    const e = await runChat([...args, "--lang", "en"], { env: PT });
    assert.equal(e.code, 2, args.join(" "));
    assert.match(e.stderr, en);
  }
});

Deno.test("chat docs prints the Portuguese protocol and lab guide under LANG=pt_BR, English with --lang en", async () => {
  // As printed: the Markdown within 80 columns (lib/docs/render.ts).
  const read = async (name: string) =>
    renderDoc(await Deno.readTextFile(new URL(`../docs/${name}`, import.meta.url)));
  const protocolPt = await runChat(["docs", "protocol"], { env: PT });
  assert.equal(protocolPt.code, 0);
  assert.equal(protocolPt.stdout.trim(), (await read("PROTOCOL.pt-BR.md")).trim());
  const protocolEn = await runChat(["docs", "protocol", "--lang", "en"], { env: PT });
  assert.equal(protocolEn.stdout.trim(), (await read("PROTOCOL.md")).trim());
  const labPt = await runChat(["docs", "lab"], { env: PT });
  assert.equal(labPt.stdout.trim(), (await read("LAB.pt-BR.md")).trim());
  const labEn = await runChat(["docs", "lab"]);
  assert.equal(labEn.stdout.trim(), (await read("LAB.md")).trim());
  const labPtAnyway = await runChat(["docs", "lab-pt"]);
  assert.equal(labPtAnyway.stdout.trim(), (await read("LAB.pt-BR.md")).trim());
});
