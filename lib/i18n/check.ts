/**
 * Checks a {@link Catalog}'s contents where the type system cannot: every table has every key of
 * the English one and no other, every string is non-empty, every function has the English one's
 * arity and returns a non-empty string for sample arguments, and no translation was left in
 * English where that can be told (a word from {@link ENGLISH_WORDS} outside code, flags, slash
 * commands and upper-case protocol words, or a sentence identical to the English one).
 * @module
 */

import type { Catalog } from "./catalog.ts";
import { DEFAULT_LANG, type Lang, LANGS } from "./lang.ts";

/**
 * English words that no Portuguese sentence uses: one found in a translation is English left
 * behind. (Words both languages write, such as "no", "do", "a", "for", are not in the list.)
 */
export const ENGLISH_WORDS: readonly string[] = [
  "the",
  "and",
  "you",
  "your",
  "with",
  "without",
  "not",
  "cannot",
  "must",
  "is",
  "are",
  "this",
  "that",
  "of",
  "to",
  "from",
  "has",
  "have",
  "will",
  "was",
  "were",
  "which",
  "when",
  "there",
  "it",
  "its",
  "by",
  "only",
  "every",
  "each",
  "after",
  "before",
  "again",
  "type",
  "usage",
  "show",
  "send",
  "sent",
  "leave",
  "default",
  "error",
];

/** What {@link catalogProblems} may be told about one catalog. */
export interface CheckOptions {
  /** Key paths (`a.b`) whose translation may equal the English text (a prompt `> `, a name). */
  readonly sameAllowed?: readonly string[];
  /** Arguments to call a function with, by key path, when numbers and then strings do not fit. */
  readonly samples?: Readonly<Record<string, readonly unknown[]>>;
}

/** Every problem found in `catalog` (named `name` in the messages); empty when it is complete. */
export function catalogProblems<T>(
  name: string,
  catalog: Catalog<T>,
  options: CheckOptions = {},
): string[] {
  const problems: string[] = [];
  const en = catalog[DEFAULT_LANG];
  for (const lang of LANGS) {
    if (lang === DEFAULT_LANG) continue;
    walk(en, catalog[lang], "", (path, what) => problems.push(`${name} ${lang} ${path}: ${what}`), {
      lang,
      options,
    });
  }
  walkEnglish(en, "", (path, what) => problems.push(`${name} en ${path}: ${what}`), options);
  return problems;
}

interface Walk {
  readonly lang: Lang;
  readonly options: CheckOptions;
}

type Report = (path: string, what: string) => void;

function join(path: string, key: string): string {
  return path === "" ? key : `${path}.${key}`;
}

function kind(v: unknown): string {
  if (Array.isArray(v)) return "array";
  return v === null ? "null" : typeof v;
}

function walk(en: unknown, other: unknown, path: string, report: Report, w: Walk): void {
  if (kind(en) !== kind(other)) {
    report(path || "(table)", `is ${kind(other)}, the English one ${kind(en)}`);
    return;
  }
  if (typeof en === "string") {
    checkString(en, other as string, path, report, w);
    return;
  }
  if (typeof en === "function") {
    const f = other as (...args: unknown[]) => unknown;
    const g = en as (...args: unknown[]) => unknown;
    if (f.length !== g.length) {
      report(path, `takes ${f.length} arguments, the English one ${g.length}`);
      return;
    }
    const args = sampleArgs(g, w.options.samples?.[path]);
    if (args === undefined) {
      report(path, "no sample arguments fit the English function (give some in samples)");
      return;
    }
    let out: unknown;
    try {
      out = f(...args);
    } catch (error) {
      report(path, `throws for ${JSON.stringify(args)}: ${(error as Error).message}`);
      return;
    }
    if (typeof out !== "string") report(path, `returns ${kind(out)} for ${JSON.stringify(args)}`);
    else checkString(String(g(...args)), out, path, report, w);
    return;
  }
  if (typeof en === "object" && en !== null) {
    const a = en as Record<string, unknown>;
    const b = other as Record<string, unknown>;
    for (const key of Object.keys(a)) {
      if (!(key in b)) report(join(path, key), "missing");
      else walk(a[key], b[key], join(path, key), report, w);
    }
    for (const key of Object.keys(b)) {
      if (!(key in a)) report(join(path, key), "not in the English table");
    }
  }
}

/** The English table itself: strings non-empty, every function callable with some samples. */
function walkEnglish(en: unknown, path: string, report: Report, options: CheckOptions): void {
  if (typeof en === "string") {
    if (en.trim() === "") report(path, "empty");
  } else if (typeof en === "function") {
    const g = en as (...args: unknown[]) => unknown;
    const args = sampleArgs(g, options.samples?.[path]);
    if (args === undefined) report(path, "no sample arguments fit (give some in samples)");
    else if (typeof g(...args) !== "string" || String(g(...args)).trim() === "") {
      report(path, "does not return a non-empty string");
    }
  } else if (typeof en === "object" && en !== null) {
    for (const [key, v] of Object.entries(en)) walkEnglish(v, join(path, key), report, options);
  }
}

/** Arguments `f` accepts: the ones given, else all numbers, else all strings, else undefined. */
function sampleArgs(
  f: (...args: unknown[]) => unknown,
  given: readonly unknown[] | undefined,
): unknown[] | undefined {
  const tries = given ? [[...given]] : [Array(f.length).fill(2), Array(f.length).fill("xyz")];
  for (const args of tries) {
    try {
      const out = f(...args);
      if (typeof out === "string") return args;
    } catch {
      // the next kind of sample
    }
  }
  return undefined;
}

function checkString(en: string, text: string, path: string, report: Report, w: Walk): void {
  if (text.trim() === "") {
    report(path, "empty");
    return;
  }
  const allowed = w.options.sameAllowed?.includes(path) ?? false;
  if (!allowed && text === en && /[a-z]{2,}\s+[a-z]{2,}/i.test(prose(en))) {
    report(path, `the same as the English text: ${JSON.stringify(text)}`);
  }
  if (w.lang === "pt-BR") {
    const left = englishWordsIn(text);
    if (left.length > 0) {
      report(path, `English word(s) ${left.join(", ")} in ${JSON.stringify(text)}`);
    }
  }
}

/**
 * `text` without what is not prose: `code`, `--flags`, `/commands`, upper-case protocol words,
 * `KEY=value` pairs and URLs.
 */
export function prose(text: string): string {
  return text
    .replace(/`[^`]*`/g, " ")
    .replace(/\bhttps?:\/\/\S+/g, " ")
    .replace(/(^|\s|\[|\()--?[\w-]+/g, " ")
    .replace(/(^|\s|\[|\(|")\/[\w/-]+/g, " ")
    .replace(/\b[\w-]+=\S*/g, " ")
    .replace(/\b[A-Z][A-Z0-9_-]+\b/g, " ");
}

/** The {@link ENGLISH_WORDS} found in the prose of `text` (whole words, any case). */
export function englishWordsIn(text: string): string[] {
  const words = new Set(prose(text).toLowerCase().match(/\p{L}+(?:'\p{L}+)?/gu) ?? []);
  return ENGLISH_WORDS.filter((w) => words.has(w));
}
