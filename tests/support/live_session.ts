/**
 * Test helpers for real loopback sessions: run `main.ts` subcommands as child processes with
 * deadlines, keep a `chat serve` running, parse a client's `--trace` lines, and run a live
 * `tshark -i lo` capture. Every child is awaited (status and output streams) so Deno's leak
 * sanitizers stay quiet.
 * @module
 */

import { PERMISSION_FLAGS } from "../../lib/cli/permissions.ts";
import { FRAME_TYPE_NAMES } from "../../lib/protocol/header.ts";
import { BLOCK_EPB } from "../../lib/pcap/pcapng.ts";
import { parseTcpFrame } from "../../lib/pcap/reader.ts";

/** The permissions the test run itself has (never `-A`). */
export const PERMISSIONS = PERMISSION_FLAGS;

/** Absolute path of `main.ts`. */
export const MAIN = new URL("../../main.ts", import.meta.url).pathname;

/** `deno run` arguments for `main.ts ARGS`. */
export function chatArgs(args: readonly string[]): string[] {
  return ["run", "-q", ...PERMISSIONS, MAIN, ...args];
}

/** Output of a finished child. */
export interface ChildResult {
  /** Exit code. */
  readonly code: number;
  /** Standard output. */
  readonly stdout: string;
  /** Standard error. */
  readonly stderr: string;
  /** True when the deadline killed it. */
  readonly timedOut: boolean;
}

/**
 * The environment of a child: English whatever the machine's locale (`LC_ALL=C.UTF-8`), unless
 * `env` says otherwise (an empty `LC_ALL` lets `LANG` decide).
 */
export function childEnv(env: Record<string, string> = {}): Record<string, string> {
  return { LC_ALL: "C.UTF-8", ...env };
}

/**
 * Runs `main.ts ARGS` with `stdin` piped in (then closed); kills it after `timeoutMs`. The
 * environment is {@link childEnv}'s.
 */
export async function runChat(
  args: readonly string[],
  opts: { stdin?: string; timeoutMs?: number; env?: Record<string, string> } = {},
): Promise<ChildResult> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), opts.timeoutMs ?? 15_000);
  try {
    const child = new Deno.Command(Deno.execPath(), {
      args: chatArgs(args),
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
      env: childEnv(opts.env),
      signal: controller.signal,
    }).spawn();
    const writer = child.stdin.getWriter();
    try {
      if (opts.stdin) await writer.write(new TextEncoder().encode(opts.stdin));
      await writer.close();
    } catch {
      // The child died before reading its input: its exit code says why.
      await writer.abort().catch(() => {});
    }
    const out = await child.output();
    const d = new TextDecoder();
    return {
      code: out.code,
      stdout: d.decode(out.stdout),
      stderr: d.decode(out.stderr),
      timedOut: controller.signal.aborted,
    };
  } finally {
    clearTimeout(timer);
  }
}

/** A readable stream pumped into a string, with waiting for a pattern. */
export class StreamText {
  /** Everything read so far. */
  text = "";
  /** Resolves at end of stream. */
  readonly done: Promise<void>;
  #ended = false;
  #changed = Promise.withResolvers<void>();

  constructor(stream: ReadableStream<Uint8Array>) {
    this.done = this.#pump(stream);
  }

  async #pump(stream: ReadableStream<Uint8Array>): Promise<void> {
    const decoder = new TextDecoder();
    try {
      for await (const chunk of stream) {
        this.text += decoder.decode(chunk, { stream: true });
        this.#notify();
      }
    } catch {
      // stream errored: treat as its end
    }
    this.#ended = true;
    this.#notify();
  }

  /** True once the stream ended. */
  get ended(): boolean {
    return this.#ended;
  }

  #notify(): void {
    const c = this.#changed;
    this.#changed = Promise.withResolvers<void>();
    c.resolve();
  }

  /**
   * Resolves with the first match of `pattern` in the text, or `undefined` when the stream
   * ended or `timeoutMs` passed without one.
   */
  async waitFor(pattern: RegExp, timeoutMs: number): Promise<RegExpExecArray | undefined> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const expired = new Promise<"timeout">((r) =>
      timer = setTimeout(() => r("timeout"), timeoutMs)
    );
    try {
      for (;;) {
        const m = pattern.exec(this.text);
        if (m) return m;
        if (this.#ended) return undefined;
        if (await Promise.race([this.#changed.promise, expired]) === "timeout") return undefined;
      }
    } finally {
      clearTimeout(timer);
    }
  }
}

/** A `chat serve --port 0 --host 127.0.0.1` child. */
export class ServerProcess {
  private constructor(
    readonly child: Deno.ChildProcess,
    readonly stdout: StreamText,
    readonly stderr: StreamText,
    /** The port it listens on (0 until known). */
    public port: number,
  ) {}

  /**
   * Starts the server and waits (at most `timeoutMs`) for its `listening on` line (`escutando
   * em` in Portuguese); the environment is {@link childEnv}'s.
   */
  static async start(
    extra: readonly string[] = [],
    timeoutMs = 10_000,
    env?: Record<string, string>,
  ): Promise<ServerProcess> {
    const child = new Deno.Command(Deno.execPath(), {
      args: chatArgs(["serve", "--port", "0", "--host", "127.0.0.1", "--quiet", ...extra]),
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
      env: childEnv(env),
    }).spawn();
    const server = new ServerProcess(
      child,
      new StreamText(child.stdout),
      new StreamText(child.stderr),
      0,
    );
    const m = await server.stdout.waitFor(
      /(?:listening on|escutando em) 127\.0\.0\.1:(\d+)/,
      timeoutMs,
    );
    if (!m) {
      await server.stop();
      throw new Error(
        `chat serve did not report its port: ${server.stdout.text} ${server.stderr.text}`,
      );
    }
    server.port = Number(m[1]);
    return server;
  }

  /** SIGTERM (SIGKILL after 5 s), then waits for the exit and the end of its output. */
  async stop(): Promise<Deno.CommandStatus> {
    const status = await stopChild(this.child, "SIGTERM", 5_000);
    await Promise.all([this.stdout.done, this.stderr.done]);
    return status;
  }
}

/** Sends `signal`, escalates to SIGKILL after `graceMs`, and returns the exit status. */
export async function stopChild(
  child: Deno.ChildProcess,
  signal: Deno.Signal,
  graceMs: number,
): Promise<Deno.CommandStatus> {
  try {
    child.kill(signal);
  } catch {
    // already exited
  }
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<"late">((r) => timer = setTimeout(() => r("late"), graceMs));
  try {
    const first = await Promise.race([child.status, late]);
    if (first !== "late") return first;
    try {
      child.kill("SIGKILL");
    } catch {
      // exited meanwhile
    }
    return await child.status;
  } finally {
    clearTimeout(timer);
  }
}

/** One line of a `--trace` log (see `lib/net/trace.ts`). */
export interface TraceLine {
  /** Seconds on the process's clock. */
  readonly at: number;
  /** `client`, `server 127.0.0.1:51234`... */
  readonly who: string;
  /** Sent or received. */
  readonly dir: "send" | "recv";
  /** Frame type number (0 for a frame whose checksum failed on reception). */
  readonly type: number;
  /** Sequence number. */
  readonly seq: number;
  /** Payload length. */
  readonly length: number;
  /** Flag LAST shown (DATA only). */
  readonly last: boolean;
  /** Transmission number, 1 = first (sent frames). */
  readonly attempt: number;
  /** What its payload says: `"MSG one"`, `v1 sr window=4 ...`, `sack=[5,6)`. */
  readonly detail: string | undefined;
  /** Why a frame was sent again (`timeout`, `fast`, `nack`, `probe`), when the trace says. */
  readonly cause?: string;
  /** The sender's congestion window when the trace shows it (`--cc aimd`). */
  readonly cwnd?: number;
  /** Marks after the retransmission tag: `DROPPED (fault)`, `CORRUPTED (fault)`... */
  readonly marks: readonly string[];
  /** What the receiver made of it: `DUPLICATE`, `OUT OF ORDER (expected 4)`, `dup` (an ACK). */
  readonly verdicts: readonly string[];
  /** A frame sent again: how long after its previous copy, ms. */
  readonly resentAfterMs: number | undefined;
  /** The line as printed. */
  readonly line: string;
}

const TYPE_BY_NAME = new Map<string, number>(
  Object.entries(FRAME_TYPE_NAMES).map(([v, n]) => [n, Number(v)]),
);
TYPE_BY_NAME.set("?", 0);

const TRACE_LINE = /^\s*(\d+\.\d{3}) (.+?) ([→←]) (\S+)\s+seq=(\d+) len=(\d+)( LAST)?(?:\s+(.*))?$/;
const KNOWN_MARK =
  /^(DROPPED \(fault\)|CORRUPTED \(fault\)|DUPLICATED \(fault\)|DELAYED \d+ms \(fault\)|BAD CHECKSUM)/;
/** What a frame's payload says (lib/net/trace.ts `describePayload`), first after the frame. */
const DETAIL =
  /^("(?:[^"\\]|\\.)*"|(?:echo )?v\d+ (?:gbn|sr) window=\d+ ack=\w+ max=\d+(?: acks isn=\d+)?|sack=(?:\[\d+,\d+\) ?)+|\(malformed\))\s*/;
/** What the receiver made of a frame, and how long after its previous copy one was resent. */
const VERDICT = /^(DUPLICATE|OUT OF ORDER \(expected \d+\)|dup|after (\d+)ms)(?:\s+|$)/;

/** Parses the trace lines among `output`'s lines (other lines are ignored). */
export function parseTrace(output: string): TraceLine[] {
  const out: TraceLine[] = [];
  for (const line of output.split("\n")) {
    const m = TRACE_LINE.exec(line);
    if (!m) continue;
    const type = TYPE_BY_NAME.get(m[4]!);
    if (type === undefined) throw new Error(`Unknown frame type in trace line: ${line}`);
    let attempt = 1;
    const marks: string[] = [];
    const verdicts: string[] = [];
    let resentAfterMs: number | undefined;
    let rest = (m[8] ?? "").trim();
    const detail = DETAIL.exec(rest);
    if (detail) rest = rest.slice(detail[0].length);
    const retx = /^(retx|dup)#(\d+)\s*/.exec(rest);
    if (retx) {
      attempt = Number(retx[2]) + 1;
      rest = rest.slice(retx[0].length);
    }
    const why = /^(timeout|fast|nack|probe|duplicate)\b\s*/.exec(rest);
    if (why) rest = rest.slice(why[0].length);
    const window = /^cwnd=(\d+)\s*/.exec(rest);
    if (window) rest = rest.slice(window[0].length);
    while (rest !== "") {
      const v = VERDICT.exec(rest);
      if (v) {
        if (v[2] !== undefined) resentAfterMs = Number(v[2]);
        else verdicts.push(v[1]!);
        rest = rest.slice(v[0].length).trim();
        continue;
      }
      const k = KNOWN_MARK.exec(rest);
      if (!k) {
        marks.push(rest); // a decoder error message: the rest of the line
        break;
      }
      marks.push(k[1]!);
      rest = rest.slice(k[0].length).trim();
    }
    out.push({
      at: Number(m[1]),
      who: m[2]!,
      dir: m[3] === "→" ? "send" : "recv",
      type,
      seq: Number(m[5]),
      length: Number(m[6]),
      last: m[7] !== undefined,
      attempt,
      detail: detail?.[1],
      ...(why ? { cause: why[1]! } : {}),
      ...(window ? { cwnd: Number(window[1]) } : {}),
      marks,
      verdicts,
      resentAfterMs,
      line,
    });
  }
  return out;
}

/** A running `tshark -i IFACE -f FILTER -w FILE`. */
export class LiveCapture {
  private constructor(
    readonly child: Deno.ChildProcess,
    readonly stderr: StreamText,
    readonly file: string,
  ) {}

  /**
   * Starts tshark and waits (at most `timeoutMs`) until the capture runs: `Capturing on` and
   * then `Capture started.` (tshark prints `Capturing on` even when it then fails for lack of
   * permission; a tshark that prints no `Capture started.` but keeps running 2 s counts as
   * started). Returns the capture, or why it could not start (no capture permission, no such
   * interface...), after cleaning up.
   */
  static async start(
    tshark: string,
    iface: string,
    filter: string,
    file: string,
    home: string,
    timeoutMs = 10_000,
  ): Promise<LiveCapture | { error: string }> {
    const child = new Deno.Command(tshark, {
      args: ["-n", "-i", iface, "-f", filter, "-w", file],
      env: { HOME: home, XDG_CONFIG_HOME: home, WIRESHARK_CONFIG_DIR: home },
      stdin: "null",
      stdout: "null",
      stderr: "piped",
    }).spawn();
    const capture = new LiveCapture(child, new StreamText(child.stderr), file);
    const err = capture.stderr;
    if (await err.waitFor(/Capturing on/, timeoutMs)) {
      if (await err.waitFor(/Capture started\./, 2_000) || !err.ended) return capture;
    }
    await capture.stop();
    const reasons = err.text.split("\n").filter((l) => /^tshark: \S|\(socket:/.test(l));
    return {
      error: reasons.join(" ") || err.text.trim() || `no "Capturing on" within ${timeoutMs} ms`,
    };
  }

  /**
   * Waits until the capture file holds `count` TCP segments on `port` that satisfy `match`
   * (dumpcap writes the kernel's packet blocks with a delay, and a capture stopped right away
   * loses the last ones). Returns false after `timeoutMs`.
   */
  async waitForSegments(
    port: number,
    match: (flags: number, payload: Uint8Array) => boolean,
    count: number,
    timeoutMs: number,
  ): Promise<boolean> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      let bytes: Uint8Array;
      try {
        bytes = await Deno.readFile(this.file);
      } catch {
        bytes = new Uint8Array(0);
      }
      let n = 0;
      for (const data of completePackets(bytes)) {
        const tcp = parseTcpFrame(data);
        if (!tcp || (tcp.srcPort !== port && tcp.dstPort !== port)) continue;
        if (match(tcp.flags, tcp.payload)) n++;
      }
      if (n >= count) return true;
      if (performance.now() > deadline) return false;
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** SIGINT (SIGKILL after 5 s); waits for the exit and the end of stderr. */
  async stop(): Promise<Deno.CommandStatus> {
    const status = await stopChild(this.child, "SIGINT", 5_000);
    await this.stderr.done;
    return status;
  }
}

/** Packet data of the complete Enhanced Packet Blocks of a pcapng file still being written. */
function completePackets(bytes: Uint8Array): Uint8Array[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: Uint8Array[] = [];
  let at = 0;
  while (at + 12 <= bytes.length) {
    const type = view.getUint32(at, true);
    const total = view.getUint32(at + 4, true);
    if (total < 12 || total % 4 !== 0 || at + total > bytes.length) break;
    if (type === BLOCK_EPB && total >= 32) {
      const captured = view.getUint32(at + 20, true);
      if (28 + captured <= total) out.push(bytes.subarray(at + 28, at + 28 + captured));
    }
    at += total;
  }
  return out;
}
