/**
 * Broken on purpose: the checksum of every frame it sends is computed over the 11-byte header
 * only, not the payload (it still verifies what it receives correctly). A receiver that checks
 * checksums drops every frame that carries data. Everything else is the project's server.
 *
 * The server is unchanged; the sockets it accepts are wrapped so that the checksum field of each
 * outgoing frame of a binary session is rewritten on its way out.
 * @module
 */

import { internetChecksum } from "../../../lib/protocol/checksum.ts";
import { HEADER_SIZE, MAGIC, Offset } from "../../../lib/protocol/header.ts";
import { serve } from "./arq_server.ts";

/** Rewrites the checksum of each frame in an outgoing byte stream (whole writes, in order). */
class HeaderOnlyChecksum {
  #header = new Uint8Array(HEADER_SIZE);
  #have = 0;
  #skip = 0;

  /** The bytes to write for `chunk`: held back while a header is incomplete. */
  rewrite(chunk: Uint8Array): Uint8Array {
    const out: number[] = [];
    for (const byte of chunk) {
      if (this.#skip > 0) {
        this.#skip--;
        out.push(byte);
        continue;
      }
      this.#header[this.#have++] = byte;
      if (this.#have < HEADER_SIZE) continue;
      const h = this.#header;
      this.#have = 0;
      if (h[0] !== MAGIC) {
        out.push(...h); // not a frame (cannot happen in a binary session): pass it on
        continue;
      }
      h[Offset.checksum] = 0;
      h[Offset.checksum + 1] = 0;
      const sum = internetChecksum(h);
      h[Offset.checksum] = sum >>> 8;
      h[Offset.checksum + 1] = sum & 0xff;
      out.push(...h);
      this.#skip = (h[Offset.length]! << 8) | h[Offset.length + 1]!;
    }
    return new Uint8Array(out);
  }
}

function wrap(conn: Deno.TcpConn): Deno.TcpConn {
  let binary: boolean | undefined;
  const rewriter = new HeaderOnlyChecksum();
  return new Proxy(conn, {
    get(target, prop) {
      if (prop === "read") {
        return async (p: Uint8Array) => {
          const n = await target.read(p);
          if (binary === undefined && n !== null && n > 0) binary = p[0] === MAGIC;
          return n;
        };
      }
      if (prop === "write") {
        return async (p: Uint8Array) => {
          const bytes = binary ? rewriter.rewrite(p) : p;
          let off = 0;
          while (off < bytes.length) off += await target.write(bytes.subarray(off));
          return p.length;
        };
      }
      const value = Reflect.get(target, prop, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

const listen = Deno.listen;
// deno-lint-ignore no-explicit-any
(Deno as any).listen = (options: Deno.TcpListenOptions) => {
  const listener = listen(options);
  return new Proxy(listener, {
    get(target, prop) {
      if (prop === "accept") return async () => wrap(await target.accept());
      const value = Reflect.get(target, prop, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
};
serve();
