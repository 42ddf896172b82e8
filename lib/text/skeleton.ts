/**
 * The confusable skeleton of Unicode UTS #39 (section 4): two strings that look alike have the
 * same skeleton. `skeleton(X)` is NFD(X) without its default-ignorable code points, each
 * character replaced by its prototype from the Unicode `confusables.txt` table, NFD again.
 * The table comes from the npm package `unhomoglyph` (version pinned in deno.json), which ships
 * `confusables.txt` of Unicode 13.0.0 as a character-to-prototype map: Latin, Cyrillic, Greek,
 * digits and the other scripts (`1` and `I` → `l`, `0` → `O`, Cyrillic `ԝ` → `w`, `m` → `rn`).
 * Accents are not removed: `João` and `Joao` have different skeletons.
 * @module
 */

import confusables from "unhomoglyph/data.json" with { type: "json" };

const PROTOTYPES: ReadonlyMap<string, string> = new Map(
  Object.entries(confusables as Record<string, string>),
);
const IGNORABLE = /\p{Default_Ignorable_Code_Point}/u;

/** The UTS #39 skeleton of `text`; `skeleton(skeleton(x)) === skeleton(x)`. */
export function skeleton(text: string): string {
  let out = "";
  for (const ch of text.normalize("NFD")) {
    if (IGNORABLE.test(ch)) continue;
    out += PROTOTYPES.get(ch) ?? ch;
  }
  return out.normalize("NFD");
}
