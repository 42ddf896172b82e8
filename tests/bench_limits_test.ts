/**
 * `chat bench` against a server's limits: it learns them from STATS and paces its clients to
 * them (a virtual-time check of the pacing rule against the server's own token bucket, then
 * real runs against a server with a tight flood limit), it counts what a server refuses as
 * refused, never as lost, and says what to do, and its nicknames belong to its run.
 */

import assert from "node:assert/strict";
import { BENCH_TEXT } from "../lib/bench/messages.ts";
import { benchNick, benchRunTag, NICK_DIGITS } from "../lib/bench/client.ts";
import { MirrorBucket, Pacer } from "../lib/bench/pacer.ts";
import { runBench } from "../lib/bench/run.ts";
import { limitsFromStats } from "../lib/bench/server_limits.ts";
import { TokenBucket } from "../lib/chat/flood.ts";
import { nickKey } from "../lib/chat/nick.ts";
import { NullLogger } from "../lib/log/logger.ts";
import { ChatServer } from "../lib/server/server.ts";
import { runChat } from "./support/bench_cli.ts";
import { FakeChatServer } from "./support/bench_fake_server.ts";
import { runParams } from "./support/bench_fixtures.ts";
import { mulberry32 } from "./support/sim_channel.ts";

Deno.test("pacer: a sender that follows the mirror is never refused, however late and bunched its messages arrive (seeded, virtual time)", () => {
  for (let seed = 1; seed <= 40; seed++) {
    const rnd = mulberry32(seed);
    const limit = { burst: 1 + Math.floor(rnd() * 12), perSeconds: 0.5 + rnd() * 6 };
    const server = new TokenBucket(limit, 0);
    const mirror = new MirrorBucket(limit, 0);
    // Messages in flight, in order: when each reaches the server. Arrivals never overtake
    // (TCP, ARQ in order), but a stall (an ARQ resend) holds all behind it, then releases them.
    const inFlight: number[] = [];
    const replies: number[] = [];
    let lastArrival = 0;
    let sent = 0, refused = 0;
    for (let now = 0; now < 60_000; now += 1 + Math.floor(rnd() * 20)) {
      while (inFlight.length > 0 && inFlight[0]! <= now) {
        const at = inFlight.shift()!;
        if (!server.take(at)) refused++;
        replies.push(at + rnd() * 300); // the reply comes back later still
      }
      replies.sort((a, b) => a - b);
      while (replies.length > 0 && replies[0]! <= now) {
        replies.shift();
        mirror.answered(now);
      }
      const n = Math.min(mirror.allowance(now), 1 + Math.floor(rnd() * 5));
      mirror.sent(n);
      for (let k = 0; k < n; k++) {
        const stall = rnd() < 0.05 ? rnd() * 3000 : rnd() * 30;
        lastArrival = Math.max(lastArrival, now + stall);
        inFlight.push(lastArrival);
        sent++;
      }
    }
    assert.equal(
      refused,
      0,
      `seed ${seed}: ${refused} of ${sent} refused at ${JSON.stringify(limit)}`,
    );
    const most = limit.burst + (60 * limit.burst) / limit.perSeconds;
    // And it is not idle: over a minute it sends a good part of what the limit allows (the
    // stalls of seconds hold it back: what is unanswered counts against it).
    assert.ok(sent > most * 0.5, `seed ${seed}: only ${sent} of ${most.toFixed(0)} sent`);
  }
});

Deno.test("limitsFromStats reads rates and counts, 'off' as none, and leaves out what is malformed", () => {
  const facts = {
    users: 3,
    limits: {
      maxClients: 10000,
      maxText: 32768,
      flood: "10/5",
      history: 20,
      addressFlood: "100/5",
      commands: "off",
      connectRate: "ten/5",
      perAddress: 100,
    },
  };
  assert.deepEqual(limitsFromStats(JSON.stringify(facts)), {
    flood: { burst: 10, perSeconds: 5 },
    addressFlood: { burst: 100, perSeconds: 5 },
    commands: null,
    perAddress: 100,
    maxText: 32768,
    maxClients: 10000,
  });
  assert.deepEqual(limitsFromStats('{"limits":{"flood":"off"}}'), { flood: null });
  assert.equal(limitsFromStats('{"users":3}'), undefined, "a server that states no limits");
  assert.equal(limitsFromStats("not json"), undefined);
});

Deno.test("pacer: says which limit holds a run back most, and for how long", () => {
  const p = new Pacer({ flood: { burst: 10, perSeconds: 5 } }, 4, 0);
  assert.deepEqual(p.note(4, 30), {
    limit: "the server's flood limit of 10 messages per 5 s per user",
    seconds: 10,
  });
  assert.equal(
    BENCH_TEXT.paced(p.note(4, 30)!.limit, 10),
    "paced to the server's flood limit of 10 messages per 5 s per user: about 10 s",
  );
  assert.equal(p.note(4, 10), undefined, "a burst the limit lets through costs nothing");
  const address = new Pacer(
    {
      flood: { burst: 10, perSeconds: 5 },
      addressFlood: { burst: 100, perSeconds: 5 },
    },
    50,
    0,
  );
  assert.match(address.note(50, 30)!.limit, /100 messages per 5 s per address/);
  assert.equal(new Pacer({ flood: null }, 3, 0).note(3, 1000), undefined);
  assert.equal(new Pacer({}, 3, 0).allowance(0, 0), Infinity);
});

Deno.test("bench nicknames: one run's never look alike, two runs' differ, all of one length", () => {
  const tag = benchRunTag();
  const keys = new Set<string>();
  for (let i = 0; i < 20_000; i++) keys.add(nickKey(benchNick(tag, i)));
  assert.equal(keys.size, 20_000, "no two clients of a run clash (look-alikes included)");
  assert.equal(benchNick(tag, 0).length, benchNick(tag, 19_999).length);
  assert.ok([...benchNick(tag, 7)].every((c) => c === "b" || NICK_DIGITS.includes(c)));
  const tags = new Set(Array.from({ length: 200 }, () => benchRunTag()));
  assert.ok(tags.size >= 195, `200 runs drew only ${tags.size} tags`);
});

Deno.test("bench: messages the server refuses (429) are counted as refused, not lost, with what to do", async () => {
  const fake = new FakeChatServer({ refuse: (k) => k % 4 === 0 });
  try {
    const r = await runBench(runParams(fake.port, { clients: 3, messages: 20, timeoutS: 10 }));
    assert.equal(r.status, "complete", r.problems.join("; "));
    assert.equal(fake.counts.refused, 15);
    assert.equal(r.sent, 60);
    assert.equal(r.refused, 15);
    assert.equal(r.expectedDeliveries, 45 * 2);
    assert.equal(r.deliveries, 90);
    assert.equal(r.lost, 0, "a refusal is not a loss");
    assert.equal(r.problems.length, 1, r.problems.join("; "));
    assert.match(r.problems[0]!, /flood limit refused 15 messages \(429 Too Many Requests: /);
    assert.match(r.problems[0]!, /start it with --flood off, or run chat bench without HOST/);
  } finally {
    await fake.close();
  }
});

Deno.test("chat bench HOST: refusals make the exit status 1, and the table and stderr say so", async () => {
  const fake = new FakeChatServer({ refuse: (k) => k % 5 === 0 });
  try {
    const out = await runChat(
      ["bench", `127.0.0.1:${fake.port}`, "--arq", "text", "--clients", "3", "--messages", "10"],
      30_000,
    );
    assert.ok(!out.timedOut);
    assert.equal(out.code, 1, out.stdout + out.stderr);
    assert.match(out.stdout, /refused by server +REFUSED 6 !!/);
    assert.match(out.stdout, /!! TEXT: the server's flood limit refused 6 messages/);
    // Not a terminal: a line for the run's start and end, where a bar would be.
    assert.match(out.stderr, /chat bench: run 1 of 1: text\n/);
    assert.match(out.stderr, /chat bench: text: the server states no limits in STATS/);
    assert.match(out.stderr, /chat bench: text: complete after \d+\.\d s\n/);
  } finally {
    await fake.close();
  }
});

Deno.test("bench against a server with a tight flood limit: paced to it, nothing refused or lost", async () => {
  const server = ChatServer.listen({
    host: "127.0.0.1",
    port: 0,
    logger: new NullLogger(),
    flood: { burst: 4, perSeconds: 1 },
  });
  try {
    for (const mode of ["text", "gbn"] as const) {
      const notes: string[] = [];
      const r = await runBench(runParams(server.addr.port, {
        mode,
        clients: 3,
        messages: 16,
        loss: mode === "gbn" ? 0.2 : 0,
        seed: 4,
        timeoutS: 60,
        room: `bench-${mode}`,
        onNote: (s) => notes.push(s),
      }));
      assert.equal(r.status, "complete", `${mode}: ${r.problems.join("; ")}`);
      assert.equal(r.refused, 0, mode);
      assert.equal(r.lost, 0, mode);
      assert.equal(r.deliveries, 3 * 16 * 2, mode);
      const paced = "paced to the server's flood limit of 4 messages per 1 s per user: about 3 s";
      assert.equal(r.pacedTo, paced, mode);
      assert.deepEqual(notes, [paced], mode);
    }
  } finally {
    await server.shutdown("test over", 1000);
  }
});

Deno.test("bench: a client the server cannot take is a clear failure before any message", async () => {
  const fake = new FakeChatServer({ limits: { perAddress: 2, flood: "off" } });
  try {
    const r = await runBench(runParams(fake.port, { clients: 3, messages: 5 }));
    assert.equal(r.status, "failed");
    assert.match(r.problems[0]!, /allows 2 connections per address and the run needs 3/);
  } finally {
    await fake.close();
  }
});
