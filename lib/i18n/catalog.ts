/**
 * A catalog: one module's user-facing text, one table per language, every table of the shape of
 * the English one (the type system checks the keys and the function signatures; `check.ts` checks
 * the contents). The table is chosen once, at start-up, and passed down like any other option:
 * nothing in `lib/` holds a current language.
 * @module
 */

import type { Lang } from "./lang.ts";

/** The tables of one module, by language; `T` is the English table's type. */
export type Catalog<T> = { readonly [L in Lang]: T };

/** The table of `catalog` in `lang`. */
export function textIn<T>(catalog: Catalog<T>, lang: Lang): T {
  return catalog[lang];
}
