/**
 * What a user types in `chat join`, turned into protocol command lines: plain text is a chat
 * message, `/nick`, `/who`, `/msg`, `/quit`, `/help` map to NICK, LIST, PRIV, QUIT, HELP;
 * `/stats`, `/loss` and `/corrupt` act locally; `//x` sends a literal `/x`.
 * @module
 */

/** The result of one typed line. */
export type TypedLine =
  | { readonly kind: "send"; readonly line: string }
  | { readonly kind: "quit" }
  | { readonly kind: "stats" }
  | { readonly kind: "help" }
  | { readonly kind: "loss"; readonly value: string }
  | { readonly kind: "corrupt"; readonly value: string }
  | { readonly kind: "error"; readonly message: string }
  | { readonly kind: "none" };

/** Local help for the slash commands. */
export const SLASH_HELP = [
  "text          send to everyone (MSG)",
  "/nick NAME    change nickname",
  "/who, /list   list users",
  "/msg NICK TXT private message",
  "/stats        ARQ counters, RTT and RTO of this session",
  "/loss P       drop this fraction of the frames sent (binary sessions)",
  "/corrupt P    corrupt this fraction of the frames sent (binary sessions)",
  "/help         this help and the server's",
  "/quit         leave",
].join("\n");

/** Interprets one typed line. */
export function interpretTyped(input: string): TypedLine {
  const text = input.replace(/\r?\n$/, "");
  if (text.trim() === "") return { kind: "none" };
  if (text.startsWith("//")) return { kind: "send", line: `MSG ${text.slice(1)}` };
  if (!text.startsWith("/")) return { kind: "send", line: `MSG ${text}` };
  const space = text.indexOf(" ");
  const cmd = (space < 0 ? text : text.slice(0, space)).toLowerCase();
  const rest = space < 0 ? "" : text.slice(space + 1).trim();
  switch (cmd) {
    case "/nick":
      return rest ? { kind: "send", line: `NICK ${rest}` } : usage("/nick NAME");
    case "/who":
    case "/list":
      return { kind: "send", line: "LIST" };
    case "/msg": {
      const sp = rest.indexOf(" ");
      if (sp < 0) return usage("/msg NICK TEXT");
      return { kind: "send", line: `PRIV ${rest.slice(0, sp)} ${rest.slice(sp + 1)}` };
    }
    case "/quit":
    case "/exit":
      return { kind: "quit" };
    case "/help":
      return { kind: "help" };
    case "/stats":
      return { kind: "stats" };
    case "/loss":
      return rest ? { kind: "loss", value: rest } : usage("/loss P");
    case "/corrupt":
      return rest ? { kind: "corrupt", value: rest } : usage("/corrupt P");
    default:
      return { kind: "error", message: `Unknown command ${cmd}: type /help` };
  }
}

function usage(text: string): TypedLine {
  return { kind: "error", message: `Usage: ${text}` };
}
