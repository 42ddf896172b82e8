import type { RunParams } from "../../lib/bench/run.ts";
/**
 * Hand-made {@link RunResult}s for output tests (valid by construction; tests break them).
 * @module
 */

import type { RunResult } from "../../lib/bench/result.ts";

/** A valid result of one run in `mode`, optionally swept (`param` = `value`). */
export function sampleRun(
  mode: "gbn" | "sr" | "text",
  sweep: { param: string; value: number } | null = null,
  goodput = 1000,
  efficiency = 1,
  recovery: "fast" | "timeout" = "fast",
): RunResult {
  return {
    tool: "chat-bench",
    version: 1,
    startedAt: "2024-01-01T00:00:00.000Z",
    mode,
    params: {
      clients: 3,
      messages: 10,
      size: 64,
      rate: 0,
      window: 8,
      ackPolicy: "sack",
      ackDelayMs: 10,
      recovery,
      cc: "none",
      loss: sweep?.param === "loss" ? sweep.value : 0,
      corrupt: 0,
      faults: "",
      seed: 1,
    },
    sweep,
    connectMs: 5,
    sent: 30,
    expectedDeliveries: 60,
    deliveries: 60,
    lost: 0,
    duplicated: 0,
    outOfOrder: 0,
    elapsedS: 0.5,
    messagesPerS: 60,
    deliveriesPerS: 120,
    goodputBytesPerS: goodput,
    latencyMs: { p50: 1, p90: 2, p99: 3, max: 4, mean: 1.5 },
    arq: mode === "text" ? null : {
      framesSent: 70,
      dataFrames: 40,
      retransmissions: 4,
      timeouts: 1,
      nacks: 0,
      duplicates: 0,
      efficiency,
      meanRttMs: 1,
      meanRtoMs: 100,
    },
    server: {
      cpuUserMs: 10,
      cpuSystemMs: 5,
      cpuNsPerDelivery: 250000,
      peakRssBytes: 1 << 20,
      source: "server-stats",
    },
    generator: { cpuMs: 20, cpuPercent: 4, bound: false },
    status: "complete",
    problems: [],
  };
}

/** Parameters of a small closed-loop run against `port`, with `over` on top. */
export function runParams(port: number, over: Partial<RunParams> = {}): RunParams {
  return {
    host: "127.0.0.1",
    port,
    mode: "text",
    clients: 3,
    messages: 5,
    size: 64,
    rate: 0,
    inflight: 0,
    window: 8,
    ackPolicy: "sack",
    ackDelayMs: 10,
    loss: 0,
    corrupt: 0,
    faults: "",
    script: [],
    seed: 1,
    timeoutS: 30,
    sweep: null,
    ...over,
  };
}
