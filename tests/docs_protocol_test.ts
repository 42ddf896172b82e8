/**
 * docs/PROTOCOL.md cannot drift: its example bytes decode to the fields it states. Its Portuguese
 * translation, docs/PROTOCOL.pt-BR.md, has the same examples (decoding the same way), states the
 * same limits, and every anchor it offers is one of the English document's sections, so links
 * and `chat test`'s section names work in both.
 */

import assert from "node:assert/strict";
import {
  decodeSynAck,
  type Frame,
  FrameDecoder,
  frameTypeName,
  HEADER_SIZE,
  MAX_PAYLOAD,
} from "../lib/protocol/mod.ts";

const doc = Deno.readTextFileSync(new URL("../docs/PROTOCOL.md", import.meta.url));
const docPt = Deno.readTextFileSync(new URL("../docs/PROTOCOL.pt-BR.md", import.meta.url));
const DOCS = { "PROTOCOL.md": doc, "PROTOCOL.pt-BR.md": docPt };

interface Example {
  readonly fields: Record<string, string>;
  readonly bytes: Uint8Array;
}

function examples(text: string): Example[] {
  const out: Example[] = [];
  const re = /\(([^()]*type=[^()]*)\):\s*```hex\n([\s\S]*?)```/g;
  for (const m of text.matchAll(re)) {
    const fields: Record<string, string> = {};
    for (const kv of m[1]!.split(/\s+/)) {
      const [k, v] = kv.split("=");
      if (k && v) fields[k] = v;
    }
    const bytes = Uint8Array.from(m[2]!.trim().split(/\s+/).map((h) => parseInt(h, 16)));
    out.push({ fields, bytes });
  }
  return out;
}

for (const [name, text] of Object.entries(DOCS)) {
  Deno.test(`${name} has its four worked examples`, () => {
    assert.equal(examples(text).length, 4);
  });

  Deno.test(`${name} handshake ACK example echoes a SYN-ACK payload`, () => {
    const ack = examples(text).find((e) => e.fields.type === "ACK" && e.fields.length === "11")!;
    const echo = decodeSynAck(ack.bytes.subarray(HEADER_SIZE));
    assert.deepEqual(echo, {
      params: { mode: "gbn", window: 8, ackPolicy: "frame", maxPayload: 1024 },
      ackedIsn: 0,
    });
  });

  Deno.test(`${name} example bytes decode to the fields stated beside them`, () => {
    for (const ex of examples(text)) {
      const frames: Frame[] = [];
      const err = new FrameDecoder().push(ex.bytes, {
        frame: (f) => frames.push({ ...f, payload: f.payload.slice() }),
        corrupt: (e) => assert.fail(e.message),
      });
      assert.equal(err, undefined);
      assert.equal(frames.length, 1);
      const f = frames[0]!;
      assert.equal(frameTypeName(f.type), ex.fields.type);
      assert.equal(f.seq, Number(ex.fields.seq));
      assert.equal(f.payload.length, Number(ex.fields.length));
      assert.equal(f.flags, Number(ex.fields.flags));
      assert.equal(ex.bytes.length, HEADER_SIZE + f.payload.length);
    }
  });

  Deno.test(`${name} DATA example carries MSG Olá`, () => {
    const data = examples(text).find((e) => e.fields.type === "DATA")!;
    const payload = new TextDecoder().decode(data.bytes.subarray(HEADER_SIZE));
    assert.equal(payload, "MSG Olá");
  });
}

Deno.test("PROTOCOL.md states the limits the code uses", () => {
  assert.match(doc, new RegExp(`at most \\*\\*${MAX_PAYLOAD} payload bytes per frame\\*\\*`));
  assert.match(doc, /11-byte header/);
});

Deno.test("PROTOCOL.pt-BR.md states the same limits and says the English one is the reference", () => {
  assert.match(
    docPt,
    new RegExp(`no máximo \\*\\*${MAX_PAYLOAD} bytes de payload por quadro\\*\\*`),
  );
  assert.match(docPt, /cabeçalho de 11 bytes/);
  assert.match(docPt.slice(0, 600), /Quando as duas versões divergirem, vale a inglesa/);
});

/** GitHub's anchor of a heading: lower case, punctuation but `-` dropped, spaces to `-`. */
function slug(heading: string): string {
  return heading.trim().toLowerCase().replace(/[^\p{L}\p{N}\s-]/gu, "").replace(/\s/g, "-");
}

Deno.test("PROTOCOL.pt-BR.md's anchors are the English sections', and its links resolve", () => {
  const english = new Set([...doc.matchAll(/^#{1,4} (.+)$/gm)].map((m) => slug(m[1]!)));
  const anchors = [...docPt.matchAll(/<a id="([^"]+)"><\/a>/g)].map((m) => m[1]!);
  assert.ok(anchors.length >= 20, `${anchors.length} anchors`);
  for (const a of anchors) assert.ok(english.has(a), `no English section for #${a}`);
  for (const m of docPt.matchAll(/\]\(#([^)]+)\)/g)) {
    assert.ok(anchors.includes(m[1]!), `a link to #${m[1]} with no anchor`);
  }
  // Every section of the translation but the title is anchored to its English one.
  const sections = [...docPt.matchAll(/(?:<a id="[^"]+"><\/a>\n\n)?^#{2,4} .+$/gm)];
  for (const s of sections) assert.match(s[0], /^<a id=/, `no anchor before ${s[0]}`);
  // And the English links resolve in the English document.
  for (const m of doc.matchAll(/\]\(#([^)]+)\)/g)) assert.ok(english.has(m[1]!), `#${m[1]}`);
});
