/**
 * The head of an HTTP/1.x request (RFC 9112), read from a byte stream in pieces and parsed
 * strictly, as a pure state machine: a bounded number of bytes is held until the blank line
 * that ends the head, and anything that is not a well-formed request head is refused with the
 * status to answer. Only what `chat serve`'s web page needs: GET and HEAD of a path, headers;
 * no body, no absolute-form target, no line folding.
 * @module
 */

/** Largest request head accepted, bytes (a browser's is well under 2 KB; nginx allows 8 KB a line). */
export const MAX_HEAD_BYTES = 16 * 1024;
/** Largest request target, bytes. */
export const MAX_TARGET_BYTES = 2048;
/** Most header fields. */
export const MAX_HEADERS = 64;

/** A parsed request head. */
export interface RequestHead {
  /** The method as sent (`GET`). */
  readonly method: string;
  /** The path of the target, percent-decoding left to the caller (`/teacher`). */
  readonly path: string;
  /** The query of the target, without `?` (`token=abc`), or "". */
  readonly query: string;
  /** `HTTP/1.1` or `HTTP/1.0`. */
  readonly version: string;
  /** Header fields by lower-case name; repeated fields joined with `, `. */
  readonly headers: ReadonlyMap<string, string>;
}

/** A request head refused, with the status to answer. */
export class RequestHeadError extends Error {
  /** HTTP status: 400, 414, 431 or 505. */
  readonly status: number;
  constructor(message: string, status = 400) {
    super(message);
    this.name = "RequestHeadError";
    this.status = status;
  }
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const latin1 = new TextDecoder("latin1");

/**
 * Gathers a request head from the pieces of a stream: {@link push} returns the head and the
 * bytes that followed it once the blank line arrived, `undefined` while more is needed, and
 * throws a {@link RequestHeadError} as soon as the bytes cannot become a head (too long, a
 * control byte) without waiting for the rest.
 */
export class RequestHeadReader {
  readonly #max: number;
  #buf = new Uint8Array(512);
  #have = 0;
  /** Where the search for the blank line resumes. */
  #scan = 0;

  /** Holds at most `maxBytes` of head (default {@link MAX_HEAD_BYTES}). */
  constructor(maxBytes: number = MAX_HEAD_BYTES) {
    this.#max = maxBytes;
  }

  /** Bytes held so far. */
  get buffered(): number {
    return this.#have;
  }

  /** Adds a piece; the head and the bytes after it once complete (see the class comment). */
  push(chunk: Uint8Array): { head: RequestHead; rest: Uint8Array } | undefined {
    const room = this.#max - this.#have;
    const take = chunk.subarray(0, Math.min(chunk.length, room));
    this.#append(take);
    const end = findHeadEnd(this.#buf.subarray(0, this.#have), this.#scan);
    if (end < 0) {
      for (let i = this.#scan; i < this.#have; i++) checkHeadByte(this.#buf[i]!);
      this.#scan = Math.max(0, this.#have - 3);
      if (chunk.length > room || this.#have >= this.#max) {
        throw new RequestHeadError(`Request head too long: over ${this.#max} bytes`, 431);
      }
      return undefined;
    }
    const head = parseRequestHead(this.#buf.subarray(0, end));
    // Bytes after the head: from the held buffer, then the part of the chunk not taken.
    const heldAfter = this.#buf.subarray(end, this.#have);
    const rest = take.length === chunk.length && heldAfter.length === 0
      ? chunk.subarray(chunk.length)
      : concat(heldAfter, chunk.subarray(take.length));
    return { head, rest };
  }

  #append(bytes: Uint8Array): void {
    if (this.#have + bytes.length > this.#buf.length) {
      let cap = this.#buf.length * 2;
      while (cap < this.#have + bytes.length) cap *= 2;
      const next = new Uint8Array(Math.min(cap, this.#max));
      next.set(this.#buf.subarray(0, this.#have));
      this.#buf = next;
    }
    this.#buf.set(bytes, this.#have);
    this.#have += bytes.length;
  }
}

/**
 * Offset just past the blank line that ends a head (`\r\n\r\n`, or `\n\n` from a lax client),
 * searching from `from`; -1 when not there yet.
 */
export function findHeadEnd(bytes: Uint8Array, from = 0): number {
  for (let i = Math.max(0, from); i < bytes.length; i++) {
    if (bytes[i] !== 0x0a) continue;
    if (bytes[i + 1] === 0x0a) return i + 2;
    if (bytes[i + 1] === 0x0d && bytes[i + 2] === 0x0a) return i + 3;
  }
  return -1;
}

/** Parses a complete head (up to and including its blank line); throws {@link RequestHeadError}. */
export function parseRequestHead(bytes: Uint8Array): RequestHead {
  for (const b of bytes) checkHeadByte(b);
  const lines = latin1.decode(bytes).split("\n").map((l) => l.endsWith("\r") ? l.slice(0, -1) : l);
  // The blank line(s) at the end.
  while (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
  const requestLine = lines.shift();
  if (requestLine === undefined) throw new RequestHeadError("Empty request");
  const parts = requestLine.split(" ");
  if (parts.length !== 3) throw new RequestHeadError(`Bad request line: ${clip(requestLine)}`);
  const [method, target, version] = parts as [string, string, string];
  if (!TOKEN.test(method)) throw new RequestHeadError(`Bad method: ${clip(method)}`);
  if (version !== "HTTP/1.1" && version !== "HTTP/1.0") {
    if (/^HTTP\/\d\.\d$/.test(version)) {
      throw new RequestHeadError(`HTTP version not supported: ${version}`, 505);
    }
    throw new RequestHeadError(`Bad HTTP version: ${clip(version)}`);
  }
  if (target.length > MAX_TARGET_BYTES) {
    throw new RequestHeadError(`Request target too long: ${target.length} bytes`, 414);
  }
  if (!target.startsWith("/")) throw new RequestHeadError(`Bad request target: ${clip(target)}`);
  const q = target.indexOf("?");
  const path = q < 0 ? target : target.slice(0, q);
  const query = q < 0 ? "" : target.slice(q + 1);
  const headers = new Map<string, string>();
  if (lines.length > MAX_HEADERS) {
    throw new RequestHeadError(`Too many header fields: ${lines.length}`, 431);
  }
  for (const line of lines) {
    if (line.startsWith(" ") || line.startsWith("\t")) {
      throw new RequestHeadError("Folded header line");
    }
    const colon = line.indexOf(":");
    const name = colon < 0 ? "" : line.slice(0, colon);
    if (!TOKEN.test(name)) throw new RequestHeadError(`Bad header line: ${clip(line)}`);
    const key = name.toLowerCase();
    const value = line.slice(colon + 1).trim();
    const had = headers.get(key);
    if (had !== undefined && key === "host") throw new RequestHeadError("Host given twice");
    headers.set(key, had === undefined ? value : `${had}, ${value}`);
  }
  if (version === "HTTP/1.1" && !headers.has("host")) {
    throw new RequestHeadError("Missing Host header");
  }
  return { method, path, query, version, headers };
}

/**
 * True when a comma-separated header value lists `token` (case-insensitive), as
 * `Connection: keep-alive, Upgrade` lists `upgrade`.
 */
export function listsToken(value: string | undefined, token: string): boolean {
  if (value === undefined) return false;
  const want = token.toLowerCase();
  return value.split(",").some((t) => t.trim().toLowerCase() === want);
}

/** Refuses a byte that no request head holds: controls other than tab, CR and LF; DEL. */
function checkHeadByte(b: number): void {
  if ((b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d) || b === 0x7f) {
    throw new RequestHeadError(`Control byte in the request head: 0x${b.toString(16)}`);
  }
}

function clip(text: string): string {
  const shown = text.length > 64 ? `${text.slice(0, 64)}…` : text;
  return JSON.stringify(shown);
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
