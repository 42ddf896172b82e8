/**
 * What a conformance test is: an id that names the PROTOCOL.md section it checks, the rule in one
 * sentence, the level that introduces it, and a `run` that either returns (pass) or throws a
 * {@link TestFailure} (fail). Shaped after h2spec (a requirement per case, grouped by section) and
 * irctest (a client-driving body against a server the runner provides).
 * @module
 */

import type { TestContext } from "./context.ts";

/**
 * The level that introduces a test: `text` is the seed 000 protocol alone (NICK prompt,
 * nickname, MSG, LIST, QUIT, status codes by number), `full` this project's whole text protocol,
 * `binary` the reliable binary protocol (seed 004).
 */
export type Level = "text" | "full" | "binary";

/** What `--level` accepts: one level, or `all`. `full` includes `text`. */
export type LevelChoice = Level | "all";

/** Every `--level` value, in the order `--help` lists them. */
export const LEVEL_CHOICES: readonly LevelChoice[] = ["text", "full", "binary", "all"];

/** One conformance test. */
export interface TestSpec {
  /** `family/topic/case`, e.g. `text/register/409-duplicate`; unique, lower case. */
  readonly id: string;
  /** The level that introduces it. */
  readonly level: Level;
  /** The PROTOCOL.md heading whose rule it checks, e.g. `Client to server`. */
  readonly section: string;
  /** The rule checked, as one sentence a student can act on. */
  readonly rule: string;
  /** False for advisory tests: a failure is reported but does not fail the run. */
  readonly required?: boolean;
  /** Hard limit for the whole test in ms (default {@link DEFAULT_TEST_TIMEOUT_MS}). */
  readonly timeoutMs?: number;
  /** Drives clients against the server; resolves with an optional note, or throws. */
  run(t: TestContext): Promise<string | void>;
}

/** Default hard limit of one test. */
export const DEFAULT_TEST_TIMEOUT_MS = 15_000;

/** The verdict on one test. */
export type Status = "pass" | "fail" | "skip";

/** A failed expectation: `message` is the one-line reason shown beside the test id. */
export class TestFailure extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "TestFailure";
  }
}

/** The server could not be reached at all: it did not start, exited, or listens elsewhere. */
export class ServerUnavailable extends TestFailure {
  constructor(message: string) {
    super(message);
    this.name = "ServerUnavailable";
  }
}

/** True when `spec` runs at `choice` (`full` includes `text`, `all` everything). */
export function runsAt(spec: TestSpec, choice: LevelChoice): boolean {
  if (choice === "all") return true;
  if (choice === "full") return spec.level === "text" || spec.level === "full";
  return spec.level === choice;
}

/** Whether a failure of `spec` fails the run. */
export function isRequired(spec: TestSpec): boolean {
  return spec.required !== false;
}

/** The GitHub-style anchor of a heading: `Client to server` → `client-to-server`. */
export function sectionAnchor(heading: string): string {
  return heading
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s-]/gu, "")
    .trim()
    .replace(/\s/g, "-");
}
