/**
 * `chat join`: the terminal client. On a terminal: a readline prompt with incoming lines shown
 * above it. Otherwise: reads lines from stdin, writes only event lines to stdout (status replies
 * and errors to stderr), and on end of input waits until everything was answered, quits and
 * exits 0.
 * @module
 */

import process from "node:process";
import * as readline from "node:readline";
import { CLIENT_ACK_DELAY_MS, LOSSY_LINK_OPTIONS } from "../lib/arq/mod.ts";
import {
  boolFlag,
  choiceFlag,
  type FlagSpec,
  intFlag,
  parseFlags,
  parseHostPort,
  stringFlag,
  UsageError,
} from "../lib/cli/args.ts";
import type { Command } from "../lib/cli/command.ts";
import { interpretTyped, SLASH_HELP } from "../lib/client/commands.ts";
import { ChatConnection, ConnectError } from "../lib/client/connection.ts";
import type { ServerEvent } from "../lib/client/server_lines.ts";
import { formatEvent } from "../lib/client/style.ts";
import { FaultInjector, parseFaultScript, parseProbability } from "../lib/faults/mod.ts";
import { WakeScheduler } from "../lib/net/scheduler.ts";
import { PcapngFile } from "../lib/pcap/mod.ts";
import { MAX_WINDOW, type SessionParams } from "../lib/protocol/control.ts";
import { MAX_PAYLOAD } from "../lib/protocol/header.ts";

const spec: FlagSpec = {
  port: { type: "string", short: "p" },
  nick: { type: "string", short: "n" },
  arq: { type: "string" },
  window: { type: "string", short: "w" },
  ack: { type: "string" },
  recovery: { type: "string" },
  cc: { type: "string" },
  loss: { type: "string" },
  corrupt: { type: "string" },
  faults: { type: "string" },
  seed: { type: "string" },
  trace: { type: "boolean" },
  pcap: { type: "string" },
  mode: { type: "string" },
  text: { type: "boolean" },
};

const help = `chat join: the chat client

Usage: chat join HOST[:PORT] [options]

  -p, --port N        server port (default 55555)
  -n, --nick NAME     nickname (asked for on a terminal when missing)
  --arq gbn|sr        Go-Back-N (default) or Selective Repeat
  -w, --window N      sliding window in frames, 1..${MAX_WINDOW} (default 8)
  --ack frame|sack    one ACK per DATA frame (textbook), or delayed cumulative ACKs with SACK
                      ranges, held up to ${CLIENT_ACK_DELAY_MS} ms (default sack)
  --recovery fast|timeout  fast: resend what the ACKs show lost at once, probe a lost tail
                      (default); timeout: wait for the retransmission timer (the textbook)
  --cc none|aimd      congestion control of this client's sender (default none)
  --loss P            drop this fraction of the frames this client sends (0..1 or 20%)
  --corrupt P         flip one bit in this fraction of the frames this client sends
  --faults SCRIPT     deterministic faults, e.g. "corrupt:data#1,drop:data#2" (see chat docs protocol)
  --seed N            seed of the fault injection (default 1)
  --trace             show every frame sent and received
  --pcap FILE         write this session to FILE (pcapng, opens in Wireshark)
  --mode ui|line      ui: ask nickname, protocol, window and faults before connecting
  --text              speak the plain-text protocol (like netcat) instead of the binary one

On a terminal, type text to chat; /help lists /nick, /who, /msg, /stats, /loss, /corrupt, /quit.
In a pipe, stdin lines are sent (text as MSG, /commands as above), stdout gets only chat lines
and notices, and the client quits once everything was answered:
  printf 'hello\\n' | chat join 192.168.0.88 --nick bot`;

interface JoinSettings {
  host: string;
  port: number;
  nick: string | undefined;
  text: boolean;
  params: SessionParams;
  recovery: "fast" | "timeout";
  cc: "none" | "aimd";
  loss: number;
  corrupt: number;
  script: ReturnType<typeof parseFaultScript>;
  seed: number;
  trace: boolean;
  pcap: string | undefined;
  ui: boolean;
}

function settingsFrom(args: string[]): JoinSettings {
  const flags = parseFlags(args, spec, 1);
  const target = flags.positionals[0];
  if (target === undefined) throw new UsageError("Missing HOST (the server's address)");
  const hp = parseHostPort(target);
  const portFlag = stringFlag(flags, "port");
  const port = portFlag !== undefined ? intFlag(flags, "port", 55555, 1, 65535) : hp.port ?? 55555;
  const prob = (name: string) => {
    const t = stringFlag(flags, name);
    if (t === undefined) return 0;
    try {
      return parseProbability(t, `--${name}`);
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
  };
  let script: ReturnType<typeof parseFaultScript> = [];
  const scriptText = stringFlag(flags, "faults");
  if (scriptText !== undefined) {
    try {
      script = parseFaultScript(scriptText);
    } catch (error) {
      throw new UsageError(`--faults: ${(error as Error).message}`);
    }
  }
  const mode = choiceFlag(flags, "mode", ["ui", "line"] as const, "line");
  return {
    host: hp.host,
    port,
    nick: stringFlag(flags, "nick"),
    text: boolFlag(flags, "text"),
    params: {
      mode: choiceFlag(flags, "arq", ["gbn", "sr"] as const, "gbn"),
      window: intFlag(flags, "window", 8, 1, MAX_WINDOW),
      ackPolicy: choiceFlag(flags, "ack", ["frame", "sack"] as const, "sack"),
      maxPayload: MAX_PAYLOAD,
    },
    recovery: choiceFlag(flags, "recovery", ["fast", "timeout"] as const, "fast"),
    cc: choiceFlag(flags, "cc", ["none", "aimd"] as const, "none"),
    loss: prob("loss"),
    corrupt: prob("corrupt"),
    script,
    seed: intFlag(flags, "seed", 1, 0, 0xffffffff),
    trace: boolFlag(flags, "trace"),
    pcap: stringFlag(flags, "pcap"),
    ui: mode === "ui",
  };
}

/** Seed 004's interactive mode: asks before connecting. */
function askSettings(s: JoinSettings): void {
  const ask = (q: string, def: string) => (prompt(`${q} [${def}]:`) ?? "").trim() || def;
  s.nick = ask("Nickname", s.nick ?? "");
  const mode = ask("Protocol: gbn (Go-Back-N) or sr (Selective Repeat)", s.params.mode);
  if (mode !== "gbn" && mode !== "sr") throw new UsageError(`Protocol must be gbn or sr: ${mode}`);
  const window = Number(ask(`Window (1..${MAX_WINDOW})`, String(s.params.window)));
  if (!Number.isInteger(window) || window < 1 || window > MAX_WINDOW) {
    throw new UsageError(`Window must be an integer from 1 to ${MAX_WINDOW}: ${window}`);
  }
  s.params = { ...s.params, mode, window };
  try {
    s.loss = parseProbability(ask("Loss probability (0..1)", String(s.loss)), "loss");
    s.corrupt = parseProbability(
      ask("Corruption probability (0..1)", String(s.corrupt)),
      "corruption",
    );
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

async function run(args: string[]): Promise<number> {
  const s = settingsFrom(args);
  const tty = Deno.stdin.isTerminal();
  if (s.ui) {
    if (!tty) throw new UsageError("--mode ui needs a terminal");
    askSettings(s);
  }
  if (s.nick === undefined || s.nick === "") {
    if (!tty) throw new UsageError("Missing --nick (required when stdin is not a terminal)");
    s.nick = (prompt("Nickname:") ?? "").trim();
    if (s.nick === "") throw new UsageError("Missing nickname");
  }
  const faulty = s.loss > 0 || s.corrupt > 0 || s.script.length > 0;
  const faults = s.text ? undefined : new FaultInjector(
    { loss: s.loss, corrupt: s.corrupt, script: s.script, seed: s.seed },
    "client",
  );
  if (s.text && faulty) {
    throw new UsageError("--loss, --corrupt and --faults need the binary protocol (no --text)");
  }
  const colour = tty && Deno.stdout.isTerminal() && !Deno.noColor;
  const ui = tty ? new TerminalUi(colour) : undefined;
  const traceOut = s.trace
    ? (line: string) => ui ? ui.print(line) : console.error(line)
    : undefined;
  const scheduler = new WakeScheduler();
  let pcap: PcapngFile | undefined;
  if (s.pcap !== undefined) {
    try {
      pcap = await PcapngFile.create(s.pcap, { role: "client" });
    } catch (error) {
      console.error(
        `chat join: cannot write the capture file ${s.pcap}: ${(error as Error).message}`,
      );
      return 1;
    }
  }
  const registered = Promise.withResolvers<ServerEvent & { kind: "status" }>();
  let isRegistered = false;
  const onEvent = (e: ServerEvent) => {
    if (!isRegistered && e.kind === "status") {
      isRegistered = true;
      registered.resolve(e);
    }
    if (ui) ui.print(formatEvent(e, colour));
    else if (e.kind === "status") console.error(`${e.title}: ${e.body}`);
    else console.log(e.line);
  };
  let conn: ChatConnection;
  try {
    conn = await ChatConnection.open({
      host: s.host,
      port: s.port,
      text: s.text,
      params: s.params,
      arq: {
        ...(faulty ? LOSSY_LINK_OPTIONS : {}),
        ackDelayMs: CLIENT_ACK_DELAY_MS,
        recovery: s.recovery,
        cc: s.cc,
      },
      faults,
      trace: traceOut,
      scheduler,
      onEvent,
      makeCapture: pcap?.forConnection,
    });
  } catch (error) {
    scheduler.stop();
    await pcap?.close();
    if (error instanceof ConnectError) {
      console.error(`chat join: ${error.message}`);
      return 1;
    }
    throw error;
  }
  const closedEarly = conn.closed.then((reason) => {
    if (!isRegistered) registered.reject(new ConnectError(reason));
    return reason;
  });
  conn.send(s.nick);
  let reply;
  try {
    reply = await registered.promise;
  } catch (error) {
    scheduler.stop();
    await pcap?.close();
    console.error(`chat join: the server closed the session: ${(error as Error).message}`);
    return 1;
  }
  if (reply.code !== 200) {
    conn.close();
    scheduler.stop();
    await pcap?.close();
    if (ui) ui.close();
    console.error(`chat join: ${reply.body}`);
    return 1;
  }
  const status = ui ? await interactive(conn, ui, faults) : await piped(conn, faults);
  scheduler.stop();
  await pcap?.close();
  await closedEarly;
  return status;
}

function applyTyped(
  conn: ChatConnection,
  line: string,
  faults: FaultInjector | undefined,
  say: (text: string) => void,
): "quit" | "ok" {
  const t = interpretTyped(line);
  switch (t.kind) {
    case "none":
      return "ok";
    case "send":
      conn.send(t.line);
      return "ok";
    case "quit":
      return "quit";
    case "help":
      say(SLASH_HELP);
      conn.send("HELP");
      return "ok";
    case "stats": {
      const e = conn.endpoint;
      if (!e) say("plain-text session: no ARQ counters");
      else {
        const st = e.stats;
        say(
          `${e.params?.mode.toUpperCase()} window=${e.params?.window} srtt=${
            e.srtt.toFixed(1)
          }ms rto=${
            e.rto.toFixed(0)
          }ms frames sent=${st.framesSent} data=${st.dataSent} retransmissions=${st.retransmissions} timeouts=${st.timeouts} nacks sent/received=${st.nacksSent}/${st.nacksReceived} duplicates=${st.duplicates} corrupt received=${st.corruptReceived}` +
            (faults
              ? ` injected: dropped=${faults.stats.dropped} corrupted=${faults.stats.corrupted}`
              : ""),
        );
      }
      return "ok";
    }
    case "loss":
    case "corrupt":
      if (!faults) {
        say("fault injection needs the binary protocol");
        return "ok";
      }
      try {
        const p = parseProbability(t.value, t.kind);
        if (t.kind === "loss") faults.setLoss(p);
        else faults.setCorrupt(p);
        say(`${t.kind} set to ${p}`);
      } catch (error) {
        say((error as Error).message);
      }
      return "ok";
    case "error":
      say(t.message);
      return "ok";
  }
}

async function quit(conn: ChatConnection): Promise<void> {
  await withTimeout(conn.settled(), 30_000);
  conn.send("QUIT");
  const done = await withTimeout(conn.closed, 5_000);
  if (done === undefined) conn.close();
}

async function withTimeout<T>(p: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const t = new Promise<undefined>((r) => timer = setTimeout(() => r(undefined), ms));
  try {
    return await Promise.race([p, t]);
  } finally {
    clearTimeout(timer);
  }
}

async function piped(conn: ChatConnection, faults: FaultInjector | undefined): Promise<number> {
  const decoder = new TextDecoder();
  let carry = "";
  const reader = Deno.stdin.readable.getReader();
  let quitAsked = false;
  const say = (text: string) => console.error(text);
  const handle = (line: string) => {
    if (applyTyped(conn, line, faults, say) === "quit") quitAsked = true;
  };
  const ended = conn.closed.then(() => "closed" as const);
  try {
    while (!quitAsked) {
      const next = await Promise.race([reader.read(), ended]);
      if (next === "closed") break;
      if (next.done) break;
      const lines = (carry + decoder.decode(next.value, { stream: true })).split("\n");
      carry = lines.pop()!;
      for (const l of lines) {
        handle(l.replace(/\r$/, ""));
        if (quitAsked) break;
      }
    }
    if (!quitAsked && carry !== "") handle(carry);
  } finally {
    reader.releaseLock();
  }
  if (conn.closeReason !== undefined) {
    console.error(`chat join: session ended: ${conn.closeReason}`);
    return 1;
  }
  await quit(conn);
  return 0;
}

/** The readline prompt; lines from the server appear above it without garbling typed text. */
class TerminalUi {
  readonly rl: readline.Interface;
  constructor(readonly colour: boolean) {
    this.rl = readline.createInterface({
      input: process.stdin,
      output: process.stdout,
      prompt: "> ",
      terminal: true,
    });
  }

  print(text: string): void {
    readline.clearLine(process.stdout, 0);
    readline.cursorTo(process.stdout, 0);
    process.stdout.write(text + "\n");
    this.rl.prompt(true);
  }

  close(): void {
    this.rl.close();
  }
}

async function interactive(
  conn: ChatConnection,
  ui: TerminalUi,
  faults: FaultInjector | undefined,
): Promise<number> {
  const say = (text: string) => ui.print(text);
  ui.rl.prompt();
  const quitAsked = await new Promise<boolean>((resolve) => {
    ui.rl.on("line", (line) => {
      if (applyTyped(conn, line, faults, say) === "quit") resolve(true);
      else ui.rl.prompt();
    });
    ui.rl.on("close", () => resolve(true));
    conn.closed.then(() => resolve(false));
  });
  let status = 0;
  if (quitAsked && conn.closeReason === undefined) await quit(conn);
  else if (!quitAsked) {
    ui.print(`session ended: ${conn.closeReason}`);
    status = 1;
  }
  ui.close();
  return status;
}

/** The `join` subcommand. */
export const join: Command = {
  name: "join",
  summary: "Join a chat server (the terminal client)",
  help,
  run,
};
