/**
 * The page's embedded files are what `lib/web/page/` gives (`deno task web` was run and its
 * output committed), and the bundle needs nothing a browser lacks. Skipped when `deno bundle`
 * cannot run here (its esbuild is fetched from npm the first time).
 */

import assert from "node:assert/strict";
import { generate, GENERATED } from "../scripts/build_web.ts";
import { WEB_ASSETS } from "../lib/web/assets.generated.ts";

let fresh: string | undefined;
let why = "";
try {
  fresh = await generate();
} catch (error) {
  why = (error as Error).message;
}

Deno.test({
  name: `${GENERATED} is what deno task web builds from lib/web/page/`,
  ignore: fresh === undefined,
  async fn() {
    const committed = await Deno.readTextFile(new URL(`../${GENERATED}`, import.meta.url));
    assert.ok(committed === fresh, `${GENERATED} is stale: run deno task web (${why})`);
  },
});

Deno.test("the embedded page has every file the HTML asks for, and nothing from elsewhere", () => {
  for (const name of ["index.html", "teacher.html", "style.css", "app.js"]) {
    assert.ok(WEB_ASSETS[name], name);
  }
  for (const html of [WEB_ASSETS["index.html"]!.body, WEB_ASSETS["teacher.html"]!.body]) {
    for (const [, ref] of html.matchAll(/(?:src|href)="([^"]*)"/g)) {
      assert.ok(ref === "data:," || WEB_ASSETS[ref!.replace(/^\//, "")], `${ref} is embedded`);
    }
  }
  const js = WEB_ASSETS["app.js"]!.body;
  assert.doesNotMatch(js, /\bDeno\.|from\s*["']node:|https?:\/\/(?!www\.w3\.org)/);
});
