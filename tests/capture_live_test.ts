/**
 * Real loopback sessions decoded by the generated dissector in tshark and checked frame by frame
 * against the client's `--trace` log: a binary session (handshake, a fragmented message, an
 * injected corruption answered by NACK, an injected loss recovered by timeout, FIN teardown)
 * and a plain-text session. Once from the client's own `--pcap` files, once from a live
 * `tshark -i lo` capture. Skipped when tshark is missing or cannot capture on loopback.
 */
import assert from "node:assert/strict";
import { FaultInjector, parseFaultScript } from "../lib/faults/mod.ts";
import { Flag, FrameType, frameTypeName, HEADER_SIZE, Offset } from "../lib/protocol/header.ts";
import {
  LiveCapture,
  parseTrace,
  runChat,
  ServerProcess,
  type TraceLine,
} from "./support/live_session.ts";
import {
  loopbackInterface,
  noteTsharkSkip,
  type PacketFields,
  readFields,
  tsharkAvailable,
  tsharkPath,
} from "./support/tshark.ts";

noteTsharkSkip("capture_live_test.ts");

/** The first transmission of DATA 4 (first fragment) is corrupted, of DATA 7 dropped. */
const FAULTS = "corrupt:data#4,drop:data#7";
/** `chat join`'s default `--seed`: the corrupted bit depends on it. */
const SEED = 1;
const LONG = "0123456789".repeat(240);
/**
 * DATA 1 is the nickname, DATA 2 the `TOKEN` chat join asks for (to reconnect); then one DATA
 * per line, the long one in three fragments.
 */
const BINARY_INPUT = `hello\n${LONG}\nbye\n`;
const FRAGMENT_SEQS = [4, 5, 6];
const FRAGMENT_LENGTHS = [1024, 1024, 2404 - 2048];
const CORRUPTED_SEQ = 4;
const DROPPED_SEQ = 7;
/** Minimum RTO of the ARQ engine, less a margin for the trace's millisecond rounding. */
const MIN_TIMEOUT_S = 0.095;

const FIELDS = [
  "frame.number",
  "tcp.stream",
  "tcp.srcport",
  "tcp.dstport",
  "tcp.payload",
  "_ws.col.Protocol",
  "_ws.col.Info",
  "chat.type",
  "chat.seq",
  "chat.length",
  "chat.flags",
  "chat.flags.last",
  "chat.checksum.status",
  "chat.text",
  "chat.line",
  "chat.syn.mode",
  "chat.syn.window",
  "chat.synack.acked_isn",
  "_ws.malformed",
  "_ws.expert.message",
  "_ws.expert.severity",
];
/** Expert severity "Note"; anything above it is a problem. */
const SEVERITY_NOTE = 0x00400000;
const CHECKSUM_NAMES = ["Bad", "Good", "Unverified"];

/** One chat frame as tshark decoded it. */
interface WireFrame {
  readonly packet: number;
  readonly stream: number;
  readonly dir: "send" | "recv";
  readonly type: number;
  readonly seq: number;
  readonly length: number;
  readonly flags: number;
  readonly last: boolean;
  readonly checksum: number;
  /** DATA text (verified DATA frames with a payload). */
  readonly text: string | undefined;
  readonly fields: PacketFields;
}

/** Every chat frame of `packets`, in capture order; `send` = towards the server's `port`. */
function wireFrames(packets: PacketFields[], port: number): WireFrame[] {
  const out: WireFrame[] = [];
  for (const p of packets) {
    const types = p["chat.type"]!;
    if (types.length === 0) continue;
    const at = `packet ${p["frame.number"]![0]}`;
    for (const f of ["chat.seq", "chat.length", "chat.flags", "chat.flags.last"]) {
      assert.equal(p[f]!.length, types.length, `${at}: one ${f} per frame`);
    }
    assert.equal(p["chat.checksum.status"]!.length, types.length, `${at}: one checksum verdict`);
    const texts = [...p["chat.text"]!];
    types.forEach((t, i) => {
      const type = Number(t);
      const length = Number(p["chat.length"]![i]);
      const checksum = Number(p["chat.checksum.status"]![i]);
      // chat.text is added for each verified DATA frame with a payload, in tree order.
      const hasText = type === FrameType.DATA && length > 0 && checksum !== 2;
      out.push({
        packet: Number(p["frame.number"]![0]),
        stream: Number(p["tcp.stream"]![0]),
        dir: Number(p["tcp.dstport"]![0]) === port ? "send" : "recv",
        type,
        seq: Number(p["chat.seq"]![i]),
        length,
        flags: Number(p["chat.flags"]![i]),
        last: p["chat.flags.last"]![i] === "1",
        checksum,
        text: hasText ? texts.shift() : undefined,
        fields: p,
      });
    });
    assert.equal(texts.length, 0, `${at}: every chat.text belongs to a DATA frame`);
  }
  return out;
}

function describe(
  f: { type: number | undefined; seq?: number; length: number; flags?: number; checksum: number },
): string {
  const type = f.type === undefined ? "(unknown type)" : frameTypeName(f.type);
  const seq = f.seq === undefined ? "" : ` seq=${f.seq}`;
  const flags = f.flags === undefined ? "" : ` flags=0x${f.flags.toString(16).padStart(2, "0")}`;
  return `${type}${seq} len=${f.length}${flags} checksum=${CHECKSUM_NAMES[f.checksum]}`;
}

/**
 * What the trace says reached the wire in direction `dir`, described like {@link describe}:
 * dropped frames never do; a corrupted frame carries the bit the fault injector flips (the
 * same pure function of seed, direction, type, seq and attempt) and a bad checksum; a frame
 * received with a bad checksum is known only by its length.
 */
function expectedOnWire(trace: readonly TraceLine[], dir: "send" | "recv"): string[] {
  const injector = new FaultInjector({ script: parseFaultScript(FAULTS), seed: SEED }, "client");
  const out: string[] = [];
  for (const t of trace) {
    if (t.dir !== dir) continue;
    if (t.marks.includes("DROPPED (fault)")) continue;
    assert.ok(
      !t.marks.some((m) => m.startsWith("DELAYED")),
      `delayed frames are not part of this scenario: ${t.line}`,
    );
    if (t.marks.includes("BAD CHECKSUM")) {
      out.push(describe({ type: undefined, length: t.length, checksum: 0 }));
      continue;
    }
    assert.deepEqual(t.marks.filter((m) => !/\(fault\)$/.test(m)), [], t.line);
    const header = new Uint8Array(HEADER_SIZE);
    const view = new DataView(header.buffer);
    view.setUint8(Offset.type, t.type);
    view.setUint32(Offset.seq, t.seq);
    view.setUint8(Offset.flags, t.last ? Flag.LAST : 0);
    let checksum = 1;
    if (t.marks.includes("CORRUPTED (fault)")) {
      const d = injector.decide(t.type as FrameType, t.seq, t.attempt, HEADER_SIZE + t.length);
      assert.ok(d.corruptBit >= 0, `the injector corrupts ${t.line}`);
      if (d.corruptBit < HEADER_SIZE * 8) {
        header[d.corruptBit >>> 3]! ^= 0x80 >>> (d.corruptBit & 7);
      }
      checksum = 0;
    }
    const wire = describe({
      type: view.getUint8(Offset.type),
      seq: view.getUint32(Offset.seq),
      length: t.length,
      flags: view.getUint8(Offset.flags),
      checksum,
    });
    out.push(wire);
    if (t.marks.includes("DUPLICATED (fault)")) out.push(wire);
  }
  return out;
}

/** Runs the binary session; returns the client's trace. */
async function binarySession(port: number, pcap?: string): Promise<TraceLine[]> {
  const args = [
    "join",
    `127.0.0.1:${port}`,
    "--nick",
    "ana",
    "--arq",
    "sr",
    // The textbook sender: the lost frame waits for its timer (asserted below).
    "--recovery",
    "timeout",
    "--trace",
    "--faults",
    FAULTS,
  ];
  if (pcap) args.push("--pcap", pcap);
  const r = await runChat(args, { stdin: BINARY_INPUT, timeoutMs: 15_000 });
  assert.equal(r.timedOut, false, `chat join (binary) timed out: ${r.stderr}`);
  assert.equal(r.code, 0, `chat join (binary) failed: ${r.stderr}`);
  const trace = parseTrace(r.stderr);
  const traceLike = r.stderr.split("\n").filter((l) => /^\s*\d+\.\d{3} client /.test(l));
  assert.equal(trace.length, traceLike.length, "every trace line parses");
  assert.ok(trace.length > 20, `a full trace: ${r.stderr}`);
  assert.ok(trace.every((t) => t.who === "client"));
  return trace;
}

/** Runs the plain-text session. */
async function textSession(port: number, pcap?: string): Promise<void> {
  const args = ["join", `127.0.0.1:${port}`, "--nick", "bob", "--text"];
  if (pcap) args.push("--pcap", pcap);
  const r = await runChat(args, { stdin: "hi\n", timeoutMs: 15_000 });
  assert.equal(r.timedOut, false, `chat join --text timed out: ${r.stderr}`);
  assert.equal(r.code, 0, `chat join --text failed: ${r.stderr}`);
}

async function writeDissector(path: string, args: string[]): Promise<void> {
  const r = await runChat(["dissector", ...args], { timeoutMs: 15_000 });
  assert.equal(r.code, 0, `chat dissector failed: ${r.stderr}`);
  assert.match(r.stdout, /^-- chat\.lua/);
  await Deno.writeTextFile(path, r.stdout);
}

/** Expert infos above Note (but the expected bad checksums), malformed packets, Lua errors. */
/**
 * Wireshark's analysis of TCP itself (a retransmission, a D-SACK, a duplicate ACK): the
 * kernel's own recovery, which a loaded machine's loopback sometimes shows, not the chat's.
 */
const TCP_OWN =
  /D-SACK|retransmission|Duplicate ACK|Out-Of-Order|previous segment|ACKed segment|window (full|update)/i;

function problems(packets: PacketFields[]): string[] {
  const out: string[] = [];
  for (const p of packets) {
    const n = p["frame.number"]![0];
    const messages = p["_ws.expert.message"]!;
    p["_ws.expert.severity"]!.map(Number).forEach((s, i) => {
      const m = messages[i] ?? "";
      if (s > SEVERITY_NOTE && !/^Bad checksum: carried/.test(m) && !TCP_OWN.test(m)) {
        out.push(`${n}: ${m}`);
      }
    });
    if (p["_ws.malformed"]!.length > 0) out.push(`${n}: malformed`);
    if (messages.some((m) => /Lua/i.test(m))) out.push(`${n}: Lua error`);
  }
  return out;
}

/** Pairs each traced frame that reached the wire with the wire frame (same order, checked). */
function pairUp(
  wire: readonly WireFrame[],
  trace: readonly TraceLine[],
  dir: "send" | "recv",
): { t: TraceLine; w: WireFrame }[] {
  const out: { t: TraceLine; w: WireFrame }[] = [];
  let i = 0;
  for (const t of trace) {
    if (t.dir !== dir || t.marks.includes("DROPPED (fault)")) continue;
    const copies = t.marks.includes("DUPLICATED (fault)") ? 2 : 1;
    for (let c = 0; c < copies; c++) out.push({ t, w: wire[i++]! });
  }
  assert.equal(i, wire.length);
  return out;
}

/**
 * Every frame the client traced is on the wire as traced, in order, in each direction, and
 * nothing else; then the scenario itself, step by step.
 */
function checkBinarySession(frames: WireFrame[], trace: TraceLine[]): void {
  const streams = new Set(frames.map((f) => f.stream));
  assert.equal(streams.size, 1, "one binary TCP stream");
  for (const dir of ["send", "recv"] as const) {
    assert.deepEqual(
      frames.filter((f) => f.dir === dir).map(describe),
      expectedOnWire(trace, dir),
      `${dir === "send" ? "client → server" : "server → client"} frames match the trace`,
    );
  }
  const sent = frames.filter((f) => f.dir === "send");
  const received = frames.filter((f) => f.dir === "recv");

  // Three-way handshake: SYN asking for SR, SYN-ACK acknowledging ISN 0, ACK of the server ISN.
  const [syn, ack] = sent;
  const synAck = received[0]!;
  assert.equal(syn!.type, FrameType.SYN);
  assert.equal(syn!.seq, 0);
  assert.deepEqual(syn!.fields["chat.syn.mode"], ["2"]);
  assert.deepEqual(syn!.fields["chat.syn.window"], ["8"]);
  assert.equal(synAck.type, FrameType.SYN_ACK);
  assert.deepEqual(synAck.fields["chat.synack.acked_isn"], ["0"]);
  assert.equal(ack!.type, FrameType.ACK);
  assert.equal(ack!.seq, synAck.seq);
  assert.ok(syn!.packet < synAck.packet && synAck.packet < ack!.packet, "handshake order");

  // The long message: three fragments, LAST only on the third, text intact once recovered.
  const intact = (seq: number) =>
    sent.filter((f) => f.type === FrameType.DATA && f.seq === seq && f.checksum === 1);
  FRAGMENT_SEQS.forEach((seq, i) => {
    const f = intact(seq)[0];
    assert.ok(f, `fragment DATA ${seq} arrives intact`);
    assert.equal(f.length, FRAGMENT_LENGTHS[i], `fragment ${seq} length`);
    assert.equal(f.last, i === FRAGMENT_SEQS.length - 1, `LAST flag of fragment ${seq}`);
  });
  const message = FRAGMENT_SEQS.map((seq) => intact(seq)[0]!.text).join("");
  assert.equal(message, `MSG ${LONG}`);

  // Corruption: the first copy of DATA 4 fails its checksum, the server NACKs 4, 4 is resent.
  const corrupted =
    pairUp(sent, trace, "send").find((p) =>
      p.t.type === FrameType.DATA && p.t.seq === CORRUPTED_SEQ && p.t.attempt === 1
    )!.w;
  assert.equal(corrupted.checksum, 0, "the corrupted fragment has a bad checksum");
  assert.equal(corrupted.length, FRAGMENT_LENGTHS[0]);
  assert.match(corrupted.fields["_ws.col.Info"]![0]!, /\[BAD CHECKSUM\]/);
  const nacks = received.filter((f) => f.type === FrameType.NACK);
  assert.equal(nacks.length, 1, "one NACK");
  const nack = nacks[0]!;
  assert.equal(nack.seq, CORRUPTED_SEQ, "the NACK names the corrupted frame");
  assert.ok(nack.packet > corrupted.packet, "the NACK follows the corrupted frame");
  // (The NACK or, when it looks stale, the timer resends it: a spurious second timeout under
  // load may resend it twice.)
  const resent = intact(CORRUPTED_SEQ);
  assert.ok(resent.length >= 1, "DATA 4 arrives intact");
  assert.ok(resent[0]!.packet > nack.packet, "the retransmission follows the NACK");
  const corruptTrace = trace.filter((t) =>
    t.dir === "send" && t.type === FrameType.DATA && t.seq === CORRUPTED_SEQ
  );
  assert.deepEqual(
    corruptTrace.map((t) => [t.attempt, t.marks]),
    corruptTrace.map((_, i) => [i + 1, i === 0 ? ["CORRUPTED (fault)"] : []]),
  );
  assert.equal(corruptTrace.length, resent.length + 1);

  // Loss: the first DATA 6 never reaches the wire; its timer (no NACK) resends it.
  const lossTrace = trace.filter((t) =>
    t.dir === "send" && t.type === FrameType.DATA && t.seq === DROPPED_SEQ
  );
  assert.ok(lossTrace.length >= 2, "DATA 6 is resent");
  assert.deepEqual(
    lossTrace.map((t) => [t.attempt, t.marks]),
    lossTrace.map((_, i) => [i + 1, i === 0 ? ["DROPPED (fault)"] : []]),
  );
  assert.ok(
    lossTrace[1]!.at - lossTrace[0]!.at >= MIN_TIMEOUT_S,
    `resent by timeout: ${lossTrace.map((t) => t.line).join(" / ")}`,
  );
  assert.ok(
    !trace.some((t) => t.dir === "recv" && t.type === FrameType.NACK && t.seq === DROPPED_SEQ),
    "no NACK for the lost frame",
  );
  const lostOnWire = sent.filter((f) => f.type === FrameType.DATA && f.seq === DROPPED_SEQ);
  assert.equal(
    lostOnWire.length,
    lossTrace.length - 1,
    "only retransmissions of DATA 6 on the wire",
  );
  assert.equal(lostOnWire[0]!.checksum, 1);
  assert.equal(lostOnWire[0]!.text, "MSG bye");

  // Teardown: the server's FIN (after QUIT) and the client's FIN-ACK end the session.
  const [fin, finAck] = frames.slice(-2);
  assert.equal(fin!.dir, "recv");
  assert.equal(fin!.type, FrameType.FIN);
  assert.equal(finAck!.dir, "send");
  assert.equal(finAck!.type, FrameType.FIN_ACK);
  assert.equal(finAck!.seq, fin!.seq);
  assert.ok(fin!.packet <= finAck!.packet);
}

function hexText(hex: string): string {
  const clean = hex.replace(/:/g, "");
  const bytes = new Uint8Array(clean.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(clean.slice(2 * i, 2 * i + 2), 16);
  return new TextDecoder().decode(bytes);
}

/** The dissector's lines of a text segment: split at `\n`, a trailing `\r` dropped. */
function linesOf(text: string): string[] {
  const parts = text.split("\n");
  if (parts.length > 1 && parts.at(-1) === "") parts.pop();
  return parts.map((l) => l.replace(/\r$/, ""));
}

/** The text session on `stream`: every segment labelled as text, line by line. */
function checkTextSession(packets: PacketFields[], port: number, stream: number): void {
  let fromClient = "";
  let fromServer = "";
  let segments = 0;
  for (const p of packets) {
    if (Number(p["tcp.stream"]![0]) !== stream) continue;
    const payload = p["tcp.payload"]![0];
    if (payload === undefined) continue;
    segments++;
    const text = hexText(payload);
    const at = `packet ${p["frame.number"]![0]}`;
    assert.deepEqual(p["_ws.col.Protocol"], ["Chat text"], at);
    assert.deepEqual(p["chat.type"], [], at);
    assert.deepEqual(p["chat.line"], linesOf(text), at);
    assert.deepEqual(p["_ws.col.Info"], [linesOf(text).join("\\n")], at);
    if (Number(p["tcp.dstport"]![0]) === port) fromClient += text;
    else fromServer += text;
  }
  assert.ok(segments >= 4, `text segments both ways: ${segments}`);
  // TOKEN: chat join asks for the token that lets it reconnect.
  assert.equal(fromClient, "bob\nTOKEN\nMSG hi\nQUIT\n");
  const reply = fromServer.replace(/^NICK/, "");
  assert.match(reply, /^200 OK - Connected\nWelcome, bob!/);
  assert.match(reply, /\n200 OK\nMessage sent\n/);
  assert.match(reply, /\n200 OK - Disconnecting\nBye, bob\n$/);
}

Deno.test({
  name: "--pcap captures of a real session decode in tshark exactly as the client traced them",
  ignore: !tsharkAvailable,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "chat-capture-" });
    let server: ServerProcess | undefined;
    try {
      server = await ServerProcess.start();
      const port = server.port;
      const binaryPcap = `${dir}/binary.pcapng`;
      const textPcap = `${dir}/text.pcapng`;
      const lua = `${dir}/chat.lua`;
      const trace = await binarySession(port, binaryPcap);
      await textSession(port, textPcap);
      // The dissector registered on the server's port (preference chat.port).
      await writeDissector(lua, ["--port", String(port)]);

      const binary = await readFields(binaryPcap, FIELDS, { lua });
      assert.deepEqual(problems(binary), []);
      const frames = wireFrames(binary, port);
      checkBinarySession(frames, trace);
      // The client records every segment it wrote: one per frame sent.
      const sentPackets = new Set(frames.filter((f) => f.dir === "send").map((f) => f.packet));
      assert.equal(sentPackets.size, frames.filter((f) => f.dir === "send").length);

      const text = await readFields(textPcap, FIELDS, { lua });
      assert.deepEqual(problems(text), []);
      checkTextSession(text, port, 0);
    } finally {
      await server?.stop();
      await Deno.remove(dir, { recursive: true });
    }
  },
});

const loopback = tsharkAvailable ? await loopbackInterface() : undefined;
if (tsharkAvailable && loopback === undefined) {
  console.log("SKIP capture_live_test.ts live capture: tshark -D lists no loopback interface");
}

Deno.test({
  name: "a live tshark capture on loopback decodes both sessions as the client traced them",
  ignore: loopback === undefined,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "chat-live-" });
    let server: ServerProcess | undefined;
    let capture: LiveCapture | undefined;
    try {
      server = await ServerProcess.start();
      const port = server.port;
      const file = `${dir}/live.pcapng`;
      const lua = `${dir}/chat.lua`;
      await Deno.mkdir(`${dir}/home`);
      const started = await LiveCapture.start(
        tsharkPath!,
        loopback!,
        `tcp port ${port}`,
        file,
        `${dir}/home`,
      );
      if ("error" in started) {
        console.log(`SKIP live capture: tshark cannot capture on ${loopback}: ${started.error}`);
        return;
      }
      capture = started;
      const trace = await binarySession(port);
      await textSession(port);
      // Both sessions closed (two FINs each) are in the file before tshark is stopped.
      const fins = await capture.waitForSegments(port, (flags) => (flags & 0x01) !== 0, 4, 8_000);
      assert.ok(fins, "the capture file holds both sessions' TCP FINs");
      await capture.stop();
      capture = undefined;

      // The default dissector (port 55555) with Decode As for the server's port.
      await writeDissector(lua, []);
      const packets = await readFields(file, FIELDS, {
        lua,
        args: ["-d", `tcp.port==${port},chat`],
      });
      assert.deepEqual(problems(packets), []);
      const frames = wireFrames(packets, port);
      checkBinarySession(frames, trace);
      const binaryStream = frames[0]!.stream;
      const streams = new Set(packets.map((p) => Number(p["tcp.stream"]![0])));
      assert.equal(streams.size, 2, "two TCP streams: the binary and the text session");
      const textStream = [...streams].find((s) => s !== binaryStream)!;
      checkTextSession(packets, port, textStream);
    } finally {
      await capture?.stop();
      await server?.stop();
      await Deno.remove(dir, { recursive: true });
    }
  },
});
