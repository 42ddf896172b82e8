/**
 * How the full text protocol behaves under real clients: commands split across writes, the seed
 * 000 client that sends no newline, `nc -N` that half-closes after its input, a client that
 * leaves before registering, and one that never reads while the others chat.
 * @module
 */

import type { TestSpec } from "../spec.ts";
import { command, expectOnce, users } from "./helpers.ts";
import { longText } from "./text_messages.ts";

/**
 * Senders in the never-reads test: 13 x 10 messages x 31 kB = 4.0 MB toward the client that
 * does not read: past the ~2.9 MB a Linux loopback connection absorbs, so a server that writes
 * to it with a blocking send stalls; below the 4 MiB of unsent output after which PROTOCOL.md
 * lets a server drop a slow reader, so a correct server keeps everyone, whatever the kernel holds.
 */
const SENDERS = 13;
/** No new message for this long means the server stalled. */
const STALL_MS = 3000;

/** Framing and resilience tests of the full text protocol. */
export const FULL_BEHAVIOUR: readonly TestSpec[] = [
  {
    id: "full/framing/split-command",
    level: "full",
    section: "The application protocol",
    rule: "A command split across two writes (100 ms apart) is still one command.",
    async run(t) {
      const [a, b] = await users(t, "ana", "bia");
      const tok = t.token();
      const asked = a!.mark();
      const since = b!.mark();
      await a!.write("MS");
      await t.sleep(100);
      await a!.write(`G ${tok}\n`);
      const replies = await t.statuses(a!, asked, 1);
      await t.sleep(200);
      const codes = a!.received.statuses(asked).map((s) => s.code);
      t.check(
        codes.length === 1 && codes[0] === 200,
        `"MS" + "G ${tok}\\n" got replies ${codes.join(", ") || "none"}, expected one 200`,
      );
      t.check(replies.length > 0, "No reply");
      await expectOnce(t, tok, [{ client: b!, since }], "the split message");
    },
  },
  {
    id: "full/framing/no-newline-client",
    level: "full",
    section: "The application protocol",
    rule: "The seed 000 client sends commands without a newline, one per write: each is served.",
    async run(t) {
      const [b] = await users(t, "bia");
      const c = await t.prompted("ana");
      let since = c.mark();
      await c.write(t.nick("ana"));
      await t.expectStatus(c, since, 200, "a nickname without a newline");
      const tok = t.token();
      const heard = b!.mark();
      since = c.mark();
      await c.write(`MSG ${tok}`);
      await t.expectStatus(c, since, 200, "MSG without a newline");
      await expectOnce(
        t,
        tok,
        [{ client: b!, since: heard }],
        "the message sent without a newline",
      );
    },
  },
  {
    id: "full/framing/half-close",
    level: "full",
    section: "Rules",
    rule:
      "A client that half-closes after its commands (printf 'ana\\nLIST\\n' | nc -N) gets every reply, then the server closes.",
    async run(t) {
      const c = await t.prompted("ana");
      const nick = t.nick("ana");
      await c.write(`${nick}\nLIST\n`);
      await c.closeWrite();
      const replies = await t.statuses(c, 0, 2);
      const codes = replies.map((s) => s.code);
      t.check(
        codes.length >= 2 && codes[0] === 200 && codes[1] === 200,
        `Nickname and LIST then end of input got replies ${
          codes.join(", ") || "none"
        }, expected 200, 200`,
      );
      const list = await c.received.wait(() => c.received.bodyOf(replies[1]!), t.replyMs, t.signal);
      t.check(list?.includes(nick), `The LIST reply does not name ${nick}: ${list}`);
      t.check(
        await c.waitServerClose(2000, t.signal),
        "The server did not close the connection within 2 s of the replies",
      );
    },
  },
  {
    id: "full/leave/before-registering",
    level: "full",
    section: "Rules",
    rule: "A client that connects and leaves before sending a nickname disturbs nobody.",
    async run(t) {
      const c = await t.prompted("vito");
      await c.close("leaves before sending a nickname");
      await t.sleep(200);
      const [a, b] = await users(t, "ana", "bia");
      const tok = t.token();
      const since = b!.mark();
      await command(t, a!, `MSG ${tok}`, 200, "MSG");
      await expectOnce(t, tok, [{ client: b!, since }], "the message");
    },
  },
  {
    id: "full/leave/never-reads",
    level: "full",
    section: "Rules",
    rule:
      "A client that never reads does not stall the others: after 4 MB of chat (more than loopback buffers hold), everyone else is still served.",
    timeoutMs: 40_000,
    async run(t) {
      const [s] = await users(t, "sofia");
      s!.pauseReading();
      const [r1, r2] = await users(t, "ana", "bia");
      // The senders do not read either: only ana and bia take the 4 MB each.
      const senders = await users(t, ...Array.from({ length: SENDERS }, (_, i) => `s${i + 1}`));
      for (const c of senders) c.pauseReading();
      const tok = t.token();
      const text = longText(31_000, tok);
      const heard = [r1!.mark(), r2!.mark()];
      // Each sender sends one pasted burst of ten: within the flood limit (10 per 5 s per user).
      await Promise.all(senders.map(async (c) => {
        for (let i = 0; i < 10; i++) {
          if (!await c.send(`MSG ${text}`)) return;
        }
      }));
      const total = SENDERS * 10;
      for (const [i, r] of [r1!, r2!].entries()) {
        // However slow the server, messages keep coming unless it stalled.
        let n = 0;
        for (let last = -1; n < total && n > last;) {
          last = n;
          n = await t.received(r, tok, heard[i]!, total, STALL_MS);
        }
        if (n < total) {
          // Before calling it a stall: were the senders refused (a flood or per-address limit)?
          for (const c of senders) c.resumeReading();
          await t.sleep(1000);
          const refused = senders.flatMap((c) =>
            c.received.statuses().filter((s) => s.code === 429 || s.code === 503)
          );
          t.check(
            refused.length === 0,
            `${r.name} got ${n} of the ${total} messages: the server refused ${refused.length} of them with ${
              refused[0]?.code
            } (a flood limit, or a limit per address, rate-limited the tester)`,
          );
          t.fail(
            `${r.name} got ${n} of the ${total} messages, then nothing for ${
              STALL_MS / 1000
            } s, while sofia did not read (the server stalled)`,
          );
        }
      }
      await command(t, r1!, "LIST", 200, "LIST while sofia does not read");
      const last = t.token();
      const since = r2!.mark();
      await command(t, r1!, `MSG ${last}`, 200, "MSG while sofia does not read");
      await expectOnce(
        t,
        last,
        [{ client: r2!, since }],
        "the message sent while sofia does not read",
      );
      await t.user("helena");
    },
  },
];
