/**
 * The server's half of the WebSocket opening handshake (RFC 6455 §4.2): whether a request head
 * asks for a WebSocket as the RFC requires, and the `101 Switching Protocols` answer. No
 * extension (compression) and no subprotocol is negotiated.
 * @module
 */

import { createHash } from "node:crypto";
import { listsToken, type RequestHead } from "./http_request.ts";

/** The GUID every `Sec-WebSocket-Accept` is computed with (RFC 6455 §1.3). */
export const WEBSOCKET_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

/** `Sec-WebSocket-Accept` for a `Sec-WebSocket-Key`: base64 of SHA-1 of key + GUID. */
export function websocketAccept(key: string): string {
  return createHash("sha1").update(key + WEBSOCKET_GUID).digest("base64");
}

/** Why a request cannot become a WebSocket: the status, a sentence, extra response headers. */
export interface UpgradeRefusal {
  readonly status: number;
  readonly message: string;
  readonly headers?: Readonly<Record<string, string>>;
}

/** The problem with `head` as a WebSocket request, or `undefined` when it is a valid one. */
export function upgradeRefusal(head: RequestHead): UpgradeRefusal | undefined {
  const h = head.headers;
  if (head.method !== "GET") return { status: 405, message: `Method not allowed: ${head.method}` };
  if (head.version !== "HTTP/1.1") {
    return { status: 400, message: `WebSocket needs HTTP/1.1: ${head.version}` };
  }
  if (!listsToken(h.get("upgrade"), "websocket")) {
    return {
      status: 426,
      message: "This path is a WebSocket: Upgrade: websocket expected",
      headers: { Upgrade: "websocket", Connection: "Upgrade" },
    };
  }
  if (!listsToken(h.get("connection"), "upgrade")) {
    return { status: 400, message: "Connection: Upgrade expected" };
  }
  const version = h.get("sec-websocket-version");
  if (version !== "13") {
    return {
      status: 426,
      message: `WebSocket version not supported: ${version ?? "none"}`,
      headers: { "Sec-WebSocket-Version": "13" },
    };
  }
  const key = h.get("sec-websocket-key");
  if (key === undefined || !isNonce(key)) {
    return { status: 400, message: `Bad Sec-WebSocket-Key: ${JSON.stringify(key ?? "")}` };
  }
  return undefined;
}

/** The `101 Switching Protocols` response head for a valid request (see {@link upgradeRefusal}). */
export function upgradeResponse(head: RequestHead): string {
  const accept = websocketAccept(head.headers.get("sec-websocket-key")!);
  return "HTTP/1.1 101 Switching Protocols\r\n" +
    "Upgrade: websocket\r\n" +
    "Connection: Upgrade\r\n" +
    `Sec-WebSocket-Accept: ${accept}\r\n\r\n`;
}

/** True for the base64 text of 16 bytes (24 characters ending in `==`). */
function isNonce(key: string): boolean {
  return /^[A-Za-z0-9+/]{21}[AQgw]==$/.test(key);
}
