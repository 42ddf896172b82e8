/**
 * Measures how long `chat join` on a terminal takes with a long paste: under tmux (80x24) a
 * client pastes N characters; the script times (1) from the paste to the whole text shown,
 * (2) from Enter to another client receiving the line, and (3) from the paste to delivery
 * when Enter is pressed right after the paste. Run:
 *
 *   deno run -A scripts/paste_latency.ts [--chars 3500] [--main path/to/main.ts] [--runs 3]
 *
 * `--main` times another checkout (e.g. an older client) side by side with this one.
 * @module
 */

import { parseArgs } from "node:util";
import { NullLogger } from "../lib/log/logger.ts";
import { ChatServer } from "../lib/server/server.ts";
import { joinCommand, rawClient, Tmux, until } from "../tests/support/tmux.ts";

const args = parseArgs({
  args: Deno.args,
  options: {
    chars: { type: "string", default: "3500" },
    main: { type: "string" },
    runs: { type: "string", default: "3" },
  },
});
const chars = Number(args.values.chars);
const runs = Number(args.values.runs);
const mains = [new URL("../main.ts", import.meta.url).pathname];
if (args.values.main) mains.push(args.values.main);

const sentence = "Atenção, turma: a transmissão continua após a correção. ";
let paste = "";
while ([...paste].length < chars) paste += sentence;
paste = [...paste].slice(0, chars).join("");

async function once(
  main: string,
  enterAtOnce: boolean,
): Promise<{ shown: number; delivered: number }> {
  const server = ChatServer.listen({ host: "127.0.0.1", port: 0, logger: new NullLogger() });
  const term = new Tmux();
  const bia = await rawClient(server.addr.port, "bia");
  try {
    await until("bia registered", () => bia.text().includes("Welcome"));
    await term.start(joinCommand([`127.0.0.1:${server.addr.port}`, "--nick", "ana"], main));
    await term.waitScreen("prompt", (s) => /^>/m.test(s) && s.includes("Welcome"));
    const tail = paste.slice(-30);
    const t0 = performance.now();
    await term.paste(paste);
    let shown = NaN;
    if (!enterAtOnce) {
      await term.waitScreen("paste shown", (s) => s.replaceAll("\n", "").includes(tail), 120_000);
      shown = performance.now() - t0;
    }
    const t1 = performance.now();
    await term.keys("Enter");
    await until("delivery", () => bia.text().includes(`[ana]: ${paste}\n`), 120_000);
    return { shown, delivered: performance.now() - (enterAtOnce ? t0 : t1) };
  } finally {
    await term.kill();
    await bia.close();
    await server.shutdown("done", 1000);
  }
}

console.log(`${chars}-character paste, 80x24 tmux, ${runs} runs each, interleaved`);
for (let r = 0; r < runs; r++) {
  for (const main of mains) {
    const a = await once(main, false);
    const b = await once(main, true);
    console.log(
      `${main}: paste->shown ${a.shown.toFixed(0)} ms, Enter->delivered ${
        a.delivered.toFixed(0)
      } ms, paste+Enter->delivered ${b.delivered.toFixed(0)} ms`,
    );
  }
}
