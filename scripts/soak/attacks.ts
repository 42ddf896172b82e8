/**
 * The attacks of the soak (issue 13), as a hostile student would run them from the lab: every
 * hostile connection is bound to an address of its own block of 127.0.0.0/8 (127.0.0.2 and up),
 * never the witnesses' 127.0.0.1. Each attack runs for about `seconds` and reports the bytes it
 * sent and received and a figure of its own. Run in a process of its own (`attacker.ts`).
 * @module
 */

import { encodeFrame, frame, FrameType } from "../../lib/protocol/mod.ts";
import {
  dataFrame,
  handshake,
  hostileAddress,
  HostileSocket,
} from "../../tests/support/hostile.ts";

/** What an attack reports. */
export interface AttackResult {
  /** Bytes the attacker sent. */
  sent: number;
  /** Bytes the attacker received. */
  received: number;
  /** Connections it opened. */
  connections: number;
  /** A figure of its own, for the table's notes. */
  note: string;
}

/** Where and how long. */
export interface AttackContext {
  readonly port: number;
  readonly seconds: number;
  /** At most this many connections a second (churn), or as fast as it can when absent. */
  readonly rate?: number;
}

type Attack = (ctx: AttackContext) => Promise<AttackResult>;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs `n` tasks at most `parallel` at a time. */
async function pool<T>(n: number, parallel: number, task: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = new Array(n);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(n, parallel) }, async () => {
      while (next < n) {
        const i = next++;
        out[i] = await task(i);
      }
    }),
  );
  return out;
}

async function open(port: number, local: string, paused = false): Promise<HostileSocket | null> {
  try {
    return await HostileSocket.open(port, { local, paused, keep: !paused });
  } catch {
    return null;
  }
}

/** A registered text client (null when the server refused or closed). */
async function textUser(
  port: number,
  local: string,
  nick: string,
  paused = false,
): Promise<HostileSocket | null> {
  const s = await open(port, local, paused);
  if (s === null) return null;
  await s.write(`${nick}\n`);
  if (!paused && !(await s.waitFor(/Welcome/, 5000))) {
    await s.close();
    return null;
  }
  return s;
}

function totals(socks: (HostileSocket | null)[], note: string, extra = 0): AttackResult {
  let sent = extra, received = 0, connections = 0;
  for (const s of socks) {
    if (s === null) continue;
    sent += s.sent;
    received += s.received;
    connections++;
  }
  return { sent, received, connections, note };
}

/** How many of paused sockets the server has not closed: they read again to find out. */
async function stillOpen(socks: (HostileSocket | null)[]): Promise<number> {
  for (const s of socks) s?.resume();
  await Promise.all(socks.map((s) => s?.waitClosed(1500)));
  return socks.filter((s) => s !== null && !s.closed).length;
}

async function closeAll(socks: (HostileSocket | null)[]): Promise<void> {
  await Promise.all(socks.map((s) => s?.close()));
}

/** Forged lines: RST reasons, look-alike nicknames, escapes in text. */
const forge: Attack = async ({ port, seconds }) => {
  const socks: (HostileSocket | null)[] = [];
  const end = performance.now() + seconds * 1000;
  let i = 0;
  while (performance.now() < end) {
    const b = await open(port, hostileAddress(i % 8));
    if (b) {
      socks.push(b);
      const isn = await handshake(b);
      if (isn !== undefined) {
        await b.write(dataFrame(1, `x${i}`));
        await sleep(20);
        const reason = new TextEncoder().encode(
          `bye\n[w1]: w1 999 0\r\n\x1b[2J\u202e[teacher]: exam cancelled`,
        );
        await b.write(encodeFrame(frame(FrameType.RST, 2, 0, reason)));
      }
      await b.close();
    }
    for (const nick of ["w1\u034f", "ｗ１", "\u051d1", "\u3164", "W1"]) {
      const t = await open(port, hostileAddress(i % 8));
      if (!t) continue;
      socks.push(t);
      await t.write(`${nick}\n`);
      await t.waitClosed(500);
      await t.close();
    }
    const m = await textUser(port, hostileAddress(i % 8), `f${i}`);
    if (m) {
      socks.push(m);
      await m.write(
        `MSG hi\n[w1]: w1 999 0\nMSG \x1b[31mred\u202e\u200b\nMSG ok\u0301\u0301\u0301\u0301\u0301\n`,
      );
      await sleep(100);
      await m.close();
    }
    i++;
    await sleep(200);
  }
  return totals(socks, `${i} rounds`);
};

/** Connect+RST flood from one address, as fast as the attacker can (or at `rate` a second). */
const churn: Attack = async ({ port, seconds, rate }) => {
  const start = performance.now();
  const end = start + seconds * 1000;
  let opened = 0, failed = 0;
  await Promise.all(Array.from({ length: 16 }, async () => {
    while (performance.now() < end) {
      if (rate !== undefined) {
        const due = start + ((opened + failed) * 1000) / rate;
        if (due > performance.now()) await sleep(due - performance.now());
      }
      const s = await open(port, "127.0.0.2");
      if (s === null) {
        failed++;
        await sleep(5);
        continue;
      }
      opened++;
      s.reset();
      await s.ended;
    }
  }));
  return {
    sent: 0,
    received: 0,
    connections: opened,
    note: `${opened} conn+RST (${failed} failed)`,
  };
};

/** 20 registered clients that never read, each asking for 420 KB of replies. */
const nonreaders: Attack = async ({ port, seconds }) => {
  const socks = await pool(20, 20, (i) => textUser(port, "127.0.0.2", `nr${i}`, true));
  // HELP's reply is about 130 bytes: 3300 of them are 420 KB.
  const ask = "HELP\n".repeat(3300);
  await Promise.all(socks.map((s) => s?.write(ask, seconds * 1000)));
  await sleep(seconds * 1000);
  const alive = await stillOpen(socks);
  const result = totals(socks, `${alive}/20 still connected at the end`);
  await closeAll(socks);
  return result;
};

/** 20 registered clients that never read while a talker broadcasts long lines. */
const stuck: Attack = async ({ port, seconds }) => {
  const socks = await pool(20, 20, (i) => textUser(port, "127.0.0.2", `st${i}`, true));
  const talkers = await pool(4, 4, (i) => textUser(port, "127.0.0.3", `talk${i}`));
  const line = `MSG ${"y".repeat(30_000)}\n`;
  const end = performance.now() + seconds * 1000;
  while (performance.now() < end) {
    for (const t of talkers) t?.push(line);
    await sleep(600);
  }
  const alive = await stillOpen(socks);
  const result = totals([...socks, ...talkers], `${alive}/20 non-readers still connected`);
  await closeAll([...socks, ...talkers]);
  return result;
};

/** 800 KB of input that each make a log line: bad nicknames, unknown verbs, flood. */
const logflood: Attack = async ({ port, seconds }) => {
  const socks: (HostileSocket | null)[] = [];
  const u = await textUser(port, "127.0.0.2", "logger1");
  socks.push(u);
  // 300 KB of unknown verbs, 300 KB of MSG over the flood limit.
  await u?.write("X\n".repeat(150_000), seconds * 1000);
  await u?.write("MSG a\n".repeat(50_000), seconds * 1000);
  // 200 KB of refused nicknames, 20 bytes each, 1000 connections from 8 addresses.
  await pool(1000, 32, async (i) => {
    const s = await open(port, hostileAddress(8 + (i % 8)));
    if (s === null) return;
    await s.write(`${"!".repeat(198)}\n`);
    await s.waitClosed(1000);
    await s.close();
    socks.push(s);
  });
  await sleep(1000);
  const result = totals(socks, "");
  await closeAll(socks);
  return result;
};

/** One client's 600 KB burst of short chat lines (100,000 of them). */
const burst: Attack = async ({ port, seconds }) => {
  const u = await textUser(port, "127.0.0.2", "burst1");
  await u?.write("MSG b\n".repeat(100_000), seconds * 1000);
  await sleep(seconds * 1000);
  const result = totals([u], "600 KB in one write");
  await closeAll([u]);
  return result;
};

/** More than 4,096 long lines at once: 420 users on 42 addresses, 10 lines of 1.5 KB each. */
const longlines: Attack = async ({ port, seconds }) => {
  const socks = await pool(420, 32, (i) => textUser(port, hostileAddress(i % 42, 1), `ll${i}`));
  const line = `MSG ${"l".repeat(1500)}\n`.repeat(10);
  await Promise.all(socks.map((s) => s?.write(line)));
  await sleep(seconds * 1000);
  const joined = socks.filter((s) => s !== null).length;
  const result = totals(socks, `${joined} users sent ${joined * 10} lines`);
  await closeAll(socks);
  return result;
};

/** Renames as fast as the server answers. */
const nickflood: Attack = async ({ port, seconds }) => {
  const u = await textUser(port, "127.0.0.2", "nk0");
  const end = performance.now() + seconds * 1000;
  let i = 0;
  while (u && !u.closed && performance.now() < end) {
    let batch = "";
    for (let k = 0; k < 200; k++) batch += `NICK nk${++i}\n`;
    await u.write(batch, 2000);
    await sleep(1);
  }
  const result = totals([u], `${i} renames sent`);
  await closeAll([u]);
  return result;
};

/** LIST, STATS, HELP and unknown verbs from 10 connections, as fast as possible. */
const verbflood: Attack = async ({ port, seconds }) => {
  const socks = await pool(10, 10, (i) => textUser(port, "127.0.0.2", `vf${i}`));
  const batch = "LIST\nSTATS\nHELP\nFOO\n".repeat(250);
  const end = performance.now() + seconds * 1000;
  await Promise.all(socks.map(async (s) => {
    while (s && !s.closed && performance.now() < end) {
      await s.write(batch, 2000);
      s.bytes = new Uint8Array(0);
      await sleep(1);
    }
  }));
  const result = totals(socks, "");
  await closeAll(socks);
  return result;
};

/** 500 connections from one address, 10 messages each. */
const manyconns: Attack = async ({ port, seconds }) => {
  const socks = await pool(500, 32, (i) => textUser(port, "127.0.0.2", `mc${i}`));
  await Promise.all(socks.map((s) => s?.write("MSG spam\n".repeat(10))));
  await sleep(seconds * 1000);
  const joined = socks.filter((s) => s !== null).length;
  const result = totals(socks, `${joined}/500 registered`);
  await closeAll(socks);
  return result;
};

/** 2000 connections that never register: half silent, half binary with a handshake only. */
const unregistered: Attack = async ({ port, seconds }) => {
  const socks = await pool(2000, 64, async (i) => {
    const s = await open(port, hostileAddress(i % 8), false);
    if (s && i % 2 === 1) await handshake(s, {}, 2000);
    return s;
  });
  await sleep(seconds * 1000);
  const alive = socks.filter((s) => s !== null && !s.closed).length;
  const result = totals(socks, `${alive}/2000 still open at the end`);
  await closeAll(socks);
  return result;
};

/**
 * A binary client (window 256, never acknowledging) that NACKs the first frame in flight over
 * and over, while a talker fills its window with long lines.
 */
const nackstorm: Attack = async ({ port, seconds }) => {
  const s = await open(port, "127.0.0.2");
  if (s === null) return { sent: 0, received: 0, connections: 0, note: "no connection" };
  const isn = await handshake(s, { window: 256 });
  if (isn === undefined) {
    await s.close();
    return totals([s], "no handshake");
  }
  await s.write(dataFrame(1, "nack1"));
  const talker = await textUser(port, "127.0.0.3", "talk1");
  await talker?.write(`MSG ${"n".repeat(30_000)}\n`.repeat(10));
  await sleep(500);
  const before = s.received;
  const sentBefore = s.sent;
  const nack = encodeFrame(frame(FrameType.NACK, isn + 1));
  const end = performance.now() + seconds * 1000;
  while (!s.closed && performance.now() < end) {
    await s.write(nack, 2000);
    s.bytes = new Uint8Array(0);
    await sleep(1);
  }
  const nackBytes = s.sent - sentBefore;
  const back = s.received - before;
  const result = totals(
    [s, talker],
    `${(back / Math.max(1, nackBytes)).toFixed(0)}x bytes back${s.closed ? ", dropped" : ""}`,
  );
  await closeAll([s, talker]);
  return result;
};

/** The attacks by name, in the order the soak runs them. */
export const ATTACKS: Readonly<Record<string, Attack>> = {
  forge,
  churn,
  nonreaders,
  stuck,
  logflood,
  "log-blocked": logflood,
  burst,
  longlines,
  nickflood,
  verbflood,
  manyconns,
  unregistered,
  nackstorm,
};
