/**
 * The result of one benchmark run (one JSON object per run with `--json`), its JSON Schema and
 * a validator.
 * @module
 */

/** Measurements of one run. */
export interface RunResult {
  readonly tool: "chat-bench";
  readonly version: 1;
  /** Wall-clock start, ISO 8601. */
  readonly startedAt: string;
  /** ARQ mode of every client, or the plain-text protocol. */
  readonly mode: "gbn" | "sr" | "text";
  /** The workload. `rate` 0 = closed loop; otherwise messages per second offered in total. */
  readonly params: {
    readonly clients: number;
    /** Clients that send (the first ones); the others only receive. Absent = all. */
    readonly senders?: number;
    readonly messages: number;
    readonly size: number;
    readonly rate: number;
    /**
     * Closed loop: messages of its own each sender keeps in flight, a message staying in
     * flight until every other client has it (absent in open loop).
     */
    readonly inflight?: number;
    readonly window: number;
    readonly ackPolicy: "frame" | "sack";
    readonly ackDelayMs: number;
    /** Loss recovery of the clients' senders. */
    readonly recovery: "fast" | "timeout";
    /** Congestion control of the clients' senders. */
    readonly cc: "none" | "aimd";
    readonly loss: number;
    readonly corrupt: number;
    readonly faults: string;
    readonly seed: number;
    /** What carried the sessions (absent: TCP). */
    readonly transport?: "tcp" | "udp";
  };
  /** The swept parameter and its value, or null. */
  readonly sweep: { readonly param: string; readonly value: number } | null;
  /** Connect, handshake and registration of every client, ms. */
  readonly connectMs: number;
  readonly sent: number;
  /**
   * Of the messages sent, those the server refused (a flood limit's 429, a 413...): they reach
   * nobody and are not counted as lost. Absent in results of older versions.
   */
  readonly refused?: number;
  /** The server's limit the clients were paced to, and what it cost (a sentence). */
  readonly pacedTo?: string;
  readonly expectedDeliveries: number;
  readonly deliveries: number;
  readonly lost: number;
  readonly duplicated: number;
  readonly outOfOrder: number;
  /** Send phase until the last delivery (or the deadline), s. */
  readonly elapsedS: number;
  readonly messagesPerS: number;
  readonly deliveriesPerS: number;
  readonly goodputBytesPerS: number;
  /** One-way latency, send to delivery at each receiver, ms. */
  readonly latencyMs: {
    readonly p50: number;
    readonly p90: number;
    readonly p99: number;
    readonly max: number;
    readonly mean: number;
  };
  /** ARQ counters summed over the generator's clients; null for text. */
  readonly arq: {
    readonly framesSent: number;
    readonly dataFrames: number;
    readonly retransmissions: number;
    /** The clients' DATA retransmissions by why they were sent. */
    readonly retransmissionsByCause?: {
      readonly timeout: number;
      readonly fast: number;
      readonly nack: number;
      readonly probe: number;
    };
    /**
     * Copies of frames the server had already received (the clients' needless
     * retransmissions), in the send phase; null when the server does not report it.
     */
    readonly spuriousRetransmissions?: number | null;
    /**
     * Mean time from the first transmission of a frame the clients had to resend to its
     * acknowledgement, in round trips (SRTT at that moment).
     */
    readonly meanRepairRtts?: number;
    readonly timeouts: number;
    readonly nacks: number;
    readonly duplicates: number;
    /** Useful DATA frames (first transmissions) / all DATA frames sent (the textbook's efficiency). */
    readonly efficiency: number;
    readonly meanRttMs: number;
    readonly meanRtoMs: number;
    /** Mean over the clients of the frames their senders may have in flight at the end. */
    readonly meanCwnd?: number;
    /**
     * The server's senders (its binary sessions, in the send phase), when it reports them:
     * DATA frames, retransmissions and timeouts, its needless retransmissions (copies the
     * clients had already received, whole session) and its efficiency.
     */
    readonly server?: {
      readonly dataFrames: number;
      readonly retransmissions: number;
      readonly timeouts: number;
      /** Of the retransmissions, those of fast recovery and the probes (when reported). */
      readonly fastRetransmissions?: number;
      readonly probeRetransmissions?: number;
      readonly spuriousRetransmissions: number;
      readonly efficiency: number;
    } | null;
  } | null;
  /** The server's own CPU and memory during the send phase (from STATS); null if unknown. */
  readonly server: {
    readonly cpuUserMs: number;
    readonly cpuSystemMs: number;
    readonly cpuNsPerDelivery: number;
    readonly peakRssBytes: number;
    /** Resident memory when the run ended (queues drained). */
    readonly rssBytes?: number;
    /** Resident memory with every client connected and registered, before any chat. */
    readonly rssConnectedBytes?: number;
    /** Socket reads and writes the server made in the send phase (when it reports them). */
    readonly reads?: number;
    readonly writes?: number;
    /** The server's ARQ retransmissions and timer expiries (when it reports them). */
    readonly retransmissions?: number;
    readonly timeouts?: number;
    readonly source: "server-stats";
  } | null;
  /**
   * UDP runs: what the kernel received and dropped during the send phase, from `/proc/net/snmp`
   * deltas of the generator's network namespace; null where unreadable. Absent for TCP.
   */
  readonly kernel?: {
    /** `Udp: InErrors`: datagrams not delivered to a socket. */
    readonly udpInErrors: number;
    /** `Udp: RcvbufErrors`: of those, for a full receive buffer (the reader fell behind). */
    readonly udpRcvbufErrors: number;
    /**
     * `Ip: InReceives − InDelivers − ForwDatagrams`: packets of any protocol dropped before a
     * transport saw them, a firewall rule's drops among them (absent from older results).
     */
    readonly ipUndelivered?: number;
  } | null;
  /** The generator's CPU; `bound` when it used >= 90 % of a core (the run measured it). */
  readonly generator: {
    readonly cpuMs: number;
    readonly cpuPercent: number;
    readonly bound: boolean;
  };
  readonly status: "complete" | "deadline" | "failed";
  /** Loud findings: losses, duplicates, reordering, failures. */
  readonly problems: readonly string[];
}

const num = { type: "number" } as const;

/** JSON Schema (draft 2020-12) of {@link RunResult}. */
export const RUN_RESULT_SCHEMA = {
  $schema: "https://json-schema.org/draft/2020-12/schema",
  title: "chat bench run",
  type: "object",
  required: [
    "tool",
    "version",
    "startedAt",
    "mode",
    "params",
    "sweep",
    "connectMs",
    "sent",
    "expectedDeliveries",
    "deliveries",
    "lost",
    "duplicated",
    "outOfOrder",
    "elapsedS",
    "messagesPerS",
    "deliveriesPerS",
    "goodputBytesPerS",
    "latencyMs",
    "arq",
    "server",
    "generator",
    "status",
    "problems",
  ],
  properties: {
    tool: { const: "chat-bench" },
    version: { const: 1 },
    startedAt: { type: "string" },
    mode: { enum: ["gbn", "sr", "text"] },
    params: {
      type: "object",
      required: [
        "clients",
        "messages",
        "size",
        "rate",
        "window",
        "ackPolicy",
        "ackDelayMs",
        "recovery",
        "cc",
        "loss",
        "corrupt",
        "faults",
        "seed",
      ],
      properties: {
        clients: num,
        senders: num,
        inflight: num,
        messages: num,
        size: num,
        rate: num,
        window: num,
        ackPolicy: { enum: ["frame", "sack"] },
        ackDelayMs: num,
        recovery: { enum: ["fast", "timeout"] },
        cc: { enum: ["none", "aimd"] },
        loss: num,
        corrupt: num,
        faults: { type: "string" },
        seed: num,
        transport: { enum: ["tcp", "udp"] },
      },
    },
    refused: num,
    pacedTo: { type: "string" },
    sweep: {
      type: ["object", "null"],
      required: ["param", "value"],
      properties: { param: { type: "string" }, value: num },
    },
    latencyMs: {
      type: "object",
      required: ["p50", "p90", "p99", "max", "mean"],
      properties: { p50: num, p90: num, p99: num, max: num, mean: num },
    },
    arq: { type: ["object", "null"] },
    server: { type: ["object", "null"] },
    kernel: { type: ["object", "null"] },
    generator: {
      type: "object",
      required: ["cpuMs", "cpuPercent", "bound"],
      properties: { cpuMs: num, cpuPercent: num, bound: { type: "boolean" } },
    },
    status: { enum: ["complete", "deadline", "failed"] },
    problems: { type: "array", items: { type: "string" } },
  },
} as const;

/** The JSON Schema keywords {@link RUN_RESULT_SCHEMA} uses. */
interface SchemaNode {
  readonly type?: string | readonly string[];
  readonly const?: unknown;
  readonly enum?: readonly unknown[];
  readonly required?: readonly string[];
  readonly properties?: { readonly [key: string]: SchemaNode };
  readonly items?: SchemaNode;
}

function jsonType(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  return typeof v;
}

/** Checks `v` against `s` (type, const, enum, required, properties, items). */
function checkSchema(v: unknown, s: SchemaNode, path: string, errors: string[]): void {
  const where = path === "" ? "result" : path;
  if (s.type !== undefined) {
    const types: readonly string[] = typeof s.type === "string" ? [s.type] : s.type;
    if (!types.includes(jsonType(v))) {
      errors.push(`${where} must be ${types.join(" or ")}`);
      return;
    }
  }
  if (s.const !== undefined && v !== s.const) {
    errors.push(`${where} must be ${JSON.stringify(s.const)}`);
  }
  if (s.enum !== undefined && !s.enum.includes(v)) {
    errors.push(`${where} must be one of ${s.enum.join(", ")}`);
  }
  const prefix = path === "" ? "" : `${path}.`;
  if (jsonType(v) === "object") {
    const o = v as Record<string, unknown>;
    for (const key of s.required ?? []) {
      if (!(key in o)) errors.push(`missing ${prefix}${key}`);
    }
    for (const [key, sub] of Object.entries(s.properties ?? {})) {
      if (key in o) checkSchema(o[key], sub, `${prefix}${key}`, errors);
    }
  }
  if (Array.isArray(v) && s.items !== undefined) {
    v.forEach((item, i) => checkSchema(item, s.items!, `${where}[${i}]`, errors));
  }
}

/** Checks `x` against the schema; returns the problems found (empty when valid). */
export function validateRunResult(x: unknown): string[] {
  const errors: string[] = [];
  if (typeof x !== "object" || x === null || Array.isArray(x)) return ["not an object"];
  const o = x as Record<string, unknown>;
  checkSchema(o, RUN_RESULT_SCHEMA, "", errors);
  const numbers = [
    "connectMs",
    "sent",
    "expectedDeliveries",
    "deliveries",
    "lost",
    "duplicated",
    "outOfOrder",
    "elapsedS",
    "messagesPerS",
    "deliveriesPerS",
    "goodputBytesPerS",
  ];
  for (const key of numbers) {
    if (key in o && (typeof o[key] !== "number" || !Number.isFinite(o[key]))) {
      errors.push(`${key} must be a finite number`);
    }
  }
  if (o.mode === "text" && o.arq !== null) errors.push("arq must be null for text");
  if (o.mode !== "text" && o.status !== "failed" && (o.arq === null || typeof o.arq !== "object")) {
    errors.push("arq must be an object for gbn/sr");
  }
  return errors;
}
