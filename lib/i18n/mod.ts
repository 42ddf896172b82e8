/**
 * The languages `chat` speaks, how one is chosen, and catalogs of text by language.
 * @module
 */

export { DEFAULT_LANG, type Lang, langOfLocale, LANGS } from "./lang.ts";
export { detectLang, environmentLocale, LOCALE_VARIABLES, type LocaleSources } from "./detect.ts";
export { type Catalog, textIn } from "./catalog.ts";
export { parseDecimal, withDecimalComma } from "./number.ts";
