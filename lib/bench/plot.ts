/**
 * `--plot FILE.svg`: goodput, p99 latency and (for ARQ modes) efficiency against the swept
 * parameter, one line per mode (and per loss recovery or congestion control when the runs
 * differ in them: `timeout` dotted). For a loss sweep the textbook's ideal is drawn dashed:
 * efficiency SR ≈ 1 − p, GBN ≈ (1 − p) / (1 − p + N·p), and goodput = the mode's goodput at the
 * smallest swept loss scaled by that ideal efficiency. Goodput is drawn on a logarithmic axis
 * (under loss it falls by orders of magnitude, which a linear axis flattens onto zero); every
 * axis names its unit, and a caption states the runs' parameters.
 * @module
 */

import type { RunResult } from "./result.ts";

const COLOURS: Record<string, string> = { gbn: "#d62728", sr: "#1f77b4", text: "#2ca02c" };
const W = 340, H = 240, M = { l: 62, r: 14, t: 30, b: 44 };

function esc(s: string): string {
  return s.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;").replaceAll(
    '"',
    "&quot;",
  );
}

function niceTicks(lo: number, hi: number, n = 5): number[] {
  if (!(hi > lo)) hi = lo + 1;
  const step0 = (hi - lo) / n;
  const mag = 10 ** Math.floor(Math.log10(step0));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= step0) ?? 10 * mag;
  // From a tick at or below `lo` to one at or above `hi`, so every value lies inside the axis.
  const first = Math.floor(lo / step + 1e-9) * step;
  const last = Math.ceil(hi / step - 1e-9) * step;
  const out: number[] = [];
  for (let v = first; v <= last + step * 1e-9; v += step) out.push(+v.toFixed(10));
  return out;
}

function fmt(v: number): string {
  const a = Math.abs(v);
  if (a >= 1e6) return `${+(v / 1e6).toFixed(2)}M`;
  if (a >= 1e3) return `${+(v / 1e3).toFixed(1)}k`;
  return String(+v.toFixed(3));
}

/**
 * Ticks of a logarithmic axis from a power of ten at or below `lo` to one at or above `hi`
 * (`lo` > 0): every power of ten, and 2 and 5 times it when the range is under three decades.
 */
export function logTicks(lo: number, hi: number): number[] {
  const first = Math.floor(Math.log10(lo) + 1e-9);
  let last = Math.ceil(Math.log10(Math.max(hi, lo)) - 1e-9);
  if (last <= first) last = first + 1;
  const steps = last - first < 3 ? [1, 2, 5] : [1];
  const out: number[] = [];
  for (let e = first; e <= last; e++) {
    for (const m of steps) {
      const v = +(m * 10 ** e).toPrecision(12);
      if (e === last && m > 1) break;
      out.push(v);
    }
  }
  return out;
}

interface Series {
  readonly name: string;
  readonly colour: string;
  /** Solid (a measured line), "ideal" (dashed) or "timeout" (dotted, measured). */
  readonly style: "solid" | "ideal" | "timeout";
  readonly points: [number, number][];
}

const DASHES = { solid: "", ideal: ' stroke-dasharray="5,4"', timeout: ' stroke-dasharray="2,3"' };

function panel(
  x0: number,
  title: string,
  xLabel: string,
  yLabel: string,
  series: Series[],
  scale: "linear" | "log" = "linear",
): string {
  const xs = series.flatMap((s) => s.points.map((p) => p[0]));
  const ys = series.flatMap((s) => s.points.map((p) => p[1]));
  const xt = niceTicks(Math.min(...xs), Math.max(...xs));
  const positive = ys.filter((y) => y > 0);
  // A log axis starts at the power of ten below the least positive value; zero sits on it.
  const yt = scale === "log"
    ? logTicks(positive.length > 0 ? Math.min(...positive) : 1, Math.max(...positive, 1))
    : niceTicks(0, Math.max(...ys, 0) || 1);
  const [xmin, xmax] = [xt[0]!, xt[xt.length - 1]!];
  const [ymin, ymax] = [yt[0]!, yt[yt.length - 1]!];
  const px = (v: number) => x0 + M.l + ((v - xmin) / (xmax - xmin || 1)) * (W - M.l - M.r);
  const frac = scale === "log"
    ? (v: number) => (Math.log10(Math.max(v, ymin)) - Math.log10(ymin)) / Math.log10(ymax / ymin)
    : (v: number) => v / (ymax || 1);
  const py = (v: number) => M.t + (1 - frac(v)) * (H - M.t - M.b);
  const parts: string[] = [];
  parts.push(
    `<text x="${x0 + W / 2}" y="18" text-anchor="middle" font-weight="bold">${esc(title)}</text>`,
  );
  parts.push(
    `<rect x="${x0 + M.l}" y="${M.t}" width="${W - M.l - M.r}" height="${
      H - M.t - M.b
    }" fill="none" stroke="#888"/>`,
  );
  for (const t of yt) {
    parts.push(
      `<line x1="${x0 + M.l}" x2="${x0 + W - M.r}" y1="${py(t)}" y2="${py(t)}" stroke="#eee"/>`,
    );
    parts.push(`<text x="${x0 + M.l - 5}" y="${py(t) + 4}" text-anchor="end">${fmt(t)}</text>`);
  }
  for (const t of xt) {
    parts.push(`<text x="${px(t)}" y="${H - M.b + 16}" text-anchor="middle">${fmt(t)}</text>`);
  }
  parts.push(
    `<text x="${x0 + M.l + (W - M.l - M.r) / 2}" y="${H - 8}" text-anchor="middle">${
      esc(xLabel)
    }</text>`,
  );
  parts.push(
    `<text transform="translate(${x0 + 14},${
      M.t + (H - M.t - M.b) / 2
    }) rotate(-90)" text-anchor="middle">${esc(yLabel)}</text>`,
  );
  for (const s of series) {
    const pts = s.points.map(([x, y]) => `${px(x).toFixed(1)},${py(y).toFixed(1)}`).join(" ");
    parts.push(
      `<polyline data-series="${
        esc(s.name)
      }" points="${pts}" fill="none" stroke="${s.colour}" stroke-width="2"${DASHES[s.style]}/>`,
    );
    if (s.style !== "ideal") {
      for (const [x, y] of s.points) {
        parts.push(
          `<circle cx="${px(x).toFixed(1)}" cy="${py(y).toFixed(1)}" r="3" fill="${s.colour}"/>`,
        );
      }
    }
  }
  return parts.join("\n");
}

/** The swept parameter with its unit, for the x axis. */
export function paramLabel(param: string): string {
  const units: Record<string, string> = {
    loss: "loss, probability per frame",
    corrupt: "corruption, probability per frame",
    window: "window, frames",
    clients: "clients",
    size: "message size, bytes",
  };
  return units[param] ?? param;
}

/**
 * The runs' parameters in one line (those the sweep does not vary): what a reader of the figure
 * needs to rerun it.
 */
export function paramsCaption(runs: readonly RunResult[], param: string): string {
  const r = runs[0];
  if (r === undefined) return "";
  const p = r.params;
  const same = (f: (x: RunResult) => string) => runs.every((x) => f(x) === f(r));
  const parts = [
    param === "clients" ? undefined : `${p.clients} clients`,
    `${p.senders ?? p.clients} sending ${p.messages} messages` +
    (param === "size" ? "" : ` of ${p.size} bytes`),
    p.rate > 0 ? `open loop at ${p.rate} messages/s` : "closed loop",
    param === "window" ? undefined : `window ${p.window}`,
    `ACK ${p.ackPolicy}${p.ackPolicy === "sack" ? ` (held up to ${p.ackDelayMs} ms)` : ""}`,
    param === "loss" || p.loss === 0 ? undefined : `loss ${p.loss}`,
    param === "corrupt" || p.corrupt === 0 ? undefined : `corruption ${p.corrupt}`,
    p.faults === "" ? undefined : `faults ${p.faults}`,
    p.transport === "udp" ? "over UDP" : undefined,
    // Recovery and congestion control when every run shares them (else the series say).
    same((x) => x.params.recovery ?? "fast") ? `recovery ${p.recovery ?? "fast"}` : undefined,
    same((x) => x.params.cc ?? "none") && (p.cc ?? "none") !== "none" ? `cc ${p.cc}` : undefined,
    `seed ${p.seed}`,
    r.startedAt.slice(0, 10),
  ];
  return `chat bench: ${parts.filter((x) => x !== undefined).join(", ")}`;
}

/** `text` cut at its commas into lines that fit `width` pixels (about 6 per character). */
function captionLines(text: string, width: number): string[] {
  const most = Math.max(40, Math.floor((width - 40) / 6));
  const lines: string[] = [];
  for (const part of text.split(", ")) {
    const last = lines.at(-1);
    if (last !== undefined && last.length + 2 + part.length <= most) {
      lines[lines.length - 1] = `${last}, ${part}`;
    } else lines.push(part);
  }
  return lines;
}

/** The series a run belongs to: its mode, plus what varies among the runs. */
function seriesOf(r: RunResult, varies: { recovery: boolean; cc: boolean }): string {
  let name: string = r.mode;
  if (r.mode !== "text") {
    if (varies.recovery) name += ` ${r.params.recovery ?? "fast"}`;
    if (varies.cc) name += ` ${r.params.cc ?? "none"}`;
  }
  return name;
}

/** The textbook's efficiency at loss `p` (SR 1 − p, GBN (1 − p) / (1 − p + N p)). */
function idealEfficiency(mode: string, p: number, window: number): number {
  return mode === "sr" ? 1 - p : (1 - p) / (1 - p + window * p);
}

/** Renders the sweep runs as a standalone SVG document. */
export function renderSweepSvg(runs: readonly RunResult[], param: string): string {
  const arqRuns = runs.filter((r) => r.mode !== "text");
  const varies = {
    recovery: new Set(arqRuns.map((r) => r.params.recovery ?? "fast")).size > 1,
    cc: new Set(arqRuns.map((r) => r.params.cc ?? "none")).size > 1,
  };
  const names = [...new Set(runs.map((r) => seriesOf(r, varies)))];
  const by = (name: string, f: (r: RunResult) => number): [number, number][] =>
    runs.filter((r) => seriesOf(r, varies) === name && r.sweep).map((r) =>
      [r.sweep!.value, f(r)] as [number, number]
    )
      .sort((a, b) => a[0] - b[0]);
  const modeOf = (name: string) => name.split(" ")[0]!;
  const line = (name: string, f: (r: RunResult) => number): Series => ({
    name,
    colour: COLOURS[modeOf(name)] ?? "#555",
    style: name.includes("timeout") ? "timeout" : "solid",
    points: by(name, f),
  });
  const goodput = names.map((n) => line(n, (r) => r.goodputBytesPerS));
  const p99 = names.map((n) => line(n, (r) => r.latencyMs.p99));
  const arqNames = names.filter((n) => modeOf(n) !== "text");
  const eff: Series[] = arqNames.map((n) => line(n, (r) => r.arq?.efficiency ?? 0));
  const ideals: Series[] = [];
  if (param === "loss" && eff.length > 0) {
    const values = [...new Set(runs.map((r) => r.sweep?.value ?? 0))].sort((a, b) => a - b);
    const window = runs[0]?.params.window ?? 8;
    const p0 = values[0] ?? 0;
    for (const mode of ["sr", "gbn"]) {
      const own = arqRuns.filter((r) => r.mode === mode);
      if (own.length === 0) continue;
      const name = mode === "sr" ? "ideal SR" : `ideal GBN (N=${window})`;
      const colour = COLOURS[mode]!;
      eff.push({
        name,
        colour,
        style: "ideal",
        points: values.map((p) => [p, idealEfficiency(mode, p, window)]),
      });
      // The best goodput measured at the smallest loss, scaled by the ideal efficiency.
      const at0 = Math.max(
        ...own.filter((r) => (r.sweep?.value ?? 0) === p0).map((r) => r.goodputBytesPerS),
      );
      if (Number.isFinite(at0)) {
        const e0 = idealEfficiency(mode, p0, window);
        const point = (p: number): [number, number] => [
          p,
          e0 > 0 ? (at0 * idealEfficiency(mode, p, window)) / e0 : 0,
        ];
        ideals.push({ name, colour, style: "ideal", points: values.map(point) });
      }
    }
  }
  // Latencies of seconds read better in seconds than as "30k" ms.
  const inSeconds = p99.some((s) => s.points.some(([, y]) => y >= 1000));
  const latency = inSeconds
    ? p99.map((s) => ({
      ...s,
      points: s.points.map(([x, y]) => [x, y / 1000] as [number, number]),
    }))
    : p99;
  const x = paramLabel(param);
  const panels = [
    panel(0, "Goodput", x, "bytes/s (log scale)", [...goodput, ...ideals], "log"),
    panel(W, "Latency p99", x, inSeconds ? "one-way latency, s" : "one-way latency, ms", latency),
  ];
  if (eff.length > 0) {
    panels.push(panel(2 * W, "Efficiency (useful / all DATA frames)", x, "fraction", eff));
  }
  const width = W * panels.length;
  const legendItems = [...goodput, ...eff.filter((s) => s.style === "ideal")];
  const legend = legendItems.map((s, i) => {
    const x = 20 + i * 150;
    return `<line x1="${x}" x2="${x + 24}" y1="${H + 16}" y2="${
      H + 16
    }" stroke="${s.colour}" stroke-width="2"${DASHES[s.style]}/><text x="${x + 30}" y="${H + 20}">${
      esc(s.name.replace(/^(gbn|sr|text)\b/, (m) => m.toUpperCase()))
    }</text>`;
  }).join("\n");
  const caption = captionLines(paramsCaption(runs, param), width).map((line, i) =>
    `<text x="20" y="${H + 40 + 14 * i}" data-caption="params">${esc(line)}</text>`
  ).join("\n");
  const height = H + 40 + 14 * captionLines(paramsCaption(runs, param), width).length;
  return `<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">
<rect width="100%" height="100%" fill="white"/>
${panels.join("\n")}
${legend}
${caption}
</svg>
`;
}
