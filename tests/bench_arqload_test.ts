/**
 * `bench/arqload.c`, a client written from docs/PROTOCOL.md alone, against the real server over
 * TCP on 127.0.0.1: it must build without warnings and every run must deliver every message once,
 * in order, in both protocols, with GBN and SR, with fragments, and through a server that drops
 * and corrupts its frames. A change to the server that a reader of the document could not
 * follow fails here. Skipped (visibly) where no C compiler is installed.
 */

import assert from "node:assert/strict";
import { NullLogger } from "../lib/log/logger.ts";
import { ChatServer, type ServerOptions } from "../lib/server/server.ts";

const SOURCE = new URL("../bench/arqload.c", import.meta.url).pathname;

function compilerFound(): boolean {
  try {
    return new Deno.Command("cc", { args: ["--version"], stdout: "null", stderr: "null" })
      .outputSync().success;
  } catch {
    return false;
  }
}

const ccAvailable = compilerFound();
if (!ccAvailable) console.log("SKIP bench_arqload_test: no C compiler (cc) found");

let binary: Promise<string> | undefined;

/** Builds arqload once per test run, warnings as errors. */
function build(): Promise<string> {
  binary ??= (async () => {
    const dir = await Deno.makeTempDir({ prefix: "arqload-" });
    const out = `${dir}/arqload`;
    const r = await new Deno.Command("cc", {
      args: ["-O2", "-std=c11", "-Wall", "-Wextra", "-Werror", "-o", out, SOURCE],
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.ok(r.success, new TextDecoder().decode(r.stderr));
    return out;
  })();
  return binary;
}

interface ArqloadResult {
  status: string;
  ok: boolean;
  deliveries: number;
  expected: number;
  lost: number;
  duplicated: number;
  out_of_order: number;
}

/** Runs arqload against `port`, killed after `ms`; returns its JSON report. */
async function arqload(port: number, args: string[], ms = 60_000): Promise<ArqloadResult> {
  const child = new Deno.Command(await build(), {
    args: ["--port", String(port), "--json", "--timeout", "40", ...args],
    stdout: "piped",
    stderr: "piped",
    stdin: "null",
  }).spawn();
  const timer = setTimeout(() => child.kill("SIGKILL"), ms);
  try {
    const out = await child.output();
    const text = new TextDecoder().decode(out.stdout);
    assert.ok(text.trim().startsWith("{"), `arqload printed no report: ${text}`);
    return JSON.parse(text) as ArqloadResult;
  } finally {
    clearTimeout(timer);
  }
}

async function withServer(
  options: Partial<ServerOptions>,
  fn: (port: number) => Promise<void>,
): Promise<void> {
  const server = ChatServer.listen({
    host: "127.0.0.1",
    port: 0,
    logger: new NullLogger(),
    flood: null,
    ...options,
  });
  try {
    await fn(server.addr.port);
  } finally {
    await server.shutdown("test over", 1000);
  }
}

function assertAllDelivered(r: ArqloadResult, what: string): void {
  assert.equal(r.status, "complete", `${what}: ${JSON.stringify(r)}`);
  assert.ok(r.ok, what);
  assert.equal(r.deliveries, r.expected, `${what}: every message reached every other client`);
  assert.equal(r.lost + r.duplicated + r.out_of_order, 0, `${what}: ${JSON.stringify(r)}`);
}

Deno.test({
  name: "arqload, a client written from PROTOCOL.md, gets every message in text, GBN and SR",
  ignore: !ccAvailable,
  fn: () =>
    withServer({}, async (port) => {
      const base = ["--clients", "5", "--messages", "40"];
      assertAllDelivered(await arqload(port, [...base, "--proto", "text"]), "text");
      for (const mode of ["gbn", "sr"]) {
        for (const delay of ["0", "10"]) {
          const r = await arqload(port, [
            ...base,
            "--mode",
            mode,
            "--window",
            "8",
            "--ack-delay",
            delay,
            "--prefix",
            `${mode}${delay}x`,
          ]);
          assertAllDelivered(r, `${mode}, ack delay ${delay}`);
        }
      }
    }),
});

Deno.test({
  name: "arqload gets fragmented messages through a server that drops and corrupts its frames",
  ignore: !ccAvailable,
  fn: () =>
    withServer(
      {
        faults: { loss: 0.05, corrupt: 0.05, seed: 11 },
        arq: { maxRto: 1000, deadAfterMs: 60_000 },
      },
      async (port) => {
        for (const mode of ["gbn", "sr"]) {
          const r = await arqload(port, [
            "--clients",
            "4",
            "--messages",
            "12",
            "--size",
            "2500",
            "--mode",
            mode,
            "--window",
            "4",
            "--prefix",
            `${mode}f`,
          ]);
          assertAllDelivered(r, `${mode} with faults and 2500-byte messages`);
        }
      },
    ),
});
