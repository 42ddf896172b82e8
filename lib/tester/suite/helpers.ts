/**
 * Steps many tests share: registering several users at once, sending a command and judging its
 * reply, checking that a token arrived exactly once.
 * @module
 */

import type { BinaryClient } from "../binary_client.ts";
import type { TestContext } from "../context.ts";
import type { StatusLine } from "../received_text.ts";
import type { TextClient } from "../text_client.ts";

/** How long to keep listening after an expected line arrived, to catch a duplicate. */
export const SETTLE_MS = 250;

/** Registers one text user per base name, all at once; resolves in the same order. */
export function users(t: TestContext, ...bases: string[]): Promise<TextClient[]> {
  return Promise.all(bases.map((b) => t.user(b)));
}

/** Sends `line` and waits for its reply; fails unless the code is `code`. */
export async function command(
  t: TestContext,
  c: TextClient,
  line: string,
  code: number,
  what = JSON.stringify(line.length > 40 ? `${line.slice(0, 40)}...` : line),
): Promise<StatusLine> {
  const mark = c.mark();
  await c.send(line);
  return await t.expectStatus(c, mark, code, what);
}

/**
 * Checks that `token` reaches each of `to` exactly once (from each one's `since` mark), after
 * waiting for it and listening {@link SETTLE_MS} more.
 */
export async function expectOnce(
  t: TestContext,
  token: string,
  to: readonly { client: TextClient | BinaryClient; since: number }[],
  what: string,
): Promise<void> {
  const counts = await Promise.all(to.map(({ client, since }) => t.received(client, token, since)));
  counts.forEach((n, i) => {
    if (n === 0) t.fail(`${to[i]!.client.name} never received ${what}`);
  });
  await t.sleep(SETTLE_MS);
  for (const { client, since } of to) {
    const n = client.received.count(token, since);
    t.check(n === 1, `${client.name} received ${what} ${n} times, expected once`);
  }
}

/** Fails when `client` received `token` (from `since` on). */
export function expectNone(
  t: TestContext,
  token: string,
  client: TextClient | BinaryClient,
  since: number,
  what: string,
): void {
  const n = client.received.count(token, since);
  t.check(n === 0, `${client.name} received ${what} (${n} times) but should not have`);
}

/** The reply's body line, waiting for it up to the reply timeout. */
export async function bodyOf(
  t: TestContext,
  c: TextClient | BinaryClient,
  s: StatusLine,
  what: string,
): Promise<string> {
  const body = await c.received.wait(() => c.received.bodyOf(s), t.replyMs, t.signal);
  if (body === undefined) t.fail(`The reply to ${what} has no body line`);
  return body;
}

/** Portuguese text with accents, a cedilla and a tilde, as students type it. */
export const PORTUGUESE = "Olá, tudo bem? Ação, coração e pão de queijo — você já viu a função?";
