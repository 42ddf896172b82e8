/**
 * `--plot FILE.svg`: goodput, p99 latency and (for ARQ modes) efficiency against the swept
 * parameter, one line per mode; for a loss sweep the textbook's ideal efficiency is drawn dashed
 * (SR ≈ 1 − p; GBN ≈ (1 − p) / (1 − p + N·p)).
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

interface Series {
  readonly name: string;
  readonly colour: string;
  readonly dashed: boolean;
  readonly points: [number, number][];
}

function panel(
  x0: number,
  title: string,
  xLabel: string,
  yLabel: string,
  series: Series[],
): string {
  const xs = series.flatMap((s) => s.points.map((p) => p[0]));
  const ys = series.flatMap((s) => s.points.map((p) => p[1]));
  const xt = niceTicks(Math.min(...xs), Math.max(...xs));
  const yt = niceTicks(0, Math.max(...ys, 0) || 1);
  const [xmin, xmax] = [xt[0]!, xt[xt.length - 1]!];
  const ymax = yt[yt.length - 1]!;
  const px = (v: number) => x0 + M.l + ((v - xmin) / (xmax - xmin || 1)) * (W - M.l - M.r);
  const py = (v: number) => M.t + (1 - v / (ymax || 1)) * (H - M.t - M.b);
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
      }" points="${pts}" fill="none" stroke="${s.colour}" stroke-width="2"${
        s.dashed ? ' stroke-dasharray="5,4"' : ""
      }/>`,
    );
    if (!s.dashed) {
      for (const [x, y] of s.points) {
        parts.push(
          `<circle cx="${px(x).toFixed(1)}" cy="${py(y).toFixed(1)}" r="3" fill="${s.colour}"/>`,
        );
      }
    }
  }
  return parts.join("\n");
}

/** Renders the sweep runs as a standalone SVG document. */
export function renderSweepSvg(runs: readonly RunResult[], param: string): string {
  const modes = [...new Set(runs.map((r) => r.mode))];
  const by = (m: string, f: (r: RunResult) => number): [number, number][] =>
    runs.filter((r) => r.mode === m && r.sweep).map((r) =>
      [r.sweep!.value, f(r)] as [number, number]
    )
      .sort((a, b) => a[0] - b[0]);
  const line = (m: string, f: (r: RunResult) => number): Series => ({
    name: m,
    colour: COLOURS[m] ?? "#555",
    dashed: false,
    points: by(m, f),
  });
  const goodput = modes.map((m) => line(m, (r) => r.goodputBytesPerS));
  const p99 = modes.map((m) => line(m, (r) => r.latencyMs.p99));
  const arqModes = modes.filter((m) => m !== "text");
  const eff: Series[] = arqModes.map((m) => line(m, (r) => r.arq?.efficiency ?? 0));
  if (param === "loss" && eff.length > 0) {
    const values = [...new Set(runs.map((r) => r.sweep?.value ?? 0))].sort((a, b) => a - b);
    const window = runs[0]?.params.window ?? 8;
    if (arqModes.includes("sr")) {
      eff.push({
        name: "ideal SR",
        colour: COLOURS.sr!,
        dashed: true,
        points: values.map((p) => [p, 1 - p]),
      });
    }
    if (arqModes.includes("gbn")) {
      eff.push({
        name: `ideal GBN (N=${window})`,
        colour: COLOURS.gbn!,
        dashed: true,
        points: values.map((p) => [p, (1 - p) / (1 - p + window * p)]),
      });
    }
  }
  const panels = [
    panel(0, "Goodput", param, "bytes/s", goodput),
    panel(W, "Latency p99", param, "ms", p99),
  ];
  if (eff.length > 0) {
    panels.push(panel(2 * W, "Efficiency (useful / all DATA frames)", param, "fraction", eff));
  }
  const width = W * panels.length;
  const legendItems = [...goodput, ...eff.filter((s) => s.dashed)];
  const legend = legendItems.map((s, i) => {
    const x = 20 + i * 150;
    return `<line x1="${x}" x2="${x + 24}" y1="${H + 16}" y2="${
      H + 16
    }" stroke="${s.colour}" stroke-width="2"${
      s.dashed ? ' stroke-dasharray="5,4"' : ""
    }/><text x="${x + 30}" y="${H + 20}">${
      esc(s.name.toUpperCase().replace("IDEAL", "ideal"))
    }</text>`;
  }).join("\n");
  return `<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${H + 34}" viewBox="0 0 ${width} ${
    H + 34
  }" font-family="sans-serif" font-size="11">
<rect width="100%" height="100%" fill="white"/>
${panels.join("\n")}
${legend}
</svg>
`;
}
