/**
 * Endpoint addresses for synthesized packets: a socket's host text (`192.168.0.88`, `::1`,
 * `::ffff:10.0.0.7`, `[fe80::1%eth0]`) turned into the raw bytes an IPv4 or IPv6 header carries.
 *
 * Mapping rules, so every socket address yields a packet Wireshark can show:
 * - an IPv4 literal stays IPv4; an IPv4-mapped IPv6 address (`::ffff:a.b.c.d`) becomes IPv4;
 * - an IPv6 literal stays IPv6 (a zone suffix such as `%eth0` is dropped);
 * - anything else (a host name such as `localhost`, an empty string) becomes `127.0.0.1`;
 * - when the two ends of a flow differ in family, the IPv4 end is written as `::ffff:a.b.c.d`
 *   (see {@link pairAddresses}).
 * @module
 */

/** Raw bytes of an IP address. */
export type IpAddress =
  | { readonly family: 4; readonly bytes: Uint8Array }
  | { readonly family: 6; readonly bytes: Uint8Array };

/** One end of a TCP connection, as Deno reports it (`Deno.NetAddr` fits). */
export interface Endpoint {
  /** Address text; host names are mapped to `127.0.0.1`. */
  readonly hostname: string;
  /** TCP port. */
  readonly port: number;
}

/** The address used for a host that is not an IP literal. */
export const FALLBACK_IPV4 = "127.0.0.1";

function parseIpv4(text: string): Uint8Array | undefined {
  const parts = text.split(".");
  if (parts.length !== 4) return undefined;
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const part = parts[i]!;
    if (!/^\d{1,3}$/.test(part)) return undefined;
    const value = Number(part);
    if (value > 255) return undefined;
    out[i] = value;
  }
  return out;
}

function parseIpv6(text: string): Uint8Array | undefined {
  let body = text;
  const zone = body.indexOf("%");
  if (zone >= 0) body = body.slice(0, zone);
  if (!/^[0-9a-fA-F:.]+$/.test(body) || !body.includes(":")) return undefined;
  // A trailing dotted quad is rewritten as two hex groups.
  const lastColon = body.lastIndexOf(":");
  const last = body.slice(lastColon + 1);
  if (last.includes(".")) {
    const v4 = parseIpv4(last);
    if (!v4) return undefined;
    const hi = ((v4[0]! << 8) | v4[1]!).toString(16);
    const lo = ((v4[2]! << 8) | v4[3]!).toString(16);
    body = `${body.slice(0, lastColon + 1)}${hi}:${lo}`;
  }
  const halves = body.split("::");
  if (halves.length > 2) return undefined;
  const parse = (s: string): number[] | undefined => {
    if (s === "") return [];
    const groups: number[] = [];
    for (const g of s.split(":")) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
      groups.push(parseInt(g, 16));
    }
    return groups;
  };
  const head = parse(halves[0]!);
  const rest = halves.length === 2 ? parse(halves[1]!) : [];
  if (!head || !rest) return undefined;
  const explicit = head.length + rest.length;
  let groups: number[];
  if (halves.length === 2) {
    if (explicit > 7) return undefined;
    groups = [...head, ...new Array<number>(8 - explicit).fill(0), ...rest];
  } else {
    if (explicit !== 8) return undefined;
    groups = head;
  }
  const out = new Uint8Array(16);
  groups.forEach((g, i) => {
    out[2 * i] = g >>> 8;
    out[2 * i + 1] = g & 0xff;
  });
  return out;
}

function isV4Mapped(bytes: Uint8Array): boolean {
  for (let i = 0; i < 10; i++) if (bytes[i] !== 0) return false;
  return bytes[10] === 0xff && bytes[11] === 0xff;
}

/**
 * Parses a host as an IP address following the module's mapping rules; never throws.
 * `"::ffff:10.0.0.7"` gives IPv4 10.0.0.7, `"localhost"` gives IPv4 127.0.0.1.
 */
export function parseAddress(host: string): IpAddress {
  let text = host.trim();
  if (text.startsWith("[") && text.endsWith("]")) text = text.slice(1, -1);
  const v4 = parseIpv4(text);
  if (v4) return { family: 4, bytes: v4 };
  const v6 = parseIpv6(text);
  if (v6) {
    if (isV4Mapped(v6)) return { family: 4, bytes: v6.slice(12) };
    return { family: 6, bytes: v6 };
  }
  return { family: 4, bytes: parseIpv4(FALLBACK_IPV4)! };
}

function toMapped(a: IpAddress): IpAddress {
  if (a.family === 6) return a;
  const out = new Uint8Array(16);
  out[10] = 0xff;
  out[11] = 0xff;
  out.set(a.bytes, 12);
  return { family: 6, bytes: out };
}

/** Parses both ends of a flow; when their families differ the IPv4 end is IPv4-mapped IPv6. */
export function pairAddresses(local: string, remote: string): [IpAddress, IpAddress] {
  const a = parseAddress(local);
  const b = parseAddress(remote);
  if (a.family === b.family) return [a, b];
  return [toMapped(a), toMapped(b)];
}

/** Formats an address for messages: dotted quad or full-form IPv6 groups. */
export function formatAddress(a: IpAddress): string {
  if (a.family === 4) return Array.from(a.bytes).join(".");
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((a.bytes[i]! << 8) | a.bytes[i + 1]!).toString(16));
  return groups.join(":");
}
