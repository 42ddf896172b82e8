/**
 * The one place where session kinds are told apart: a connection's first bytes pick the kind.
 * A binary session starts with the frame magic (0xC1, the first byte of its SYN), on a stream or
 * over datagrams; anything else on a byte stream is a plain-text session, whose first line is a
 * nickname (text has no datagram form). A new kind (an HTTP
 * upgrade to a WebSocket on `GET `, TLS on 0x16) is one more entry before the text fallback.
 * @module
 */

import { MAGIC } from "../protocol/header.ts";
import type { PathKind } from "../net/transport.ts";
import { openBinarySession } from "./binary_session.ts";
import { HTTP_KINDS } from "./http_session.ts";
import type { SessionKind } from "./session.ts";
import { openTextSession } from "./text_session.ts";

/** The kinds `chat serve` knows, most specific first; the one with no magic takes the rest. */
export const SESSION_KINDS: readonly SessionKind[] = Object.freeze([
  // Over UDP too: a datagram listener hands over only sessions whose handshake ACK it checked.
  {
    name: "binary",
    magic: Uint8Array.of(MAGIC),
    paths: ["stream", "datagram"],
    open: openBinarySession,
  },
  ...HTTP_KINDS,
  { name: "text", magic: new Uint8Array(0), paths: ["stream"], open: openTextSession },
]);

/**
 * The kind whose magic `head` (the bytes read so far, at least one) starts with, among those
 * that run on `path`; else the kind without magic. `"more"` while `head` is a strict prefix of
 * some kind's magic (more bytes decide), unless `ended` (the peer will send nothing more).
 * `undefined` when no kind takes these bytes on this path.
 */
export function classify(
  kinds: readonly SessionKind[],
  head: Uint8Array,
  path: PathKind,
  ended = false,
): SessionKind | "more" | undefined {
  let fallback: SessionKind | undefined;
  let waiting = false;
  for (const kind of kinds) {
    if (!kind.paths.includes(path)) continue;
    const magic = kind.magic;
    if (magic.length === 0) {
      fallback ??= kind;
      continue;
    }
    const n = Math.min(magic.length, head.length);
    let same = true;
    for (let i = 0; i < n && same; i++) same = head[i] === magic[i];
    if (!same) continue;
    if (head.length >= magic.length) return kind;
    waiting = true;
  }
  return waiting && !ended ? "more" : fallback;
}
