/**
 * The permissions `chat` runs with (and the one unstable API it needs, UDP): baked into the binary
 * by `deno task dist`, given by the `chat` task, used when bench starts its own server and by
 * the tests (never `-A`).
 * @module
 */

/** Each permission and why `chat` needs it. */
export const PERMISSIONS: readonly { readonly flag: string; readonly why: string }[] = [
  { flag: "--allow-net", why: "listen (serve) and connect (join, bench)" },
  { flag: "--allow-read", why: "read the log/capture paths given, the Wireshark plugin folder" },
  { flag: "--allow-write", why: "--log, --pcap, --plot files and dissector --install" },
  {
    flag: "--allow-env",
    why: "NO_COLOR, HOME/APPDATA for the Wireshark plugin folder, CHAT_TEACHER_PASSWORD",
  },
  { flag: "--allow-sys", why: "LAN addresses to show (networkInterfaces), CPU and memory stats" },
  {
    flag: "--allow-run",
    why: "bench starts its own server as a child process (itself); the open-file limit (ulimit)",
  },
  {
    flag: "--unstable-net",
    why: "UDP sessions (Deno.listenDatagram: half the CPU per datagram of node:dgram)",
  },
];

/** The flags alone, for `deno run`. */
export const PERMISSION_FLAGS: readonly string[] = PERMISSIONS.map((p) => p.flag);
