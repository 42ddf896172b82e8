/**
 * Loss as the kernel saw it: the UDP and IP counters of `/proc/net/snmp` (Linux; per network
 * namespace, so a server and a generator on one machine add up in them). UDP `InErrors` counts
 * datagrams the kernel received and could not deliver to a socket; `RcvbufErrors`, the part of
 * those dropped because the socket's receive buffer was full (the reader fell behind). A packet
 * a firewall rule drops (`iptables ... -j DROP`) never reaches UDP: it shows only in IP's
 * `InReceives − InDelivers − ForwDatagrams` (every protocol of the namespace, not only ours).
 * A loss on the wire is counted nowhere on this machine.
 * @module
 */

/** The UDP counters this module reads. */
export interface KernelUdpCounters {
  /** Datagrams received but not delivered (all causes). */
  readonly inErrors: number;
  /** Of those, dropped for a full socket receive buffer. */
  readonly rcvbufErrors: number;
  /** Datagrams received and delivered. */
  readonly inDatagrams: number;
  /** IP packets received and neither delivered nor forwarded (firewall drops among them). */
  readonly ipUndelivered: number;
}

/** One section of `/proc/net/snmp` (`Udp`, `Ip`): its counters by name. */
function section(text: string, name: string): (counter: string) => number {
  const lines = text.split("\n").filter((l) => l.startsWith(`${name}:`));
  const names = lines[0]?.trim().split(/\s+/).slice(1) ?? [];
  const values = lines[1]?.trim().split(/\s+/).slice(1).map(Number) ?? [];
  return (counter) => {
    const i = names.indexOf(counter);
    return i < 0 ? NaN : values[i] ?? NaN;
  };
}

/** Parses the `Udp:` and `Ip:` lines of `/proc/net/snmp`; undefined when they are missing. */
export function parseSnmpUdp(text: string): KernelUdpCounters | undefined {
  const udp = section(text, "Udp");
  const ip = section(text, "Ip");
  const out = {
    inErrors: udp("InErrors"),
    rcvbufErrors: udp("RcvbufErrors"),
    inDatagrams: udp("InDatagrams"),
    ipUndelivered: ip("InReceives") - ip("InDelivers") - ip("ForwDatagrams"),
  };
  return Object.values(out).every(Number.isFinite) ? out : undefined;
}

/**
 * The counters now, or undefined where `/proc/net/snmp` cannot be read (not Linux). Deno asks
 * for every permission to read a file under `/proc` directly, so without it the file is read by
 * `cat` (`--allow-run`).
 */
export async function readKernelUdp(
  path = "/proc/net/snmp",
): Promise<KernelUdpCounters | undefined> {
  if (Deno.build.os !== "linux") return undefined;
  try {
    return parseSnmpUdp(await Deno.readTextFile(path));
  } catch { /* not allowed: ask cat */ }
  try {
    const out = await new Deno.Command("cat", { args: [path], stdout: "piped", stderr: "null" })
      .output();
    return out.success ? parseSnmpUdp(new TextDecoder().decode(out.stdout)) : undefined;
  } catch {
    return undefined;
  }
}

/** `after - before` for each counter, or undefined when either is unknown. */
export function kernelUdpDelta(
  before: KernelUdpCounters | undefined,
  after: KernelUdpCounters | undefined,
): KernelUdpCounters | undefined {
  if (!before || !after) return undefined;
  return {
    inErrors: after.inErrors - before.inErrors,
    rcvbufErrors: after.rcvbufErrors - before.rcvbufErrors,
    inDatagrams: after.inDatagrams - before.inDatagrams,
    // Read at two moments, not at once: a packet received and not yet delivered between the
    // two reads could make it -1.
    ipUndelivered: Math.max(0, after.ipUndelivered - before.ipUndelivered),
  };
}
