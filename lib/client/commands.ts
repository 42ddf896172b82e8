/**
 * What a user types in `chat join`, turned into protocol command lines: plain text is a chat
 * message (MSG); the slash commands come from one registry that also writes `/help`. `/nick`,
 * `/who`, `/msg`, `/me`, `/join`, `/rooms`, `/op`, `/quit` map to NICK, LIST, PRIV, ME, JOIN,
 * ROOMS, OP, QUIT, and an operator's `/kick`, `/mute`, `/unmute`, `/ban`, `/unban`, `/announce`,
 * `/faults`, `/close` to the verbs of the same names; `/quote LINE` sends a line as it is;
 * `/stats`, `/loss`, `/corrupt` and `/timestamp` act locally; `//x` and `/say x` send text as it
 * is. A line that is just "help" (any case), which the server's welcome invites, shows the help
 * instead of being sent. `/help` and the errors speak the language of the table given (command
 * names and verbs are the same in every language; `/timestamp` takes `sim`/`não` too).
 * @module
 */

import { CLIENT_TEXT, type ClientText } from "./messages.ts";

/** The result of one typed line. */
export type TypedLine =
  | { readonly kind: "send"; readonly line: string }
  | { readonly kind: "quit" }
  | { readonly kind: "stats" }
  | { readonly kind: "help"; readonly server: boolean }
  | { readonly kind: "loss"; readonly value: string }
  | { readonly kind: "corrupt"; readonly value: string }
  | { readonly kind: "timestamps"; readonly on: boolean }
  | { readonly kind: "error"; readonly message: string }
  | { readonly kind: "none" };

type SlashKey = keyof ClientText["slash"];

/** One slash command: its names, its text's key (what it does, what it takes), how it is read. */
interface SlashCommand {
  readonly names: readonly string[];
  /** Its entry in `ClientText.slash` (and `slashArgs` when it takes arguments). */
  readonly key: SlashKey;
  readonly parse: (rest: string, usage: () => TypedLine) => TypedLine;
  /** Shown under "operator commands" in `/help`. */
  readonly operator?: boolean;
}

/** A slash command that sends `VERB rest`; `rest` is required unless `optional`. */
function verb(
  name: string,
  key: SlashKey,
  wire: string,
  options: { optional?: boolean; operator?: boolean } = {},
): SlashCommand {
  return {
    names: [name],
    key,
    operator: options.operator,
    parse: (rest, usage) => {
      if (rest === "") return options.optional ? { kind: "send", line: wire } : usage();
      return { kind: "send", line: `${wire} ${rest}` };
    },
  };
}

const SLASH_COMMANDS: readonly SlashCommand[] = [
  {
    names: ["/say"],
    key: "say",
    parse: (rest, usage) => rest ? msg(rest) : usage(),
  },
  {
    names: ["/nick"],
    key: "nick",
    parse: (rest, usage) => rest ? { kind: "send", line: `NICK ${rest}` } : usage(),
  },
  {
    names: ["/who", "/list"],
    key: "who",
    parse: () => ({ kind: "send", line: "LIST sessions" }),
  },
  {
    names: ["/msg"],
    key: "msg",
    parse: (rest, usage) => {
      const sp = rest.indexOf(" ");
      if (sp < 0) return usage();
      return { kind: "send", line: `PRIV ${rest.slice(0, sp)} ${rest.slice(sp + 1)}` };
    },
  },
  verb("/me", "me", "ME"),
  verb("/join", "join", "JOIN"),
  verb("/rooms", "rooms", "ROOMS", { optional: true }),
  {
    names: ["/timestamp", "/timestamps"],
    key: "timestamp",
    parse: (rest, usage) => {
      if (/^(on|yes|y|1|sim|s|ligado)$/i.test(rest)) return { kind: "timestamps", on: true };
      if (/^(off|no|n|0|n[aã]o|desligado)$/i.test(rest)) return { kind: "timestamps", on: false };
      return usage();
    },
  },
  {
    names: ["/stats"],
    key: "stats",
    parse: () => ({ kind: "stats" }),
  },
  {
    names: ["/loss"],
    key: "loss",
    parse: (rest, usage) => rest ? { kind: "loss", value: rest } : usage(),
  },
  {
    names: ["/corrupt"],
    key: "corrupt",
    parse: (rest, usage) => rest ? { kind: "corrupt", value: rest } : usage(),
  },
  {
    names: ["/quote"],
    key: "quote",
    parse: (rest, usage) => {
      if (!rest) return usage();
      // QUIT takes the client's own way out (wait for answers, then leave with exit 0).
      if (/^quit$/i.test(rest)) return { kind: "quit" };
      return { kind: "send", line: rest };
    },
  },
  {
    names: ["/help"],
    key: "help",
    parse: (rest) => ({ kind: "help", server: /^(server|servidor)$/i.test(rest) }),
  },
  {
    names: ["/quit", "/exit"],
    key: "quit",
    parse: () => ({ kind: "quit" }),
  },
  verb("/op", "op", "OP"),
  verb("/kick", "kick", "KICK", { operator: true }),
  verb("/mute", "mute", "MUTE", { operator: true }),
  verb("/unmute", "unmute", "UNMUTE", { operator: true }),
  verb("/ban", "ban", "BAN", { operator: true }),
  verb("/unban", "unban", "UNBAN", { operator: true }),
  verb("/announce", "announce", "ANNOUNCE", { operator: true }),
  verb("/faults", "faults", "FAULTS", { operator: true }),
  verb("/close", "close", "CLOSE", { operator: true }),
];

const BY_NAME = new Map(SLASH_COMMANDS.flatMap((c) => c.names.map((n) => [n, c] as const)));

/** A command's syntax in `text`'s language: `/msg NICK TEXT`. */
function syntaxOf(c: SlashCommand, text: ClientText): string {
  const args = (text.slashArgs as Partial<Record<SlashKey, string>>)[c.key];
  return args === undefined ? c.names[0]! : `${c.names[0]} ${args}`;
}

/** `/help`: the slash commands, one a line, generated from the registry, in `text`'s language. */
export function slashHelp(text: ClientText = CLIENT_TEXT): string {
  const section = (commands: readonly SlashCommand[]) => {
    const width = Math.max(...commands.map((c) => syntaxOf(c, text).length));
    return commands.map((c) => `  ${syntaxOf(c, text).padEnd(width)}  ${text.slash[c.key]}`);
  };
  return [
    text.helpTitle,
    ...section(SLASH_COMMANDS.filter((c) => !c.operator)),
    text.helpOperator,
    ...section(SLASH_COMMANDS.filter((c) => c.operator)),
    text.helpWord,
    text.keys,
  ].join("\n");
}

/** Interprets one typed line; error messages in `text`'s language. */
export function interpretTyped(input: string, text: ClientText = CLIENT_TEXT): TypedLine {
  const line = input.replace(/\r?\n$/, "");
  if (line.trim() === "") return { kind: "none" };
  if (/^help$/i.test(line.trim())) return { kind: "help", server: false };
  if (line.startsWith("//")) return msg(line.slice(1));
  if (!line.startsWith("/")) return msg(line);
  const space = line.indexOf(" ");
  const name = (space < 0 ? line : line.slice(0, space)).toLowerCase();
  const rest = space < 0 ? "" : line.slice(space + 1).trim();
  const command = BY_NAME.get(name);
  if (!command) return { kind: "error", message: text.unknownCommand(name) };
  return command.parse(
    rest,
    () => ({ kind: "error", message: text.usage(syntaxOf(command, text)) }),
  );
}

function msg(text: string): TypedLine {
  return { kind: "send", line: `MSG ${text}` };
}
