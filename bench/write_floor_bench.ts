/**
 * `deno bench`: the floor under the server's fixed-rate figures. What Deno itself spends on one
 * small write to each of 200 loopback TCP connections, with nothing else to do: no reads, no
 * protocol, bytes prepared once. A reader in another process (the same `deno`) drains the
 * connections. At a fixed 1 M deliveries/s the server writes once per client per turn, so a
 * turn for 200 clients costs at least 200 of these; divide the time per pass by 200 for the
 * cost of one write (syscall, kernel loopback path and Deno's async op together).
 */

const CLIENTS = 200;
const BYTES = 600; // about a turn's worth of chat lines for one client at 1 M deliveries/s

const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
const { port } = listener.addr as Deno.NetAddr;
// The reader exits when the connections close (end of this process) or after 10 minutes.
const readerCode = `
const conns = [];
for (let i = 0; i < ${CLIENTS}; i++) conns.push(await Deno.connect({ hostname: "127.0.0.1", port: ${port} }));
setTimeout(() => Deno.exit(0), 600_000);
await Promise.all(conns.map(async (c) => {
  const buf = new Uint8Array(1 << 16);
  try { while ((await c.read(buf)) !== null); } catch { /* gone */ }
  c.close();
}));
Deno.exit(0);
`;
const reader = new Deno.Command(Deno.execPath(), {
  args: ["eval", readerCode],
  stdin: "null",
  stdout: "null",
  stderr: "inherit",
}).spawn();
reader.unref();
const conns: Deno.TcpConn[] = [];
for (let i = 0; i < CLIENTS; i++) {
  const c = await listener.accept();
  c.setNoDelay(true);
  conns.push(c);
}
listener.close();

const bytes = new Uint8Array(BYTES).fill(0x61);

/** One write of `bytes` to every connection; resolves when all were written. */
function pass(): Promise<void> {
  return new Promise((resolve, reject) => {
    let left = conns.length;
    const done = (n: number) => {
      // A partial write (a full socket buffer) would make the pass cheaper than it looks.
      if (n !== BYTES) reject(new Error(`partial write: ${n} of ${BYTES} bytes`));
      else if (--left === 0) resolve();
    };
    for (const c of conns) c.write(bytes).then(done, reject);
  });
}

Deno.bench(`one ${BYTES}-byte write to each of ${CLIENTS} loopback connections`, {
  group: "write floor",
}, async () => {
  await pass();
});
