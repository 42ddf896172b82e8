/**
 * Bench output: a readable table (one column per run), CSV and JSON lines.
 * @module
 */

import type { RunResult } from "./result.ts";

function si(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)} G`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)} M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)} k`;
  return n.toFixed(n >= 100 ? 0 : 1);
}

function label(r: RunResult): string {
  const sweep = r.sweep ? ` ${r.sweep.param}=${r.sweep.value}` : "";
  const arq = r.mode === "text"
    ? ""
    : `${r.params.recovery === "timeout" ? " timeout" : ""}${
      r.params.cc === "aimd" ? " aimd" : ""
    }`;
  const over = r.params.transport ? `/${r.params.transport.toUpperCase()}` : "";
  return `${r.mode.toUpperCase()}${over}${arq}${sweep}`;
}

/** `n` as a count, or "-" when unknown. */
function count(n: number | null | undefined): string {
  return n === undefined || n === null ? "-" : String(n);
}

/**
 * The kernel's drops of a run: UDP `InErrors / RcvbufErrors / IP undelivered`, `unknown`, or
 * `-` (TCP).
 */
function kernelDrops(r: RunResult): string {
  if (r.kernel === undefined) return "-";
  if (r.kernel === null) return "unknown";
  return `${r.kernel.udpInErrors} / ${r.kernel.udpRcvbufErrors} / ${r.kernel.ipUndelivered ?? "?"}`;
}

/** A fixed-width table, one column per run, with loud markers for lost/duplicated/reordered. */
export function formatTable(runs: readonly RunResult[]): string {
  const rows: [string, (r: RunResult) => string][] = [
    ["status", (r) => r.status],
    ["clients", (r) => String(r.params.clients)],
    ["connect+register ms", (r) => r.connectMs.toFixed(0)],
    ["messages sent", (r) => String(r.sent)],
    ["refused by server", (r) => (r.refused ?? 0) > 0 ? `REFUSED ${r.refused} !!` : "0"],
    ["deliveries", (r) => `${r.deliveries}/${r.expectedDeliveries}`],
    ["lost", (r) => r.lost > 0 ? `LOST ${r.lost} !!` : "0"],
    ["duplicated", (r) => r.duplicated > 0 ? `DUP ${r.duplicated} !!` : "0"],
    ["out of order", (r) => r.outOfOrder > 0 ? `OOO ${r.outOfOrder} !!` : "0"],
    ["messages/s", (r) => si(r.messagesPerS)],
    ["deliveries/s", (r) => si(r.deliveriesPerS)],
    ["goodput B/s", (r) => si(r.goodputBytesPerS)],
    ["latency p50 ms", (r) => r.latencyMs.p50.toFixed(2)],
    ["latency p90 ms", (r) => r.latencyMs.p90.toFixed(2)],
    ["latency p99 ms", (r) => r.latencyMs.p99.toFixed(2)],
    ["latency max ms", (r) => r.latencyMs.max.toFixed(2)],
    ["frames sent (clients)", (r) => r.arq ? String(r.arq.framesSent) : "-"],
    ["recovery / cc", (r) => r.arq ? `${r.params.recovery ?? "-"} / ${r.params.cc ?? "-"}` : "-"],
    ["retransmissions", (r) => r.arq ? String(r.arq.retransmissions) : "-"],
    [
      "  timeout/fast/NACK/probe",
      (r) => {
        const c = r.arq?.retransmissionsByCause;
        return c ? `${c.timeout}/${c.fast}/${c.nack}/${c.probe}` : "-";
      },
    ],
    ["  spurious (server got twice)", (r) => count(r.arq?.spuriousRetransmissions)],
    [
      "loss to repair, RTTs",
      (r) => r.arq?.meanRepairRtts !== undefined ? r.arq.meanRepairRtts.toFixed(1) : "-",
    ],
    ["timeouts", (r) => r.arq ? String(r.arq.timeouts) : "-"],
    [
      "server retransmissions / timeouts",
      (r) =>
        r.server?.retransmissions !== undefined
          ? `${r.server.retransmissions} / ${r.server.timeouts ?? 0}`
          : "?",
    ],
    ["NACKs sent", (r) => r.arq ? String(r.arq.nacks) : "-"],
    ["duplicates dropped", (r) => r.arq ? String(r.arq.duplicates) : "-"],
    ["efficiency", (r) => r.arq ? `${(r.arq.efficiency * 100).toFixed(1)}%` : "-"],
    ["mean cwnd (frames)", (r) => r.arq?.meanCwnd !== undefined ? r.arq.meanCwnd.toFixed(1) : "-"],
    [
      "server efficiency",
      (r) => r.arq?.server ? `${(r.arq.server.efficiency * 100).toFixed(1)}%` : "-",
    ],
    [
      "server retx / timeouts / spurious",
      (r) => {
        const s = r.arq?.server;
        return s ? `${s.retransmissions} / ${s.timeouts} / ${s.spuriousRetransmissions}` : "-";
      },
    ],
    [
      "mean RTT / RTO ms",
      (r) => r.arq ? `${r.arq.meanRttMs.toFixed(1)} / ${r.arq.meanRtoMs.toFixed(0)}` : "-",
    ],
    [
      "server CPU ms",
      (r) => r.server ? (r.server.cpuUserMs + r.server.cpuSystemMs).toFixed(0) : "?",
    ],
    ["server ns/delivery", (r) => r.server ? r.server.cpuNsPerDelivery.toFixed(0) : "?"],
    [
      "server reads / writes",
      (r) => r.server?.writes !== undefined ? `${r.server.reads} / ${r.server.writes}` : "?",
    ],
    [
      "deliveries per write",
      (r) => r.server?.writes ? (r.deliveries / r.server.writes).toFixed(1) : "?",
    ],
    ["server peak RSS MiB", (r) => r.server ? (r.server.peakRssBytes / 1048576).toFixed(1) : "?"],
    [
      "server RSS connected MiB",
      (r) => r.server?.rssConnectedBytes ? (r.server.rssConnectedBytes / 1048576).toFixed(1) : "?",
    ],
    [
      "server RSS at end MiB",
      (r) => r.server?.rssBytes ? (r.server.rssBytes / 1048576).toFixed(1) : "?",
    ],
    [
      "generator CPU",
      (r) =>
        `${r.generator.cpuPercent.toFixed(0)}%${r.generator.bound ? " (generator-bound)" : ""}`,
    ],
  ];
  if (runs.some((r) => r.kernel !== undefined)) {
    // Beside the ARQ's repairs: what the kernel itself dropped (UDP only).
    const at = rows.findIndex(([name]) => name === "retransmissions");
    rows.splice(at, 0, ["kernel drops (UDP InErrors / RcvbufErrors / IP)", kernelDrops]);
  }
  const header = ["", ...runs.map(label)];
  const table = [header, ...rows.map(([name, f]) => [name, ...runs.map(f)])];
  const widths = header.map((_, c) => Math.max(...table.map((row) => row[c]!.length)));
  const lines = table.map((row) =>
    row.map((cell, c) => c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!)).join("  ")
  );
  const problems = runs.flatMap((r) => r.problems.map((p) => `!! ${label(r)}: ${p}`));
  return [...lines, ...problems].join("\n");
}

const CSV_COLUMNS: [string, (r: RunResult) => string | number][] = [
  ["mode", (r) => r.mode],
  ["sweep_param", (r) => r.sweep?.param ?? ""],
  ["sweep_value", (r) => r.sweep?.value ?? ""],
  ["clients", (r) => r.params.clients],
  ["messages", (r) => r.params.messages],
  ["size", (r) => r.params.size],
  ["rate", (r) => r.params.rate],
  ["window", (r) => r.params.window],
  ["ack_delay_ms", (r) => r.params.ackDelayMs],
  ["recovery", (r) => r.mode === "text" ? "" : r.params.recovery ?? ""],
  ["cc", (r) => r.mode === "text" ? "" : r.params.cc ?? ""],
  ["loss", (r) => r.params.loss],
  ["corrupt", (r) => r.params.corrupt],
  ["seed", (r) => r.params.seed],
  ["status", (r) => r.status],
  ["connect_ms", (r) => r.connectMs.toFixed(1)],
  ["sent", (r) => r.sent],
  ["deliveries", (r) => r.deliveries],
  ["lost", (r) => r.lost],
  ["duplicated", (r) => r.duplicated],
  ["out_of_order", (r) => r.outOfOrder],
  ["deliveries_per_s", (r) => r.deliveriesPerS.toFixed(0)],
  ["goodput_bytes_per_s", (r) => r.goodputBytesPerS.toFixed(0)],
  ["p50_ms", (r) => r.latencyMs.p50.toFixed(3)],
  ["p99_ms", (r) => r.latencyMs.p99.toFixed(3)],
  ["retransmissions", (r) => r.arq?.retransmissions ?? ""],
  ["retx_timeout", (r) => r.arq?.retransmissionsByCause?.timeout ?? ""],
  ["retx_fast", (r) => r.arq?.retransmissionsByCause?.fast ?? ""],
  ["retx_nack", (r) => r.arq?.retransmissionsByCause?.nack ?? ""],
  ["retx_probe", (r) => r.arq?.retransmissionsByCause?.probe ?? ""],
  ["spurious", (r) => r.arq?.spuriousRetransmissions ?? ""],
  ["repair_rtts", (r) => r.arq?.meanRepairRtts?.toFixed(2) ?? ""],
  ["timeouts", (r) => r.arq?.timeouts ?? ""],
  ["efficiency", (r) => r.arq ? r.arq.efficiency.toFixed(4) : ""],
  ["mean_cwnd", (r) => r.arq?.meanCwnd?.toFixed(2) ?? ""],
  ["server_efficiency", (r) => r.arq?.server ? r.arq.server.efficiency.toFixed(4) : ""],
  ["server_ns_per_delivery", (r) => r.server ? r.server.cpuNsPerDelivery.toFixed(0) : ""],
  ["transport", (r) => r.params.transport ?? "tcp"],
  ["server_retransmissions", (r) => r.server?.retransmissions ?? ""],
  ["kernel_udp_in_errors", (r) => r.kernel?.udpInErrors ?? ""],
  ["kernel_udp_rcvbuf_errors", (r) => r.kernel?.udpRcvbufErrors ?? ""],
  ["kernel_ip_undelivered", (r) => r.kernel?.ipUndelivered ?? ""],
  ["refused", (r) => r.refused ?? 0],
];

function csvCell(v: string | number): string {
  const s = String(v);
  return /[",\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/** CSV (RFC 4180): a header row and one row per run. */
export function toCsv(runs: readonly RunResult[]): string {
  const head = CSV_COLUMNS.map(([n]) => n).join(",");
  return [head, ...runs.map((r) => CSV_COLUMNS.map(([, f]) => csvCell(f(r))).join(","))].join(
    "\n",
  ) +
    "\n";
}

/** One JSON object per line. */
export function toJsonLines(runs: readonly RunResult[]): string {
  return runs.map((r) => JSON.stringify(r)).join("\n") + "\n";
}
