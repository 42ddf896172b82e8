/// <reference lib="dom" />
/**
 * The entry of the web page's bundle (`deno task web` builds `app.js` from it): starts the chat
 * page or the teacher's page, whichever HTML loaded it, and leaves its state readable as
 * `window.chatPage.state()` (what the browser tests check, and a curious student may read).
 * @module
 */

import { startChatPage } from "./chat_app.ts";
import { startTeacherPage } from "./teacher_app.ts";

const page = document.body.dataset.page === "teacher" ? startTeacherPage() : startChatPage();
(globalThis as unknown as { chatPage: unknown }).chatPage = page;
document.body.dataset.ready = "yes";
