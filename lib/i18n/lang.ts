/**
 * The languages `chat` speaks and how a locale name (`pt_BR.UTF-8`, `pt-PT`, `en-US`, `C`) maps
 * to one of them. Every variety of Portuguese is answered in Brazilian Portuguese, every variety
 * of English and the C/POSIX locale in English.
 * @module
 */

/** Every language `chat` speaks, English first. */
export const LANGS = ["en", "pt-BR"] as const;

/** One of {@link LANGS}: `en` or `pt-BR` (BCP 47 tags, as on the wire and in `--lang`). */
export type Lang = typeof LANGS[number];

/** The language spoken when nothing asks for another. */
export const DEFAULT_LANG: Lang = "en";

/**
 * The language a POSIX locale name (`pt_BR.UTF-8`, `en_US.ISO-8859-1@euro`, `C`) or a BCP 47 tag
 * (`pt-PT`, `en`) asks for; undefined for a language `chat` does not speak (or no name at all).
 */
export function langOfLocale(name: string): Lang | undefined {
  const bare = name.trim().replace(/[.@].*$/, "").replace(/_/g, "-").toLowerCase();
  if (bare === "c" || bare === "posix") return "en";
  const primary = bare.split("-")[0];
  if (primary === "pt") return "pt-BR";
  if (primary === "en") return "en";
  return undefined;
}
