/**
 * Loss recovery end to end over real sockets: `chat serve` and `chat join --trace` as child
 * processes on loopback, the client dropping its DATA 2 (`--faults drop:data#2`, a chat line
 * followed by more). With `--recovery fast` the frame is resent because the server's ACKs
 * showed it lost (or by the probe), never by its timer; with `--recovery timeout` it waits for
 * the timer, at least the 100 ms minimum RTO. Every line is answered either way (the piped
 * client exits 0 only then).
 */
import assert from "node:assert/strict";
import { FrameType } from "../lib/protocol/mod.ts";
import { parseTrace, runChat, ServerProcess, type TraceLine } from "./support/live_session.ts";

const LINES = ["one", "two", "three", "four", "five", "six"];
const DROPPED = 2;

async function session(port: number, mode: "gbn" | "sr", recovery: "fast" | "timeout") {
  const r = await runChat([
    "join",
    `127.0.0.1:${port}`,
    "--nick",
    `${mode}${recovery}`.slice(0, 20),
    "--arq",
    mode,
    "--window",
    "8",
    "--recovery",
    recovery,
    "--trace",
    "--faults",
    `drop:data#${DROPPED}`,
  ], { stdin: LINES.map((l) => `${l}\n`).join(""), timeoutMs: 20_000 });
  assert.equal(r.timedOut, false, `chat join timed out: ${r.stderr}`);
  assert.equal(r.code, 0, `chat join failed: ${r.stderr}`);
  return parseTrace(r.stderr);
}

/** The client's transmissions of DATA `seq`, in order. */
function copies(trace: TraceLine[], seq: number): TraceLine[] {
  return trace.filter((t) => t.dir === "send" && t.type === FrameType.DATA && t.seq === seq);
}

Deno.test({
  name: "chat join --recovery fast resends a lost frame on the ACKs' word, timeout on its timer",
  sanitizeOps: true,
  sanitizeResources: true,
  fn: async () => {
    const server = await ServerProcess.start(["--flood", "off"]);
    try {
      for (const mode of ["gbn", "sr"] as const) {
        const fast = copies(await session(server.port, mode, "fast"), DROPPED);
        assert.ok(fast.length >= 2, `${mode}: DATA ${DROPPED} resent`);
        assert.deepEqual(fast[0]!.marks, ["DROPPED (fault)"]);
        assert.ok(
          fast[1]!.cause === "fast" || fast[1]!.cause === "probe",
          `${mode} fast: ${fast.map((t) => t.line).join(" / ")}`,
        );
        assert.ok(!fast.some((t) => t.cause === "timeout"), `${mode}: no timeout`);

        const slow = copies(await session(server.port, mode, "timeout"), DROPPED);
        assert.ok(slow.length >= 2, `${mode}: DATA ${DROPPED} resent`);
        assert.equal(slow[1]!.cause, "timeout", slow.map((t) => t.line).join(" / "));
        assert.ok(
          slow[1]!.at - slow[0]!.at >= 0.095,
          `${mode} timeout: resent after the minimum RTO: ${slow.map((t) => t.line).join(" / ")}`,
        );
      }
    } finally {
      await server.stop();
    }
  },
});
