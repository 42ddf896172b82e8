/**
 * `deno bench`: what checking one incoming chat line costs (once per line, not per recipient).
 * Each group's baseline is the check this replaced (the control-character regex of d117160,
 * which refused and cleaned nothing else), beside `cleanChatText` on the same text; the `room`
 * group runs a whole MSG through the room (one plain recipient), comparable across commits.
 */

import { cleanChatText } from "../lib/text/sanitize.ts";
import { type ChatClient, Lobby } from "../lib/chat/mod.ts";

// deno-lint-ignore no-control-regex -- the check of d117160, copied as the baseline
const OLD_CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/u;

const TEXTS: Record<string, string> = {
  "ascii 40": "hello everyone, this is message 12345678",
  "ascii 1000": "the quick brown fox jumps over the lazy dog; ".repeat(22).slice(0, 1000),
  "portuguese 40": "Olá a todos, a ação começa às três horas",
  "emoji 40": "bom dia ❤️ 👍🏽 👨‍👩‍👧 até já, pessoal! 😀",
  "hostile 40": "pass\u200bword\tZ\u0300\u0301\u0302\u0303\u0304 \u{e0041}x",
};

let sink = 0;
for (const [name, text] of Object.entries(TEXTS)) {
  Deno.bench(`old control regex, ${name}`, { group: name, baseline: true }, () => {
    if (!OLD_CONTROL.test(text)) sink++;
  });
  Deno.bench(`cleanChatText, ${name}`, { group: name }, () => {
    const out = cleanChatText(text);
    if (typeof out === "string") sink += out.length;
  });
}

class NullClient implements ChatClient {
  constructor(readonly id: number) {}
  send(): void {}
  close(): void {}
}

const room = new Lobby({ flood: null });
const [sender, listener] = [new NullClient(1), new NullClient(2)];
for (const [c, nick] of [[sender, "ana"], [listener, "bia"]] as const) {
  room.connect(c);
  room.input(c, nick, 0);
}
for (const [name, text] of Object.entries(TEXTS)) {
  if (name.startsWith("hostile")) continue; // refused by the old room
  const line = `MSG ${text}`;
  Deno.bench(`room MSG, ${name}`, { group: "room" }, () => {
    room.input(sender, line, 0);
  });
}

globalThis.addEventListener("unload", () => {
  if (sink === 0.5) console.log(sink);
});
