/**
 * RFC 6455 WebSocket framing, as a pure streaming codec (no socket, no clock): a decoder that
 * takes the bytes of a stream in chunks of any size and reports the payload of data frames
 * piece by piece (no message is ever buffered whole, so its size costs no memory) and each
 * control frame whole; and an encoder of single frames.
 *
 * What a server must refuse (RFC 6455 §5): a client frame without a mask, reserved bits set (no
 * extension is negotiated), an unknown opcode, a fragmented or longer than 125-byte control
 * frame, a continuation with no message started or a new message inside a fragmented one, a
 * 64-bit length with its top bit set, invalid UTF-8 in a text message. Each is a
 * {@link WsProtocolError} with the close code to send (1002, 1007, 1009).
 * @module
 */

/** Frame opcodes (RFC 6455 §5.2). */
export const WsOpcode = Object.freeze({
  continuation: 0x0,
  text: 0x1,
  binary: 0x2,
  close: 0x8,
  ping: 0x9,
  pong: 0xa,
});

/** Close codes this program sends (RFC 6455 §7.4.1). */
export const WsClose = Object.freeze({
  normal: 1000,
  goingAway: 1001,
  protocolError: 1002,
  invalidData: 1007,
  policy: 1008,
  tooBig: 1009,
});

const EMPTY = new Uint8Array(0);

/** Largest payload of a control frame. */
export const MAX_CONTROL_PAYLOAD = 125;

/** A frame the decoder refuses, with the close code the peer is sent. */
export class WsProtocolError extends Error {
  /** Close code for the Close frame (1002, 1007 or 1009). */
  readonly code: number;
  constructor(message: string, code: number = WsClose.protocolError) {
    super(message);
    this.name = "WsProtocolError";
    this.code = code;
  }
}

/** Receives what a {@link WsFrameDecoder} finds, in stream order. */
export interface WsFrameSink {
  /**
   * A piece of a data message's payload, unmasked (a view valid during the call only); `last`
   * on the final piece of the message (an empty piece may carry it). `text` for a text message.
   */
  data(piece: Uint8Array, text: boolean, last: boolean): void;
  /** A whole control frame (close, ping, pong) with its unmasked payload (valid during the call). */
  control(opcode: number, payload: Uint8Array): void;
}

/** Options of a {@link WsFrameDecoder}. */
export interface WsDecoderOptions {
  /** Frames must be masked (a server decoding a client) or must not be (a client). */
  readonly masked: boolean;
  /** Largest data message, bytes (1009 past it). Default: no limit beyond the 63-bit length. */
  readonly maxMessage?: number;
}

/** Decoder stages. */
const HEADER = 0;
const PAYLOAD = 1;
const FAILED = 2;

/**
 * Streaming decoder of WebSocket frames. It holds at most one frame header (14 bytes) and one
 * control payload (125 bytes) between pushes; data payload bytes are unmasked in place in the
 * chunk given and handed on at once.
 */
export class WsFrameDecoder {
  readonly #masked: boolean;
  readonly #maxMessage: number;
  readonly #head = new Uint8Array(14);
  #headHave = 0;
  #stage: number = HEADER;
  #failed: WsProtocolError | undefined;
  // The frame being read.
  #opcode = 0;
  #fin = false;
  #remaining = 0;
  #frameLength = 0;
  readonly #mask = new Uint8Array(4);
  #maskAt = 0;
  #hasMask = false;
  // Control payload gathered across chunks.
  readonly #control = new Uint8Array(MAX_CONTROL_PAYLOAD);
  #controlHave = 0;
  // The data message in progress (a fragmented one spans frames).
  #inMessage = false;
  #messageText = false;
  #messageBytes = 0;
  #utf8: TextDecoder | undefined;

  constructor(options: WsDecoderOptions) {
    this.#masked = options.masked;
    this.#maxMessage = options.maxMessage ?? Number.MAX_SAFE_INTEGER;
  }

  /** The error that stopped the decoder, if any. */
  get error(): WsProtocolError | undefined {
    return this.#failed;
  }

  /** True between the first and the last frame of a data message. */
  get inMessage(): boolean {
    return this.#inMessage;
  }

  /**
   * Feeds a chunk (its data payload bytes are unmasked in place). Returns the error that stops
   * the stream, the same one on every later call; `undefined` otherwise.
   */
  push(chunk: Uint8Array, sink: WsFrameSink): WsProtocolError | undefined {
    let at = 0;
    while (at < chunk.length && this.#stage !== FAILED) {
      if (this.#stage === HEADER) {
        at = this.#readHeader(chunk, at);
        // A frame with no payload ends with its header.
        if (this.#stageNow() === PAYLOAD && this.#remaining === 0) this.#endFrame(sink);
        continue;
      }
      const n = Math.min(this.#remaining, chunk.length - at);
      const piece = chunk.subarray(at, at + n);
      at += n;
      this.#remaining -= n;
      if (this.#hasMask) this.#unmask(piece);
      if (this.#opcode >= 0x8) {
        this.#control.set(piece, this.#controlHave);
        this.#controlHave += n;
      } else {
        const last = this.#fin && this.#remaining === 0;
        if (this.#utf8) this.#checkUtf8(piece, last);
        if (this.#stage === FAILED) break;
        sink.data(piece, this.#messageText, last);
      }
      if (this.#remaining === 0 && this.#stageNow() === PAYLOAD) this.#endFrame(sink);
    }
    return this.#failed;
  }

  /** The stage (read through a call, so a check made before a state change is not reused). */
  #stageNow(): number {
    return this.#stage;
  }

  /** Reads header bytes from `chunk` at `at`; returns the new offset. */
  #readHeader(chunk: Uint8Array, at: number): number {
    const head = this.#head;
    while (at < chunk.length) {
      head[this.#headHave++] = chunk[at++]!;
      const need = this.#headerLength();
      if (need < 0) return at; // failed
      if (this.#headHave === need) {
        this.#startFrame();
        return at;
      }
    }
    return at;
  }

  /** Header length known from the bytes so far (2 until the length byte is read), -1 on error. */
  #headerLength(): number {
    if (this.#headHave < 2) return 2;
    const lenByte = this.#head[1]! & 0x7f;
    const ext = lenByte === 126 ? 2 : lenByte === 127 ? 8 : 0;
    const masked = (this.#head[1]! & 0x80) !== 0;
    if (this.#headHave === 2 && masked !== this.#masked) {
      this.#fail(this.#masked ? "Client frame not masked" : "Server frame masked");
      return -1;
    }
    return 2 + ext + (masked ? 4 : 0);
  }

  #startFrame(): void {
    const h = this.#head;
    const b0 = h[0]!;
    this.#fin = (b0 & 0x80) !== 0;
    const opcode = b0 & 0x0f;
    this.#headHave = 0;
    if ((b0 & 0x70) !== 0) return this.#fail(`Reserved bits set: 0x${hex2(b0 & 0x70)}`);
    const lenByte = h[1]! & 0x7f;
    let length: number;
    let off = 2;
    if (lenByte === 126) {
      length = (h[2]! << 8) | h[3]!;
      off = 4;
    } else if (lenByte === 127) {
      if ((h[2]! & 0x80) !== 0) return this.#fail("64-bit length with its top bit set");
      const hi = ((h[2]! << 24) | (h[3]! << 16) | (h[4]! << 8) | h[5]!) >>> 0;
      const lo = ((h[6]! << 24) | (h[7]! << 16) | (h[8]! << 8) | h[9]!) >>> 0;
      length = hi * 2 ** 32 + lo;
      off = 10;
    } else {
      length = lenByte;
    }
    this.#hasMask = (h[1]! & 0x80) !== 0;
    if (this.#hasMask) {
      this.#mask.set(h.subarray(off, off + 4));
      this.#maskAt = 0;
    }
    if (opcode >= 0x8) {
      if (opcode !== WsOpcode.close && opcode !== WsOpcode.ping && opcode !== WsOpcode.pong) {
        return this.#fail(`Unknown opcode: 0x${hex2(opcode)}`);
      }
      if (!this.#fin) return this.#fail("Fragmented control frame");
      if (length > MAX_CONTROL_PAYLOAD) {
        return this.#fail(`Control frame too long: ${length} bytes (max ${MAX_CONTROL_PAYLOAD})`);
      }
      this.#controlHave = 0;
    } else if (opcode === WsOpcode.continuation) {
      if (!this.#inMessage) return this.#fail("Continuation frame without a message");
    } else if (opcode === WsOpcode.text || opcode === WsOpcode.binary) {
      if (this.#inMessage) return this.#fail("New message inside a fragmented one");
      this.#inMessage = true;
      this.#messageText = opcode === WsOpcode.text;
      this.#messageBytes = 0;
      this.#utf8 = this.#messageText ? new TextDecoder("utf-8", { fatal: true }) : undefined;
    } else {
      return this.#fail(`Unknown opcode: 0x${hex2(opcode)}`);
    }
    if (opcode < 0x8) {
      this.#messageBytes += length;
      if (this.#messageBytes > this.#maxMessage) {
        return this.#fail(
          `Message too big: ${this.#messageBytes} bytes (max ${this.#maxMessage})`,
          WsClose.tooBig,
        );
      }
    }
    this.#opcode = opcode;
    this.#frameLength = length;
    this.#remaining = length;
    this.#stage = PAYLOAD;
  }

  /** The current frame's payload is complete. */
  #endFrame(sink: WsFrameSink): void {
    this.#stage = HEADER;
    if (this.#opcode >= 0x8) {
      sink.control(this.#opcode, this.#control.subarray(0, this.#controlHave));
      return;
    }
    if (!this.#fin) return;
    if (this.#frameLength === 0) {
      // An empty final frame had no piece of its own: the sink still hears the message ended.
      if (this.#utf8) this.#checkUtf8(EMPTY, true);
      if (this.#stage === FAILED) return;
      sink.data(EMPTY, this.#messageText, true);
    }
    this.#inMessage = false;
    this.#utf8 = undefined;
  }

  #unmask(piece: Uint8Array): void {
    const mask = this.#mask;
    let m = this.#maskAt;
    for (let i = 0; i < piece.length; i++) {
      piece[i] = piece[i]! ^ mask[m]!;
      m = (m + 1) & 3;
    }
    this.#maskAt = m;
  }

  #checkUtf8(piece: Uint8Array, end: boolean): void {
    try {
      this.#utf8!.decode(piece, { stream: !end });
    } catch {
      this.#fail("Invalid UTF-8 in a text message", WsClose.invalidData);
    }
  }

  #fail(message: string, code: number = WsClose.protocolError): void {
    this.#failed = new WsProtocolError(message, code);
    this.#stage = FAILED;
  }
}

/** Bytes of a frame header for `length` payload bytes, masked or not. */
export function wsHeaderLength(length: number, masked: boolean): number {
  return (length < 126 ? 2 : length < 65536 ? 4 : 10) + (masked ? 4 : 0);
}

/**
 * Writes a final frame's header at `into[at]` for `length` payload bytes (with `mask`, the
 * 4-byte masking key, when a client sends); returns the header's length.
 */
export function writeWsHeader(
  into: Uint8Array,
  at: number,
  opcode: number,
  length: number,
  mask?: Uint8Array,
): number {
  const start = at;
  into[at++] = 0x80 | opcode;
  const maskBit = mask ? 0x80 : 0;
  if (length < 126) {
    into[at++] = maskBit | length;
  } else if (length < 65536) {
    into[at++] = maskBit | 126;
    into[at++] = length >>> 8;
    into[at++] = length & 0xff;
  } else {
    into[at++] = maskBit | 127;
    const hi = Math.floor(length / 2 ** 32);
    const lo = length >>> 0;
    for (const word of [hi, lo]) {
      into[at++] = word >>> 24;
      into[at++] = (word >>> 16) & 0xff;
      into[at++] = (word >>> 8) & 0xff;
      into[at++] = word & 0xff;
    }
  }
  if (mask) {
    into.set(mask.subarray(0, 4), at);
    at += 4;
  }
  return at - start;
}

/**
 * One whole final frame: header and payload, the payload masked with `mask` when given (a
 * client's frame).
 */
export function encodeWsFrame(
  opcode: number,
  payload: Uint8Array,
  mask?: Uint8Array,
): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(wsHeaderLength(payload.length, mask !== undefined) + payload.length);
  const h = writeWsHeader(out, 0, opcode, payload.length, mask);
  out.set(payload, h);
  if (mask) { for (let i = 0; i < payload.length; i++) out[h + i] = out[h + i]! ^ mask[i & 3]!; }
  return out;
}

/** A Close frame's payload: the code (u16) and a UTF-8 reason cut to fit 125 bytes. */
export function closePayload(code: number, reason = ""): Uint8Array<ArrayBuffer> {
  let bytes = new TextEncoder().encode(reason);
  if (bytes.length > MAX_CONTROL_PAYLOAD - 2) {
    // Cut at a character boundary.
    let end = MAX_CONTROL_PAYLOAD - 2;
    while (end > 0 && (bytes[end]! & 0xc0) === 0x80) end--;
    bytes = bytes.subarray(0, end);
  }
  const out = new Uint8Array(2 + bytes.length);
  out[0] = code >>> 8;
  out[1] = code & 0xff;
  out.set(bytes, 2);
  return out;
}

/** The code of a Close frame's payload (1005 "no status" when it carries none). */
export function closeCode(payload: Uint8Array): number {
  return payload.length >= 2 ? (payload[0]! << 8) | payload[1]! : 1005;
}

function hex2(n: number): string {
  return n.toString(16).padStart(2, "0");
}
