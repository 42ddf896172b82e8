/**
 * What one received datagram costs in CPU, node:dgram against Deno.listenDatagram (with one
 * reused buffer), side by side: a sender in a child process offers the same stream of 300-byte
 * datagrams to each receiver in turn, and the receiver reports what it got and its CPU time.
 *
 *   deno run -A --unstable-net scripts/udp_receive_cost.ts [pairs=3] [perMs=40]
 *
 * Also prints node:dgram's `getRecvBufferSize` after asking for 4 MiB beside the kernel's
 * buffer of the socket (`ss -uam`), to show whether the setting reaches the kernel.
 */

import dgram from "node:dgram";
import process from "node:process";

const SECONDS = 3;

async function sender(port: number, perMs: number): Promise<void> {
  const s = Deno.listenDatagram({ hostname: "127.0.0.1", port: 0, transport: "udp" });
  const to = { transport: "udp" as const, hostname: "127.0.0.1", port };
  const buf = new Uint8Array(300);
  const end = performance.now() + SECONDS * 1000;
  let sent = 0;
  while (performance.now() < end) {
    for (let i = 0; i < perMs; i++, sent++) await s.send(buf, to);
    await new Promise((r) => setTimeout(r, 1));
  }
  console.log(sent);
  s.close();
}

async function measure(kind: "node" | "node-4m" | "deno", perMs: number): Promise<string> {
  let n = 0;
  let port: number;
  let close: () => void;
  if (kind !== "deno") {
    // node-4m: with setRecvBufferSize(4 MiB), as one would to size the kernel's buffer.
    const s = kind === "node"
      ? dgram.createSocket("udp4")
      : dgram.createSocket({ type: "udp4", recvBufferSize: 4 << 20 });
    s.on("message", () => n++);
    await new Promise<void>((r) => s.bind(0, "127.0.0.1", () => r()));
    port = s.address().port;
    close = () => s.close();
  } else {
    const s = Deno.listenDatagram({ hostname: "127.0.0.1", port: 0, transport: "udp" });
    (async () => {
      const b = new Uint8Array(2048);
      try {
        for (;;) {
          await s.receive(b);
          n++;
        }
      } catch { /* closed */ }
    })();
    port = (s.addr as Deno.NetAddr).port;
    close = () => s.close();
  }
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      "--unstable-net",
      import.meta.filename!,
      "--send",
      String(port),
      String(perMs),
    ],
    stdout: "piped",
  });
  const cpu0 = process.cpuUsage();
  const out = await child.output();
  await new Promise((r) => setTimeout(r, 300));
  const cpu = process.cpuUsage(cpu0);
  close();
  const sent = Number(new TextDecoder().decode(out.stdout).trim());
  const ms = (cpu.user + cpu.system) / 1000;
  return `${kind.padEnd(7)} received ${n} of ${sent} (${(100 * n / sent).toFixed(1)} %), ` +
    `${(ms * 1000 / Math.max(1, n)).toFixed(1)} µs of CPU per datagram`;
}

async function bufferCheck(): Promise<string> {
  const s = dgram.createSocket("udp4");
  await new Promise<void>((r) => s.bind(0, "127.0.0.1", () => r()));
  s.setRecvBufferSize(4 << 20);
  const said = s.getRecvBufferSize();
  const port = s.address().port;
  let kernel = "unknown (no ss)";
  try {
    const out = await new Deno.Command("ss", { args: ["-uamn", `sport = :${port}`] }).output();
    kernel = /rb(\d+)/.exec(new TextDecoder().decode(out.stdout))?.[1] ?? kernel;
  } catch { /* no ss */ }
  s.close();
  return `node:dgram setRecvBufferSize(4 MiB): getRecvBufferSize says ${said}, the kernel's buffer is ${kernel}`;
}

if (Deno.args[0] === "--send") {
  await sender(Number(Deno.args[1]), Number(Deno.args[2]));
} else {
  const pairs = Number(Deno.args[0] ?? 3);
  const perMs = Number(Deno.args[1] ?? 40);
  console.log(await bufferCheck());
  for (let i = 0; i < pairs; i++) {
    console.log(await measure("node", perMs));
    console.log(await measure("node-4m", perMs));
    console.log(await measure("deno", perMs));
  }
}
