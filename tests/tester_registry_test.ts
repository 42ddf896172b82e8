/** The tester's suite registry, levels and globs, and the servers file and command parsers. */

import assert from "node:assert/strict";
import { globToRegExp, selectTests, SUITE } from "../lib/tester/registry.ts";
import { sectionAnchor } from "../lib/tester/spec.ts";
import { parseServersFile, ServersFileError } from "../lib/tester/servers_file.ts";
import { splitCommand } from "../lib/tester/target.ts";

const PROTOCOL = await Deno.readTextFile(new URL("../docs/PROTOCOL.md", import.meta.url));
const HEADINGS = PROTOCOL.split("\n").filter((l) => /^#{1,4} /.test(l)).map((l) =>
  l.replace(/^#+ /, "").trim()
);

Deno.test("every test id is family/topic/case, starts with its level and is unique", () => {
  const ids = SUITE.map((t) => t.id);
  assert.equal(new Set(ids).size, ids.length);
  for (const t of SUITE) {
    assert.match(t.id, /^(text|full|binary)\/[a-z0-9-]+\/[a-z0-9-]+$/, t.id);
    assert.ok(t.id.startsWith(`${t.level}/`), t.id);
  }
});

Deno.test("every test names a heading that exists in PROTOCOL.md and states its rule", () => {
  for (const t of SUITE) {
    assert.ok(HEADINGS.includes(t.section), `${t.id}: no heading "${t.section}" in PROTOCOL.md`);
    assert.match(t.rule, /^[A-Z].*[.)]$/, `${t.id}: the rule should be one sentence`);
    assert.ok(t.rule.length <= 160, `${t.id}: rule too long`);
  }
});

Deno.test("section anchors are GitHub's: lower case, punctuation and backticks dropped", () => {
  assert.equal(sectionAnchor("Client to server"), "client-to-server");
  assert.equal(sectionAnchor("The `chat` protocols"), "the-chat-protocols");
  assert.equal(sectionAnchor("Go-Back-N (mode 1)"), "go-back-n-mode-1");
  assert.equal(
    sectionAnchor("ACK policies (chosen by the client in its SYN)"),
    "ack-policies-chosen-by-the-client-in-its-syn",
  );
});

Deno.test("levels: full includes text, binary stands alone, all is everything", () => {
  const text = selectTests("text");
  const full = selectTests("full");
  const binary = selectTests("binary");
  assert.ok(text.length >= 10 && text.every((t) => t.level === "text"));
  assert.ok(text.every((t) => full.includes(t)));
  assert.ok(full.some((t) => t.level === "full"));
  assert.ok(binary.length >= 20 && binary.every((t) => t.level === "binary"));
  assert.equal(selectTests("all").length, SUITE.length);
  assert.equal(full.length + binary.length, SUITE.length);
});

Deno.test("--only globs: * is any run of characters, the rest is literal", () => {
  assert.deepEqual(
    selectTests("all", ["text/msg/*"]).map((t) => t.id),
    SUITE.filter((t) => t.id.startsWith("text/msg/")).map((t) => t.id),
  );
  assert.ok(selectTests("all", ["*nack*"]).every((t) => t.id.includes("nack")));
  assert.equal(selectTests("text", ["binary/*"]).length, 0);
  assert.equal(selectTests("all", ["text/msg/200-ok", "full/stats/json"]).length, 2);
  assert.ok(globToRegExp("a.b").test("a.b"));
  assert.ok(!globToRegExp("a.b").test("axb"));
  assert.ok(!globToRegExp("text/(x)").test("text/x"));
});

Deno.test("servers file: NAME COMMAND lines, comments, quotes", () => {
  const servers = parseServersFile(
    "# turma 01\n\ng01 python3 g01/server.py --port {port}\r\ng-02  sh -c 'cd g02 && python3 s.py {port}'\n",
  );
  assert.deepEqual(servers.map((s) => s.name), ["g01", "g-02"]);
  assert.deepEqual(servers[0]!.argv, ["python3", "g01/server.py", "--port", "{port}"]);
  assert.deepEqual(servers[1]!.argv, ["sh", "-c", "cd g02 && python3 s.py {port}"]);
  assert.equal(servers[1]!.line, 4);
});

Deno.test("servers file: every mistake names its line", () => {
  const cases: [string, RegExp][] = [
    ["", /No server listed/],
    ["# only a comment\n", /No server listed/],
    ["g01\n", /Line 1 .*expected NAME COMMAND/],
    ["g01 a\ng01 b\n", /Line 2 .*used twice/],
    ["g01 a\n<b> x\n", /Line 2 .*a name is/],
    ["g01 python3 'unclosed\n", /Line 1 .*Unclosed quote/],
  ];
  for (const [text, message] of cases) {
    assert.throws(() => parseServersFile(text, "t.txt"), (e: unknown) => {
      assert.ok(e instanceof ServersFileError);
      assert.match((e as Error).message, message);
      return true;
    });
  }
});

Deno.test("splitCommand keeps quoted words whole and empty quotes as empty words", () => {
  assert.deepEqual(splitCommand(`a "b c" 'd "e"' f`), ["a", "b c", 'd "e"', "f"]);
  assert.deepEqual(splitCommand(`x "" y`), ["x", "", "y"]);
  assert.deepEqual(splitCommand(String.raw`-c "s.bind((\"h\", 0)) \\ \n"`), [
    "-c",
    String.raw`s.bind(("h", 0)) \ \n`,
  ]);
  assert.deepEqual(splitCommand("  "), []);
});

Deno.test("the catalogue (chat docs tests) lists every test once with its rule and section", async () => {
  const { suiteCatalog } = await import("../lib/tester/catalog.ts");
  const md = suiteCatalog();
  for (const t of SUITE) {
    const row = md.split("\n").filter((l) => l.startsWith(`| \`${t.id}\` |`));
    assert.equal(row.length, 1, t.id);
    assert.ok(row[0]!.includes(t.section), t.id);
  }
  assert.equal((md.match(/^## /gm) ?? []).length, 3);
});
