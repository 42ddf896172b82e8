/**
 * Where the tests run: a server someone else started (`HOST:PORT`, shared by every test, as
 * h2spec does) or a command the tester starts itself, once per test on a free port (as irctest's
 * controllers do), so a server that freezes after one test cannot fail the next ones.
 * @module
 */

import { listenTcp } from "../net/tcp_transport.ts";
import { within } from "../net/transport.ts";
import type { ConnectTarget } from "./connect.ts";

/** A server ready for one test. */
export interface ServerInstance {
  /** How to reach it. */
  readonly target: ConnectTarget;
  /** Ends the test's use of it (stops a started server). */
  release(): Promise<void>;
  /** The last lines it printed (started servers), for reports. */
  log(): string;
}

/** A source of servers. */
export interface Target {
  /** Short name (matrix column). */
  readonly name: string;
  /** What it is: `127.0.0.1:55555` or the command. */
  readonly description: string;
  /** True when each test gets a server of its own. */
  readonly fresh: boolean;
  /** A server for the next test. */
  acquire(): Promise<ServerInstance>;
}

/** A running server at a fixed address, shared by every test. */
export class FixedTarget implements Target {
  readonly name: string;
  readonly description: string;
  readonly fresh = false;
  readonly #host: string;
  readonly #port: number;

  constructor(host: string, port: number, name = `${host}:${port}`) {
    this.#host = host;
    this.#port = port;
    this.name = name;
    this.description = host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
  }

  acquire(): Promise<ServerInstance> {
    return Promise.resolve({
      target: { host: this.#host, port: this.#port, retryUntil: 0 },
      release: () => Promise.resolve(),
      log: () => "",
    });
  }
}

/** A server started in this process for each test (the tester's own tests). */
export class FactoryTarget implements Target {
  readonly name: string;
  readonly description: string;
  readonly fresh = true;
  readonly #start: () => Promise<{ port: number; stop(): Promise<void> }>;

  constructor(name: string, start: () => Promise<{ port: number; stop(): Promise<void> }>) {
    this.name = name;
    this.description = name;
    this.#start = start;
  }

  async acquire(): Promise<ServerInstance> {
    const server = await this.#start();
    return {
      target: { host: "127.0.0.1", port: server.port, retryUntil: performance.now() + 5000 },
      release: () => server.stop(),
      log: () => "",
    };
  }
}

/** Options of a {@link CommandTarget}. */
export interface CommandOptions {
  /** Working directory of the command. */
  readonly cwd?: string;
  /** How long a started server may take to listen, ms (default 10 s). */
  readonly startMs?: number;
}

/** Most bytes of a server's output kept for reports. */
const LOG_TAIL = 4096;
/** How long an exited server's pipes are still read for its last words, ms. */
const EXIT_WORDS_MS = 500;

/**
 * A command started for each test: `{port}` in its arguments becomes a free port, which it
 * also finds in the environment as `PORT`; `{host}` becomes `127.0.0.1`. Run directly, not
 * through a shell. Its output is drained (a full pipe would block it) and the tail kept.
 */
export class CommandTarget implements Target {
  readonly name: string;
  readonly description: string;
  readonly fresh = true;
  readonly #argv: readonly string[];
  readonly #opts: CommandOptions;

  constructor(name: string, argv: readonly string[], options: CommandOptions = {}) {
    if (argv.length === 0) throw new RangeError(`Empty command for server ${name}`);
    this.name = name;
    this.#argv = argv;
    this.#opts = options;
    this.description = argv.join(" ");
  }

  async acquire(): Promise<ServerInstance> {
    const port = await freePort();
    const args = this.#argv.map((a) =>
      a.replaceAll("{port}", String(port)).replaceAll("{host}", "127.0.0.1")
    );
    let child: Deno.ChildProcess;
    let exited: string | undefined;
    let tail = "";
    const keep = (text: string) => {
      tail = (tail + text).slice(-LOG_TAIL);
    };
    try {
      child = new Deno.Command(args[0]!, {
        args: args.slice(1),
        cwd: this.#opts.cwd,
        env: { PORT: String(port) },
        stdin: "null",
        stdout: "piped",
        stderr: "piped",
      }).spawn();
    } catch (error) {
      const why = `Cannot start the server (${args.join(" ")}): ${(error as Error).message}`;
      return {
        target: { host: "127.0.0.1", port, retryUntil: 0, gone: () => why },
        release: () => Promise.resolve(),
        log: () => "",
      };
    }
    const drains = [drain(child.stdout, keep), drain(child.stderr, keep)];
    const status = child.status.then(async (s) => {
      // Its last words may still be in the pipe: read them, briefly (a program it started may
      // hold the pipe open after it is gone).
      await within(Promise.all(drains), EXIT_WORDS_MS);
      const how = s.signal ? `signal ${s.signal}` : `code ${s.code}`;
      const last = lastLine(tail);
      exited = `The server exited (${how})${last ? `: ${JSON.stringify(last.slice(0, 120))}` : ""}`;
      return s;
    });
    const startMs = this.#opts.startMs ?? 10_000;
    return {
      target: {
        host: "127.0.0.1",
        port,
        retryUntil: performance.now() + startMs,
        gone: () => exited,
      },
      release: async () => {
        if (exited === undefined) await stopProcess(child, status);
        await status;
        await Promise.all(drains);
      },
      log: () => tail,
    };
  }
}

/**
 * Splits a command line into words: whitespace separates, `"..."` and `'...'` quote, and inside
 * double quotes `\"` and `\\` stand for `"` and `\`.
 */
export function splitCommand(line: string): string[] {
  const words: string[] = [];
  let word = "";
  let inWord = false;
  let quote: string | undefined;
  let escaped = false;
  for (const ch of line) {
    if (escaped) {
      word += ch === '"' || ch === "\\" ? ch : `\\${ch}`;
      escaped = false;
    } else if (quote === '"' && ch === "\\") {
      escaped = true;
    } else if (quote) {
      if (ch === quote) quote = undefined;
      else word += ch;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      inWord = true;
    } else if (/\s/.test(ch)) {
      if (inWord) words.push(word);
      word = "";
      inWord = false;
    } else {
      word += ch;
      inWord = true;
    }
  }
  if (quote) throw new RangeError(`Unclosed quote (${quote}) in: ${line}`);
  if (inWord) words.push(word);
  return words;
}

/**
 * A TCP port free on 127.0.0.1, chosen below the kernel's ephemeral range (where the tester's
 * own client connections and other programs' `port 0` listeners land), checked by binding it.
 */
export async function freePort(): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const port = 20000 + Math.floor(Math.random() * 12000);
    try {
      listenTcp("127.0.0.1", port).close();
      return port;
    } catch {
      await new Promise((r) => setTimeout(r, 5));
    }
  }
  const l = listenTcp("127.0.0.1", 0);
  const port = l.addr.port;
  l.close();
  return port;
}

async function stopProcess(
  child: Deno.ChildProcess,
  status: Promise<Deno.CommandStatus>,
): Promise<void> {
  try {
    child.kill("SIGTERM");
  } catch {
    try {
      child.kill("SIGKILL");
    } catch { /* gone */ }
  }
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<"late">((r) => timer = setTimeout(() => r("late"), 1500));
  const first = await Promise.race([status, late]);
  clearTimeout(timer);
  if (first === "late") {
    try {
      child.kill("SIGKILL");
    } catch { /* gone */ }
  }
}

async function drain(stream: ReadableStream<Uint8Array>, keep: (text: string) => void) {
  const decoder = new TextDecoder();
  try {
    for await (const chunk of stream) keep(decoder.decode(chunk, { stream: true }));
  } catch { /* closed */ }
}

function lastLine(text: string): string {
  const lines = text.trim().split("\n");
  return lines[lines.length - 1]?.trim() ?? "";
}
