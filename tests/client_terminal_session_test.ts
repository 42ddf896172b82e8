/**
 * The terminal client's session against a real server, with a scripted terminal in place of a
 * tty: a taken or invalid nickname asks for another and joins again, `--mode ui` answers reach
 * the SYN, Ctrl-C leaves with QUIT (exit 0), a second Ctrl-C does not wait, and a server that
 * goes away ends the session with exit 1 and the reason (after reconnecting for a while, with a
 * status line meanwhile); a server that comes back has the session back in its room.
 */

import assert from "node:assert/strict";
import type { ArqChoice, ClientPlan } from "../lib/client/client_plan.ts";
import { CLIENT_TEXT } from "../lib/client/messages.ts";
import type { TerminalInput } from "../lib/client/terminal.ts";
import { type ChatTerminal, runSession } from "../lib/client/terminal_client.ts";
import { NullLogger } from "../lib/log/logger.ts";
import { WakeScheduler } from "../lib/net/scheduler.ts";
import { TCP_DIALER } from "../lib/net/tcp_transport.ts";
import { Turn } from "../lib/net/turn.ts";
import { MAX_WINDOW } from "../lib/protocol/control.ts";
import { MAX_PAYLOAD } from "../lib/protocol/header.ts";
import { ChatServer } from "../lib/server/server.ts";
import { rawClient, until } from "./support/tmux.ts";

/** A terminal whose person answers from a queue the test fills. */
class ScriptedTerminal implements ChatTerminal {
  readonly printed: string[] = [];
  readonly asked: string[] = [];
  readonly #queue: TerminalInput[] = [];
  #waiter: ((i: TerminalInput) => void) | undefined;

  /** The person types `text` and Enter, or leaves. */
  push(input: string | TerminalInput): void {
    const i: TerminalInput = typeof input === "string" ? { kind: "line", text: input } : input;
    const w = this.#waiter;
    this.#waiter = undefined;
    if (w) w(i);
    else this.#queue.push(i);
  }

  next(): Promise<TerminalInput> {
    const i = this.#queue.shift();
    if (i) return Promise.resolve(i);
    return new Promise((r) => this.#waiter = r);
  }

  async ask(question: string): Promise<string | undefined> {
    this.asked.push(question);
    const i = await this.next();
    return i.kind === "line" ? i.text : undefined;
  }

  print(text: string): void {
    this.printed.push(text);
  }

  stopEditing(): void {}

  /** Every status line shown (`undefined`: taken away). */
  readonly statuses: (string | undefined)[] = [];
  status(text: string | undefined): void {
    this.statuses.push(text);
  }

  saw(pattern: RegExp): boolean {
    return this.printed.some((l) => pattern.test(l));
  }
}

const CTRL_C: TerminalInput = { kind: "leave", why: "interrupt" };

/** The flush pass of every client in these tests. */
const turn = new Turn();

function planFor(
  port: number,
  scheduler: WakeScheduler,
  over: Partial<ClientPlan> = {},
): ClientPlan {
  return {
    nick: undefined,
    askSettings: false,
    choice: {
      params: { mode: "gbn", window: 8, ackPolicy: "sack", maxPayload: MAX_PAYLOAD },
      loss: 0,
      corrupt: 0,
    },
    maxWindow: MAX_WINDOW,
    trace: false,
    connecting: (choice: ArqChoice) => ({
      faults: undefined,
      options: {
        dialer: TCP_DIALER,
        turn,
        host: "127.0.0.1",
        port,
        text: false,
        params: choice.params,
        scheduler,
      },
    }),
    ...over,
  };
}

async function withServer(
  fn: (s: { server: ChatServer; port: number; scheduler: WakeScheduler }) => Promise<void>,
) {
  const server = ChatServer.listen({ host: "127.0.0.1", port: 0, logger: new NullLogger() });
  const scheduler = new WakeScheduler();
  try {
    await fn({ server, port: server.addr.port, scheduler });
  } finally {
    scheduler.stop();
    await server.shutdown("test over", 1000);
  }
}

Deno.test("a taken, then an invalid nickname asks again; Ctrl-C then leaves with QUIT and exit 0", () =>
  withServer(async ({ port, scheduler }) => {
    const bia = await rawClient(port, "bia");
    try {
      await until("bia registered", () => bia.text().includes("Welcome"));
      const term = new ScriptedTerminal();
      term.push("BIA");
      term.push("a b");
      term.push("carla");
      const status = runSession(term, planFor(port, scheduler), false);
      await until("carla joined", () => bia.text().includes("carla joined"));
      assert.deepEqual(term.asked, Array(3).fill(CLIENT_TEXT.askNickname));
      assert.ok(term.saw(/^Nickname taken: BIA\. Type another/), term.printed.join("\n"));
      assert.ok(term.saw(/^Invalid nickname: .*a b\. Type another/), term.printed.join("\n"));
      assert.ok(term.saw(/Welcome, carla! .*Type \/help for commands/), term.printed.join("\n"));
      term.push("oi, gente");
      await until("bia hears carla", () => bia.text().includes("[carla]: oi, gente\n"));
      term.push(CTRL_C);
      assert.equal(await status, 0);
      assert.ok(bia.text().includes("*** carla left (quit)"));
      assert.ok(term.saw(/Bye, carla/));
    } finally {
      await bia.close();
    }
  }));

Deno.test("--mode ui answers, asked again when bad, reach the session's SYN", () =>
  withServer(async ({ port, scheduler }) => {
    const term = new ScriptedTerminal();
    for (const a of ["tcp", "sr", "0", "4", "", "", "dani"]) term.push(a);
    const status = runSession(term, planFor(port, scheduler, { askSettings: true }), false);
    await until("joined", () => term.saw(/Welcome, dani!/));
    assert.equal(term.printed.filter((l) => /must be/.test(l)).length, 2, term.printed.join("\n"));
    term.push("/stats");
    await until("stats", () => term.saw(/^SR window=4 /));
    term.push(CTRL_C);
    assert.equal(await status, 0);
  }));

Deno.test("Ctrl-C at a question leaves at once with exit 0, nothing sent", () =>
  withServer(async ({ port, scheduler }) => {
    const term = new ScriptedTerminal();
    term.push(CTRL_C);
    assert.equal(await runSession(term, planFor(port, scheduler), false), 0);
  }));

Deno.test("a second Ctrl-C while leaving closes without waiting for the server", async () => {
  // A text server that welcomes and then never answers again (QUIT included).
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const served = (async () => {
    const conn = await listener.accept();
    const buf = new Uint8Array(1024);
    await conn.read(buf);
    await conn.write(new TextEncoder().encode("200 OK - Connected\nWelcome, eva!\n"));
    while ((await conn.read(buf).catch(() => null)) !== null) { /* silence */ }
    conn.close();
  })();
  const scheduler = new WakeScheduler();
  try {
    const term = new ScriptedTerminal();
    term.push("eva");
    const plan = planFor(listener.addr.port, scheduler, {
      connecting: (choice) => ({
        faults: undefined,
        options: {
          dialer: TCP_DIALER,
          turn,
          host: "127.0.0.1",
          port: listener.addr.port,
          text: true,
          params: choice.params,
          scheduler,
        },
      }),
    });
    const status = runSession(term, plan, false);
    await until("joined", () => term.saw(/Welcome, eva!/));
    term.push(CTRL_C);
    await new Promise((r) => setTimeout(r, 100));
    const t0 = performance.now();
    term.push(CTRL_C);
    assert.equal(await status, 0);
    assert.ok(performance.now() - t0 < 2_000, "the second Ctrl-C does not wait 5 s for the close");
  } finally {
    scheduler.stop();
    await served;
    listener.close();
  }
});

Deno.test("a server that goes away ends the session with exit 1 and says why (--reconnect 0)", () =>
  withServer(async ({ server, port, scheduler }) => {
    const term = new ScriptedTerminal();
    term.push("fabi");
    const status = runSession(term, planFor(port, scheduler, { reconnectForMs: 0 }), false);
    await until("joined", () => term.saw(/Welcome, fabi!/));
    await server.shutdown("class is over", 1000);
    assert.equal(await status, 1);
    assert.ok(term.saw(/^Session ended: /), term.printed.join("\n"));
  }));

Deno.test("a server that stays away: the status line counts the attempts, then exit 1 and why", () =>
  withServer(async ({ server, port, scheduler }) => {
    const term = new ScriptedTerminal();
    term.push("gabi");
    const status = runSession(term, planFor(port, scheduler, { reconnectForMs: 1500 }), false);
    await until("joined", () => term.saw(/Welcome, gabi!/));
    await server.shutdown("class is over", 1000);
    assert.equal(await status, 1);
    assert.ok(term.saw(/^Connection lost \(.*\): reconnecting$/), term.printed.join("\n"));
    assert.ok(term.statuses.some((s) => /^reconnecting \(attempt [2-9]/.test(s ?? "")));
    assert.equal(term.statuses.at(-1), undefined, "the status line is gone at the end");
    assert.ok(term.saw(/^Session ended: no server for 2 s/), term.printed.join("\n"));
  }));

Deno.test("a dropped connection comes back by itself: status line, then back in the room", async () => {
  const server = ChatServer.listen({ host: "127.0.0.1", port: 0, logger: new NullLogger() });
  const port = server.addr.port;
  const scheduler = new WakeScheduler();
  let second: ChatServer | undefined;
  try {
    const term = new ScriptedTerminal();
    term.push("hana");
    const status = runSession(term, planFor(port, scheduler), false);
    await until("joined", () => term.saw(/Welcome, hana!/));
    term.push("/join sala");
    await until("in sala", () => term.saw(/You are in sala/));
    await server.shutdown("restart", 1000);
    await until("lost", () => term.statuses.some((s) => s !== undefined));
    second = ChatServer.listen({ host: "127.0.0.1", port, logger: new NullLogger() });
    await until("back", () => term.saw(/^Back in sala as hana$/), 10_000);
    assert.equal(term.statuses.at(-1), undefined, "no status line once back");
    assert.deepEqual(second.lobby.rooms.find("sala")?.nicks(), ["hana"]);
    term.push(CTRL_C);
    assert.equal(await status, 0);
  } finally {
    scheduler.stop();
    await server.shutdown("test over", 500);
    await second?.shutdown("test over", 1000);
  }
});
