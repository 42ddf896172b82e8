/**
 * The web page in a real headless Chromium (Debian's `/usr/bin/chromium`, driven over the
 * DevTools protocol: `tests/support/chromium.ts`), against `chat serve`'s own page:
 *
 * - a page on a 360 × 740 phone joins in plain text and chats both ways with a `chat join`
 *   client and a raw TCP (`nc`-style) client;
 * - the same with the page's own ARQ, Go-Back-N and then Selective Repeat, under 20 % loss each
 *   way (the page's and the server's fault injection): every line exactly once, in order;
 * - "Drop the next frame" makes a retransmission that the window view (paused and stepped) and
 *   the sequence diagram show, and the server's trace agrees;
 * - the teacher's page (1280 × 720) lists every session (text, GBN, SR, browser) with its
 *   figures, watches one, and its own "drop the next frame" is retransmitted too;
 * - the page fetches nothing but its own server, and nothing is wider than the phone's screen.
 *
 * Screenshots go to `/tmp/chat-web-shots/` (`CHAT_SHOTS` to change). Skipped without Chromium.
 */

import assert from "node:assert/strict";
import { LOSSY_LINK_OPTIONS } from "../lib/arq/mod.ts";
import { NullLogger } from "../lib/log/logger.ts";
import { listenTcp } from "../lib/net/tcp_transport.ts";
import { ChatServer } from "../lib/server/server.ts";
import type { ChatPageState } from "../lib/web/page/chat_app.ts";
import type { TeacherPageState } from "../lib/web/page/teacher_app.ts";
import { type Browser as BrowserT, chromiumPath, type Page } from "./support/chromium.ts";
import { chatArgs } from "./support/live_session.ts";

const CHROMIUM = chromiumPath();
const SHOTS = Deno.env.get("CHAT_SHOTS") ?? "/tmp/chat-web-shots";
const TOKEN = "k7fq-3mzt-9p2w";
const enc = new TextEncoder();
const dec = new TextDecoder();

async function until(what: string, cond: () => boolean | Promise<boolean>, ms = 30_000) {
  const end = performance.now() + ms;
  while (!(await cond())) {
    if (performance.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A raw TCP client speaking the text protocol by hand, as `nc` would. */
async function ncClient(port: number, nick: string) {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  let text = "";
  const done = (async () => {
    const buf = new Uint8Array(65536);
    for (;;) {
      const n = await conn.read(buf).catch(() => null);
      if (n === null) break;
      text += dec.decode(buf.subarray(0, n), { stream: true });
    }
  })();
  await conn.write(enc.encode(`${nick}\n`));
  await until(`${nick} registered`, () => text.includes(`Welcome, ${nick}!`));
  return {
    chat: (from: string) => text.split("\n").filter((l) => l.startsWith(`[${from}]: `)),
    notices: () => text.split("\n").filter((l) => l.startsWith("*** ")),
    say: (line: string) => conn.write(enc.encode(`${line}\n`)),
    async close() {
      try {
        conn.close();
      } catch { /* closed */ }
      await done;
    },
  };
}

/** `chat join` in a pipe (a child process): stdin lines are sent, stdout has the chat lines. */
function chatJoin(port: number, nick: string, extra: string[] = []) {
  const child = new Deno.Command(Deno.execPath(), {
    args: chatArgs(["join", `127.0.0.1:${port}`, "--nick", nick, ...extra]),
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let out = "";
  let err = "";
  const reading = Promise.all([
    (async () => {
      for await (const c of child.stdout) out += dec.decode(c, { stream: true });
    })(),
    (async () => {
      for await (const c of child.stderr) err += dec.decode(c, { stream: true });
    })(),
  ]);
  const writer = child.stdin.getWriter();
  return {
    chat: (from: string) => out.split("\n").filter((l) => l.startsWith(`[${from}]: `)),
    stderr: () => err,
    say: (line: string) => writer.write(enc.encode(`${line}\n`)),
    async close() {
      await writer.close().catch(() => {});
      const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await child.status;
      clearTimeout(timer);
      await reading;
    },
  };
}

/** The chat page's state. */
function state(page: Page): Promise<ChatPageState> {
  return page.eval<ChatPageState>("chatPage.state()");
}

/** Fills the join form and submits it; waits until the page is in the chat. */
async function join(
  page: Page,
  c: {
    nick: string;
    protocol: "text" | "gbn" | "sr";
    window?: number;
    ack?: string;
    loss?: number;
  },
): Promise<void> {
  await page.eval(`(() => {
    const f = document.getElementById("join");
    f.nick.value = ${JSON.stringify(c.nick)};
    f.protocol.value = ${JSON.stringify(c.protocol)};
    f.protocol.dispatchEvent(new Event("change"));
    f.window.value = ${JSON.stringify(String(c.window ?? 4))};
    f.ack.value = ${JSON.stringify(c.ack ?? "frame")};
    f.loss.value = ${JSON.stringify(String(c.loss ?? 0))};
    f.requestSubmit();
  })()`);
  await page.waitFor(`${c.nick} in the chat`, `chatPage.state().phase === "chat"`);
}

/** Types a line in the chat box and sends it, as a person would. */
function say(page: Page, line: string): Promise<void> {
  return page.eval(`(() => {
    const i = document.getElementById("say");
    i.value = ${JSON.stringify(line)};
    document.getElementById("chat-form").requestSubmit();
  })()`);
}

/** Chat lines the page shows from `from`. */
async function pageChat(page: Page, from: string): Promise<string[]> {
  return (await state(page)).lines.filter((l) => l.startsWith(`[${from}]: `));
}

/** No element is wider than the viewport (nothing to scroll sideways on a phone). */
async function assertFitsWidth(page: Page, width: number, what: string): Promise<void> {
  const w = await page.eval<number>("document.documentElement.scrollWidth");
  assert.ok(w <= width, `${what}: the page is ${w} px wide on a ${width} px screen`);
}

/** Every request the page made went to its own server. */
function assertOnlyOwnServer(page: Page, port: number): void {
  const own = [`http://127.0.0.1:${port}/`, `ws://127.0.0.1:${port}/`];
  const foreign = page.requests.filter((u) =>
    !own.some((o) => u.startsWith(o)) && !u.startsWith("data:")
  );
  assert.deepEqual(foreign, [], "the page fetched nothing from elsewhere");
}

function newServer(faulty: boolean, trace: string[]): ChatServer {
  const server = new ChatServer({
    logger: new NullLogger(),
    flood: null,
    trace: (l) => trace.push(l),
    teacherPassword: TOKEN,
    web: { origins: [] },
    ...(faulty ? { faults: { loss: 0.2, seed: 11 }, arq: LOSSY_LINK_OPTIONS } : {}),
  });
  server.serve(listenTcp("127.0.0.1", 0));
  return server;
}

Deno.test({
  name:
    "the web page in headless Chromium: chat, GBN and SR under loss, drop-next, the teacher's page",
  ignore: CHROMIUM === undefined,
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    await Deno.mkdir(SHOTS, { recursive: true });
    const { Browser } = await import("./support/chromium.ts");
    const browser: BrowserT = await Browser.launch(CHROMIUM!);
    const trace: string[] = [];
    const lossyTrace: string[] = [];
    const server = newServer(false, trace);
    const lossy = newServer(true, lossyTrace);
    const port = server.addr.port;
    const cleanup: (() => Promise<void>)[] = [];
    try {
      const phone = await browser.newPage(360, 740, true);
      cleanup.push(() => phone.close());

      await t.step(
        "the page joins in plain text and chats with chat join and nc, both ways",
        async () => {
          const nc = await ncClient(port, "nina");
          cleanup.push(() => nc.close());
          const joe = chatJoin(port, "joe");
          cleanup.push(() => joe.close());
          await phone.goto(`http://127.0.0.1:${port}/`);
          await phone.waitFor("the page's script", `document.body.dataset.ready === "yes"`);
          await phone.screenshot(`${SHOTS}/phone-join.png`);
          await until("joe in the room", () => nc.notices().some((l) => l.includes("joe joined")));
          await join(phone, { nick: "ana", protocol: "text" });
          await say(phone, "Olá, turma!");
          await nc.say("MSG oi ana, é a nina");
          await joe.say("oi ana, é o joe");
          await until("nc gets ana's line", () => nc.chat("ana").includes("[ana]: Olá, turma!"));
          await until(
            "chat join gets ana's line",
            () => joe.chat("ana").includes("[ana]: Olá, turma!"),
          );
          await until("the page gets both", async () => {
            const lines = (await state(phone)).lines;
            return lines.includes("[nina]: oi ana, é a nina") &&
              lines.includes("[joe]: oi ana, é o joe");
          });
          await say(phone, "/who");
          await until(
            "the user list",
            async () =>
              (await state(phone)).lines.some((l) =>
                l.startsWith("200 OK - User Sessions") && l.includes("joe (")
              ),
          );
          // A command the page does not know goes to the server as its verb: rooms pass through.
          await say(phone, "/rooms");
          await until(
            "the server's answer to ROOMS",
            async () =>
              (await state(phone)).lines.some((l) =>
                /^(200|404) /.test(l) && /ROOMS|room/i.test(l)
              ),
          );
          await phone.screenshot(`${SHOTS}/phone-chat-text.png`);
          await assertFitsWidth(phone, 360, "chat at 360 px");
          await say(phone, "/quit");
          await phone.waitFor("back at the form", `chatPage.state().phase === "form"`);
        },
      );

      for (const protocol of ["gbn", "sr"] as const) {
        await t.step(
          `the page's ${protocol.toUpperCase()} under 20 % loss each way: every line exactly once, in order`,
          async () => {
            const lport = lossy.addr.port;
            const page = await browser.newPage(360, 740, true);
            cleanup.push(() => page.close());
            const nc = await ncClient(lport, `nc${protocol}`);
            const joe = chatJoin(lport, `joe${protocol}`, ["--arq", protocol]);
            try {
              await until(
                "joe in the room",
                () => nc.notices().some((l) => l.includes(`joe${protocol} joined`)),
                60_000,
              );
              await page.goto(`http://127.0.0.1:${lport}/`);
              await page.waitFor("the page's script", `document.body.dataset.ready === "yes"`);
              const nick = `page${protocol}`;
              await join(page, { nick, protocol, window: 4, loss: 20 });
              const n = 15;
              for (let i = 1; i <= n; i++) await say(page, `p${i}`);
              for (let i = 1; i <= n; i++) await nc.say(`MSG n${i}`);
              for (let i = 1; i <= n; i++) await joe.say(`j${i}`);
              const want = (who: string, p: string) =>
                Array.from({ length: n }, (_, i) => `[${who}]: ${p}${i + 1}`);
              await until("nc gets the page's lines", () => nc.chat(nick).length >= n, 90_000);
              await until(
                "chat join gets the page's lines",
                () => joe.chat(nick).length >= n,
                90_000,
              );
              await until(
                "the page gets both",
                async () =>
                  (await pageChat(page, `nc${protocol}`)).length >= n &&
                  (await pageChat(page, `joe${protocol}`)).length >= n,
                90_000,
              );
              assert.deepEqual(nc.chat(nick), want(nick, "p"));
              assert.deepEqual(joe.chat(nick), want(nick, "p"));
              assert.deepEqual(await pageChat(page, `nc${protocol}`), want(`nc${protocol}`, "n"));
              assert.deepEqual(await pageChat(page, `joe${protocol}`), want(`joe${protocol}`, "j"));
              const s = (await state(page)).window!;
              assert.equal(s.mode, protocol);
              assert.ok(s.counts.injected > 0, "the page dropped some of its frames");
              assert.ok(s.counts.retransmissions > 0, "and sent them again");
              assert.ok(
                lossyTrace.some((l) => l.includes("DROPPED (fault)")),
                "the server dropped some too",
              );
              await page.eval(`document.getElementById("tab-window").click()`);
              await page.screenshot(`${SHOTS}/phone-${protocol}-loss.png`, true);
              await assertFitsWidth(page, 360, `${protocol} window view at 360 px`);
              assertOnlyOwnServer(page, lport);
            } finally {
              await nc.close();
              await joe.close();
            }
          },
        );
      }

      for (const protocol of ["gbn", "sr"] as const) {
        await t.step(
          `${protocol.toUpperCase()}: "drop" and "corrupt the next frame" are retransmitted, in the window view, the diagram and the server's trace`,
          async () => {
            const page = await browser.newPage(360, 740, true);
            cleanup.push(() => page.close());
            await page.goto(`http://127.0.0.1:${port}/`);
            await page.waitFor("the page's script", `document.body.dataset.ready === "yes"`);
            const nick = `drop${protocol}`;
            await join(page, { nick, protocol, window: 4 });
            await say(page, "before the drop");
            await page.eval(`document.getElementById("tab-window").click()`);
            await page.waitFor(
              "acknowledged",
              `chatPage.state().window.sender.base === chatPage.state().window.sender.next && chatPage.state().window.sender.next > 1`,
            );
            const seq = (await state(page)).window!.sender.next;
            // Pause the view, arm the drop, send: then step through what happened.
            await page.eval(`document.querySelector(".controls button:nth-child(3)").click()`);
            await page.eval(`document.querySelector("[data-test=drop]").click()`);
            await page.waitFor("armed", `chatPage.state().pendingFault === "drop"`);
            await page.eval(`(() => {
            const f = document.querySelector(".quick-say");
            f.querySelector("input").value = "this one is dropped once";
            f.requestSubmit();
          })()`);
            await page.waitFor("the drop used", `chatPage.state().pendingFault === undefined`);
            // Step until the dropped frame is in the view.
            for (let i = 0; i < 50; i++) {
              const w = (await state(page)).window!;
              if (w.sender.slots.some((s) => s.seq === seq && s.state === "lost")) break;
              await page.eval(`chatPage.panel.step()`);
            }
            let w = (await state(page)).window!;
            const lost = w.sender.slots.find((s) => s.seq === seq);
            assert.equal(lost?.state, "lost", JSON.stringify(w.sender));
            assert.equal(lost?.fault, "drop");
            await page.waitFor(
              "drawn",
              `document.querySelector('[data-test=sender] [data-seq="${seq}"]')?.dataset.state === "lost"`,
              2000,
            );
            await page.screenshot(`${SHOTS}/phone-${protocol}-paused-lost.png`, true);
            // Resume: the retransmission (the session went on meanwhile) shows.
            await page.eval(`document.querySelector(".controls button:nth-child(3)").click()`);
            await page.waitFor(
              "the frame acknowledged",
              `chatPage.state().window.sender.base > ${seq}`,
            );
            w = (await state(page)).window!;
            assert.ok(w.counts.retransmissions >= 1);
            const labels = w.diagram.map((d) => `${d.kind} ${d.label} ${d.fate}`);
            assert.ok(labels.includes(`send DATA ${seq} dropped`), labels.join("\n"));
            assert.ok(labels.includes(`send DATA ${seq} (#2) ok`), labels.join("\n"));
            assert.ok(w.log.some((l) => l.kind === "retransmit" && l.text.includes(`DATA ${seq}`)));
            // The diagram on the page draws both, the first one stopping half-way.
            await page.waitFor(
              "the resend drawn",
              `[...document.querySelectorAll(".seqdiag .arrow")].some((g) => g.dataset.label === "DATA ${seq} (#2)")`,
              5000,
            );
            const drawn = await page.eval<string[]>(
              `[...document.querySelectorAll(".seqdiag .arrow")].map((g) => g.dataset.label + " " + g.dataset.fate)`,
            );
            assert.ok(drawn.includes(`DATA ${seq} dropped`), drawn.join(", "));
            assert.ok(drawn.includes(`DATA ${seq} (#2) ok`), drawn.join(", "));
            await page.screenshot(`${SHOTS}/phone-${protocol}-resent.png`, true);
            // The server's trace: that DATA arrived once, after its retransmission.
            const got = trace.filter((l) =>
              / ← DATA +seq=/.test(l) && l.includes(` seq=${seq} `) &&
              /server 127\.0\.0\.1:\d+/.test(l)
            );
            const pagePeer = /server (127\.0\.0\.1:\d+)/.exec(got.at(-1) ?? "")?.[1];
            assert.ok(pagePeer, got.join("\n"));
            const mineNow = () => trace.filter((l) => l.includes(`server ${pagePeer} `));
            const mine = mineNow();
            assert.equal(
              mine.filter((l) => / ← DATA +seq=/.test(l) && l.includes(` seq=${seq} `)).length,
              1,
              mine.join("\n"),
            );
            assert.ok(mine.some((l) => / → ACK +seq=/.test(l) && l.includes(` seq=${seq} `)));
            await assertFitsWidth(page, 360, `${protocol} window view at 360 px`);
            // "Corrupt the next frame": the server's checksum fails, it NACKs, the page resends.
            const cseq = (await state(page)).window!.sender.next;
            await page.eval(`document.querySelector("[data-test=corrupt]").click()`);
            await page.eval(`(() => {
              const f = document.querySelector(".quick-say");
              f.querySelector("input").value = "this one is corrupted once";
              f.requestSubmit();
            })()`);
            await page.waitFor(
              "the corrupted frame acknowledged",
              `chatPage.state().window.sender.base > ${cseq}`,
            );
            const cw = (await state(page)).window!;
            const clabels = cw.diagram.map((d) => `${d.kind} ${d.label} ${d.fate}`);
            assert.ok(clabels.includes(`send DATA ${cseq} corrupted`), clabels.join("\n"));
            assert.ok(clabels.includes(`send DATA ${cseq} (#2) ok`), clabels.join("\n"));
            assert.ok(
              mineNow().some((l) => l.includes("BAD CHECKSUM")),
              "the server's checksum failed",
            );
            assert.ok(mineNow().some((l) => / → NACK /.test(l)), "and it sent a NACK");
            // Keep this one open for the teacher's page.
          },
        );
      }

      await t.step(
        "the teacher's page lists every session (text, GBN, SR, browser) and watches one live",
        async () => {
          const nc = await ncClient(port, "tina");
          const gus = chatJoin(port, "gus");
          const sara = chatJoin(port, "sara", ["--arq", "sr"]);
          cleanup.push(() => nc.close(), () => gus.close(), () => sara.close());
          const wide = await browser.newPage(1280, 720);
          cleanup.push(() => wide.close());
          await wide.goto(`http://127.0.0.1:${port}/teacher`);
          await wide.waitFor("the teacher's script", `document.body.dataset.ready === "yes"`);
          await wide.waitFor("the password asked", `document.body.dataset.login === "yes"`);
          await wide.eval(`(() => {
            const f = document.getElementById("login");
            f.password.value = ${JSON.stringify("wrong")};
            f.requestSubmit();
          })()`);
          await wide.waitFor("refused", `chatPage.state().error.includes("refused")`);
          await wide.eval(`(() => {
            const f = document.getElementById("login");
            f.password.value = ${JSON.stringify(TOKEN)};
            f.requestSubmit();
          })()`);
          await wide.waitFor("the feed open", `chatPage.state().connected`);
          const teacher = () => wide.eval<TeacherPageState>("chatPage.state()");
          await until("every session listed", async () => {
            const nicks = (await teacher()).sessions.map((s) => s.nick);
            return ["tina", "gus", "sara", "dropgbn", "dropsr"].every((n) => nicks.includes(n));
          });
          const rows = (await teacher()).sessions;
          const by = (n: string) => rows.find((r) => r.nick === n)!;
          assert.equal(by("tina").kind, "text");
          assert.equal(by("tina").transport, "tcp");
          assert.equal(by("gus").arq?.mode, "gbn");
          assert.equal(by("sara").arq?.mode, "sr");
          assert.equal(by("dropgbn").transport, "ws");
          assert.equal(by("dropgbn").arq?.mode, "gbn");
          assert.equal(by("dropsr").arq?.mode, "sr");
          for (const n of ["gus", "sara", "dropgbn", "dropsr"]) {
            assert.ok(by(n).arq!.rto > 0 && by(n).arq!.framesSent > 0, n);
          }
          assert.ok(by("dropgbn").arq!.framesReceived > 0);
          // The drawn table says the same, browsers as "browser".
          const drawn = await wide.eval<string[]>(
            `[...document.querySelectorAll("#sessions tbody tr")].map((r) => r.dataset.kind + "/" + r.dataset.over)`,
          );
          for (const k of ["text/tcp", "GBN/tcp", "SR/tcp", "GBN/browser", "SR/browser"]) {
            assert.ok(drawn.includes(k), `${k} in ${drawn.join(", ")}`);
          }
          // Watch gus's session and drop the next frame the server sends it.
          await wide.eval(
            `document.querySelector('#sessions tr[data-id="${by("gus").id}"]').click()`,
          );
          await wide.waitFor("watching", `chatPage.state().watching === ${by("gus").id}`);
          await wide.eval(`document.querySelector("[data-test=drop]").click()`);
          await new Promise((r) => setTimeout(r, 300));
          await nc.say("MSG for gus, lost once on the way");
          await until(
            "gus gets it",
            () => gus.chat("tina").includes("[tina]: for gus, lost once on the way"),
          );
          await wide.waitFor(
            "the retransmission in the teacher's view",
            `chatPage.state().window?.counts.retransmissions > 0`,
          );
          const w = (await teacher()).window!;
          assert.ok(
            w.diagram.some((d) => d.kind === "send" && d.fate === "dropped"),
            JSON.stringify(w.diagram),
          );
          assert.ok(w.diagram.some((d) => d.kind === "send" && d.attempt === 2));
          await wide.screenshot(`${SHOTS}/projector-teacher.png`);
          assert.equal(
            gus.chat("tina").filter((l) => l.endsWith("lost once on the way")).length,
            1,
          );
          assertOnlyOwnServer(wide, port);
        },
      );

      await t.step(
        "the chat page at projector size puts the chat and the window side by side",
        async () => {
          const wide = await browser.newPage(1280, 720);
          cleanup.push(() => wide.close());
          await wide.goto(`http://127.0.0.1:${port}/`);
          await wide.waitFor("the page's script", `document.body.dataset.ready === "yes"`);
          await join(wide, { nick: "wide", protocol: "sr", window: 8 });
          for (let i = 1; i <= 6; i++) await say(wide, `line ${i}`);
          await wide.waitFor(
            "acknowledged",
            `chatPage.state().window.sender.base === chatPage.state().window.sender.next && chatPage.state().window.sender.next > 6`,
          );
          const both = await wide.eval<boolean>(
            `(() => { const a = document.getElementById("chat-pane").getBoundingClientRect(); const b = document.getElementById("window-pane").getBoundingClientRect(); return a.width > 0 && b.width > 0 && b.left >= a.right - 1; })()`,
          );
          assert.ok(both, "chat and window view side by side");
          await wide.screenshot(`${SHOTS}/projector-chat.png`);
          assertOnlyOwnServer(wide, port);
          assertOnlyOwnServer(phone, port);
          const errors = [...phone.console, ...wide.console].filter((l) =>
            /^(error|exception)/.test(l)
          );
          assert.deepEqual(errors, []);
        },
      );
    } finally {
      for (const c of cleanup.reverse()) await c().catch(() => {});
      await browser.close();
      await server.shutdown("test over", 500);
      await lossy.shutdown("test over", 500);
    }
  },
});
