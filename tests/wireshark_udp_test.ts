/**
 * UDP captures in the real tshark with the generated dissector: a capture written by
 * `PcapngFile.datagram` (datagrams of several frames, a stray one) and a capture `chat serve
 * --pcap` wrote of a real `chat join --udp` session. Every datagram's frames are decoded, in
 * order, with good chat and UDP checksums. Skipped when tshark is missing.
 */

import assert from "node:assert/strict";
import { PcapngFile } from "../lib/pcap/capture_file.ts";
import { parseUdpFrame, readPackets } from "../lib/pcap/reader.ts";
import {
  encodeFrame,
  encodeSack,
  encodeSyn,
  encodeSynAck,
  type Frame,
  frame,
  FrameDecoder,
  FrameType,
  frameTypeName,
  type SessionParams,
} from "../lib/protocol/mod.ts";
import { generateDissector } from "../lib/wireshark/dissector.ts";
import { runChat, ServerProcess } from "./support/live_session.ts";
import { noteTsharkSkip, readFields, tsharkAvailable } from "./support/tshark.ts";

noteTsharkSkip("wireshark_udp_test.ts");
const ignore = !tsharkAvailable;

const te = new TextEncoder();
const PARAMS: SessionParams = { mode: "sr", window: 8, ackPolicy: "sack", maxPayload: 1024 };
const FIELDS = [
  "frame.number",
  "udp.srcport",
  "udp.checksum.status",
  "chat.type",
  "chat.seq",
  "chat.checksum.status",
];

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** The frames in each UDP packet of a capture file, decoded by lib/protocol. */
async function framesPerDatagram(path: string): Promise<string[][]> {
  const out: string[][] = [];
  for (const p of readPackets(await Deno.readFile(path))) {
    const udp = parseUdpFrame(p.data);
    if (!udp) continue;
    const names: string[] = [];
    new FrameDecoder().push(udp.payload, {
      frame: (f: Frame) => names.push(`${frameTypeName(f.type)} ${f.seq}`),
      corrupt: () => names.push("corrupt"),
    });
    out.push(names);
  }
  return out;
}

/** The same, as tshark with the dissector decoded them. */
async function tsharkFrames(path: string, lua: string, args: string[] = []): Promise<string[][]> {
  const packets = await readFields(path, FIELDS, {
    lua,
    args: ["-o", "udp.check_checksum:TRUE", ...args],
  });
  return packets.map((p) => {
    assert.ok(!p["chat.checksum.status"]!.includes("0"), `bad chat checksum: ${JSON.stringify(p)}`);
    assert.deepEqual(
      p["udp.checksum.status"],
      ["1"],
      `UDP checksum (1 = good): ${JSON.stringify(p)}`,
    );
    return p["chat.type"]!.map((t, i) => `${frameTypeName(Number(t))} ${p["chat.seq"]![i]}`);
  });
}

Deno.test({
  name: "tshark decodes every frame of every datagram PcapngFile.datagram wrote",
  ignore,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "chat-udp-" });
    try {
      const path = `${dir}/udp.pcapng`;
      const lua = `${dir}/chat.lua`;
      await Deno.writeTextFile(lua, generateDissector());
      const pcap = await PcapngFile.create(path, { role: "server" });
      const server = { hostname: "192.168.0.88", port: 55555 };
      const client = { hostname: "192.168.0.20", port: 50797 };
      const f = (type: number, seq: number, flags = 0, payload: Uint8Array = new Uint8Array(0)) =>
        encodeFrame(frame(type as FrameType, seq, flags, payload));
      const datagrams: [boolean, Uint8Array][] = [
        [false, f(FrameType.SYN, 7, 0, encodeSyn(PARAMS))],
        [true, f(FrameType.SYN_ACK, 900, 0, encodeSynAck(PARAMS, 7))],
        [
          false,
          concat([
            f(FrameType.ACK, 900, 0, encodeSynAck(PARAMS, 7)),
            f(FrameType.DATA, 8, 1, te.encode("ana")),
          ]),
        ],
        [true, concat([f(FrameType.DATA, 901, 1, te.encode("200 OK\n")), f(FrameType.ACK, 8)])],
        [
          false,
          concat([
            f(FrameType.DATA, 9, 1, new Uint8Array(1024).fill(65)),
            f(FrameType.ACK, 901, 0, encodeSack([{ start: 903, end: 905 }])),
          ]),
        ],
      ];
      for (const [fromServer, bytes] of datagrams) {
        pcap.datagram(fromServer ? "sent" : "received", bytes, server, client);
      }
      await pcap.close();
      const expected = await framesPerDatagram(path);
      assert.deepEqual(expected.map((d) => d.length), [1, 1, 2, 2, 2]);
      assert.deepEqual(await tsharkFrames(path, lua), expected);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "chat serve --pcap of a chat join --udp session decodes in tshark, every datagram",
  ignore,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "chat-udp-" });
    try {
      const path = `${dir}/serve.pcapng`;
      const lua = `${dir}/chat.lua`;
      await Deno.writeTextFile(lua, generateDissector());
      const server = await ServerProcess.start(["--pcap", path]);
      let port = 0;
      try {
        port = server.port;
        const r = await runChat([
          "join",
          `127.0.0.1:${port}`,
          "--udp",
          "--nick",
          "ana",
          "--arq",
          "sr",
        ], {
          stdin: "hello over udp\n/who\n",
        });
        assert.equal(r.code, 0, r.stderr);
      } finally {
        await server.stop();
      }
      const expected = await framesPerDatagram(path);
      const frames = expected.flat();
      assert.ok(expected.length >= 8, `${expected.length} datagrams`);
      for (const t of ["SYN", "SYN-ACK", "ACK", "DATA", "FIN", "FIN-ACK"]) {
        assert.ok(frames.some((f) => f.startsWith(`${t} `)), `${t} in ${frames.join(", ")}`);
      }
      const decoded = await tsharkFrames(path, lua, ["-d", `udp.port==${port},chat`]);
      assert.deepEqual(decoded, expected);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
