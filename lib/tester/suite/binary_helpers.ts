/**
 * Steps the binary tests share: session parameters, a registered binary user, waiting for the
 * server to go quiet, and making the server send one long chat line in many small frames so its
 * sender (window, timers, NACK handling) can be watched.
 * @module
 */

import type { BinaryClient, BinaryOptions } from "../binary_client.ts";
import type { TestContext } from "../context.ts";
import type { TapFrame } from "../frame_tap.ts";
import { FrameType, frameTypeName, type SessionParams } from "../../protocol/mod.ts";
import type { TextClient } from "../text_client.ts";
import { command } from "./helpers.ts";

/** The tester's initial sequence number: its first DATA (the nickname) is 1001. */
export const ISN = 1000;
/** Sequence number of the first DATA after the nickname. */
export const FIRST_MSG = ISN + 2;

/** Session parameters by name; `small` payloads make a short line travel in many frames. */
export function params(
  mode: "gbn" | "sr",
  ackPolicy: "frame" | "sack" = "frame",
  maxPayload = 1024,
  window = 8,
): SessionParams {
  return { mode, window, ackPolicy, maxPayload };
}

/** Waits for the handshake; fails with what the server sent instead. */
export async function established(t: TestContext, c: BinaryClient): Promise<void> {
  const ok = await c.waitUntil(() => c.established || undefined, t.replyMs, t.signal);
  if (ok) return;
  const got = c.frames.map((f) => frameTypeName(f.type)).join(", ");
  t.fail(
    `No handshake within ${t.replyMs} ms: ${
      c.streamProblem ?? (got ? `got ${got}` : "no frame from the server")
    }`,
  );
}

/**
 * A binary session registered as `nick(base)` (reply 200 awaited); `policy` is installed before
 * the handshake (e.g. ACKs held back to make the server measure long round trips).
 */
export async function binaryUser(
  t: TestContext,
  base: string,
  options: BinaryOptions,
  policy?: BinaryClient["policy"],
): Promise<BinaryClient> {
  const c = await t.binary(base, { isn: ISN, ...options });
  c.policy = policy;
  await established(t, c);
  const since = c.received.text.length;
  c.sendLine(t.nick(base));
  await t.expectStatus(c, since, 200, `registering ${t.nick(base)} over a binary session`);
  return c;
}

/**
 * Waits until the tester holds no delayed frame and the server sent `c` nothing for `ms` (at
 * most `limitMs`).
 */
export async function quiet(
  t: TestContext,
  c: BinaryClient,
  ms = 200,
  limitMs = 3000,
): Promise<void> {
  const end = performance.now() + limitMs;
  while (performance.now() < end) {
    const n = c.frames.length;
    await t.sleep(ms);
    if (c.frames.length === n && c.delayedFrames === 0) return;
  }
}

/** The DATA frames from index `from` on, one per sequence number, in order of first arrival. */
export function distinctData(c: BinaryClient, from: number): number[] {
  const seen: number[] = [];
  for (let i = from; i < c.frames.length; i++) {
    const f = c.frames[i]!;
    if (f.type === FrameType.DATA && !seen.includes(f.seq)) seen.push(f.seq);
  }
  return seen;
}

/** How many times DATA `seq` arrived from index `from` on (after time `after`, if given). */
export function dataCount(c: BinaryClient, seq: number, from: number, after = -Infinity): number {
  let n = 0;
  for (let i = from; i < c.frames.length; i++) {
    const f = c.frames[i]!;
    if (f.type === FrameType.DATA && f.seq === seq && f.at > after) n++;
  }
  return n;
}

/** The frames of `type` from index `from` on. */
export function framesOf(c: BinaryClient, type: number, from = 0): TapFrame[] {
  return c.frames.slice(from).filter((f) => f.type === type);
}

/** What a burst scenario set up. */
export interface Burst {
  /** The text user who sent the line. */
  readonly sender: TextClient;
  /** The binary user the server sends it to. */
  readonly bin: BinaryClient;
  /** Index in `bin.frames` where the line's frames start. */
  readonly from: number;
  /** The line's DATA sequence numbers, in order. */
  readonly seqs: number[];
  /** The token at the end of the line. */
  readonly token: string;
}

/**
 * A text user and a binary user (32-byte payloads, so one 200-character chat line needs about
 * seven DATA frames); once the binary session is quiet, the policy `policy(bin, from)` makes is
 * installed on it (e.g. hold its ACKs) and the text user sends the line. With `delayAcksMs`, the binary user's ACKs are
 * held that long while it registers: the server measures long round trips, so its
 * retransmission timeout grows well past the time a NACK takes to be answered. Resolves once the line's frames stopped coming
 * for `collectMs` (retransmissions may already be among them).
 */
export async function burst(
  t: TestContext,
  session: SessionParams,
  policy: (bin: BinaryClient, from: number) => BinaryClient["policy"],
  options: { collectMs?: number; delayAcksMs?: number } = {},
): Promise<Burst> {
  const sender = await t.user("tio");
  const slow = options.delayAcksMs;
  // ACKs are slowed only once the welcome and the room's history have arrived: slowed from the
  // start, a history of a few KiB in 32-byte frames would still be flowing during the burst.
  let slowed = false;
  const bin = await binaryUser(
    t,
    "bin",
    { params: session },
    slow ? (f) => slowed && f.type === FrameType.ACK ? { delayMs: slow } : undefined : undefined,
  );
  await quiet(t, bin);
  slowed = true;
  const from = bin.frames.length;
  bin.policy = policy(bin, from);
  const token = t.token();
  await command(t, sender, `MSG ${"x".repeat(200 - token.length - 1)} ${token}`, 200, "MSG");
  const first = await bin.waitFrame(
    (f, i) => i >= from && f.type === FrameType.DATA,
    t.replyMs,
    t.signal,
  );
  if (!first) t.fail(`The binary user got no DATA for the chat line within ${t.replyMs} ms`);
  let n = -1;
  while (distinctData(bin, from).length !== n) {
    n = distinctData(bin, from).length;
    await t.sleep(options.collectMs ?? 150);
  }
  return { sender, bin, from, seqs: distinctData(bin, from), token };
}
