/**
 * The `http` session kind: a connection whose first bytes are an HTTP request (`GET `, ...) on
 * the chat's own port. It serves the web page from the files embedded in the program
 * (`lib/web/assets.generated.ts`: nothing is fetched from elsewhere), and turns `GET /ws` into a
 * WebSocket whose bytes become a connection of their own, handed to the entry point: the chat
 * session inside is told apart by its first bytes (text line or binary frame) like one on TCP.
 * `GET /teacher/ws?password=P` is the teacher's feed (`teacher_feed.ts`), for the teacher password.
 *
 * Bounded and strict: one request per connection (`Connection: close`), a head of at most
 * 16 KiB that must arrive within `headTimeoutMs` (10 s), GET and HEAD of the known paths only
 * (404 for others, 405 for other methods), and a WebSocket only for a page of the same origin
 * (or one the operator allowed: `web_settings.ts`).
 * @module
 */

import { type RequestHead, RequestHeadError, RequestHeadReader } from "../net/http_request.ts";
import { upgradeRefusal, upgradeResponse } from "../net/websocket_handshake.ts";
import { WebSocketServerConn } from "../net/ws_transport.ts";
import { writeAll } from "../net/transport.ts";
import { WEB_ASSETS } from "../web/assets.generated.ts";
import type { ServerSession, SessionContext, SessionKind } from "./session.ts";
import { TeacherFeed } from "./teacher_feed.ts";
import { HEAD_TIMEOUT_MS, originAllowed } from "./web_settings.ts";

/** How long a wrong teacher password waits for its 403, ms. */
const WRONG_PASSWORD_DELAY_MS = 1000;
/** How long a response may take to be written before the connection is closed anyway. */
const RESPONSE_TIMEOUT_MS = 30_000;
/**
 * How long a connection stays half-closed after its response, reading and discarding what the
 * client still sends: closing with unread bytes makes the kernel send RST, which can destroy the
 * response before the client reads it (a 431 sent while the huge head is still arriving).
 */
const LINGER_MS = 2_000;

const encoder = new TextEncoder();

/** Reason phrases of the statuses this server answers. */
const REASONS: Readonly<Record<number, string>> = {
  200: "OK",
  400: "Bad Request",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  408: "Request Timeout",
  414: "URI Too Long",
  426: "Upgrade Required",
  431: "Request Header Fields Too Large",
  505: "HTTP Version Not Supported",
};

/** The files of the page, by path, as bytes (encoded once). */
const FILES: ReadonlyMap<string, { readonly type: string; readonly body: Uint8Array }> = new Map(
  Object.entries(WEB_ASSETS).map((
    [path, a],
  ) => [path, { type: a.type, body: encoder.encode(a.body) }]),
);

/** What each path serves: a file, or a WebSocket. */
const ROUTES: Readonly<
  Record<string, { file: string; private?: boolean } | { ws: "chat" | "teacher" }>
> = {
  "/": { file: "index.html" },
  "/index.html": { file: "index.html" },
  "/app.js": { file: "app.js" },
  "/style.css": { file: "style.css" },
  "/teacher": { file: "teacher.html", private: true },
  "/ws": { ws: "chat" },
  "/teacher/ws": { ws: "teacher" },
};

/** Headers of every page response: nothing from elsewhere, never framed by another site. */
const PAGE_HEADERS = {
  "Content-Security-Policy": "default-src 'self'; connect-src 'self'; img-src 'self' data:; " +
    "frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
  "X-Content-Type-Options": "nosniff",
  "Referrer-Policy": "no-referrer",
};

/**
 * The `http` kinds, one entry per method a request may start with (all named `http`): GET and
 * HEAD are served, the others answered 405, so a browser's form or script posting to the chat's
 * port gets an HTTP answer, never a chat session.
 */
export const HTTP_KINDS: readonly SessionKind[] = Object.freeze(
  ["GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH"].map((method) => ({
    name: "http",
    magic: encoder.encode(`${method} `),
    paths: ["stream"] as const,
    open: openHttpSession,
  })),
);

/** Builds the HTTP session of a connection (the `http` kinds' `open`). */
export function openHttpSession(ctx: SessionContext): HttpSession {
  return new HttpSession(ctx);
}

/** One HTTP connection: a request, then a response or a WebSocket. */
export class HttpSession implements ServerSession {
  /** Owes nothing to the registration deadline: the head has a deadline of its own. */
  readonly awaitingRegistration = false;
  readonly #ctx: SessionContext;
  readonly #reader = new RequestHeadReader();
  #stage: "head" | "upgrading" | "websocket" | "done" = "head";
  /** Bytes that came while the 101 answer was being written. */
  #early: Uint8Array[] = [];
  #ws: WebSocketServerConn | undefined;
  #feed: TeacherFeed | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  /** The response is written and our side ended: the client's end closes the connection. */
  #lingering = false;

  constructor(ctx: SessionContext) {
    this.#ctx = ctx;
    const ms = ctx.env.web.headTimeoutMs ?? HEAD_TIMEOUT_MS;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      if (this.#stage === "head") this.#refuse(408, "The request head did not arrive in time");
    }, ms);
  }

  receive(chunk: Uint8Array): void {
    switch (this.#stage) {
      case "head":
        this.#readHead(chunk);
        return;
      case "upgrading":
        this.#early.push(chunk.slice());
        return;
      case "websocket":
        this.#ws!.receive(chunk);
        return;
      case "done":
        return;
    }
  }

  end(): void {
    if (this.#ws) {
      this.#ws.end();
      this.#ctx.close("connection closed");
    } else if (this.#stage !== "done" || this.#lingering) this.#ctx.close("connection closed");
  }

  dispose(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#stage = "done";
    this.#ws?.end();
    this.#feed?.dispose();
  }

  #readHead(chunk: Uint8Array): void {
    let got;
    try {
      got = this.#reader.push(chunk);
    } catch (error) {
      if (!(error instanceof RequestHeadError)) throw error;
      this.#refuse(error.status, error.message);
      return;
    }
    if (got === undefined) return;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#route(got.head, got.rest);
  }

  #route(head: RequestHead, rest: Uint8Array): void {
    const route = ROUTES[head.path];
    const web = this.#ctx.env.web;
    if (route === undefined) return this.#refuse(404, `No such page: ${head.path.slice(0, 100)}`);
    if (head.method !== "GET" && head.method !== "HEAD") {
      return this.#refuse(405, `Method not allowed: ${head.method}`, { Allow: "GET, HEAD" });
    }
    if ("file" in route) {
      // The teacher's page holds no secret: it asks for the password, which its feed needs.
      const file = FILES.get(route.file)!;
      this.#respond(200, file.type, head.method === "HEAD" ? undefined : file.body, {
        ...PAGE_HEADERS,
        "Cache-Control": route.private ? "no-store" : "no-cache",
      }, file.body.length);
      return;
    }
    const refusal = upgradeRefusal(head);
    if (refusal) return this.#refuse(refusal.status, refusal.message, refusal.headers);
    if (!originAllowed(head.headers.get("origin"), head.headers.get("host"), web.origins)) {
      this.#ctx.env.log("origin-refused", {
        id: this.#ctx.id,
        peer: this.#ctx.peer,
        origin: (head.headers.get("origin") ?? "").slice(0, 100),
      }, "warn");
      return this.#refuse(403, "This page may not connect here: its origin is not allowed");
    }
    if (route.ws === "teacher") {
      const lobby = this.#ctx.env.lobby;
      if (!lobby.hasOperatorPassword) {
        return this.#refuse(403, "The teacher's page is off: this server has no teacher password");
      }
      const password = new URLSearchParams(head.query).get("password") ?? "";
      if (!lobby.isOperatorPassword(password)) {
        this.#ctx.env.log("teacher-refused", { id: this.#ctx.id, peer: this.#ctx.peer }, "warn");
        // Answered after a pause: guessing costs a connection and a second a guess.
        this.#stage = "done";
        this.#timer = setTimeout(() => {
          this.#timer = undefined;
          this.#refuse(403, "Wrong teacher password");
        }, WRONG_PASSWORD_DELAY_MS);
        return;
      }
    }
    this.#upgrade(head, rest, route.ws);
  }

  #upgrade(head: RequestHead, rest: Uint8Array, what: "chat" | "teacher"): void {
    const ctx = this.#ctx;
    this.#stage = "upgrading";
    if (rest.length > 0) this.#early.push(rest.slice());
    this.#write(encoder.encode(upgradeResponse(head))).then(() => {
      if (this.#stage !== "upgrading") return;
      const ws = new WebSocketServerConn(
        { write: (p) => this.#send(p), close: (reason) => ctx.close(reason) },
        ctx.conn.localAddr,
        ctx.conn.remoteAddr,
      );
      this.#ws = ws;
      this.#stage = "websocket";
      if (what === "chat") ctx.env.accept(ws);
      else this.#feed = new TeacherFeed(ws, ctx.env);
      const early = this.#early;
      this.#early = [];
      for (const bytes of early) ws.receive(bytes);
    }, () => ctx.close("connection lost"));
  }

  #refuse(status: number, message: string, headers: Record<string, string> = {}): void {
    const body = encoder.encode(`${status} ${REASONS[status] ?? ""}\n${message}\n`);
    this.#respond(status, "text/plain; charset=utf-8", body, headers, body.length);
  }

  #respond(
    status: number,
    type: string,
    body: Uint8Array | undefined,
    headers: Record<string, string>,
    length: number,
  ): void {
    this.#stage = "done";
    clearTimeout(this.#timer);
    this.#timer = undefined;
    let text = `HTTP/1.1 ${status} ${REASONS[status] ?? "Error"}\r\n` +
      `Content-Type: ${type}\r\nContent-Length: ${length}\r\nConnection: close\r\n`;
    for (const [k, v] of Object.entries(headers)) text += `${k}: ${v}\r\n`;
    const headBytes = encoder.encode(text + "\r\n");
    const out = new Uint8Array(headBytes.length + (body?.length ?? 0));
    out.set(headBytes);
    if (body) out.set(body, headBytes.length);
    const ctx = this.#ctx;
    ctx.closeWithin("response not read in time", RESPONSE_TIMEOUT_MS);
    this.#write(out).then(
      () => {
        // Lingering close: our side ends, the client's remaining bytes are read and dropped
        // (stage "done") until it ends too (`end`) or LINGER_MS pass.
        this.#lingering = true;
        ctx.closeWithin("response sent", LINGER_MS);
        ctx.conn.closeWrite().catch(() => ctx.close("connection lost"));
      },
      () => ctx.close("connection lost"),
    );
  }

  /** Writes bytes in full (recorded in the capture, if any). */
  #write(bytes: Uint8Array): Promise<void> {
    this.#ctx.capture?.sent(bytes, this.#ctx.env.turn.now());
    return writeAll(this.#ctx, bytes);
  }

  /** The WebSocket's writes, recorded too (what each write took). */
  async #send(p: Uint8Array): Promise<number> {
    const n = await this.#ctx.write(p);
    this.#ctx.capture?.sent(p.subarray(0, n), this.#ctx.env.turn.now());
    return n;
  }
}
