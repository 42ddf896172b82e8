/**
 * lib/i18n: which language a locale asks for, the order the environment is read in, `--lang`
 * taken out of the arguments, decimal commas, and the catalog check finding what a translation
 * lacks.
 */

import assert from "node:assert/strict";
import { chooseLang, takeLangFlag } from "../lib/cli/lang_flag.ts";
import { catalogProblems, englishWordsIn } from "../lib/i18n/check.ts";
import { detectLang, langOfLocale, type LocaleSources, parseDecimal } from "../lib/i18n/mod.ts";

function sources(env: Record<string, string>, os?: string): LocaleSources {
  return { env: (name) => env[name], osLocale: () => os };
}

Deno.test("langOfLocale maps POSIX names and BCP 47 tags to en or pt-BR", () => {
  for (const name of ["pt", "pt_BR", "pt_BR.UTF-8", "pt-BR", "pt-PT", "pt_PT.ISO-8859-1@euro"]) {
    assert.equal(langOfLocale(name), "pt-BR", name);
  }
  for (const name of ["C", "POSIX", "C.UTF-8", "en", "en_US.UTF-8", "en-GB"]) {
    assert.equal(langOfLocale(name), "en", name);
  }
  for (const name of ["fr_FR.UTF-8", "es", "", "  "]) assert.equal(langOfLocale(name), undefined);
});

Deno.test("detectLang: LC_ALL, then LC_MESSAGES, then LANG, then the OS locale", () => {
  assert.equal(detectLang(sources({ LANG: "pt_BR.UTF-8" })), "pt-BR");
  assert.equal(detectLang(sources({ LANG: "pt_BR.UTF-8", LC_ALL: "C" })), "en");
  assert.equal(detectLang(sources({ LANG: "en_US.UTF-8", LC_MESSAGES: "pt_BR" })), "pt-BR");
  assert.equal(detectLang(sources({ LC_MESSAGES: "en_US", LC_ALL: "pt_PT" })), "pt-BR");
  // An empty variable is unset; an unknown language is English, not the next variable's.
  assert.equal(detectLang(sources({ LC_ALL: "", LANG: "pt_BR.UTF-8" })), "pt-BR");
  assert.equal(detectLang(sources({ LC_ALL: "fr_FR.UTF-8", LANG: "pt_BR.UTF-8" })), "en");
  assert.equal(detectLang(sources({}, "pt-BR")), "pt-BR");
  assert.equal(detectLang(sources({}, "de-DE")), "en");
  assert.equal(detectLang(sources({}, undefined)), "en");
  assert.equal(detectLang(sources({ LANG: "C.UTF-8" }, "pt-BR")), "en");
});

Deno.test("--lang is taken out of the arguments, in both spellings, and wins over the environment", () => {
  assert.deepEqual(takeLangFlag(["join", "--lang", "en", "h"]), {
    value: "en",
    rest: ["join", "h"],
  });
  assert.deepEqual(takeLangFlag(["--lang=pt-BR", "-h"]), { value: "pt-BR", rest: ["-h"] });
  assert.deepEqual(takeLangFlag(["a", "--", "--lang", "en"]), {
    rest: ["a", "--", "--lang", "en"],
  });
  assert.deepEqual(takeLangFlag(["--lang"]), { value: "", rest: [] });
  const pt = sources({ LANG: "pt_BR.UTF-8" });
  assert.deepEqual(chooseLang(["serve", "--lang", "en"], pt), {
    lang: "en",
    rest: ["serve"],
    given: true,
  });
  assert.deepEqual(chooseLang(["serve"], pt), { lang: "pt-BR", rest: ["serve"], given: false });
  assert.deepEqual(chooseLang(["--lang", "pt"], sources({})), {
    lang: "pt-BR",
    rest: [],
    given: true,
  });
  assert.deepEqual(chooseLang(["--lang", "klingon"], pt), {
    lang: "pt-BR",
    rest: [],
    given: false,
    bad: "klingon",
  });
  assert.deepEqual(chooseLang(["--lang", ""], pt), {
    lang: "pt-BR",
    rest: [],
    given: false,
    bad: "",
  });
});

Deno.test("parseDecimal takes a decimal point or comma, and refuses what could be a thousand", () => {
  assert.equal(parseDecimal("0,25"), 0.25);
  assert.equal(parseDecimal(" 0.25 "), 0.25);
  assert.equal(parseDecimal(",5"), 0.5);
  assert.equal(parseDecimal("2,5"), 2.5);
  assert.equal(parseDecimal("0,125"), 0.125);
  assert.equal(parseDecimal("-1,5"), -1.5);
  assert.equal(parseDecimal("1e3"), 1000);
  assert.equal(parseDecimal("10"), 10);
  for (
    const bad of ["", ",", "1,2,3", "1.2,3", "1,000", "12,500", "abc", "1 000", "0x10", "Infinity"]
  ) {
    assert.ok(Number.isNaN(parseDecimal(bad)), bad);
  }
});

Deno.test("englishWordsIn finds English prose but not flags, commands, code or protocol words", () => {
  assert.deepEqual(englishWordsIn("Digite o apelido, or Ctrl-C to leave"), ["to", "leave"]);
  assert.deepEqual(englishWordsIn("use `the --from` e /send, --to-the X; OK - Connected"), []);
  assert.deepEqual(englishWordsIn("THE IS TO"), []);
  assert.deepEqual(englishWordsIn("padrão (default 8)"), ["default"]);
});

Deno.test("catalogProblems finds a missing key, an extra one, a wrong arity, empty and English text", () => {
  const en = {
    greeting: "Hello there",
    count: (n: number) => `${n} users online`,
    nested: { bye: "See you soon", who: (s: string) => `Who is ${s.toUpperCase()}?` },
  };
  const good = {
    en,
    "pt-BR": {
      greeting: "Olá, pessoal",
      count: (n: number) => `${n} usuários conectados`,
      nested: { bye: "Até logo", who: (s: string) => `Quem é ${s.toUpperCase()}?` },
    },
  };
  assert.deepEqual(catalogProblems("good", good), []);
  const bad = {
    en,
    "pt-BR": {
      greeting: "Hello there",
      count: () => "",
      nested: { who: (s: string) => `Who is ${s}? ` },
      extra: "sobra",
    },
  } as unknown as typeof good;
  const problems = catalogProblems("bad", bad);
  const about = (path: string) => problems.filter((p) => p.startsWith(`bad pt-BR ${path}:`));
  assert.match(about("greeting")[0] ?? "", /the same as the English text/);
  assert.match(about("count")[0] ?? "", /takes 0 arguments, the English one 1/);
  assert.match(about("nested.bye")[0] ?? "", /missing/);
  assert.match(about("nested.who")[0] ?? "", /English word\(s\) is/);
  assert.match(about("extra")[0] ?? "", /not in the English table/);
  assert.deepEqual(
    catalogProblems("same", { ...good, "pt-BR": { ...good["pt-BR"], greeting: en.greeting } }, {
      sameAllowed: ["greeting"],
    }).filter((p) => !/English word/.test(p)),
    [],
  );
});
