/**
 * What the chat core needs from a connection, and what it keeps about a registered user. The
 * server's session edges implement {@link ChatClient}; the lobby makes one {@link Member} per
 * registered client.
 * @module
 */

import type { TokenBucket } from "./flood.ts";
import type { CommandBudget } from "./limits.ts";
import type { ServerText } from "./messages.ts";
import type { LogCursor } from "./line_log.ts";
import type { Room } from "./room.ts";

/** Loss and corruption injected on the frames the server sends to one binary session. */
export interface LinkFaults {
  /** Probability that a frame is dropped (0..1). */
  readonly loss: number;
  /** Probability that a frame is corrupted (0..1). */
  readonly corrupt: number;
}

/** How a user's session talks to the server, as `LIST sessions` shows it. */
export interface SessionDescription {
  /** The plain-text protocol, or the binary one's ARQ mode. */
  readonly protocol: "text" | "gbn" | "sr";
  /** Binary: the window the handshake agreed on. */
  readonly window?: number;
  /** Binary: the ACK policy the client chose. */
  readonly ackPolicy?: "frame" | "sack";
  /** What carries it: `tcp`, `udp`, `ws` (a browser), ... */
  readonly transport: string;
}

/** What the chat core needs from a connection; implemented by the server's session edges. */
export interface ChatClient {
  /** Unique per connection. */
  readonly id: number;
  /**
   * Queues bytes (ending in `\n`); must not throw. The chat core never changes bytes it has
   * sent, so a client keeps views of them instead of copies. Broadcasts come as runs of whole
   * lines of a room's line log with `sum` = `onesSum(bytes)` (RFC 1071), for a client that
   * checksums what it sends; replies come alone, without a sum.
   */
  send(bytes: Uint8Array, sum?: number): void;
  /** Closes after pending sends are written; idempotent. */
  close(): void;
  /**
   * The longest run of broadcast lines it wants in one `send` (a binary session's frame
   * payload); runs are cut at line ends, a longer line comes alone. Read when the client enters
   * a room. Default: no limit.
   */
  readonly logPieceMax?: number;
  /** The peer's address without the port (`10.0.0.7`), for bans; default: none. */
  readonly address?: string;
  /**
   * What it may ask of the chat (`limits.ts`): every command line it sends takes a token, every
   * broadcast one of its address's flood bucket. Default: unlimited.
   */
  readonly budget?: CommandBudget;
  /**
   * Sets the faults injected on the frames sent to this client (`undefined`: back to the
   * server's own setting). Absent on a client that has no frames (a plain-text session).
   */
  setFaults?(faults: LinkFaults | undefined): void;
  /** How it talks to the server (`LIST sessions`); absent: unknown. */
  describe?(): SessionDescription;
}

/** A registered user, as the lobby and its rooms keep it. */
export interface Member {
  readonly client: ChatClient;
  nick: string;
  /** Its nickname's keys in the lobby's index (see `nickKeys`). */
  keys: readonly string[];
  /**
   * `[nick]: ` in UTF-8, the start of each of its chat lines; made at its first line (most of a
   * large room only listens).
   */
  prefix: Uint8Array | undefined;
  bucket: TokenBucket | undefined;
  /** The room it is in. */
  room: Room;
  /** Its position in its room's line log: everything before it was handed over or skipped. */
  cursor: LogCursor;
  /** True once it gave the operator password (`OP`). */
  operator: boolean;
  /** Wrong operator passwords given so far. */
  failedOps: number;
  /** Until when (the lobby's clock, ms) its chat text is refused; 0: not muted. */
  mutedUntil: number;
  /** The token that resumes it after a lost connection, once it asked for one (`TOKEN`). */
  token: string | undefined;
  /** Faults an operator set on its link, over its room's (`FAULTS nick ...`). */
  faults: LinkFaults | undefined;
  /** The language of its replies and of the notices told to it alone (`LANG`, else the server's). */
  text: ServerText;
}
