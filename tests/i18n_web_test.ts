/**
 * The chat page in both languages: which language a browser gets (the switch's stored choice,
 * else `navigator.languages`, else English), and in headless Chromium the switch turning the page
 * Portuguese (its words, `<html lang>`, the slash commands' answers) and the chat's replies too
 * (`LANG` before the nickname), a reload keeping the choice, the teacher's page following it.
 * Skipped without Chromium.
 */

import assert from "node:assert/strict";
import { NullLogger } from "../lib/log/logger.ts";
import { listenTcp } from "../lib/net/tcp_transport.ts";
import { ChatServer } from "../lib/server/server.ts";
import type { ChatPageState } from "../lib/web/page/chat_app.ts";
import { choosePageLang } from "../lib/web/page/page_text.ts";
import { EVENT_CATALOG } from "../lib/web/event_text.ts";
import { WindowModel } from "../lib/web/window_model.ts";
import { type Browser as BrowserT, chromiumPath } from "./support/chromium.ts";

const CHROMIUM = chromiumPath();

Deno.test("choosePageLang: the switch's choice, else the browser's languages, else English", () => {
  assert.deepEqual(choosePageLang("pt-BR", ["en-US"]), { lang: "pt-BR", chosen: true });
  assert.deepEqual(choosePageLang("en", ["pt-BR"]), { lang: "en", chosen: true });
  assert.deepEqual(choosePageLang(null, ["fr-FR", "pt-PT", "en"]), {
    lang: "pt-BR",
    chosen: false,
  });
  assert.deepEqual(choosePageLang("klingon", ["de"]), { lang: "en", chosen: false });
  assert.deepEqual(choosePageLang(undefined, []), { lang: "en", chosen: false });
});

Deno.test("the window view's log in Portuguese, switched for the lines to come", () => {
  const m = new WindowModel(EVENT_CATALOG["pt-BR"]);
  m.apply({ r: "arq", t: 1, e: { kind: "timeout", type: 5, seq: 3, rto: 412.4 } });
  m.apply({ r: "gap", t: 2, missed: 37 });
  m.apply({
    r: "arq",
    t: 3,
    e: { kind: "retransmit", type: 5, seq: 3, attempt: 2, reason: "fast" },
  });
  m.setTexts(EVENT_CATALOG.en);
  m.apply({ r: "arq", t: 4, e: { kind: "nack-sent", seq: 4 } });
  assert.deepEqual(m.snapshot().log.map((l) => l.text), [
    "o temporizador estourou: DATA 3; RTO agora 412 ms",
    "37 registros ficaram de fora (o feed não deu conta)",
    "reenvia DATA 3 (transmissão 2, recuperação rápida)",
    "a frame failed its checksum: NACK 4 sent",
  ]);
});

Deno.test({
  name: "the chat page's language switch in headless Chromium: words, replies, kept on reload",
  ignore: CHROMIUM === undefined,
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const { Browser } = await import("./support/chromium.ts");
    const browser: BrowserT = await Browser.launch(CHROMIUM!);
    const server = new ChatServer({
      logger: new NullLogger(),
      web: { origins: [] },
      lang: "en",
      teacherPassword: "segredo",
    });
    server.serve(listenTcp("127.0.0.1", 0));
    try {
      const page = await browser.newPage(360, 740, true);
      try {
        const url = `http://127.0.0.1:${server.addr.port}/`;
        await page.goto(url);
        await page.waitFor("the page", `document.body.dataset.ready === "yes"`);
        const words = () =>
          page.eval<{ lang: string; join: string; placeholder: string; status: string }>(`({
            lang: document.documentElement.lang,
            join: document.getElementById("join-button").textContent,
            placeholder: document.getElementById("say").placeholder,
            status: document.getElementById("status").textContent,
          })`);
        assert.deepEqual(await words(), {
          lang: "en",
          join: "Join",
          placeholder: "Message, or /help",
          status: "not connected",
        });
        await page.eval(`(() => {
          const s = document.getElementById("lang");
          s.value = "pt-BR";
          s.dispatchEvent(new Event("change"));
        })()`);
        assert.deepEqual(await words(), {
          lang: "pt-BR",
          join: "Entrar",
          placeholder: "Mensagem, ou /help",
          status: "sem conexão",
        });
        await page.goto(url);
        await page.waitFor("the page again", `document.body.dataset.ready === "yes"`);
        assert.equal((await words()).join, "Entrar", "the choice is kept");
        await page.eval(`(() => {
          const f = document.getElementById("join");
          f.nick.value = "bia";
          f.protocol.value = "text";
          f.protocol.dispatchEvent(new Event("change"));
          f.requestSubmit();
        })()`);
        await page.waitFor("bia in the chat", `chatPage.state().phase === "chat"`);
        await page.eval(`(() => {
          document.getElementById("say").value = "/help";
          document.getElementById("chat-form").requestSubmit();
        })()`);
        await page.waitFor(
          "the answer",
          `chatPage.state().lines.some((l) => l.includes("Qualquer outro /VERBO ARGS"))`,
        );
        const state = await page.eval<ChatPageState>("chatPage.state()");
        assert.ok(
          state.lines.some((l) => l.includes("Olá, bia! 1 usuário online")),
          state.lines.join("\n"),
        );
        assert.ok(!state.lines.some((l) => /Language|Idioma/.test(l)), "LANG's reply not shown");
        assert.equal((await words()).status, "bia · texto");
        assert.equal(
          await page.eval<string>(`document.querySelector("[data-test=drop]").textContent`),
          "Descartar o próximo quadro",
          "the window panel's buttons too",
        );
        // Switched back during the chat: the page and, by LANG, the server's replies.
        await page.eval(`(() => {
          const s = document.getElementById("lang");
          s.value = "en";
          s.dispatchEvent(new Event("change"));
        })()`);
        await page.waitFor(
          "the server's reply in English",
          `chatPage.state().lines.some((l) => l.includes("Language: English (en)"))`,
        );
        assert.equal((await words()).status, "bia · text");
        await page.eval(`(() => {
          const s = document.getElementById("lang");
          s.value = "pt-BR";
          s.dispatchEvent(new Event("change"));
        })()`);
        await page.waitFor(
          "the server's reply in Portuguese",
          `chatPage.state().lines.some((l) => l.includes("Idioma: português do Brasil"))`,
        );
        // The teacher's page takes the same choice.
        const teacher = await browser.newPage(1280, 720, true);
        try {
          await teacher.goto(`${url}teacher`);
          await teacher.waitFor("the teacher's page", `document.body.dataset.ready === "yes"`);
          assert.equal(
            await teacher.eval<string>(`document.querySelector("#login label span").textContent`),
            "Senha do professor",
          );
          assert.equal(await teacher.eval<string>("document.title"), "chat · professor");
          await teacher.eval(`(() => {
            const f = document.getElementById("login");
            f.password.value = "segredo";
            f.requestSubmit();
          })()`);
          await teacher.waitFor(
            "bia's session listed",
            `chatPage.state().sessions.some((s) => s.nick === "bia")`,
          );
          await teacher.waitFor(
            "the table in Portuguese",
            `document.getElementById("count").textContent === "1 sessão" &&
              [...document.querySelectorAll("#sessions th")].some((t) => t.textContent === "apelido")`,
          );
        } finally {
          await teacher.close();
        }
      } finally {
        await page.close();
      }
    } finally {
      await browser.close();
      await server.shutdown("test over", 1000);
    }
  },
});
