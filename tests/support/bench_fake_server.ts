/**
 * A deliberately faulty fake chat server for `chat bench` tests. It speaks the plain-text
 * protocol exactly as lib/server/text_session.ts + lib/chat/room.ts do (the `NICK` prompt,
 * `200 OK - Connected` registration, `[nick]: text` broadcasts, `200 OK\nMessage sent` replies,
 * `200 OK - Stats` with a JSON body, `200 OK - Disconnecting` on QUIT), but it tampers with the
 * bench's chat messages deterministically and counts exactly what it did.
 *
 * Probe lines (`MSG probe`) are always relayed faithfully: only bench messages
 * (`MSG <sentMs> <sender> <seq> xxx`) are subject to the faults.
 * @module
 */

const enc = new TextEncoder();
const dec = new TextDecoder();

/** How the fake tampers with bench messages. */
export interface FakeFaults {
  /**
   * Copies to deliver of the k-th bench delivery the fake handles (k counts from 1 over every
   * (message, recipient) pair in the order the fake processes them): 0 drops it, 2 duplicates
   * it (both copies back to back). Default: always 1.
   */
  readonly copies?: (k: number) => number;
  /**
   * Holds back a message with this sequence number (per sender and recipient) and releases it
   * right after the sender's next message to that recipient, so it arrives out of order.
   */
  readonly hold?: (seq: number) => boolean;
  /**
   * Refuses the k-th bench message the fake reads (k from 1) with `429 Too Many Requests`, as
   * a flood limit does: nobody gets it.
   */
  readonly refuse?: (k: number) => boolean;
  /** The `limits` object of its STATS reply (default: none, as an older server). */
  readonly limits?: Record<string, unknown>;
  /**
   * Holds the replies to the MSGs of the first client to register and sends the held ones
   * together every this many ms: a slow path back to one client, while its lines reach the
   * others at once.
   */
  readonly lagRepliesMs?: number;
}

/** What the fake did, for the test to compare with the bench's report. */
export interface FakeCounts {
  /** MSG lines with a bench payload received. */
  messages: number;
  /** (message, recipient) pairs handled. */
  deliveries: number;
  /** Deliveries not sent at all. */
  dropped: number;
  /** Extra copies sent. */
  duplicated: number;
  /** Deliveries sent after a later message of the same sender (to that recipient). */
  reordered: number;
  /** Bench messages refused (429). */
  refused: number;
  /** Probe lines relayed. */
  probes: number;
  /** STATS requests answered. */
  stats: number;
  /** QUITs answered. */
  quits: number;
  /** Most replies held back at once ({@link FakeFaults.lagRepliesMs}). */
  mostRepliesHeld: number;
}

/** The `cpuUserMs`/`cpuSystemMs` the fake reports at the i-th STATS (i from 0). */
export function fakeCpu(i: number): { user: number; system: number } {
  return { user: 1000 + 37 * i, system: 500 + 11 * i };
}

interface Member {
  readonly conn: Deno.TcpConn;
  nick: string | undefined;
  chain: Promise<void>;
  closing: boolean;
  /** Held-back lines per sender nick. */
  readonly held: Map<string, { seq: number; bytes: Uint8Array }>;
}

/** When the first bench message of each sender (by nick) arrived, ms (performance.now()). */
export type FirstArrivals = Map<string, number>;

/** A fake text-protocol chat server on 127.0.0.1, port 0. */
export class FakeChatServer {
  readonly port: number;
  /** First bench message of each sender. */
  readonly firstArrivals: FirstArrivals = new Map();
  readonly counts: FakeCounts = {
    messages: 0,
    deliveries: 0,
    dropped: 0,
    duplicated: 0,
    reordered: 0,
    refused: 0,
    probes: 0,
    stats: 0,
    quits: 0,
    mostRepliesHeld: 0,
  };
  /** Replies held for the first client, and the timer that sends them. */
  #repliesHeld = 0;
  #replyTimer: ReturnType<typeof setTimeout> | undefined;
  readonly #listener: Deno.TcpListener;
  readonly #faults: FakeFaults;
  readonly #members: Member[] = [];
  readonly #loops: Promise<void>[] = [];
  readonly #accepting: Promise<void>;
  #closed = false;

  constructor(faults: FakeFaults = {}) {
    this.#faults = faults;
    this.#listener = Deno.listen({ hostname: "127.0.0.1", port: 0, transport: "tcp" });
    this.port = (this.#listener.addr as Deno.NetAddr).port;
    this.#accepting = this.#acceptLoop();
  }

  /** Registered nicknames (in registration order). */
  get nicks(): string[] {
    return this.#members.flatMap((m) => m.nick === undefined ? [] : [m.nick]);
  }

  /** Messages still held back (never released). */
  get heldBack(): number {
    return this.#members.reduce((n, m) => n + m.held.size, 0);
  }

  /** Stops accepting, closes every connection and waits for every loop and write. */
  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#replyTimer);
    try {
      this.#listener.close();
    } catch { /* closed */ }
    await this.#accepting;
    for (const m of this.#members) this.#closeConn(m);
    await Promise.all(this.#loops);
    await Promise.all(this.#members.map((m) => m.chain));
  }

  async #acceptLoop(): Promise<void> {
    for (let accepted = 0; accepted < 1000; accepted++) {
      let conn: Deno.TcpConn;
      try {
        conn = await this.#listener.accept();
      } catch {
        return;
      }
      if (this.#closed) {
        conn.close();
        return;
      }
      const m: Member = {
        conn,
        nick: undefined,
        chain: Promise.resolve(),
        closing: false,
        held: new Map(),
      };
      this.#members.push(m);
      this.#write(m, enc.encode("NICK"));
      this.#loops.push(this.#readLoop(m));
    }
  }

  #write(m: Member, bytes: Uint8Array): void {
    if (m.closing) return;
    // One write chain per connection: concurrent partial writes must not interleave.
    m.chain = m.chain.then(async () => {
      let off = 0;
      while (off < bytes.length) off += await m.conn.write(bytes.subarray(off));
    }).catch(() => {});
  }

  #closeConn(m: Member): void {
    m.closing = true;
    try {
      m.conn.close();
    } catch { /* closed */ }
  }

  async #readLoop(m: Member): Promise<void> {
    const buf = new Uint8Array(64 * 1024);
    let carry = "";
    // Bounded: a bench run of a test sends far fewer than this many chunks.
    for (let reads = 0; reads < 1_000_000; reads++) {
      let n: number | null;
      try {
        n = await m.conn.read(buf);
      } catch {
        n = null;
      }
      if (n === null) break;
      const lines = (carry + dec.decode(buf.subarray(0, n), { stream: true })).split("\n");
      carry = lines.pop()!;
      for (const line of lines) this.#line(m, line.replace(/\r$/, ""));
      if (m.closing) break;
    }
    this.#leave(m);
  }

  #others(m: Member): Member[] {
    return this.#members.filter((o) => o !== m && o.nick !== undefined && !o.closing);
  }

  #registered(): Member[] {
    return this.#members.filter((o) => o.nick !== undefined && !o.closing);
  }

  #leave(m: Member): void {
    if (m.nick !== undefined && !m.closing) {
      for (const o of this.#others(m)) {
        this.#write(o, enc.encode(`*** ${m.nick} left (connection closed)\n`));
      }
    }
    this.#closeConn(m);
  }

  #line(m: Member, line: string): void {
    if (m.closing) return;
    if (m.nick === undefined) {
      m.nick = line;
      const n = this.#registered().length;
      this.#write(
        m,
        enc.encode(
          `200 OK - Connected\nWelcome, ${line}! ${n} user${
            n === 1 ? "" : "s"
          } online. Type HELP for commands.\n`,
        ),
      );
      for (const o of this.#others(m)) {
        this.#write(o, enc.encode(`*** ${line} joined (${n} online)\n`));
      }
      return;
    }
    const space = line.indexOf(" ");
    const verb = (space < 0 ? line : line.slice(0, space)).toUpperCase();
    const rest = space < 0 ? "" : line.slice(space + 1);
    switch (verb) {
      case "MSG":
        if (!this.#msg(m, rest)) {
          this.#write(m, enc.encode("429 Too Many Requests\nSlow down: 10 messages per 5 s\n"));
        } else if (this.#faults.lagRepliesMs !== undefined && m === this.#registered()[0]) {
          this.#holdReply(m, this.#faults.lagRepliesMs);
        } else this.#write(m, enc.encode("200 OK\nMessage sent\n"));
        return;
      case "STATS": {
        const cpu = fakeCpu(this.counts.stats++);
        const facts = {
          users: this.#registered().length,
          cpuUserMs: cpu.user,
          cpuSystemMs: cpu.system,
          rssBytes: 1234567,
          peakRssBytes: 7654321,
          ...(this.#faults.limits ? { limits: this.#faults.limits } : {}),
        };
        this.#write(m, enc.encode(`200 OK - Stats\n${JSON.stringify(facts)}\n`));
        return;
      }
      case "QUIT": {
        this.counts.quits++;
        this.#write(m, enc.encode(`200 OK - Disconnecting\nBye, ${m.nick}\n`));
        for (const o of this.#others(m)) this.#write(o, enc.encode(`*** ${m.nick} left (quit)\n`));
        m.nick = undefined;
        m.chain = m.chain.then(() => this.#closeConn(m));
        return;
      }
      default:
        this.#write(m, enc.encode(`404 Not Found\nUnknown command: ${verb}\n`));
    }
  }

  /** Holds one reply to `m`; the held ones leave together `ms` after the first. */
  #holdReply(m: Member, ms: number): void {
    this.counts.mostRepliesHeld = Math.max(this.counts.mostRepliesHeld, ++this.#repliesHeld);
    if (this.#replyTimer !== undefined) return;
    this.#replyTimer = setTimeout(() => {
      this.#replyTimer = undefined;
      this.#write(m, enc.encode("200 OK\nMessage sent\n".repeat(this.#repliesHeld)));
      this.#repliesHeld = 0;
    }, ms);
  }

  /** Relays a MSG; false when it refused it. */
  #msg(m: Member, text: string): boolean {
    const bytes = enc.encode(`[${m.nick}]: ${text}\n`);
    if (text.startsWith("probe")) {
      this.counts.probes++;
      for (const o of this.#others(m)) this.#write(o, bytes);
      return true;
    }
    this.counts.messages++;
    if (this.#faults.refuse?.(this.counts.messages)) {
      this.counts.refused++;
      return false;
    }
    const seq = Number(text.split(" ")[2]);
    const sender = m.nick!;
    if (!this.firstArrivals.has(sender)) this.firstArrivals.set(sender, performance.now());
    for (const o of this.#others(m)) {
      const k = ++this.counts.deliveries;
      const copies = this.#faults.copies?.(k) ?? 1;
      if (copies === 0) {
        this.counts.dropped++;
        continue;
      }
      if (copies > 1) this.counts.duplicated += copies - 1;
      const out = new Uint8Array(bytes.length * copies);
      for (let c = 0; c < copies; c++) out.set(bytes, c * bytes.length);
      const held = o.held.get(sender);
      if (this.#faults.hold?.(seq) && held === undefined) {
        o.held.set(sender, { seq, bytes: out });
        continue;
      }
      this.#write(o, out);
      if (held !== undefined) {
        o.held.delete(sender);
        this.#write(o, held.bytes);
        if (held.seq < seq) this.counts.reordered++;
      }
    }
    return true;
  }
}
