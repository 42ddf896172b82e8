/**
 * What `chat join` was asked to do, handed from the command line to the terminal or pipe client:
 * the nickname (if given), whether to ask seed 004's questions, the ARQ choice, timestamps, how
 * long to reconnect, and how to turn that choice into connection options (the fault injector is made there, so `/loss` and
 * `/corrupt` change the one the connection uses).
 * @module
 */

import type { FaultInjector } from "../faults/mod.ts";
import type { SessionParams } from "../protocol/control.ts";
import type { ConnectOptions } from "./connection.ts";
import type { ClientText } from "./messages.ts";

/** The protocol settings a person may choose (flags, or `--mode ui`'s questions). */
export interface ArqChoice {
  /** ARQ parameters for the SYN. */
  readonly params: SessionParams;
  /** Loss probability of the frames sent. */
  readonly loss: number;
  /** Corruption probability of the frames sent. */
  readonly corrupt: number;
}

/** Connection options for a choice, and the fault injector in them (binary sessions). */
export interface Connecting {
  /** Options for the connection (`onEvent` is added by the client). */
  readonly options: Omit<ConnectOptions, "onEvent">;
  /** The injector the options hold, for `/loss`, `/corrupt` and `/stats`. */
  readonly faults: FaultInjector | undefined;
}

/** Everything the clients need from the command line. */
export interface ClientPlan {
  /** What the client says to the person, in their language (default English). */
  readonly text?: ClientText;
  /** Nickname given with `--nick`, if any. */
  readonly nick: string | undefined;
  /** Ask protocol, window, loss and corruption first (`--mode ui`). */
  readonly askSettings: boolean;
  /** The choice from the flags (the questions' defaults). */
  readonly choice: ArqChoice;
  /** Largest window the questions accept. */
  readonly maxWindow: number;
  /** Show every frame (`--trace`). */
  readonly trace: boolean;
  /** Show the time before each line from the start (`--timestamps`). */
  readonly timestamps?: boolean;
  /** Reconnect for this long after the connection drops, ms (`--reconnect S`; 0: never). */
  readonly reconnectForMs?: number;
  /** Makes the connection options; `trace` is where frame lines go. */
  readonly connecting: (
    choice: ArqChoice,
    trace: ((line: string) => void) | undefined,
  ) => Connecting;
}
