/**
 * Typed errors of the frame decoder. A {@link ChecksumError} is recoverable (the frame is
 * dropped and, on a data path, NACKed); every other error is framing damage that ends the
 * session with its message as the reason.
 * @module
 */

/** Base class of every decoding error. */
export class FrameError extends Error {
  /** True when the stream can go on after this error (only checksum failures). */
  readonly recoverable: boolean = false;
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A whole frame arrived but its checksum does not match: its fields cannot be trusted. */
export class ChecksumError extends FrameError {
  override readonly recoverable = true;
  /** Payload length of the damaged frame (the only field read before the checksum). */
  readonly length: number;
  /** The checksum carried by the frame and the one computed over it. */
  readonly carried: number;
  /** The checksum computed over the received bytes. */
  readonly computed: number;
  constructor(length: number, carried: number, computed: number) {
    super(
      `Bad checksum: carried 0x${hex4(carried)}, computed 0x${
        hex4(computed)
      } (${length}-byte payload)`,
    );
    this.length = length;
    this.carried = carried;
    this.computed = computed;
  }
}

/** The first byte of a frame is not the protocol magic: the stream is out of step. */
export class BadMagicError extends FrameError {
  /** The byte found where the magic was expected. */
  readonly found: number;
  constructor(found: number) {
    super(`Bad magic byte: 0x${found.toString(16).padStart(2, "0")} (expected 0xc1)`);
    this.found = found;
  }
}

/** The length field exceeds the largest payload allowed. */
export class OversizeFrameError extends FrameError {
  /** The declared payload length. */
  readonly length: number;
  /** The largest payload accepted. */
  readonly max: number;
  constructor(length: number, max: number) {
    super(`Frame too long: ${length}-byte payload (max ${max})`);
    this.length = length;
    this.max = max;
  }
}

/** A frame with a valid checksum names a type this version does not know. */
export class UnknownTypeError extends FrameError {
  /** The unknown type value. */
  readonly type: number;
  constructor(type: number) {
    super(`Unknown frame type: ${type}`);
    this.type = type;
  }
}

/** The stream ended inside a frame. */
export class TruncatedFrameError extends FrameError {
  /** Bytes of the unfinished frame that were received. */
  readonly received: number;
  constructor(received: number) {
    super(`Stream ended inside a frame: ${received} byte(s) of an unfinished frame`);
    this.received = received;
  }
}

/** A control frame's payload does not have the layout its type requires. */
export class BadPayloadError extends FrameError {
  constructor(message: string) {
    super(message);
  }
}

function hex4(n: number): string {
  return n.toString(16).padStart(4, "0");
}
