/**
 * The suite: every test in run order, one file per group. A new test is one entry in its
 * group's list (a new group, one line here); ids are checked unique when the module loads.
 * @module
 */

import { type LevelChoice, runsAt, type TestSpec } from "./spec.ts";
import { TEXT_REGISTER } from "./suite/text_register.ts";
import { TEXT_MESSAGES } from "./suite/text_messages.ts";
import { TEXT_LEAVE } from "./suite/text_leave.ts";
import { TEXT_FRAMING } from "./suite/text_framing.ts";
import { FULL_REGISTER } from "./suite/full_register.ts";
import { FULL_COMMANDS } from "./suite/full_commands.ts";
import { FULL_BEHAVIOUR } from "./suite/full_behaviour.ts";
import { FULL_ROOMS } from "./suite/full_rooms.ts";
import { BINARY_HANDSHAKE } from "./suite/binary_handshake.ts";
import { BINARY_RECEIVER } from "./suite/binary_receiver.ts";
import { BINARY_SENDER } from "./suite/binary_sender.ts";
import { BINARY_SESSION } from "./suite/binary_session.ts";

/** Every test, in the order they run. */
export const SUITE: readonly TestSpec[] = [
  ...TEXT_REGISTER,
  ...TEXT_MESSAGES,
  ...TEXT_FRAMING,
  ...TEXT_LEAVE,
  ...FULL_REGISTER,
  ...FULL_COMMANDS,
  ...FULL_BEHAVIOUR,
  ...FULL_ROOMS,
  ...BINARY_HANDSHAKE,
  ...BINARY_RECEIVER,
  ...BINARY_SENDER,
  ...BINARY_SESSION,
];

const ID = /^(text|full|binary)\/[a-z0-9-]+\/[a-z0-9-]+$/;
{
  const seen = new Set<string>();
  for (const t of SUITE) {
    if (!ID.test(t.id)) throw new Error(`Bad test id: ${t.id}`);
    if (!t.id.startsWith(`${t.level}/`)) {
      throw new Error(`Test id must start with its level: ${t.id}`);
    }
    if (seen.has(t.id)) throw new Error(`Duplicate test id: ${t.id}`);
    seen.add(t.id);
  }
}

/**
 * The tests of `level` whose id matches one of `only` (globs, `*` = any characters; none =
 * all), in suite order.
 */
export function selectTests(
  level: LevelChoice,
  only: readonly string[] = [],
  suite: readonly TestSpec[] = SUITE,
): TestSpec[] {
  const patterns = only.map(globToRegExp);
  return suite.filter((t) =>
    runsAt(t, level) && (patterns.length === 0 || patterns.some((p) => p.test(t.id)))
  );
}

/** A glob (`*` any run of characters, `?` one) as an anchored regular expression. */
export function globToRegExp(glob: string): RegExp {
  const body = [...glob].map((ch) =>
    ch === "*" ? ".*" : ch === "?" ? "." : ch.replace(/[.+^${}()|[\]\\/]/g, "\\$&")
  ).join("");
  return new RegExp(`^${body}$`);
}
