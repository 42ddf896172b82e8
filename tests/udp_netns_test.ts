/**
 * Real loss in the kernel: two network namespaces joined by a veth pair, each dropping 10 % of
 * the UDP packets it receives (`iptables -m statistic --mode random --probability 0.1 -j DROP`;
 * this kernel has no netem). `chat serve` runs in one, `chat bench --transport udp --arq both`
 * in the other: every message must arrive exactly once and in order at every client, for GBN
 * and SR, and the ARQ's retransmissions must be of the size of what iptables dropped. The test
 * creates and deletes the namespaces itself; it is skipped without root, `ip` or `iptables`.
 */

import assert from "node:assert/strict";
import type { RunResult } from "../lib/bench/result.ts";
import { chatArgs, stopChild, StreamText } from "./support/live_session.ts";

const ID = `${Deno.pid % 10000}`;
const NS_SERVER = `chat-srv-${ID}`;
const NS_CLIENTS = `chat-cli-${ID}`;
const NET = `10.${100 + (Deno.pid % 100)}.${Math.floor(Deno.pid / 100) % 250}`;
const SERVER_IP = `${NET}.1`;
const CLIENTS_IP = `${NET}.2`;
const TEACHER = `netns-${ID}`;

async function sh(cmd: string, args: string[]): Promise<{ ok: boolean; out: string }> {
  try {
    const r = await new Deno.Command(cmd, { args, stdout: "piped", stderr: "piped" }).output();
    const dec = new TextDecoder();
    return { ok: r.success, out: dec.decode(r.stdout) + dec.decode(r.stderr) };
  } catch (error) {
    return { ok: false, out: String(error) };
  }
}

async function must(cmd: string, ...args: string[]): Promise<string> {
  const r = await sh(cmd, args);
  if (!r.ok) throw new Error(`${cmd} ${args.join(" ")} failed: ${r.out}`);
  return r.out;
}

async function cleanup(): Promise<void> {
  // Deleting a namespace deletes its end of the veth pair, and so the pair.
  await sh("ip", ["netns", "del", NS_SERVER]);
  await sh("ip", ["netns", "del", NS_CLIENTS]);
}

/** Why the test cannot run here, or undefined when it can (root, ip, iptables, namespaces). */
async function unavailable(): Promise<string | undefined> {
  if (Deno.build.os !== "linux") return "not Linux";
  if (Deno.uid() !== 0) return "not root";
  if (!(await sh("ip", ["-V"])).ok) return "no ip (iproute2)";
  if (!(await sh("iptables", ["--version"])).ok) return "no iptables";
  const probe = `chat-probe-${ID}`;
  const made = await sh("ip", ["netns", "add", probe]);
  if (!made.ok) return `cannot create a network namespace: ${made.out.trim()}`;
  const rule = await sh("ip", ["netns", "exec", probe, "iptables", "-L", "INPUT", "-n"]);
  await sh("ip", ["netns", "del", probe]);
  if (!rule.ok) return `iptables does not work in a namespace: ${rule.out.trim()}`;
  return undefined;
}

const why = await unavailable();
if (why) console.log(`SKIP udp_netns_test.ts: ${why}`);

/** Makes the pair: veth between the namespaces, addresses, 10 % UDP drop on each INPUT. */
async function setUp(): Promise<void> {
  await cleanup();
  await must("ip", "netns", "add", NS_SERVER);
  await must("ip", "netns", "add", NS_CLIENTS);
  await must(
    "ip",
    "link",
    "add",
    `cs${ID}`,
    "netns",
    NS_SERVER,
    "type",
    "veth",
    "peer",
    "name",
    `cc${ID}`,
    "netns",
    NS_CLIENTS,
  );
  for (
    const [ns, dev, ip] of [[NS_SERVER, `cs${ID}`, SERVER_IP], [NS_CLIENTS, `cc${ID}`, CLIENTS_IP]]
  ) {
    await must("ip", "-n", ns!, "addr", "add", `${ip}/24`, "dev", dev!);
    await must("ip", "-n", ns!, "link", "set", dev!, "up");
    await must("ip", "-n", ns!, "link", "set", "lo", "up");
    await must(
      "ip",
      "netns",
      "exec",
      ns!,
      "iptables",
      "-A",
      "INPUT",
      "-p",
      "udp",
      "-m",
      "statistic",
      "--mode",
      "random",
      "--probability",
      "0.1",
      "-j",
      "DROP",
    );
  }
}

/** Packets the DROP rule of `ns` dropped since its counters were zeroed. */
async function dropped(ns: string): Promise<number> {
  const out = await must("ip", "netns", "exec", ns, "iptables", "-L", "INPUT", "-v", "-x", "-n");
  const line = out.split("\n").find((l) => /\bDROP\b/.test(l) && /statistic/.test(l));
  return Number(line?.trim().split(/\s+/)[0] ?? NaN);
}

Deno.test({
  name:
    "10 % of datagrams dropped in the kernel: chat bench --transport udp --arq both loses nothing",
  ignore: why !== undefined,
  async fn() {
    await setUp();
    let server: Deno.ChildProcess | undefined;
    let out: StreamText | undefined;
    try {
      server = new Deno.Command("ip", {
        args: [
          "netns",
          "exec",
          NS_SERVER,
          Deno.execPath(),
          ...chatArgs([
            "serve",
            "--host",
            SERVER_IP,
            "--port",
            "0",
            "-q",
            "--flood",
            "off",
            "--teacher-password",
            TEACHER,
          ]),
        ],
        stdin: "null",
        stdout: "piped",
        stderr: "inherit",
      }).spawn();
      out = new StreamText(server.stdout);
      const m = await out.waitFor(/listening on \S+:(\d+) \(TCP and UDP\)/, 20_000);
      assert.ok(m, `the server did not start: ${out.text}`);
      const port = m[1]!;
      for (const ns of [NS_SERVER, NS_CLIENTS]) {
        await must("ip", "netns", "exec", ns, "iptables", "-Z", "INPUT");
      }
      const bench = await new Deno.Command("ip", {
        args: [
          "netns",
          "exec",
          NS_CLIENTS,
          Deno.execPath(),
          ...chatArgs([
            "bench",
            `${SERVER_IP}:${port}`,
            "--transport",
            "udp",
            "--arq",
            "both",
            "--clients",
            "6",
            "--messages",
            "50",
            "--json",
            "--timeout",
            "100",
            "--teacher-password", // STATS, and with it the server's retransmissions
            TEACHER,
          ]),
        ],
        stdin: "null",
        stdout: "piped",
        stderr: "piped",
      }).output();
      const dec = new TextDecoder();
      const stdout = dec.decode(bench.stdout);
      assert.equal(bench.code, 0, dec.decode(bench.stderr));
      const runs = stdout.trim().split("\n").map((l) => JSON.parse(l) as RunResult);
      assert.deepEqual(runs.map((r) => r.mode), ["gbn", "sr"]);
      let repaired = 0;
      for (const r of runs) {
        assert.equal(r.status, "complete", r.problems.join("; "));
        assert.equal(r.params.transport, "udp");
        assert.equal(r.deliveries, 6 * 50 * 5);
        assert.equal(r.lost, 0);
        assert.equal(r.duplicated, 0);
        assert.equal(r.outOfOrder, 0);
        // Both are reported: the kernel's counters and the repairs on both sides.
        assert.ok(r.kernel, "the kernel's counters are read");
        assert.equal(typeof r.server?.retransmissions, "number");
        repaired += r.arq!.retransmissions + r.server!.retransmissions!;
      }
      const drops = (await dropped(NS_SERVER)) + (await dropped(NS_CLIENTS));
      // The bench's namespace saw its own drops as IP packets never delivered.
      const seenByBench = runs.reduce((n, r) => n + (r.kernel?.ipUndelivered ?? 0), 0);
      console.log(
        `iptables dropped ${drops} datagrams (${seenByBench} on the clients' side, as the bench's kernel counted); the ARQ resent ${repaired} frames`,
      );
      assert.ok(drops >= 20, `too few drops to judge: ${drops}`);
      assert.ok(seenByBench > 0 && seenByBench <= drops);
      // Of the same size: every drop costs at least a resend of what it carried, and at most
      // a window (GBN) plus the spurious resends of a timeout.
      assert.ok(repaired >= drops / 2, `${repaired} retransmissions for ${drops} drops`);
      assert.ok(repaired <= drops * 12, `${repaired} retransmissions for ${drops} drops`);
    } finally {
      if (server) await stopChild(server, "SIGTERM", 5_000);
      await out?.done;
      await cleanup();
    }
    const left = await must("ip", "netns", "list");
    assert.ok(!left.includes(NS_SERVER) && !left.includes(NS_CLIENTS), left);
  },
});
