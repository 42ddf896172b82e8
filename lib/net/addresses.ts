/**
 * The machine's LAN addresses, so `chat serve` can say what to type on the other machines
 * (seed 000 made its users run ipconfig for this).
 * @module
 */

/** One address a client could connect to. */
export interface LanAddress {
  /** Interface name, e.g. `eth0`. */
  readonly name: string;
  /** The address. */
  readonly address: string;
  /** `IPv4` or `IPv6`. */
  readonly family: "IPv4" | "IPv6";
}

/** Non-loopback, non-link-local addresses, IPv4 first; empty when they cannot be read. */
export function lanAddresses(): LanAddress[] {
  let list: Deno.NetworkInterfaceInfo[];
  try {
    list = Deno.networkInterfaces();
  } catch {
    return [];
  }
  return list
    .filter((i) => !i.address.startsWith("127.") && i.address !== "::1")
    .filter((i) => !i.address.toLowerCase().startsWith("fe80"))
    .map((i) => ({ name: i.name, address: i.address, family: i.family }))
    .sort((a, b) => (a.family === b.family ? 0 : a.family === "IPv4" ? -1 : 1));
}
