import assert from "node:assert/strict";
import {
  fragment,
  fragmentAt,
  fragmentCount,
  MessageTooLongError,
  Reassembler,
} from "../lib/arq/fragment.ts";
import { MAX_MESSAGE } from "../lib/protocol/header.ts";

Deno.test("fragmentCount gives one frame for empty and small messages", () => {
  assert.equal(fragmentCount(0, 8), 1);
  assert.equal(fragmentCount(1, 8), 1);
  assert.equal(fragmentCount(8, 8), 1);
  assert.equal(fragmentCount(9, 8), 2);
  assert.equal(fragmentCount(MAX_MESSAGE, 1024), 64);
});

Deno.test("fragmentAt returns the message itself when it fits one fragment", () => {
  const m = new Uint8Array([1, 2, 3]);
  assert.equal(fragmentAt(m, 0, 3), m);
  assert.equal(fragment(m, 8)[0], m);
  const empty = new Uint8Array(0);
  assert.deepEqual(fragment(empty, 8), [empty]);
  assert.equal(fragment(empty, 8)[0], empty);
});

Deno.test("fragment cuts views of maxPayload bytes without copying", () => {
  const m = Uint8Array.from({ length: 20 }, (_, i) => i);
  const parts = fragment(m, 8);
  assert.deepEqual(parts.map((p) => p.length), [8, 8, 4]);
  for (const p of parts) assert.equal(p.buffer, m.buffer);
  assert.deepEqual(parts[2], new Uint8Array([16, 17, 18, 19]));
});

Deno.test("fragment rejects a non-positive maxPayload", () => {
  assert.throws(() => fragment(new Uint8Array(3), 0), RangeError);
});

Deno.test("Reassembler joins fragments in order and copies borrowed views", () => {
  const r = new Reassembler();
  const a = new Uint8Array([1, 2]);
  const b = new Uint8Array([3]);
  assert.equal(r.push(a, false, false), undefined);
  assert.equal(r.buffered, 2);
  a.fill(9); // the caller reuses its buffer
  const out = r.push(b, true, false)!;
  assert.deepEqual(out, new Uint8Array([1, 2, 3]));
  assert.equal(r.buffered, 0);
});

Deno.test("Reassembler lends a single fragment, but copies fragments it keeps unless owned", () => {
  const r = new Reassembler();
  const lent = new Uint8Array([7, 8]);
  assert.equal(r.push(lent, true, false), lent, "one fragment: the view itself");
  const a = new Uint8Array([1, 2]);
  assert.equal(r.push(a, false, false), undefined);
  a.fill(9); // the decoder reuses its buffer before the last fragment arrives
  assert.deepEqual(r.push(new Uint8Array([3]), true, false), new Uint8Array([1, 2, 3]));
  const owned = new Uint8Array([4]);
  assert.equal(r.push(owned, false, true), undefined);
  owned.fill(5); // an owned fragment is kept as is, not copied
  assert.deepEqual(r.push(new Uint8Array([6]), true, false), new Uint8Array([5, 6]));
});

Deno.test("Reassembler delivers an empty message", () => {
  const r = new Reassembler();
  assert.deepEqual(r.push(new Uint8Array(0), true, false), new Uint8Array(0));
});

Deno.test("Reassembler throws MessageTooLongError past its bound and recovers", () => {
  const r = new Reassembler(10);
  r.push(new Uint8Array(6), false, false);
  assert.throws(() => r.push(new Uint8Array(6), false, false), MessageTooLongError);
  assert.equal(r.buffered, 0);
  assert.deepEqual(r.push(new Uint8Array([1]), true, false), new Uint8Array([1]));
});

Deno.test("Reassembler accepts a message of exactly MAX_MESSAGE bytes", () => {
  const r = new Reassembler();
  let out: Uint8Array | undefined;
  for (let i = 0; i < 64; i++) out = r.push(new Uint8Array(1024).fill(i), i === 63, false);
  assert.equal(out!.length, MAX_MESSAGE);
  assert.equal(out![1024 * 63], 63);
});
