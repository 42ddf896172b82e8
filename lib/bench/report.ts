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
  return `${r.mode.toUpperCase()}${sweep}`;
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
    ["retransmissions", (r) => r.arq ? String(r.arq.retransmissions) : "-"],
    ["timeouts", (r) => r.arq ? String(r.arq.timeouts) : "-"],
    ["NACKs sent", (r) => r.arq ? String(r.arq.nacks) : "-"],
    ["duplicates dropped", (r) => r.arq ? String(r.arq.duplicates) : "-"],
    ["efficiency", (r) => r.arq ? `${(r.arq.efficiency * 100).toFixed(1)}%` : "-"],
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
  ["efficiency", (r) => r.arq ? r.arq.efficiency.toFixed(4) : ""],
  ["server_ns_per_delivery", (r) => r.server ? r.server.cpuNsPerDelivery.toFixed(0) : ""],
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
