/**
 * Generates the Wireshark Lua dissector for `chat` from the protocol definitions in
 * `lib/protocol` (header fields, frame types, flags, sizes, control payload layouts), so the
 * dissector cannot drift from the codec: regenerate it and it matches the program.
 *
 * What the generated `chat.lua` does:
 * - registers protocol `chat` on TCP and UDP port 55555 (preference `chat.port`); other ports
 *   through Decode As, `tshark -d tcp.port==N,chat` (`udp.port==N`), or the `chat_tcp` and
 *   `chat_udp` heuristics, which recognize a binary frame whose checksum is valid;
 * - UDP: each datagram holds one or more whole frames, each dissected (no reassembly);
 * - binary sessions: reassembles frames split across TCP segments and dissects several frames
 *   per segment (`dissect_tcp_pdus`); every header field is a filterable field (`chat.seq`,
 *   `chat.type == 5`, `chat.flags.last`...); verifies the RFC 1071 checksum
 *   (`chat.checksum.status`, expert info when it is bad, like Wireshark does for TCP); decodes
 *   SYN/SYN-ACK parameters (and their echo in the handshake ACK), SACK ranges, the RST reason
 *   and DATA text; Info reads like
 *   `DATA seq=3 len=1024 LAST`, frames of one segment separated by ` | `;
 * - plain-text sessions: a direction of a TCP stream whose data does not start with 0xC1 (and
 *   that has not sent a binary frame before) is shown as `Chat text`, one `chat.line` per line,
 *   Info the lines joined by a literal `\n`. Each TCP segment is shown on its own, so a line
 *   split across two segments shows as two pieces.
 * @module
 */

import {
  Flag,
  FRAME_TYPE_NAMES,
  FrameType,
  HEADER_FIELDS,
  HEADER_SIZE,
  MAGIC,
  MAX_PAYLOAD,
  MAX_SACK_RANGES,
  Offset,
  PROTOCOL_VERSION,
  SYN_ACK_PAYLOAD_SIZE,
  SYN_PAYLOAD_SIZE,
} from "../protocol/mod.ts";
import {
  checkLayouts,
  MODE_LABELS,
  modeCodes,
  POLICY_LABELS,
  policyCodes,
  SACK_COUNT,
  SACK_RANGE_SIZE,
  SACK_RANGE_START,
  SYN_ACK_ISN,
  SYN_FIELDS,
} from "./layout.ts";

/** The TCP port registered by default (the port `chat serve` listens on by default). */
export const DEFAULT_PORT = 55555;
/** Protocol column of binary frames. */
export const BINARY_COLUMN = "CHAT";
/** Protocol column (and tree label) of plain-text segments. */
export const TEXT_COLUMN = "Chat text";

/** Options of {@link generateDissector}. */
export interface DissectorOptions {
  /** TCP port registered for `chat` (default {@link DEFAULT_PORT}; 0 registers none). */
  readonly port?: number;
  /** A line naming the generator, put in the header comment (e.g. `chat 0.1.0`). */
  readonly generator?: string;
}

/** Labels of the flag bits, by `Flag` key; a new flag without a label shows its key. */
const FLAG_LABELS: Readonly<Record<string, string>> = { LAST: "Last fragment" };

/** How header fields are displayed; fields not listed are decimal. */
const HEX_FIELDS: ReadonlySet<string> = new Set(["magic", "checksum", "flags"]);

/** Placeholder for the ordered list of fields, filled in once all are generated. */
const FIELD_LIST = "--[[FIELD LIST]]";

/** A Lua string literal (bytes outside printable ASCII as decimal escapes). */
export function luaString(text: string): string {
  let out = '"';
  for (const b of new TextEncoder().encode(text)) {
    if (b === 0x22) out += '\\"';
    else if (b === 0x5c) out += "\\\\";
    else if (b >= 0x20 && b < 0x7f) out += String.fromCharCode(b);
    else out += `\\${b.toString().padStart(3, "0")}`;
  }
  return out + '"';
}

function luaTable(entries: readonly (readonly [string | number, string | number])[]): string {
  const body = entries.map(([k, v]) => {
    const key = typeof k === "number"
      ? `[${k}]`
      : /^[A-Za-z_]\w*$/.test(k)
      ? k
      : `[${luaString(k)}]`;
    const value = typeof v === "number" ? String(v) : luaString(v);
    return `${key} = ${value}`;
  });
  return `{ ${body.join(", ")} }`;
}

function uintType(size: number): string {
  return `uint${size * 8}`;
}

/** Checks that the protocol definitions have what the generated code relies on. */
function checkDefinitions(): void {
  const names = HEADER_FIELDS.map((f) => f.name);
  for (const [name, offset] of Object.entries(Offset)) {
    const f = HEADER_FIELDS.find((h) => h.name === name);
    if (!f) throw new Error(`HEADER_FIELDS lacks a field for Offset.${name}`);
    if (f.offset !== offset) throw new Error(`HEADER_FIELDS ${name} is not at Offset.${name}`);
  }
  if (names.length !== new Set(names).size) throw new Error("HEADER_FIELDS has duplicate names");
  const end = Math.max(...HEADER_FIELDS.map((f) => f.offset + f.size));
  if (end !== HEADER_SIZE) throw new Error(`HEADER_FIELDS end at ${end}, not ${HEADER_SIZE}`);
  const problem = checkLayouts();
  if (problem) throw new Error(`Control payload layout drifted: ${problem}`);
}

/**
 * Returns the text of `chat.lua`. Throws `Error` when the protocol definitions and the
 * layouts this generator knows disagree (a drift to fix here, not in the output).
 */
export function generateDissector(options: DissectorOptions = {}): string {
  checkDefinitions();
  const port = options.port ?? DEFAULT_PORT;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new RangeError(`Port must be an integer from 0 to 65535: ${port}`);
  }
  const generator = options.generator ?? "chat";
  const typeEntries = Object.entries(FrameType) as [string, number][];
  const typeNames = Object.entries(FRAME_TYPE_NAMES).map(([v, n]) => [Number(v), n] as const);
  const flagEntries = Object.entries(Flag) as [string, number][];
  const reserved = 0xff & ~flagEntries.reduce((m, [, bit]) => m | bit, 0);
  const modes = modeCodes();
  const policies = policyCodes();

  const headerFields = HEADER_FIELDS.map((f) => {
    const base = HEX_FIELDS.has(f.name) ? "base.HEX" : "base.DEC";
    const extra = f.name === "type" ? ", TYPE_NAMES" : "";
    return `pf.${f.name} = ProtoField.${uintType(f.size)}("chat.${f.name}", ${
      luaString(f.description)
    }, ${base}${extra})`;
  });
  const flagFields = flagEntries.map(([key, bit]) =>
    `pf.flags_${key.toLowerCase()} = ProtoField.bool("chat.flags.${key.toLowerCase()}", ${
      luaString(FLAG_LABELS[key] ?? key)
    }, 8, nil, ${bit})`
  );
  const synFields = SYN_FIELDS.map((f) => {
    const vs = f.name === "mode" ? ", MODE_NAMES" : f.name === "ack_policy" ? ", POLICY_NAMES" : "";
    return `pf.syn_${f.name} = ProtoField.${uintType(f.size)}("chat.syn.${f.name}", ${
      luaString(f.label)
    }, base.DEC${vs})`;
  });
  const synLayout = SYN_FIELDS.map((f) =>
    `  { key = ${
      luaString(f.name)
    }, field = pf.syn_${f.name}, offset = ${f.offset}, size = ${f.size} },`
  );
  const headerTree = HEADER_FIELDS.map((f) => {
    const range = `tvb(OFF.${f.name}, SIZE.${f.name})`;
    switch (f.name) {
      case "type":
        return `  local type_item = sub:add(pf.type, ${range})`;
      case "checksum":
        return `  local checksum_item = sub:add(pf.checksum, ${range})\n` +
          `  add_checksum_status(sub, checksum_item, ${range}, carried, computed, verified)`;
      case "flags":
        return `  local flags_item = sub:add(pf.flags, ${range})\n` +
          flagEntries.map(([key]) => `  flags_item:add(pf.flags_${key.toLowerCase()}, ${range})`)
            .join("\n") +
          (reserved !== 0 ? `\n  flags_item:add(pf.flags_reserved, ${range})` : "");
      default:
        return `  sub:add(pf.${f.name}, ${range})`;
    }
  });

  const text =
    `-- chat.lua: Wireshark dissector for the chat LAN protocol (binary frames and plain text).
-- Generated by ${generator} from lib/protocol (protocol version ${PROTOCOL_VERSION}). Do not edit:
-- regenerate it so it always matches the program.
--
-- Install: copy this file into Wireshark's personal Lua plugins folder (Help > About Wireshark >
-- Folders > Personal Lua Plugins), then restart Wireshark or use Analyze > Reload Lua Plugins.
-- TCP and UDP port ${port} are decoded automatically (preference chat.port); for another port
-- use Analyze > Decode As... > CHAT, or: tshark -d tcp.port==PORT,chat -r capture.pcapng
-- (udp.port==PORT,chat for UDP; binary sessions on other ports are also found by the
-- heuristics chat_tcp and chat_udp). A UDP datagram holds one or more whole frames.
-- Display filter examples: chat, chat.type == ${FrameType.DATA}, chat.flags.last == 1,
-- chat.checksum.status == 0 (bad), chat.sack.start, chat.line contains "MSG"

local MAGIC = ${MAGIC}
local HEADER_SIZE = ${HEADER_SIZE}
local MAX_PAYLOAD = ${MAX_PAYLOAD}
local PROTOCOL_VERSION = ${PROTOCOL_VERSION}
local OFF = ${luaTable(HEADER_FIELDS.map((f) => [f.name, f.offset]))}
local SIZE = ${luaTable(HEADER_FIELDS.map((f) => [f.name, f.size]))}
local T = ${luaTable(typeEntries)}
local TYPE_NAMES = ${luaTable(typeNames)}
local FLAG = ${luaTable(flagEntries)}
local SYN_PAYLOAD_SIZE = ${SYN_PAYLOAD_SIZE}
local SYN_ACK_PAYLOAD_SIZE = ${SYN_ACK_PAYLOAD_SIZE}
local ACKED_ISN_OFFSET = ${SYN_ACK_ISN.offset}
local SACK_COUNT_OFFSET = ${SACK_COUNT.offset}
local SACK_RANGE_START = ${SACK_RANGE_START}
local SACK_RANGE_SIZE = ${SACK_RANGE_SIZE}
local MAX_SACK_RANGES = ${MAX_SACK_RANGES}
local MODE_NAMES = ${luaTable([[modes.gbn, MODE_LABELS.gbn], [modes.sr, MODE_LABELS.sr]])}
local MODE_SHORT = ${luaTable([[modes.gbn, "GBN"], [modes.sr, "SR"]])}
local POLICY_NAMES = ${
      luaTable([[policies.frame, POLICY_LABELS.frame], [policies.sack, POLICY_LABELS.sack]])
    }
local POLICY_SHORT = ${luaTable([[policies.frame, "frame"], [policies.sack, "sack"]])}
local CHECKSUM_BAD, CHECKSUM_GOOD, CHECKSUM_UNVERIFIED = 0, 1, 2
local CHECKSUM_STATUS = { [0] = "Bad", [1] = "Good", [2] = "Unverified" }
local BINARY_COLUMN = ${luaString(BINARY_COLUMN)}
local TEXT_COLUMN = ${luaString(TEXT_COLUMN)}

local chat = Proto("chat", "Chat LAN protocol")

local pf = {}
${headerFields.join("\n")}
pf.checksum_calculated = ProtoField.uint16("chat.checksum.calculated", "Calculated checksum", base.HEX)
pf.checksum_status = ProtoField.uint8("chat.checksum.status", "Checksum status", base.DEC, CHECKSUM_STATUS)
${flagFields.join("\n")}
pf.flags_reserved = ProtoField.uint8("chat.flags.reserved", "Reserved", base.HEX, nil, ${reserved})
${synFields.join("\n")}
pf.synack_${SYN_ACK_ISN.name} = ProtoField.uint32("chat.synack.${SYN_ACK_ISN.name}", ${
      luaString(SYN_ACK_ISN.label)
    }, base.DEC)
pf.sack_count = ProtoField.uint8("chat.sack.count", ${luaString(SACK_COUNT.label)}, base.DEC)
pf.sack_range = ProtoField.none("chat.sack.range", "SACK range")
pf.sack_start = ProtoField.uint32("chat.sack.start", "Start (first received)", base.DEC)
pf.sack_end = ProtoField.uint32("chat.sack.end", "End (exclusive)", base.DEC)
pf.rst_reason = ProtoField.string("chat.rst.reason", "Reason")
pf.payload = ProtoField.bytes("chat.payload", "Payload")
pf.text = ProtoField.string("chat.text", "Text")
pf.line = ProtoField.string("chat.line", "Line")

chat.fields = ${FIELD_LIST}

local ef = {
  bad_checksum = ProtoExpert.new("chat.checksum_bad", "Bad checksum", expert.group.CHECKSUM, expert.severity.ERROR),
  not_a_frame = ProtoExpert.new("chat.not_a_frame", "Not a chat frame", expert.group.MALFORMED, expert.severity.ERROR),
  unknown_type = ProtoExpert.new("chat.unknown_type", "Unknown frame type", expert.group.PROTOCOL, expert.severity.WARN),
  bad_payload = ProtoExpert.new("chat.bad_payload", "Payload does not fit the frame type", expert.group.MALFORMED, expert.severity.WARN),
}
chat.experts = { ef.bad_checksum, ef.not_a_frame, ef.unknown_type, ef.bad_payload }

chat.prefs.port = Pref.uint("Port", ${port}, "TCP and UDP port decoded as chat (0: none; Decode As adds more)")

local SYN_LAYOUT = {
${synLayout.join("\n")}
}

local tcp_stream = Field.new("tcp.stream")

-- Directions of TCP streams that carried a binary frame: key -> first frame number.
local binary_since = {}

function chat.init()
  binary_since = {}
end

local function direction_key(pinfo)
  local stream = tcp_stream()
  if stream == nil then return nil end
  return tostring(stream.value) .. "/" .. tostring(pinfo.src) .. ":" .. tostring(pinfo.src_port)
end

-- RFC 1071 over bytes [offset, offset + n) of tvb with the checksum field taken as zero.
local function frame_checksum(tvb, offset, n)
  local s = tvb:raw(offset, n)
  local sum = 0
  local ck = OFF.checksum
  for i = 1, n do
    if i <= ck or i > ck + SIZE.checksum then
      local b = s:byte(i)
      if i % 2 == 1 then sum = sum + b * 256 else sum = sum + b end
    end
  end
  while sum > 65535 do sum = (sum % 65536) + math.floor(sum / 65536) end
  return 65535 - sum
end

local function has_flag(flags, bit)
  return math.floor(flags / bit) % 2 == 1
end

-- The first chat item of a packet replaces TCP's Info text; later ones are appended.
local function add_info(pinfo, text)
  if tostring(pinfo.cols.protocol) == BINARY_COLUMN then
    pinfo.cols.info:append(" | " .. text)
  else
    pinfo.cols.protocol = BINARY_COLUMN
    pinfo.cols.info = text
  end
end

local function add_checksum_status(sub, checksum_item, range, carried, computed, verified)
  if not verified then
    sub:add(pf.checksum_status, range, CHECKSUM_UNVERIFIED):set_generated()
    checksum_item:append_text(" [unverified]")
    return
  end
  if carried == computed then
    checksum_item:append_text(" [correct]")
    sub:add(pf.checksum_status, range, CHECKSUM_GOOD):set_generated()
  else
    checksum_item:append_text(string.format(" [incorrect, should be 0x%04x]", computed))
    sub:add(pf.checksum_calculated, range, computed):set_generated()
    sub:add(pf.checksum_status, range, CHECKSUM_BAD):set_generated()
    checksum_item:add_proto_expert_info(ef.bad_checksum,
      string.format("Bad checksum: carried 0x%04x, computed 0x%04x", carried, computed))
  end
end

-- Decodes the payload of a frame of type ftype; returns the text added to Info.
local function dissect_payload(tvb, sub, ftype, n)
  if n == 0 then return "" end
  local prange = tvb(HEADER_SIZE, n)
  -- The handshake ACK carries the SYN-ACK's payload back (a SACK block is never that size).
  local echo = ftype == T.ACK and n == SYN_ACK_PAYLOAD_SIZE
  if ftype == T.SYN or ftype == T.SYN_ACK or echo then
    local want = (ftype == T.SYN) and SYN_PAYLOAD_SIZE or SYN_ACK_PAYLOAD_SIZE
    if n ~= want then
      sub:add(pf.payload, prange):add_proto_expert_info(ef.bad_payload,
        string.format("%s payload must be %d bytes, got %d", TYPE_NAMES[ftype], want, n))
      return string.format(" len=%d", n)
    end
    local params = sub:add(prange, echo and "Handshake echo (the SYN-ACK's payload)"
      or "Session parameters")
    local v = {}
    for _, f in ipairs(SYN_LAYOUT) do
      local range = tvb(HEADER_SIZE + f.offset, f.size)
      local item = params:add(f.field, range)
      v[f.key] = range:uint()
      if f.key == "version" and v.version ~= PROTOCOL_VERSION then
        item:add_proto_expert_info(ef.bad_payload, "Unsupported protocol version " .. v.version)
      end
    end
    local text = string.format(" mode=%s window=%d acks=%s max=%d",
      MODE_SHORT[v.mode] or tostring(v.mode), v.window,
      POLICY_SHORT[v.ack_policy] or tostring(v.ack_policy), v.max_payload)
    if ftype ~= T.SYN then
      local range = tvb(HEADER_SIZE + ACKED_ISN_OFFSET, 4)
      sub:add(pf.synack_${SYN_ACK_ISN.name}, range)
      text = text .. string.format(" isn=%d", range:uint())
    end
    if echo then text = " echo" .. text end
    return text
  elseif ftype == T.ACK then
    local count = tvb(HEADER_SIZE + SACK_COUNT_OFFSET, 1):uint()
    if count > MAX_SACK_RANGES or n ~= SACK_RANGE_START + SACK_RANGE_SIZE * count then
      sub:add(pf.payload, prange):add_proto_expert_info(ef.bad_payload,
        string.format("Bad SACK block: %d ranges in %d bytes", count, n))
      return " sack=?"
    end
    sub:add(pf.sack_count, tvb(HEADER_SIZE + SACK_COUNT_OFFSET, 1))
    local parts = {}
    for i = 0, count - 1 do
      local at = HEADER_SIZE + SACK_RANGE_START + SACK_RANGE_SIZE * i
      local first, last = tvb(at, 4):uint(), tvb(at + 4, 4):uint()
      local item = sub:add(pf.sack_range, tvb(at, SACK_RANGE_SIZE))
      item:append_text(string.format(": [%d, %d)", first, last))
      item:add(pf.sack_start, tvb(at, 4))
      item:add(pf.sack_end, tvb(at + 4, 4))
      parts[#parts + 1] = string.format("[%d-%d)", first, last)
    end
    return " sack=" .. table.concat(parts, ",")
  elseif ftype == T.RST then
    sub:add_packet_field(pf.rst_reason, prange, ENC_UTF_8)
    local reason = prange:string(ENC_UTF_8)
    if #reason > 60 then reason = reason:sub(1, 57) .. "..." end
    return ' reason="' .. reason .. '"'
  elseif ftype == T.DATA then
    sub:add(pf.payload, prange)
    sub:add_packet_field(pf.text, prange, ENC_UTF_8)
    return ""
  else
    sub:add(pf.payload, prange)
    return string.format(" len=%d", n)
  end
end

-- Length of the frame starting at offset (dissect_tcp_pdus calls it with the header there).
local function frame_length(tvb, pinfo, offset)
  local magic = tvb(offset + OFF.magic, SIZE.magic):uint()
  local length = tvb(offset + OFF.length, SIZE.length):uint()
  if magic ~= MAGIC or length > MAX_PAYLOAD then
    return tvb:len() - offset -- not a frame: the rest of the segment, reported as such
  end
  return HEADER_SIZE + length
end

-- One complete frame (or, after framing damage, the rest of the segment; or, with TCP
-- reassembly turned off, the start of a frame continued in later segments).
local function dissect_frame(tvb, pinfo, tree)
  local captured = tvb:len()
  local n = tvb:reported_len()
  local item = tree:add(chat, tvb())
  local magic = tvb(OFF.magic, SIZE.magic):uint()
  local length = nil
  if captured >= OFF.length + SIZE.length then length = tvb(OFF.length, SIZE.length):uint() end
  if magic == MAGIC and (length == nil or (length <= MAX_PAYLOAD and n < HEADER_SIZE + length)) then
    local want = length and tostring(HEADER_SIZE + length) or "?"
    item:append_text(string.format(", partial frame (%d of %s bytes)", n, want))
    add_info(pinfo, string.format("[partial frame, %d of %s bytes]", n, want))
    return captured
  end
  if magic ~= MAGIC or length > MAX_PAYLOAD or n ~= HEADER_SIZE + length then
    item:add_proto_expert_info(ef.not_a_frame, string.format(
      "Not a chat frame: magic 0x%02x, length %d, %d bytes", magic, length or 0, n))
    add_info(pinfo, string.format("[not a chat frame, %d bytes]", n))
    return captured
  end
  if captured < HEADER_SIZE then
    item:append_text(string.format(", partial frame (%d of %d bytes)", captured, n))
    add_info(pinfo, string.format("[partial frame, %d of %d bytes]", captured, n))
    return captured
  end
  local ftype = tvb(OFF.type, SIZE.type):uint()
  local seq = tvb(OFF.seq, SIZE.seq):uint()
  local flags = tvb(OFF.flags, SIZE.flags):uint()
  local carried = tvb(OFF.checksum, SIZE.checksum):uint()
  local verified = captured == n
  local computed = verified and frame_checksum(tvb, 0, n) or carried
  local name = TYPE_NAMES[ftype] or string.format("TYPE(%d)", ftype)

  local sub = item
${headerTree.join("\n")}
  local set_flags = {}
  for flag_name, bit in pairs(FLAG) do
    if has_flag(flags, bit) then set_flags[#set_flags + 1] = flag_name end
  end
  if #set_flags > 0 then
    table.sort(set_flags)
    flags_item:append_text(" (" .. table.concat(set_flags, ", ") .. ")")
  end
  if TYPE_NAMES[ftype] == nil then
    type_item:add_proto_expert_info(ef.unknown_type, "Unknown frame type " .. ftype)
  end

  local summary = string.format("%s seq=%d", name, seq)
  if ftype == T.DATA then
    summary = summary .. string.format(" len=%d", length)
    if has_flag(flags, FLAG.LAST) then summary = summary .. " LAST" end
  end
  if verified then
    summary = summary .. dissect_payload(tvb, item, ftype, length)
  else
    summary = summary .. string.format(" [partial, %d of %d bytes]", captured, n)
  end
  if verified and carried ~= computed then summary = summary .. " [BAD CHECKSUM]" end
  item:append_text(", " .. summary)
  add_info(pinfo, summary)
  return captured
end

-- A plain-text segment: one item per line.
local function dissect_text(tvb, pinfo, tree)
  local n = tvb:len()
  pinfo.cols.protocol = TEXT_COLUMN
  local item = tree:add(chat, tvb(), TEXT_COLUMN)
  local s = tvb:raw(0, n)
  local shown = {}
  local pos = 1
  while pos <= n do
    local nl = s:find("\\n", pos, true)
    local stop = nl or n
    local text_end = nl and nl - 1 or n
    if text_end >= pos and s:byte(text_end) == 13 then text_end = text_end - 1 end
    local value = ""
    if text_end >= pos then value = tvb(pos - 1, text_end - pos + 1):string(ENC_UTF_8) end
    item:add(pf.line, tvb(pos - 1, stop - pos + 1), value)
    shown[#shown + 1] = value
    pos = stop + 1
  end
  item:append_text(string.format(" (%d line%s)", #shown, #shown == 1 and "" or "s"))
  pinfo.cols.info = table.concat(shown, "\\\\n")
  return n
end

-- A UDP datagram: one or more whole frames, each dissected on its own (no reassembly: a frame
-- never spans two datagrams). A datagram that does not start with the magic is reported so.
local function dissect_datagram(tvb, pinfo, tree)
  local n = tvb:len()
  local offset = 0
  while offset < n do
    local len = n - offset
    if len >= OFF.length + SIZE.length then
      len = math.min(frame_length(tvb, pinfo, offset), len)
    end
    dissect_frame(tvb(offset, len):tvb(), pinfo, tree)
    offset = offset + len
  end
  return n
end

local udp_length = Field.new("udp.length")

function chat.dissector(tvb, pinfo, tree)
  local n = tvb:len()
  if n == 0 then return 0 end
  if udp_length() ~= nil then return dissect_datagram(tvb, pinfo, tree) end
  local key = direction_key(pinfo)
  local since = key and binary_since[key]
  local starts_binary = tvb(0, 1):uint() == MAGIC
  if starts_binary and key and (since == nil or pinfo.number < since) then
    binary_since[key] = pinfo.number
    since = pinfo.number
  end
  if starts_binary or (since ~= nil and since < pinfo.number) then
    dissect_tcp_pdus(tvb, tree, HEADER_SIZE, frame_length, dissect_frame, true)
    return n
  end
  return dissect_text(tvb, pinfo, tree)
end

-- Recognizes a binary session on any port by a first frame with a valid checksum.
local function heuristic(tvb, pinfo, tree)
  local n = tvb:len()
  if n < HEADER_SIZE or tvb(OFF.magic, SIZE.magic):uint() ~= MAGIC then return false end
  local length = tvb(OFF.length, SIZE.length):uint()
  if length > MAX_PAYLOAD or n < HEADER_SIZE + length then return false end
  if TYPE_NAMES[tvb(OFF.type, SIZE.type):uint()] == nil then return false end
  if frame_checksum(tvb, 0, HEADER_SIZE + length) ~= tvb(OFF.checksum, SIZE.checksum):uint() then
    return false
  end
  pinfo.conversation = chat
  chat.dissector(tvb, pinfo, tree)
  return true
end
chat:register_heuristic("tcp", heuristic)
chat:register_heuristic("udp", heuristic)

-- The same port number on TCP and on UDP (chat serve listens on both).
local registered_port = 0
local function register_port()
  local tcp_port = DissectorTable.get("tcp.port")
  local udp_port = DissectorTable.get("udp.port")
  if registered_port ~= 0 then
    tcp_port:remove(registered_port, chat)
    udp_port:remove(registered_port, chat)
  end
  registered_port = chat.prefs.port
  if registered_port ~= 0 then
    tcp_port:add(registered_port, chat)
    udp_port:add(registered_port, chat)
  end
end

function chat.prefs_changed()
  if chat.prefs.port ~= registered_port then register_port() end
end

register_port()
`;
  const keys = Array.from(text.matchAll(/^pf\.(\w+) = ProtoField\./gm), (m) => `pf.${m[1]}`);
  return text.replace(FIELD_LIST, `{\n  ${keys.join(",\n  ")},\n}`);
}
