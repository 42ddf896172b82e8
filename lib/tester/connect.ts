/**
 * The one place the tester opens TCP connections. A server started for a test may not be
 * listening yet: a refused connection is retried until the server's start deadline (so no
 * probe connection ever disturbs a student's server before the test's own clients arrive).
 * @module
 */

import type { Conn } from "../net/transport.ts";
import { dialTcp } from "../net/tcp_transport.ts";
import { ServerUnavailable, TestFailure } from "./spec.ts";
import type { Transcript } from "./transcript.ts";

/** Where to connect and how long to keep trying. */
export interface ConnectTarget {
  /** Host name or address. */
  readonly host: string;
  /** TCP port. */
  readonly port: number;
  /** Until this time (`performance.now()` ms) a refused connection is tried again. */
  readonly retryUntil: number;
  /** Says why the server cannot come any more (it exited), or `undefined` while it may. */
  readonly gone?: () => string | undefined;
}

/** Longest wait for one connection attempt. */
const ATTEMPT_MS = 3000;

/** Connects, retrying refused connections until `target.retryUntil`; throws {@link TestFailure}. */
export async function connectTcp(
  target: ConnectTarget,
  signal: AbortSignal,
): Promise<Conn> {
  let refused = 0;
  for (;;) {
    const gone = target.gone?.();
    if (gone !== undefined) throw new ServerUnavailable(gone);
    if (signal.aborted) throw new TestFailure("The test ran out of time while connecting");
    try {
      return await dialTcp(
        target.host,
        target.port,
        AbortSignal.any([signal, AbortSignal.timeout(ATTEMPT_MS)]),
      );
    } catch (error) {
      if (error instanceof Deno.errors.ConnectionRefused && performance.now() < target.retryUntil) {
        refused++;
        await new Promise((r) => setTimeout(r, Math.min(200, 20 * refused)));
        continue;
      }
      const gone = target.gone?.();
      if (gone !== undefined) throw new ServerUnavailable(gone);
      if (refused > 0) {
        throw new ServerUnavailable(
          `Nothing listened on ${target.host}:${target.port} after the server started ` +
            `(it must listen on the port given as {port} in its command, or as $PORT)`,
        );
      }
      const what = error instanceof Error ? error.message : String(error);
      throw new ServerUnavailable(`Cannot connect to ${target.host}:${target.port}: ${what}`);
    }
  }
}

/** {@link connectTcp}, noting the client's port in the transcript under `name`. */
export async function openNoted(
  target: ConnectTarget,
  signal: AbortSignal,
  transcript: Transcript,
  name: string,
): Promise<Conn> {
  const conn = await connectTcp(target, signal);
  transcript.line(name, "note", `connected from port ${conn.localAddr.port}`);
  return conn;
}

/** Writes all of `bytes`; resolves false when the connection is gone. */
export async function writeAll(conn: Pick<Conn, "write">, bytes: Uint8Array): Promise<boolean> {
  try {
    let off = 0;
    while (off < bytes.length) off += await conn.write(bytes.subarray(off));
    return true;
  } catch {
    return false;
  }
}
