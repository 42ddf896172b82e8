/**
 * Which language to speak when `--lang` does not say: the first non-empty of `LC_ALL`,
 * `LC_MESSAGES` and `LANG` decides (as POSIX programs read them; a language `chat` does not speak
 * means English), else the operating system's locale as `Intl` reports it (Windows and macOS
 * apps started without those variables). Pure over the sources given; {@link environmentLocale}
 * is the real environment.
 * @module
 */

import { DEFAULT_LANG, type Lang, langOfLocale } from "./lang.ts";

/** The locale variables read, the strongest first. */
export const LOCALE_VARIABLES = ["LC_ALL", "LC_MESSAGES", "LANG"] as const;

/** Where the locale is read from. */
export interface LocaleSources {
  /** A variable of the environment, undefined when unset or unreadable. */
  env(name: string): string | undefined;
  /** The operating system's locale as a BCP 47 tag, if known. */
  osLocale(): string | undefined;
}

/** The language the sources ask for (see the module doc). */
export function detectLang(sources: LocaleSources): Lang {
  for (const name of LOCALE_VARIABLES) {
    const value = sources.env(name)?.trim();
    if (value) return langOfLocale(value) ?? DEFAULT_LANG;
  }
  const os = sources.osLocale();
  return (os && langOfLocale(os)) || DEFAULT_LANG;
}

/** This process's environment (a variable not readable without `--allow-env` is unset) and `Intl`. */
export function environmentLocale(): LocaleSources {
  return {
    env: (name) => {
      try {
        return Deno.env.get(name);
      } catch {
        return undefined;
      }
    },
    osLocale: () => {
      try {
        return Intl.DateTimeFormat().resolvedOptions().locale;
      } catch {
        return undefined;
      }
    },
  };
}
