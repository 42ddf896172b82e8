/**
 * Limits on every verb, over real TCP from the hostile clients' own addresses, beside a
 * witness: a rename flood, a flood of LIST, STATS and unknown verbs, and many connections of one
 * address sending messages are held to their budgets; a lab behind one NAT address and a modest
 * `chat bench` from one address pass untouched.
 */

import assert from "node:assert/strict";
import type { ServerOptions } from "../lib/server/server.ts";
import { HostileSocket, withTcpServer } from "./support/hostile.ts";

/** A server and a witness (`wit`, from 127.0.0.1) registered in it. */
function withServer(
  options: ServerOptions,
  fn: (port: number, witness: HostileSocket) => Promise<void>,
): Promise<void> {
  return withTcpServer(options, async (port) => {
    const witness = await HostileSocket.open(port, { local: "127.0.0.1" });
    try {
      await witness.write("wit\n");
      assert.ok(await witness.waitFor(/Welcome/));
      await fn(port, witness);
    } finally {
      await witness.close();
    }
  });
}

async function user(port: number, local: string, nick: string): Promise<HostileSocket> {
  const s = await HostileSocket.open(port, { local });
  await s.write(`${nick}\n`);
  assert.ok(await s.waitFor(/Welcome/), `${nick}: ${s.text}`);
  return s;
}

const count = (text: string, re: RegExp) => text.match(re)?.length ?? 0;

Deno.test("a rename flood makes a few notices, not one per rename", async () => {
  await withServer({}, async (port, witness) => {
    const s = await user(port, "127.0.0.2", "nk0");
    await s.write(Array.from({ length: 300 }, (_, i) => `NICK nk${i + 1}\n`).join(""));
    assert.ok(await s.waitClosed(5000), "closed once it kept going far past its budget");
    await new Promise((r) => setTimeout(r, 200));
    const notices = count(witness.text, /is now known as/g);
    assert.ok(notices >= 1 && notices <= 12, `${notices} rename notices`);
    assert.match(s.text, /429 Too Many Requests\nSlow down: 10 messages per 5 s\n/);
  });
});

Deno.test("a flood of LIST, STATS and unknown verbs is answered 429 and then closed", async () => {
  await withServer({}, async (port, witness) => {
    const floods = await Promise.all(
      Array.from({ length: 5 }, (_, i) => user(port, "127.0.0.2", `vf${i}`)),
    );
    await Promise.all(floods.map((s) => s.write("LIST\nSTATS\nFOO\n".repeat(300))));
    for (const s of floods) {
      assert.ok(await s.waitClosed(5000), "closed");
      assert.match(s.text, /429 Too Many Requests\nSlow down: 100 commands per 5 s\n/);
      assert.ok(count(s.text, /^200 OK - Stats$/gm) < 110, "STATS answered within the budget");
    }
    // The witness is served as ever.
    await witness.write("LIST\n");
    assert.ok(await witness.waitFor(/200 OK - User List\nwit\n/));
  });
});

Deno.test("many connections of one address share its budget: connections and messages", async () => {
  await withServer({}, async (port, witness) => {
    const socks: HostileSocket[] = [];
    let refused = 0;
    for (let i = 0; i < 120; i++) {
      const s = await HostileSocket.open(port, { local: "127.0.0.2" });
      await s.write(`mc${i}\n`);
      const m = await s.waitFor(/Welcome|^(503|429) /m, 3000);
      if (m?.[0] !== "Welcome") refused++;
      socks.push(s);
    }
    assert.equal(refused, 20, "100 connections from one address at once, not 120");
    await Promise.all(socks.map((s) => s.write("MSG spam\n".repeat(10))));
    await new Promise((r) => setTimeout(r, 1000));
    const spam = count(witness.text, /\]: spam$/gm);
    // The address's flood bucket: a burst of 200, then 40 a second.
    assert.ok(spam >= 200 && spam <= 260, `${spam} messages of 1,000 reached the witness`);
    await Promise.all(socks.map((s) => s.close()));
  });
});

Deno.test("a lab of forty behind one address joins, chats, renames and lists untouched", async () => {
  await withServer({}, async (port, witness) => {
    const lab = await Promise.all(
      Array.from({ length: 40 }, (_, i) => user(port, "127.0.0.2", `aluno${i}`)),
    );
    await Promise.all(
      lab.map((s, i) => s.write(`MSG oi ${i}\nMSG tchau ${i}\nNICK a${i}\nLIST\n`)),
    );
    await new Promise((r) => setTimeout(r, 1000));
    for (const s of lab) assert.doesNotMatch(s.text, /^(4\d\d|503) /m, s.text.slice(-200));
    assert.equal(count(witness.text, /\]: (oi|tchau) \d+$/gm), 80);
    await Promise.all(lab.map((s) => s.close()));
  });
});

Deno.test("ten clients of one address at the per-user flood limit (a modest bench) pass", async () => {
  await withServer({}, async (port, witness) => {
    const bench = await Promise.all(
      Array.from({ length: 10 }, (_, i) => user(port, "127.0.0.2", `bench${i}`)),
    );
    await Promise.all(bench.map((s, i) => s.write(`MSG ${i}\n`.repeat(10))));
    await new Promise((r) => setTimeout(r, 1000));
    for (const s of bench) assert.doesNotMatch(s.text, /^429 /m);
    assert.equal(count(witness.text, /^\[bench\d\]: \d$/gm), 100);
    await Promise.all(bench.map((s) => s.close()));
  });
});

Deno.test("a pt-BR server refuses in Portuguese: the command budget, and a connection at the door", async () => {
  await withTcpServer({ lang: "pt-BR", limits: { perAddress: 1 } }, async (port) => {
    const s = await HostileSocket.open(port, { local: "127.0.0.2" });
    await s.write("vf0\n");
    assert.ok(await s.waitFor(/Olá, vf0/), s.text);
    await s.write("LIST\n".repeat(150)); // over its budget of 100, not twice over (closed)
    assert.ok(await s.waitFor(/429 Too Many Requests\nMais devagar: 100 comandos a cada 5 s\n/));
    const second = await HostileSocket.open(port, { local: "127.0.0.2" });
    try {
      assert.ok(
        await second.waitFor(
          /503 Service Unavailable\nConexões demais vindas de 127\.0\.0\.2 \(1\)/,
        ),
        second.text,
      );
    } finally {
      await second.close();
      await s.close();
    }
  });
});
