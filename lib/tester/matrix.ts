/**
 * The teacher's run: the suite against many servers, up to `jobs` at once, each server started
 * afresh for every test. One server hanging or crashing costs only its own tests (see the
 * runner's stuck detection and per-server budget); the others go on.
 * @module
 */

import { runSuite, type SuiteReport, type TestResult } from "./runner.ts";
import type { LevelChoice, TestSpec } from "./spec.ts";
import type { Target } from "./target.ts";

/** Options of {@link runMatrix}. */
export interface MatrixOptions {
  /** Servers tested at once. */
  readonly jobs: number;
  /** Level label for the reports. */
  readonly level: LevelChoice;
  /** Reply timeout, ms. */
  readonly replyMs?: number;
  /** Most wall time per server, ms. */
  readonly budgetMs?: number;
  /** Called after each test of each server. */
  readonly onResult?: (server: Target, result: TestResult) => void;
  /** Called when a server's run is complete. */
  readonly onServer?: (report: SuiteReport) => void;
}

/** Default wall-time budget of one server in a matrix run. */
export const SERVER_BUDGET_MS = 5 * 60_000;

/** Runs `tests` against every target; reports come back in the targets' order. */
export async function runMatrix(
  targets: readonly Target[],
  tests: readonly TestSpec[],
  options: MatrixOptions,
): Promise<SuiteReport[]> {
  const reports: SuiteReport[] = new Array(targets.length);
  let next = 0;
  const worker = async () => {
    while (next < targets.length) {
      const i = next++;
      const target = targets[i]!;
      const report = await runSuite(tests, target, {
        level: options.level,
        replyMs: options.replyMs,
        budgetMs: options.budgetMs ?? SERVER_BUDGET_MS,
        onResult: (r) => options.onResult?.(target, r),
      });
      reports[i] = report;
      options.onServer?.(report);
    }
  };
  const jobs = Math.max(1, Math.min(options.jobs, targets.length));
  await Promise.all(Array.from({ length: jobs }, worker));
  return reports;
}
