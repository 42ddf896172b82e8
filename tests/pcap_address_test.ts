import assert from "node:assert/strict";
import { formatAddress, pairAddresses, parseAddress } from "../lib/pcap/address.ts";

const show = (host: string) => {
  const a = parseAddress(host);
  return `v${a.family} ${formatAddress(a)}`;
};

Deno.test("parseAddress reads IPv4 literals", () => {
  assert.equal(show("192.168.0.88"), "v4 192.168.0.88");
  assert.equal(show(" 10.0.0.7 "), "v4 10.0.0.7");
});

Deno.test("parseAddress reads IPv6 literals in every short form", () => {
  assert.equal(show("::1"), "v6 0:0:0:0:0:0:0:1");
  assert.equal(show("::"), "v6 0:0:0:0:0:0:0:0");
  assert.equal(show("fe80::1%eth0"), "v6 fe80:0:0:0:0:0:0:1");
  assert.equal(show("[2001:db8::8:800:200c:417a]"), "v6 2001:db8:0:0:8:800:200c:417a");
  assert.equal(show("1:2:3:4:5:6:7:8"), "v6 1:2:3:4:5:6:7:8");
  assert.equal(show("64:ff9b::192.0.2.33"), "v6 64:ff9b:0:0:0:0:c000:221");
});

Deno.test("parseAddress turns IPv4-mapped IPv6 into IPv4", () => {
  assert.equal(show("::ffff:10.0.0.7"), "v4 10.0.0.7");
  assert.equal(show("::ffff:a00:7"), "v4 10.0.0.7");
});

Deno.test("parseAddress maps host names and malformed text to 127.0.0.1", () => {
  for (const host of ["localhost", "", "lab-pc.local", "300.1.1.1", "1:2:3", "1::2::3", "1.2.3"]) {
    assert.equal(show(host), "v4 127.0.0.1", host);
  }
});

Deno.test("pairAddresses maps the IPv4 end to IPv6 when the families differ", () => {
  const [a, b] = pairAddresses("10.0.0.1", "::1");
  assert.equal(formatAddress(a), "0:0:0:0:0:ffff:a00:1");
  assert.equal(formatAddress(b), "0:0:0:0:0:0:0:1");
  const [c, d] = pairAddresses("10.0.0.1", "10.0.0.2");
  assert.deepEqual([c.family, d.family], [4, 4]);
});
