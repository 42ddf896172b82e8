/**
 * The generated dissector and the synthesized captures, checked by the real tshark: a capture
 * built with PcapngWriter/TcpFlowRecorder carrying binary frames (encoded by lib/protocol) and a
 * plain-text session is read back with `-X lua_script:chat.lua`, and every frame's fields,
 * Info, checksum verdict and TCP analysis are asserted. Skipped when tshark is missing.
 */
import assert from "node:assert/strict";
import { PcapngWriter } from "../lib/pcap/pcapng.ts";
import { parseTcpFrame, readPackets } from "../lib/pcap/reader.ts";
import { type TcpFlowOptions, TcpFlowRecorder } from "../lib/pcap/tcp_flow.ts";
import {
  encodeFrame,
  encodeReason,
  encodeSack,
  encodeSyn,
  encodeSynAck,
  Flag,
  frame,
  FrameType,
  type SessionParams,
} from "../lib/protocol/mod.ts";
import { generateDissector } from "../lib/wireshark/dissector.ts";
import { installDissector, pluginDir } from "../lib/wireshark/install.ts";
import {
  noteTsharkSkip,
  type PacketFields,
  readFields,
  tsharkAvailable,
} from "./support/tshark.ts";

noteTsharkSkip("wireshark_tshark_test.ts");
const ignore = !tsharkAvailable;

const te = new TextEncoder();
const PARAMS: SessionParams = { mode: "sr", window: 8, ackPolicy: "sack", maxPayload: 1024 };
const CLIENT = { hostname: "192.168.0.20", port: 50797 };
const SERVER = { hostname: "192.168.0.88", port: 55555 };
const TEXT_CLIENT = { hostname: "192.168.0.21", port: 53818 };
/** Expert severity "Note" (FIN, SYN notes of TCP are Chat or Note); above it is a problem. */
const SEVERITY_NOTE = 0x00400000;

/** Builds a capture and remembers which packet numbers carry each labelled payload. */
class CaptureBuilder {
  readonly writer: PcapngWriter;
  readonly #parts: Uint8Array[];
  #count = 0;
  #time = 1_700_000_000_000;
  /** Label -> packet numbers that carry payload bytes of that call. */
  readonly frames = new Map<string, number[]>();

  constructor(snaplen?: number) {
    this.writer = new PcapngWriter(snaplen === undefined ? {} : { snaplen });
    this.#parts = [this.writer.header()];
  }

  flow(local: typeof CLIENT, remote: typeof CLIENT, options: TcpFlowOptions = {}) {
    return new TcpFlowRecorder(this.writer, local, remote, options);
  }

  /** Appends the blocks `record(now)` returns; labels the packets with payload. */
  add(label: string, record: (now: number) => Uint8Array): void {
    this.#time += 1.25;
    const blocks = record(this.#time);
    const numbers: number[] = [];
    for (const p of readPackets(blocks)) {
      this.#count++;
      // A frame cut by the snaplen does not parse; only data segments are that long.
      const tcp = parseTcpFrame(p.data);
      if (!tcp || tcp.payload.length > 0) numbers.push(this.#count);
    }
    if (label !== "") this.frames.set(label, numbers);
    this.#parts.push(blocks);
  }

  /** Packet number of the single payload-carrying packet of `label`. */
  one(label: string): number {
    const numbers = this.frames.get(label);
    assert.equal(numbers?.length, 1, `${label}: ${numbers}`);
    return numbers![0]!;
  }

  bytes(): Uint8Array {
    const out = new Uint8Array(this.#parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of this.#parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  }
}

function buildLabCapture(snaplen?: number): CaptureBuilder {
  const c = new CaptureBuilder(snaplen);
  const bin = c.flow(CLIENT, SERVER);
  const enc = (type: FrameType, seq: number, flags = 0, payload?: Uint8Array) =>
    encodeFrame(frame(type, seq, flags, payload));
  c.add("", (t) => bin.open(t));
  c.add("syn", (t) => bin.sent(enc(FrameType.SYN, 100, 0, encodeSyn(PARAMS)), t));
  c.add(
    "synack",
    (t) => bin.received(enc(FrameType.SYN_ACK, 500, 0, encodeSynAck(PARAMS, 100)), t),
  );
  c.add("ack", (t) => bin.sent(enc(FrameType.ACK, 501), t));
  const message = te.encode("MSG hello world ".repeat(150)); // 2400 bytes: 3 fragments
  const fragments = [
    message.subarray(0, 1024),
    message.subarray(1024, 2048),
    message.subarray(2048),
  ];
  fragments.forEach((part, i) => {
    const flags = i === fragments.length - 1 ? Flag.LAST : 0;
    c.add(`data${i}`, (t) => bin.sent(enc(FrameType.DATA, 101 + i, flags, part), t));
  });
  c.add("nack", (t) => bin.received(enc(FrameType.NACK, 102), t));
  const corrupt = enc(FrameType.DATA, 104, Flag.LAST, te.encode("corrupt me"));
  corrupt[13]! ^= 0x04; // flip a payload bit after encoding
  c.add("corrupt", (t) => bin.sent(corrupt, t));
  const sack = encodeSack([{ start: 103, end: 105 }, { start: 107, end: 108 }]);
  c.add("sack", (t) => bin.received(enc(FrameType.ACK, 101, 0, sack), t));
  const split = enc(FrameType.DATA, 105, Flag.LAST, te.encode("split frame"));
  c.add("split1", (t) => bin.sent(split.subarray(0, 7), t));
  c.add("split2", (t) => bin.sent(split.subarray(7), t));
  const two = new Uint8Array([...enc(FrameType.PING, 9), ...enc(FrameType.PONG, 9)]);
  c.add("two", (t) => bin.received(two, t));
  c.add("fin", (t) => bin.sent(enc(FrameType.FIN, 106), t));
  c.add("finack", (t) => bin.received(enc(FrameType.FIN_ACK, 106), t));
  c.add("", (t) => bin.close(t));

  // The plain-text session, recorded by the server.
  const text = c.flow(SERVER, TEXT_CLIENT, { initiator: "remote" });
  c.add("", (t) => text.open(t));
  c.add("nick", (t) => text.sent(te.encode("NICK"), t));
  c.add("name", (t) => text.received(te.encode("ana\n"), t));
  c.add("ok", (t) => text.sent(te.encode("200 OK - Connected\nWelcome ana\n"), t));
  c.add("msg", (t) => text.received(te.encode("MSG hello\r\n"), t));
  c.add("broadcast", (t) => text.sent(te.encode("[ana]: hello\n"), t));
  c.add("list", (t) => text.received(te.encode("LIST\nQUIT\n"), t));
  c.add("", (t) => text.close(t, "remote"));
  return c;
}

/** A third session on port 40000 over IPv6, ended by RST. */
function addOtherPortFlow(c: CaptureBuilder): void {
  const flow = c.flow({ hostname: "::1", port: 41000 }, { hostname: "::1", port: 40000 });
  const enc = (type: FrameType, seq: number, flags = 0, payload?: Uint8Array) =>
    encodeFrame(frame(type, seq, flags, payload));
  c.add("", (t) => flow.open(t));
  c.add("p.syn", (t) => flow.sent(enc(FrameType.SYN, 1, 0, encodeSyn(PARAMS)), t));
  c.add("p.synack", (t) => flow.received(enc(FrameType.SYN_ACK, 7, 0, encodeSynAck(PARAMS, 1)), t));
  c.add("p.data", (t) => flow.sent(enc(FrameType.DATA, 2, Flag.LAST, te.encode("olá")), t));
  c.add(
    "p.rst",
    (t) => flow.received(enc(FrameType.RST, 0, 0, encodeReason("server stopping")), t),
  );
  c.add("", (t) => flow.close(t));
}

const FIELDS = [
  "frame.number",
  "_ws.col.Protocol",
  "_ws.col.Info",
  "chat.type",
  "chat.seq",
  "chat.length",
  "chat.flags.last",
  "chat.checksum.status",
  "chat.checksum.calculated",
  "chat.syn.version",
  "chat.syn.mode",
  "chat.syn.window",
  "chat.syn.ack_policy",
  "chat.syn.max_payload",
  "chat.synack.acked_isn",
  "chat.sack.count",
  "chat.sack.start",
  "chat.sack.end",
  "chat.rst.reason",
  "chat.text",
  "chat.line",
  "_ws.malformed",
  "_ws.expert.message",
  "_ws.expert.severity",
  "tcp.analysis.flags",
  "tcp.checksum.status",
  "ip.checksum.status",
  "ipv6.src",
];

/** Strict checksum validation so the synthesized IP and TCP checksums are checked too. */
const CHECKSUM_ARGS = ["-o", "tcp.check_checksum:TRUE", "-o", "ip.check_checksum:TRUE"];

async function withFiles<T>(
  files: Record<string, Uint8Array | string>,
  body: (paths: Record<string, string>) => Promise<T>,
): Promise<T> {
  const dir = await Deno.makeTempDir({ prefix: "chat-wireshark-" });
  try {
    const paths: Record<string, string> = {};
    for (const [name, content] of Object.entries(files)) {
      const path = `${dir}/${name}`;
      if (typeof content === "string") await Deno.writeTextFile(path, content);
      else await Deno.writeFile(path, content);
      paths[name] = path;
    }
    paths.dir = dir;
    return await body(paths);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

function packet(packets: PacketFields[], number: number): PacketFields {
  const p = packets[number - 1];
  assert.ok(p, `packet ${number} exists`);
  assert.deepEqual(p["frame.number"], [String(number)]);
  return p;
}

/** Expert infos above the Note level, malformed packets, TCP analysis flags, Lua errors. */
function problems(packets: PacketFields[]): string[] {
  const out: string[] = [];
  for (const p of packets) {
    const severities = p["_ws.expert.severity"]!.map(Number);
    const messages = p["_ws.expert.message"]!;
    severities.forEach((s, i) => {
      if (s > SEVERITY_NOTE) out.push(`${p["frame.number"]![0]}: ${messages[i]}`);
    });
    if (p["_ws.malformed"]!.length > 0) out.push(`${p["frame.number"]![0]}: malformed`);
    if (p["tcp.analysis.flags"]!.length > 0) out.push(`${p["frame.number"]![0]}: tcp analysis`);
    if (messages.some((m) => /Lua/i.test(m))) out.push(`${p["frame.number"]![0]}: Lua error`);
  }
  return out;
}

Deno.test({
  name: "generateDissector decodes every binary frame of a synthesized capture in tshark",
  ignore,
  async fn() {
    const c = buildLabCapture();
    await withFiles({ "lab.pcapng": c.bytes(), "chat.lua": generateDissector() }, async (f) => {
      const packets = await readFields(f["lab.pcapng"]!, FIELDS, {
        lua: f["chat.lua"]!,
        args: CHECKSUM_ARGS,
      });
      const at = (label: string) => packet(packets, c.one(label));

      const syn = at("syn");
      assert.deepEqual(syn["_ws.col.Protocol"], ["CHAT"]);
      assert.deepEqual(syn["chat.type"], ["1"]);
      assert.deepEqual(syn["chat.seq"], ["100"]);
      assert.deepEqual(syn["chat.length"], ["7"]);
      assert.deepEqual(syn["chat.syn.version"], ["1"]);
      assert.deepEqual(syn["chat.syn.mode"], ["2"]);
      assert.deepEqual(syn["chat.syn.window"], ["8"]);
      assert.deepEqual(syn["chat.syn.ack_policy"], ["1"]);
      assert.deepEqual(syn["chat.syn.max_payload"], ["1024"]);
      assert.deepEqual(syn["_ws.col.Info"], ["SYN seq=100 mode=SR window=8 acks=sack max=1024"]);

      const synack = at("synack");
      assert.deepEqual(synack["chat.type"], ["2"]);
      assert.deepEqual(synack["chat.synack.acked_isn"], ["100"]);
      assert.deepEqual(synack["chat.syn.mode"], ["2"]);
      assert.match(synack["_ws.col.Info"]![0]!, /^SYN-ACK seq=500 .* isn=100$/);

      assert.deepEqual(at("ack")["_ws.col.Info"], ["ACK seq=501"]);
      assert.deepEqual(at("ack")["chat.sack.count"], []);

      const lengths = [1024, 1024, 352];
      lengths.forEach((length, i) => {
        const p = at(`data${i}`);
        const last = i === lengths.length - 1;
        assert.deepEqual(p["chat.type"], ["5"]);
        assert.deepEqual(p["chat.seq"], [String(101 + i)]);
        assert.deepEqual(p["chat.length"], [String(length)]);
        assert.deepEqual(p["chat.flags.last"], [last ? "1" : "0"]);
        assert.deepEqual(p["chat.checksum.status"], ["1"]);
        assert.deepEqual(p["_ws.col.Info"], [
          `DATA seq=${101 + i} len=${length}${last ? " LAST" : ""}`,
        ]);
        assert.equal(p["chat.text"]!.length, 1);
      });
      const text = lengths.map((_, i) => at(`data${i}`)["chat.text"]![0]).join("");
      assert.equal(text, "MSG hello world ".repeat(150));

      assert.deepEqual(at("nack")["_ws.col.Info"], ["NACK seq=102"]);
      assert.deepEqual(at("nack")["chat.type"], ["4"]);

      const bad = at("corrupt");
      assert.deepEqual(bad["chat.checksum.status"], ["0"]);
      assert.equal(bad["chat.checksum.calculated"]!.length, 1);
      assert.deepEqual(bad["_ws.col.Info"], ["DATA seq=104 len=10 LAST [BAD CHECKSUM]"]);

      const sack = at("sack");
      assert.deepEqual(sack["chat.sack.count"], ["2"]);
      assert.deepEqual(sack["chat.sack.start"], ["103", "107"]);
      assert.deepEqual(sack["chat.sack.end"], ["105", "108"]);
      assert.deepEqual(sack["_ws.col.Info"], ["ACK seq=101 sack=[103-105),[107-108)"]);

      // A frame split across two segments is reassembled and shown on the second one.
      const first = at("split1");
      assert.deepEqual(first["chat.type"], []);
      assert.deepEqual(first["_ws.col.Protocol"], ["TCP"]);
      const second = at("split2");
      assert.deepEqual(second["chat.type"], ["5"]);
      assert.deepEqual(second["chat.text"], ["split frame"]);
      assert.deepEqual(second["chat.checksum.status"], ["1"]);
      assert.deepEqual(second["_ws.col.Info"], ["DATA seq=105 len=11 LAST"]);

      // Two frames in one segment are both dissected.
      const two = at("two");
      assert.deepEqual(two["chat.type"], ["8", "9"]);
      assert.deepEqual(two["chat.seq"], ["9", "9"]);
      assert.deepEqual(two["chat.checksum.status"], ["1", "1"]);
      assert.deepEqual(two["_ws.col.Info"], ["PING seq=9 | PONG seq=9"]);

      assert.deepEqual(at("fin")["_ws.col.Info"], ["FIN seq=106"]);
      assert.deepEqual(at("finack")["_ws.col.Info"], ["FIN-ACK seq=106"]);

      // Only the corrupted frame raises anything above Chat level; TCP analysis is clean.
      assert.deepEqual(problems(packets), [
        `${c.one("corrupt")}: Bad checksum: carried 0x5b65, computed 0x5b61`,
      ]);
      // The synthesized IPv4 and TCP checksums are valid.
      for (const p of packets) {
        assert.deepEqual(p["tcp.checksum.status"], ["1"], `tcp checksum ${p["frame.number"]}`);
        assert.deepEqual(p["ip.checksum.status"], ["1"], `ip checksum ${p["frame.number"]}`);
      }
      // Every chat frame is accounted for: the labelled binary packets and nothing else.
      const binaryLabels = [...c.frames.keys()].filter((l) =>
        !["nick", "name", "ok", "msg", "broadcast", "list", "split1"].includes(l)
      );
      const expected = binaryLabels.map((l) => c.one(l)).sort((a, b) => a - b);
      const decoded = packets.filter((p) => p["chat.type"]!.length > 0)
        .map((p) => Number(p["frame.number"]![0]));
      assert.deepEqual(decoded, expected);
    });
  },
});

Deno.test({
  name: "generateDissector labels a plain-text session line by line in tshark",
  ignore,
  async fn() {
    const c = buildLabCapture();
    await withFiles({ "lab.pcapng": c.bytes(), "chat.lua": generateDissector() }, async (f) => {
      const packets = await readFields(f["lab.pcapng"]!, FIELDS, { lua: f["chat.lua"]! });
      const expected: [string, string[], string][] = [
        ["nick", ["NICK"], "NICK"],
        ["name", ["ana"], "ana"],
        ["ok", ["200 OK - Connected", "Welcome ana"], "200 OK - Connected\\nWelcome ana"],
        ["msg", ["MSG hello"], "MSG hello"],
        ["broadcast", ["[ana]: hello"], "[ana]: hello"],
        ["list", ["LIST", "QUIT"], "LIST\\nQUIT"],
      ];
      for (const [label, lines, info] of expected) {
        const p = packet(packets, c.one(label));
        assert.deepEqual(p["_ws.col.Protocol"], ["Chat text"], label);
        assert.deepEqual(p["chat.line"], lines, label);
        assert.deepEqual(p["_ws.col.Info"], [info], label);
        assert.deepEqual(p["chat.type"], [], label);
      }
      assert.deepEqual(problems(packets).filter((p) => !/Bad checksum/.test(p)), []);
    });
  },
});

Deno.test({
  name: "generateDissector decodes other ports by Decode As, preference or heuristic",
  ignore,
  async fn() {
    const c = new CaptureBuilder();
    addOtherPortFlow(c);
    await withFiles({ "p.pcapng": c.bytes(), "chat.lua": generateDissector() }, async (f) => {
      const read = (args: string[]) =>
        readFields(f["p.pcapng"]!, FIELDS, { lua: f["chat.lua"]!, args });
      const types = (packets: PacketFields[]) => packets.flatMap((p) => p["chat.type"]!);
      const noHeuristic = ["--disable-heuristic", "chat_tcp"];
      assert.deepEqual(types(await read(noHeuristic)), []);
      const decodeAs = await read([...noHeuristic, "-d", "tcp.port==40000,chat"]);
      assert.deepEqual(types(decodeAs), ["1", "2", "5", "10"]);
      const pref = await read([...noHeuristic, "-o", "chat.port:40000"]);
      assert.deepEqual(types(pref), ["1", "2", "5", "10"]);
      const heuristic = await read([]);
      assert.deepEqual(types(heuristic), ["1", "2", "5", "10"]);
      const data = packet(decodeAs, c.one("p.data"));
      assert.deepEqual(data["chat.text"], ["olá"]);
      assert.deepEqual(data["ipv6.src"], ["::1"]);
      const rst = packet(decodeAs, c.one("p.rst"));
      assert.deepEqual(rst["chat.rst.reason"], ["server stopping"]);
      assert.deepEqual(rst["_ws.col.Info"], ['RST seq=0 reason="server stopping"']);
      assert.deepEqual(problems(decodeAs), []);
    });
  },
});

Deno.test({
  name: "installDissector puts chat.lua where tshark loads personal plugins",
  ignore: ignore || Deno.build.os === "windows",
  async fn() {
    const c = buildLabCapture();
    await withFiles({ "lab.pcapng": c.bytes() }, async (f) => {
      const home = `${f.dir}/home`;
      await installDissector(pluginDir(Deno.build.os, { HOME: home }), generateDissector());
      const packets = await readFields(f["lab.pcapng"]!, ["frame.number", "chat.type"], { home });
      assert.deepEqual(packet(packets, c.one("syn"))["chat.type"], ["1"]);
    });
  },
});

Deno.test({
  name: "generateDissector shows partial frames when TCP reassembly is off",
  ignore,
  async fn() {
    const c = buildLabCapture();
    await withFiles({ "lab.pcapng": c.bytes(), "chat.lua": generateDissector() }, async (f) => {
      const packets = await readFields(f["lab.pcapng"]!, FIELDS, {
        lua: f["chat.lua"]!,
        args: ["-o", "tcp.desegment_tcp_streams:FALSE"],
      });
      assert.deepEqual(packet(packets, c.one("split1"))["_ws.col.Info"], [
        "[partial frame, 7 of 22 bytes]",
      ]);
      assert.deepEqual(packet(packets, c.one("split2"))["chat.type"], []);
      assert.deepEqual(packet(packets, c.one("two"))["chat.type"], ["8", "9"]);
      assert.deepEqual(packet(packets, c.one("data2"))["chat.flags.last"], ["1"]);
      assert.deepEqual(problems(packets).filter((p) => !/Bad checksum/.test(p)), []);
    });
  },
});

Deno.test({
  name: "generateDissector leaves the checksum unverified on frames cut by the snaplen",
  ignore,
  async fn() {
    const c = buildLabCapture(80);
    await withFiles({ "cut.pcapng": c.bytes(), "chat.lua": generateDissector() }, async (f) => {
      const packets = await readFields(f["cut.pcapng"]!, FIELDS, { lua: f["chat.lua"]! });
      const data = packet(packets, c.one("data0"));
      assert.deepEqual(data["chat.checksum.status"], ["2"]);
      assert.deepEqual(data["_ws.col.Info"], ["DATA seq=101 len=1024 [partial, 26 of 1035 bytes]"]);
      assert.deepEqual(packet(packets, c.one("nack"))["chat.checksum.status"], ["1"]);
      const lua = packets.flatMap((p) => p["_ws.expert.message"]!).filter((m) => /Lua/.test(m));
      assert.deepEqual(lua, []);
    });
  },
});
