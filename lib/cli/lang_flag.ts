/**
 * `--lang pt-BR|en`, which every subcommand takes: read (and taken out of the arguments) before
 * the subcommand parses its own flags, so help, usage errors and the subcommand itself all speak
 * the language chosen. Without it, the environment decides (`lib/i18n/detect.ts`).
 * @module
 */

import { detectLang, environmentLocale, type Lang, langOfLocale, LANGS } from "../i18n/mod.ts";
import type { LocaleSources } from "../i18n/detect.ts";

/** The flag's name. */
export const LANG_FLAG = "--lang";

/** The arguments without `--lang X` / `--lang=X` (before a `--`), and the value given, if any. */
export function takeLangFlag(args: readonly string[]): { value?: string; rest: string[] } {
  const rest: string[] = [];
  let value: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === "--") {
      rest.push(...args.slice(i));
      break;
    }
    if (a === LANG_FLAG) {
      value = args[i + 1] ?? "";
      i++;
    } else if (a.startsWith(`${LANG_FLAG}=`)) {
      value = a.slice(LANG_FLAG.length + 1);
    } else rest.push(a);
  }
  return value === undefined ? { rest } : { value, rest };
}

/** The language of a `--lang` value (`pt-BR`, `pt`, `pt_BR.UTF-8`, `en`...); undefined if none. */
export function langFlagValue(value: string): Lang | undefined {
  return value.trim() === "" ? undefined : langOfLocale(value);
}

/** What `--lang` accepts, for messages. */
export const LANG_CHOICES: string = LANGS.join(", ");

/**
 * The language for a run: `--lang` when given and good (`given`); else the environment's. `bad`
 * is the value given when it names no language `chat` speaks (the caller reports it).
 */
export function chooseLang(
  args: readonly string[],
  sources: LocaleSources = environmentLocale(),
): { lang: Lang; rest: string[]; given: boolean; bad?: string } {
  const { value, rest } = takeLangFlag(args);
  const detected = detectLang(sources);
  if (value === undefined) return { lang: detected, rest, given: false };
  const lang = langFlagValue(value);
  return lang === undefined
    ? { lang: detected, rest, given: false, bad: value }
    : { lang, rest, given: true };
}
