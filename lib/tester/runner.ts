/**
 * Runs tests against a target, one at a time, each bounded in time: a test that overruns its
 * limit fails, its clients are closed, and the run goes on. A server that answers nothing for
 * {@link STUCK_AFTER} tests in a row is declared stuck and the remaining tests fail at once
 * ("not run"), so a hanging server costs seconds, not minutes; so do the tests after
 * {@link DOWN_AFTER} in which it could not be reached at all, and the binary tests of a server
 * that answered a SYN with text (it speaks only the text protocol).
 * @module
 */

import { TestContext } from "./context.ts";
import { randomTag } from "./context.ts";
import {
  DEFAULT_TEST_TIMEOUT_MS,
  isRequired,
  type Level,
  type LevelChoice,
  ServerUnavailable,
  type Status,
  TestFailure,
  type TestSpec,
} from "./spec.ts";
import type { ServerInstance, Target } from "./target.ts";
import { Transcript, type TranscriptEntry } from "./transcript.ts";

/** The outcome of one test. */
export interface TestResult {
  /** Test id. */
  readonly id: string;
  /** The level that introduces it. */
  readonly level: Level;
  /** PROTOCOL.md heading. */
  readonly section: string;
  /** The rule it checks. */
  readonly rule: string;
  /** False for advisory tests. */
  readonly required: boolean;
  /** Verdict. */
  readonly status: Status;
  /** One line: why it failed, or a note when it passed. */
  readonly reason: string;
  /** How long it took. */
  readonly durationMs: number;
  /** What was sent and received (kept for failures only). */
  readonly transcript: readonly TranscriptEntry[];
  /** The tail of a started server's output (failures only). */
  readonly serverLog: string;
}

/** All results of one target. */
export interface SuiteReport {
  /** Target name. */
  readonly name: string;
  /** Address or command. */
  readonly description: string;
  /** The level run. */
  readonly level: LevelChoice;
  /** ISO time the run started. */
  readonly startedAt: string;
  /** Wall time of the whole run, ms. */
  readonly durationMs: number;
  /** One per test, in suite order. */
  readonly results: readonly TestResult[];
}

/** Options of {@link runSuite}. */
export interface RunOptions {
  /** Level label for the report. */
  readonly level: LevelChoice;
  /** Reply timeout, ms (default 2000). */
  readonly replyMs?: number;
  /** Called after each test. */
  readonly onResult?: (result: TestResult) => void;
  /** Most wall time for this target, ms; tests after it are not run (default: none). */
  readonly budgetMs?: number;
}

/** Tests in a row the server answered nothing in, after which it counts as stuck. */
export const STUCK_AFTER = 3;
/** Tests in a row in which it could not be reached at all, after which it counts as down. */
export const DOWN_AFTER = 2;

/** Runs `tests` against `target`, in order. */
export async function runSuite(
  tests: readonly TestSpec[],
  target: Target,
  options: RunOptions,
): Promise<SuiteReport> {
  const startedAt = new Date().toISOString();
  const start = performance.now();
  const results: TestResult[] = [];
  let silentRun = 0;
  let firstSilent: string | undefined;
  let downRun = 0;
  // A server that answered a SYN with text does not speak the binary protocol at all.
  let noBinary: string | undefined;
  // A started server is stopped while the next test starts its own.
  const stopping: Promise<void>[] = [];
  for (const spec of tests) {
    let result: TestResult;
    if (downRun >= DOWN_AFTER) {
      result = notRun(
        spec,
        `Not run: the server could not be reached in ${downRun} tests in a row`,
      );
    } else if (silentRun >= STUCK_AFTER) {
      result = notRun(
        spec,
        `Not run: the server has answered nothing since ${firstSilent} (${silentRun} tests in a row)`,
      );
    } else if (noBinary !== undefined && spec.level === "binary") {
      result = notRun(spec, noBinary);
    } else if (options.budgetMs !== undefined && performance.now() - start > options.budgetMs) {
      result = notRun(
        spec,
        `Not run: the time budget of this server (${options.budgetMs / 1000} s) ran out`,
      );
    } else {
      const { result: r, silent, released, text, unavailable } = await runOne(
        spec,
        target,
        options.replyMs ?? 2000,
      );
      stopping.push(released);
      if (r.status === "fail" && spec.level === "binary" && text !== undefined) {
        noBinary =
          `Not run: the server does not speak the binary protocol (${spec.id}: it answered a SYN with text)`;
      }
      result = r;
      if (silent && r.status === "fail") {
        if (silentRun === 0) firstSilent = spec.id;
        silentRun++;
      } else silentRun = 0;
      downRun = unavailable ? downRun + 1 : 0;
    }
    results.push(result);
    options.onResult?.(result);
  }
  await Promise.all(stopping);
  return {
    name: target.name,
    description: target.description,
    level: options.level,
    startedAt,
    durationMs: performance.now() - start,
    results,
  };
}

/**
 * Runs one test on a server from `target`; `silent` = the server sent nothing at all;
 * `released` settles once the server is given back (a started one has exited); `text` is what
 * the server said when it answered a binary client with text; `unavailable` = the server could
 * not be reached at all.
 */
export async function runOne(
  spec: TestSpec,
  target: Target,
  replyMs: number,
): Promise<{
  result: TestResult;
  silent: boolean;
  released: Promise<void>;
  text: string | undefined;
  unavailable: boolean;
}> {
  const start = performance.now();
  const transcript = new Transcript(start);
  const limit = spec.timeoutMs ?? DEFAULT_TEST_TIMEOUT_MS;
  const controller = new AbortController();
  let instance: ServerInstance;
  try {
    instance = await target.acquire();
  } catch (error) {
    const why = `Cannot start the server: ${
      error instanceof Error ? error.message : String(error)
    }`;
    instance = {
      target: { host: "127.0.0.1", port: 0, retryUntil: 0, gone: () => why },
      release: () => Promise.resolve(),
      log: () => "",
    };
  }
  const ctx = new TestContext({
    target: instance.target,
    replyMs,
    signal: controller.signal,
    tag: randomTag(4),
    transcript,
  });
  let status: Status = "pass";
  let reason = "";
  let unavailable = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const overrun = new Promise<"overrun">((r) => {
    timer = setTimeout(() => {
      controller.abort();
      r("overrun");
    }, limit);
  });
  const body = spec.run(ctx);
  try {
    const outcome = await Promise.race([body, overrun]);
    if (outcome === "overrun") {
      status = "fail";
      reason = `The test did not finish within ${limit / 1000} s`;
    } else reason = outcome ?? "";
  } catch (error) {
    status = "fail";
    unavailable = error instanceof ServerUnavailable;
    if (error instanceof TestFailure) reason = error.message;
    else if (controller.signal.aborted) reason = `The test did not finish within ${limit / 1000} s`;
    else reason = `Tester error: ${error instanceof Error ? error.message : String(error)}`;
  } finally {
    clearTimeout(timer);
    controller.abort();
  }
  const gone = instance.target.gone?.();
  if (status === "fail" && gone !== undefined && !reason.includes(gone)) reason += ` (${gone})`;
  await ctx.dispose();
  // The body may still be waiting on a closed client: let it settle before the next test.
  await settle(body, 2000);
  const silent = !ctx.heardFromServer;
  const log = status === "fail" ? instance.log() : "";
  const released = instance.release();
  return {
    released,
    text: ctx.answeredBinaryWithText,
    unavailable,
    result: {
      id: spec.id,
      level: spec.level,
      section: spec.section,
      rule: spec.rule,
      required: isRequired(spec),
      status,
      reason: oneLine(reason),
      durationMs: performance.now() - start,
      transcript: status === "fail" ? transcript.entries : [],
      serverLog: log,
    },
    silent,
  };
}

function notRun(spec: TestSpec, reason: string): TestResult {
  return {
    id: spec.id,
    level: spec.level,
    section: spec.section,
    rule: spec.rule,
    required: isRequired(spec),
    status: "fail",
    reason,
    durationMs: 0,
    transcript: [],
    serverLog: "",
  };
}

async function settle(p: Promise<unknown>, ms: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([
    p.catch(() => {}),
    new Promise((r) => timer = setTimeout(r, ms)),
  ]);
  clearTimeout(timer);
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, " ").trim();
}

/** Counts of a report's verdicts; `failed` counts required failures, `warned` advisory ones. */
export function summarize(results: readonly TestResult[]): {
  passed: number;
  failed: number;
  warned: number;
  skipped: number;
} {
  let passed = 0, failed = 0, warned = 0, skipped = 0;
  for (const r of results) {
    if (r.status === "pass") passed++;
    else if (r.status === "skip") skipped++;
    else if (r.required) failed++;
    else warned++;
  }
  return { passed, failed, warned, skipped };
}
