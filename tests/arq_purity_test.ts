import assert from "node:assert/strict";

const FORBIDDEN = [
  "Deno.",
  "setTimeout",
  "setInterval",
  "Date.now",
  "performance.now",
  "Math.random",
];
const DIRS = ["lib/protocol", "lib/arq"];

function root(): string {
  return new URL("../", import.meta.url).pathname;
}

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const entry of Deno.readDirSync(dir)) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory) out.push(...sources(path));
    else if (entry.name.endsWith(".ts")) out.push(path);
  }
  return out.sort();
}

/** `line:word` for every forbidden word in `text`. */
function scan(text: string): string[] {
  const found: string[] = [];
  text.split("\n").forEach((line, i) => {
    for (const word of FORBIDDEN) if (line.includes(word)) found.push(`${i + 1}: ${word}`);
  });
  return found;
}

Deno.test("scan finds every forbidden word", () => {
  const sample = FORBIDDEN.map((w) => `const x = ${w}foo;`).join("\n");
  assert.equal(scan(sample).length, FORBIDDEN.length);
  assert.deepEqual(scan("const now = input.now;"), []);
});

Deno.test("lib/protocol and lib/arq use no clock, timer, randomness or Deno API", () => {
  const found: string[] = [];
  let files = 0;
  for (const dir of DIRS) {
    for (const path of sources(`${root()}${dir}`)) {
      files++;
      for (const hit of scan(Deno.readTextFileSync(path))) {
        found.push(`${path.slice(root().length)}:${hit}`);
      }
    }
  }
  assert.ok(files >= 10, `expected the sources, found ${files} files`);
  assert.deepEqual(found, []);
});
