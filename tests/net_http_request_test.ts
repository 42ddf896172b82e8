/**
 * The HTTP request head reader and the WebSocket opening handshake: a browser's head parsed the
 * same however it is cut, the bytes after it kept; each malformed head refused at once with its
 * status (control bytes, a head too long, a bad request line, HTTP/2, no Host, folding); the
 * RFC 6455 accept key and each refused upgrade.
 */

import assert from "node:assert/strict";
import fc from "fast-check";
import {
  findHeadEnd,
  listsToken,
  MAX_HEAD_BYTES,
  parseRequestHead,
  RequestHeadError,
  RequestHeadReader,
} from "../lib/net/http_request.ts";
import {
  upgradeRefusal,
  upgradeResponse,
  websocketAccept,
} from "../lib/net/websocket_handshake.ts";

const enc = new TextEncoder();

const BROWSER_HEAD = "GET /ws?x=1 HTTP/1.1\r\n" +
  "Host: 10.0.0.5:55555\r\n" +
  "Connection: keep-alive, Upgrade\r\n" +
  "Upgrade: websocket\r\n" +
  "Origin: http://10.0.0.5:55555\r\n" +
  "Sec-WebSocket-Version: 13\r\n" +
  "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n" +
  "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n" +
  "Accept-Language: pt-BR,pt;q=0.9\r\n" +
  "Accept-Language: en\r\n\r\n";

function readAll(bytes: Uint8Array, cuts: number[] = []) {
  const r = new RequestHeadReader();
  const points = [...new Set([0, ...cuts.filter((c) => c > 0 && c < bytes.length), bytes.length])]
    .sort((a, b) => a - b);
  for (let i = 0; i + 1 < points.length; i++) {
    const got = r.push(bytes.subarray(points[i]!, points[i + 1]!));
    if (got) {
      // Whatever came after the head in later pieces is the caller's too.
      const later = bytes.subarray(points[i + 1]!);
      return { head: got.head, rest: [...got.rest, ...later] };
    }
  }
  return undefined;
}

Deno.test("reader parses a browser's WebSocket request however it is cut, and keeps the bytes after it", () => {
  const after = Uint8Array.of(0x82, 0x85, 1, 2, 3, 4);
  const stream = new Uint8Array([...enc.encode(BROWSER_HEAD), ...after]);
  const whole = readAll(stream)!;
  assert.equal(whole.head.method, "GET");
  assert.equal(whole.head.path, "/ws");
  assert.equal(whole.head.query, "x=1");
  assert.equal(whole.head.version, "HTTP/1.1");
  assert.equal(whole.head.headers.get("host"), "10.0.0.5:55555");
  assert.equal(whole.head.headers.get("accept-language"), "pt-BR,pt;q=0.9, en");
  assert.deepEqual(whole.rest, [...after]);
  fc.assert(
    fc.property(
      fc.array(fc.integer({ min: 1, max: stream.length - 1 }), { maxLength: 12 }),
      (cuts) => {
        const r = readAll(stream, cuts)!;
        assert.deepEqual(r.rest, [...after]);
        assert.deepEqual([...r.head.headers], [...whole.head.headers]);
      },
    ),
    { numRuns: 200 },
  );
});

Deno.test("reader takes a lax client's bare LF line ends", () => {
  const got = readAll(enc.encode("GET / HTTP/1.0\nUser-Agent: nc\n\n"))!;
  assert.equal(got.head.path, "/");
  assert.equal(got.head.headers.get("user-agent"), "nc");
  assert.equal(findHeadEnd(enc.encode("GET / HTTP/1.0\r\n")), -1);
});

function refusal(bytes: Uint8Array | string): RequestHeadError {
  const r = new RequestHeadReader();
  try {
    r.push(typeof bytes === "string" ? enc.encode(bytes) : bytes);
  } catch (error) {
    assert.ok(error instanceof RequestHeadError);
    return error;
  }
  throw new Error("not refused");
}

Deno.test("reader refuses binary garbage after GET at once, before any blank line", () => {
  const e = refusal(Uint8Array.of(0x47, 0x45, 0x54, 0x20, 0xc1, 0x00, 0x07, 0x01, 0x00));
  assert.equal(e.status, 400);
  assert.match(e.message, /Control byte/);
});

Deno.test("reader refuses a head over 16 KiB with 431 as soon as it passes the limit", () => {
  const r = new RequestHeadReader();
  assert.equal(r.push(enc.encode("GET / HTTP/1.1\r\nHost: x\r\n")), undefined);
  const big = enc.encode(`X-Pad: ${"a".repeat(MAX_HEAD_BYTES)}`);
  assert.throws(() => r.push(big), (e: RequestHeadError) => e.status === 431);
  assert.ok(r.buffered <= MAX_HEAD_BYTES);
});

const BAD_HEADS: [string, string, number][] = [
  ["a request line of two words", "GET /\r\n\r\n", 400],
  ["an absolute-form target", "GET http://evil/ HTTP/1.1\r\nHost: x\r\n\r\n", 400],
  ["HTTP/2.0", "GET / HTTP/2.0\r\nHost: x\r\n\r\n", 505],
  ["a made-up version", "GET / HTTQ/1.1\r\nHost: x\r\n\r\n", 400],
  ["HTTP/1.1 without Host", "GET / HTTP/1.1\r\n\r\n", 400],
  ["Host twice", "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400],
  ["a folded header", "GET / HTTP/1.1\r\nHost: a\r\nX: 1\r\n 2\r\n\r\n", 400],
  ["a header without a colon", "GET / HTTP/1.1\r\nHost: a\r\nnonsense\r\n\r\n", 400],
  ["a method with a bad character", "GE(T / HTTP/1.1\r\nHost: a\r\n\r\n", 400],
  ["a target over 2048 bytes", `GET /${"a".repeat(2100)} HTTP/1.1\r\nHost: a\r\n\r\n`, 414],
  [
    "65 header fields",
    `GET / HTTP/1.1\r\nHost: a\r\n${"X: 1\r\n".repeat(64)}\r\n`,
    431,
  ],
];

for (const [what, text, status] of BAD_HEADS) {
  Deno.test(`parseRequestHead refuses ${what} with ${status}`, () => {
    assert.throws(() => parseRequestHead(enc.encode(text)), (e: RequestHeadError) => {
      assert.equal(e.status, status, e.message);
      return true;
    });
  });
}

Deno.test("listsToken finds a token in a comma-separated header, in any case", () => {
  assert.equal(listsToken("keep-alive, Upgrade", "upgrade"), true);
  assert.equal(listsToken("keep-alive", "upgrade"), false);
  assert.equal(listsToken("upgrades", "upgrade"), false);
  assert.equal(listsToken(undefined, "upgrade"), false);
});

Deno.test("websocketAccept is RFC 6455's example", () => {
  assert.equal(websocketAccept("dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
});

Deno.test("a browser's upgrade request is accepted with 101 and its accept key", () => {
  const head = parseRequestHead(enc.encode(BROWSER_HEAD));
  assert.equal(upgradeRefusal(head), undefined);
  const answer = upgradeResponse(head);
  assert.match(answer, /^HTTP\/1\.1 101 Switching Protocols\r\n/);
  assert.match(answer, /\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK\+xOo=\r\n/);
  // No extension is accepted: the page's frames come uncompressed.
  assert.doesNotMatch(answer, /Extensions/);
  assert.ok(answer.endsWith("\r\n\r\n"));
});

Deno.test("a bad upgrade request is refused with the status RFC 6455 asks for", () => {
  const variants: [string, (h: string) => string, number, RegExp?][] = [
    ["no Upgrade", (h) => h.replace("Upgrade: websocket\r\n", ""), 426],
    ["no Connection: Upgrade", (h) => h.replace("keep-alive, Upgrade", "keep-alive"), 400],
    ["version 8", (h) => h.replace("Version: 13", "Version: 8"), 426, /13/],
    ["a short key", (h) => h.replace("dGhlIHNhbXBsZSBub25jZQ==", "c2hvcnQ="), 400],
    ["no key", (h) => h.replace(/Sec-WebSocket-Key: .*\r\n/, ""), 400],
    ["HTTP/1.0", (h) => h.replace("HTTP/1.1", "HTTP/1.0"), 400],
  ];
  for (const [what, change, status, header] of variants) {
    const r = upgradeRefusal(parseRequestHead(enc.encode(change(BROWSER_HEAD))));
    assert.ok(r, what);
    assert.equal(r.status, status, what);
    if (header) assert.match(r.headers?.["Sec-WebSocket-Version"] ?? "", header);
  }
});
