/**
 * `chat join` on a real 80x24 terminal, driven under tmux: lines from others appear while a
 * typed line wraps (and the line is kept, and sent whole on Enter); Ctrl-C and Ctrl-D leave
 * with QUIT and exit 0; a 3500-character paste (Portuguese, with tabs) reaches another client
 * whole. Skipped where tmux is missing. `CHAT_JOIN_MAIN=/old/main.ts` runs them on another
 * client.
 */

import assert from "node:assert/strict";
import { NullLogger } from "../lib/log/logger.ts";
import { ChatServer } from "../lib/server/server.ts";
import { joinCommand, rawClient, Tmux, tmuxAvailable, until } from "./support/tmux.ts";

if (!tmuxAvailable) {
  console.log("join_terminal_test: tmux not found, terminal tests skipped (apt-get install tmux)");
}

const ALPHABET = "abcdefghijklmnopqrstuvwxyz";

/** A terminal running `chat join ... --nick ana EXTRA`, a server, and bia (raw text) in the room. */
async function withAna(
  extra: string[],
  fn: (t: { term: Tmux; bia: Awaited<ReturnType<typeof rawClient>> }) => Promise<void>,
): Promise<void> {
  const server = ChatServer.listen({ host: "127.0.0.1", port: 0, logger: new NullLogger() });
  const term = new Tmux();
  const bia = await rawClient(server.addr.port, "bia");
  try {
    await until("bia registered", () => bia.text().includes("Welcome"));
    await term.start(joinCommand([`127.0.0.1:${server.addr.port}`, "--nick", "ana", ...extra]));
    await term.waitScreen("welcome and prompt", (s) => /Welcome, ana!/.test(s) && /^>/m.test(s));
    await until("bia sees ana join", () => bia.text().includes("ana joined"));
    await fn({ term, bia });
  } finally {
    await term.kill();
    await bia.close();
    await server.shutdown("test over", 1000);
  }
}

/** The screen's rows without trailing blanks, blank rows dropped. */
function rows(screen: string): string[] {
  return screen.split("\n").map((l) => l.trimEnd()).filter((l) => l !== "");
}

for (const arq of ["gbn", "sr"] as const) {
  Deno.test({
    name: `chat join (${arq}) shows lines that arrive while the typed line wraps, and keeps it`,
    ignore: !tmuxAvailable,
    fn: () =>
      withAna(["--arq", arq], async ({ term, bia }) => {
        let typed = "";
        for (let i = 0; i < 100; i++) typed += ALPHABET[i % 26];
        await term.keys("-l", typed);
        await term.waitScreen("the typed line, wrapped", (s) => rows(s).at(-1) === typed.slice(78));
        await bia.say("MSG first from bia");
        await bia.say("MSG second from bia");
        // The wrapped input's second row must be a row of its own: `typed.slice(78)` also
        // appears inside the first row, which tmux may show before the redraw is complete.
        const screen = await term.waitScreen(
          "both lines from bia with the input below them",
          (s) => /\[bia\]: second from bia\n> /.test(s) && rows(s).at(-1) === typed.slice(78),
        );
        const r = rows(screen);
        const second = r.findIndex((l) => l === "[bia]: second from bia");
        assert.equal(r[second - 1], "[bia]: first from bia", screen);
        assert.deepEqual(r.slice(second + 1), ["> " + typed.slice(0, 78), typed.slice(78)]);
        await term.keys("Enter");
        await until("bia sees ana's whole line", () => bia.text().includes(`[ana]: ${typed}\n`));
        await term.keys("-l", "/quit");
        await term.keys("Enter");
        assert.equal((await term.exit()).code, 0);
      }),
  });
}

for (const [key, arq] of [["C-c", ["--arq", "sr"]], ["C-d", ["--text"]]] as const) {
  Deno.test({
    name: `chat join (${arq.join(" ")}) leaves cleanly on ${key}: QUIT, exit 0`,
    ignore: !tmuxAvailable,
    fn: () =>
      withAna([...arq], async ({ term, bia }) => {
        if (key === "C-c") await term.keys("-l", "half a line");
        await term.keys(key);
        const { code, screen } = await term.exit();
        assert.equal(code, 0, screen);
        assert.doesNotMatch(screen, /Uncaught|error|at .*\.ts:\d+/i);
        assert.match(screen, /Bye, ana/);
        await until("bia sees ana leave", () => bia.text().includes("*** ana left (quit)"));
      }),
  });
}

/** `text` with tabs expanded to multiples of 8 columns (every character here is 1 column). */
function expandTabs(text: string): string {
  let out = "";
  for (const ch of text) out += ch === "\t" ? " ".repeat(8 - ([...out].length % 8)) : ch;
  return out;
}

Deno.test({
  name: "chat join delivers a 3500-character paste whole, tabs turned into spaces",
  ignore: !tmuxAvailable,
  fn: () =>
    withAna([], async ({ term, bia }) => {
      const sentence = "Atenção, turma: a transmissão\tcontinua após a correção. ";
      let paste = "";
      while ([...paste].length < 3500) paste += sentence;
      paste = [...paste].slice(0, 3500).join("");
      await term.paste(paste);
      // tmux writes the paste, then Enter: the client reads them in that order.
      await term.keys("Enter");
      const expected = `[ana]: ${expandTabs(paste)}\n`;
      await until("bia gets the paste", () => bia.text().includes(expected), 60_000);
      await term.keys("C-d");
      assert.equal((await term.exit()).code, 0);
    }),
});
