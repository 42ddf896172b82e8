/**
 * The project's own server (`lib/server`), for the broken binary servers beside it: each of
 * them changes ONE behaviour of the ARQ layer before calling {@link serve}, so it fails exactly
 * the tests of that mistake and passes everything else (the text protocol included).
 *
 * Usage: deno run -A <script>.ts --port PORT   (or the PORT environment variable)
 * @module
 */

import { ChatServer } from "../../../lib/server/server.ts";

/**
 * Starts the server on the port given, with a random teacher password as `chat serve` has (so
 * `OP` with a wrong one counts towards the close); exits at once on SIGTERM or SIGINT.
 */
export function serve(): void {
  const i = Deno.args.indexOf("--port");
  const port = Number(i >= 0 ? Deno.args[i + 1] : Deno.env.get("PORT") ?? "55555");
  const server = ChatServer.listen({
    host: "127.0.0.1",
    port,
    teacherPassword: crypto.randomUUID(),
  });
  console.log(`listening on 127.0.0.1:${server.addr.port}`);
  Deno.addSignalListener("SIGTERM", () => Deno.exit(0));
  Deno.addSignalListener("SIGINT", () => Deno.exit(0));
}
