/**
 * What a user types in `chat join`, turned into protocol command lines: plain text is a chat
 * message (MSG); the slash commands come from one registry that also writes `/help`. `/nick`,
 * `/who`, `/msg`, `/me`, `/join`, `/rooms`, `/op`, `/quit` map to NICK, LIST, PRIV, ME, JOIN,
 * ROOMS, OP, QUIT, and an operator's `/kick`, `/mute`, `/unmute`, `/ban`, `/unban`, `/announce`,
 * `/faults`, `/close` to the verbs of the same names; `/quote LINE` sends a line as it is;
 * `/stats`, `/loss`, `/corrupt` and `/timestamp` act locally; `//x` and `/say x` send text as it
 * is. A line that is just "help" (any case), which the server's welcome invites, shows the help
 * instead of being sent.
 * @module
 */

import { CLIENT_TEXT } from "./messages.ts";

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

/** One slash command: its names, its syntax, what it does, and how its argument is read. */
interface SlashCommand {
  readonly names: readonly string[];
  readonly syntax: string;
  readonly help: string;
  readonly parse: (rest: string) => TypedLine;
  /** Shown under "operator commands" in `/help`. */
  readonly operator?: boolean;
}

/** A slash command that sends `VERB rest`; `rest` is required unless `optional`. */
function verb(
  name: string,
  syntax: string,
  help: string,
  wire: string,
  options: { optional?: boolean; operator?: boolean } = {},
): SlashCommand {
  return {
    names: [name],
    syntax,
    help,
    operator: options.operator,
    parse: (rest) => {
      if (rest === "") return options.optional ? { kind: "send", line: wire } : usage(syntax);
      return { kind: "send", line: `${wire} ${rest}` };
    },
  };
}

const text = CLIENT_TEXT.slash;

const SLASH_COMMANDS: readonly SlashCommand[] = [
  {
    names: ["/say"],
    syntax: "/say TEXT",
    help: text.say,
    parse: (rest) => rest ? msg(rest) : usage("/say TEXT"),
  },
  {
    names: ["/nick"],
    syntax: "/nick NAME",
    help: text.nick,
    parse: (rest) => rest ? { kind: "send", line: `NICK ${rest}` } : usage("/nick NAME"),
  },
  {
    names: ["/who", "/list"],
    syntax: "/who",
    help: text.who,
    parse: () => ({ kind: "send", line: "LIST sessions" }),
  },
  {
    names: ["/msg"],
    syntax: "/msg NICK TEXT",
    help: text.msg,
    parse: (rest) => {
      const sp = rest.indexOf(" ");
      if (sp < 0) return usage("/msg NICK TEXT");
      return { kind: "send", line: `PRIV ${rest.slice(0, sp)} ${rest.slice(sp + 1)}` };
    },
  },
  verb("/me", "/me ACTION", text.me, "ME"),
  verb("/join", "/join ROOM", text.join, "JOIN"),
  verb("/rooms", "/rooms", text.rooms, "ROOMS", { optional: true }),
  {
    names: ["/timestamp", "/timestamps"],
    syntax: "/timestamp on|off",
    help: text.timestamp,
    parse: (rest) => {
      if (/^(on|yes|1)$/i.test(rest)) return { kind: "timestamps", on: true };
      if (/^(off|no|0)$/i.test(rest)) return { kind: "timestamps", on: false };
      return usage("/timestamp on|off");
    },
  },
  {
    names: ["/stats"],
    syntax: "/stats",
    help: text.stats,
    parse: () => ({ kind: "stats" }),
  },
  {
    names: ["/loss"],
    syntax: "/loss P",
    help: text.loss,
    parse: (rest) => rest ? { kind: "loss", value: rest } : usage("/loss P"),
  },
  {
    names: ["/corrupt"],
    syntax: "/corrupt P",
    help: text.corrupt,
    parse: (rest) => rest ? { kind: "corrupt", value: rest } : usage("/corrupt P"),
  },
  {
    names: ["/quote"],
    syntax: "/quote LINE",
    help: text.quote,
    parse: (rest) => {
      if (!rest) return usage("/quote LINE");
      // QUIT takes the client's own way out (wait for answers, then leave with exit 0).
      if (/^quit$/i.test(rest)) return { kind: "quit" };
      return { kind: "send", line: rest };
    },
  },
  {
    names: ["/help"],
    syntax: "/help [server]",
    help: text.help,
    parse: (rest) => ({ kind: "help", server: /^server$/i.test(rest) }),
  },
  {
    names: ["/quit", "/exit"],
    syntax: "/quit",
    help: text.quit,
    parse: () => ({ kind: "quit" }),
  },
  verb("/op", "/op PASSWORD", text.op, "OP"),
  verb("/kick", "/kick NICK [WHY]", text.kick, "KICK", { operator: true }),
  verb("/mute", "/mute NICK [MIN]", text.mute, "MUTE", { operator: true }),
  verb("/unmute", "/unmute NICK", text.unmute, "UNMUTE", { operator: true }),
  verb("/ban", "/ban NICK|ADDRESS [MIN] [WHY]", text.ban, "BAN", { operator: true }),
  verb("/unban", "/unban NICK|ADDRESS", text.unban, "UNBAN", { operator: true }),
  verb("/announce", "/announce TEXT", text.announce, "ANNOUNCE", { operator: true }),
  verb("/faults", "/faults NICK|#ROOM LOSS CORRUPT", text.faults, "FAULTS", {
    operator: true,
  }),
  verb("/close", "/close ROOM", text.close, "CLOSE", { operator: true }),
];

const BY_NAME = new Map(SLASH_COMMANDS.flatMap((c) => c.names.map((n) => [n, c] as const)));

/** `/help`: the slash commands, one a line, generated from the registry. */
export function slashHelp(): string {
  const section = (commands: readonly SlashCommand[]) => {
    const width = Math.max(...commands.map((c) => c.syntax.length));
    return commands.map((c) => `  ${c.syntax.padEnd(width)}  ${c.help}`);
  };
  return [
    CLIENT_TEXT.helpTitle,
    ...section(SLASH_COMMANDS.filter((c) => !c.operator)),
    CLIENT_TEXT.helpOperator,
    ...section(SLASH_COMMANDS.filter((c) => c.operator)),
    CLIENT_TEXT.helpWord,
    CLIENT_TEXT.keys,
  ].join("\n");
}

/** Interprets one typed line. */
export function interpretTyped(input: string): TypedLine {
  const line = input.replace(/\r?\n$/, "");
  if (line.trim() === "") return { kind: "none" };
  if (/^help$/i.test(line.trim())) return { kind: "help", server: false };
  if (line.startsWith("//")) return msg(line.slice(1));
  if (!line.startsWith("/")) return msg(line);
  const space = line.indexOf(" ");
  const name = (space < 0 ? line : line.slice(0, space)).toLowerCase();
  const rest = space < 0 ? "" : line.slice(space + 1).trim();
  const command = BY_NAME.get(name);
  if (!command) return { kind: "error", message: CLIENT_TEXT.unknownCommand(name) };
  return command.parse(rest);
}

function msg(text: string): TypedLine {
  return { kind: "send", line: `MSG ${text}` };
}

function usage(syntax: string): TypedLine {
  return { kind: "error", message: CLIENT_TEXT.usage(syntax) };
}
