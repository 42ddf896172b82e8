/**
 * `chat bench` outputs: a loss sweep over both ARQ modes yields one valid run per value per
 * mode (--json), its --plot SVG is well-formed XML with one line per mode per panel, axis
 * labels and the textbook's ideal efficiency curves placed where the numbers say, --csv has a
 * header and one equally wide row per run, and the validator rejects broken results.
 */

import assert from "node:assert/strict";
import { XMLParser, XMLValidator } from "fast-xml-parser";
import { renderSweepSvg } from "../lib/bench/plot.ts";
import { toCsv } from "../lib/bench/report.ts";
import { type RunResult, validateRunResult } from "../lib/bench/result.ts";
import { runChat } from "./support/bench_cli.ts";
import { sampleRun } from "./support/bench_fixtures.ts";

// ---------------------------------------------------------------------------------------------
// The loss sweep, run once through the CLI (its own child server) and shared by two tests.

interface SweepRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly timedOut: boolean;
  readonly svg: string | undefined;
  readonly svgPath: string;
}

let sweepRun: Promise<SweepRun> | undefined;

/** `chat bench --clients 3 --messages 10 --sweep loss=0,0.1 --arq both --json --plot F.svg`. */
function lossSweep(): Promise<SweepRun> {
  sweepRun ??= (async () => {
    const dir = await Deno.makeTempDir({ prefix: "bench_output_test_" });
    try {
      const svgPath = `${dir}/loss.svg`;
      const out = await runChat([
        "bench",
        "--clients",
        "3",
        "--messages",
        "10",
        "--sweep",
        "loss=0,0.1",
        "--arq",
        "both",
        "--timeout",
        "8",
        "--json",
        "--plot",
        svgPath,
      ], 40_000);
      const svg = await Deno.readTextFile(svgPath).catch(() => undefined);
      return { ...out, svg, svgPath };
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  })();
  return sweepRun;
}

function jsonRuns(stdout: string): RunResult[] {
  return stdout.trim().split("\n").map((l) => JSON.parse(l) as RunResult);
}

Deno.test("chat bench --sweep loss=0,0.1 --arq both: one valid run per value per mode", async () => {
  const out = await lossSweep();
  assert.ok(!out.timedOut, "the CLI finished in time");
  assert.equal(out.code, 0, out.stderr);
  const runs = jsonRuns(out.stdout);
  assert.equal(runs.length, 4, out.stdout);
  // Values outside, modes inside, each pair exactly once.
  assert.deepEqual(runs.map((r) => [r.sweep?.value, r.mode]), [
    [0, "gbn"],
    [0, "sr"],
    [0.1, "gbn"],
    [0.1, "sr"],
  ]);
  for (const r of runs) {
    const what = `${r.mode} loss=${r.sweep?.value}`;
    assert.deepEqual(validateRunResult(r), [], what);
    assert.deepEqual(r.sweep, { param: "loss", value: r.params.loss }, what);
    assert.equal(r.params.clients, 3, what);
    assert.equal(r.params.messages, 10, what);
    assert.equal(r.params.window, 8, what);
    assert.equal(r.status, "complete", `${what}: ${r.problems.join("; ")}`);
    assert.equal(r.sent, 30, what);
    assert.equal(r.expectedDeliveries, 60, what);
    // ARQ delivers everything exactly once and in order, loss or not.
    assert.equal(r.deliveries, 60, what);
    assert.equal(r.lost, 0, what);
    assert.equal(r.duplicated, 0, what);
    assert.equal(r.outOfOrder, 0, what);
    assert.deepEqual(r.problems, [], what);
    assert.ok(r.arq !== null, what);
    assert.ok(r.server !== null, `${what}: server CPU from STATS`);
    if (r.params.loss === 0) {
      assert.equal(r.arq.retransmissions, 0, what);
      assert.equal(r.arq.efficiency, 1, what);
    } else {
      assert.ok(r.arq.retransmissions > 0, `${what}: lost frames are retransmitted`);
      assert.ok(r.arq.efficiency > 0 && r.arq.efficiency < 1, what);
      const useful = r.arq.dataFrames - r.arq.retransmissions;
      assert.ok(Math.abs(r.arq.efficiency - useful / r.arq.dataFrames) < 1e-12, what);
    }
  }
  assert.match(out.stderr, new RegExp(`wrote ${out.svgPath.replaceAll(".", "\\.")}`));
});

// ---------------------------------------------------------------------------------------------
// SVG.

interface Polyline {
  readonly series: string;
  readonly points: [number, number][];
  readonly dashed: boolean;
  readonly stroke: string;
}

interface SvgText {
  readonly x: number;
  readonly y: number;
  readonly anchor: string | undefined;
  readonly transform: string | undefined;
  readonly text: string;
}

interface Svg {
  readonly width: number;
  readonly polylines: Polyline[];
  readonly texts: SvgText[];
}

const PANEL_W = 340;

function parseSvg(svg: string): Svg {
  assert.equal(XMLValidator.validate(svg), true, "well-formed XML");
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: "",
    parseTagValue: false,
    parseAttributeValue: false,
    isArray: (name) => ["polyline", "text", "line", "circle", "rect"].includes(name),
  });
  const doc = parser.parse(svg);
  const root = doc.svg as Record<string, unknown> | undefined;
  assert.ok(root, "root element is <svg>");
  assert.equal(root.xmlns, "http://www.w3.org/2000/svg");
  const polylines = ((root.polyline ?? []) as Record<string, string>[]).map((p) => ({
    series: p["data-series"]!,
    points: p.points!.trim().split(/\s+/).map((xy) =>
      xy.split(",").map(Number) as [
        number,
        number,
      ]
    ),
    dashed: p["stroke-dasharray"] !== undefined,
    stroke: p.stroke!,
  }));
  const texts = ((root.text ?? []) as Record<string, string>[]).map((t) => ({
    x: Number(t.x),
    y: Number(t.y),
    anchor: t["text-anchor"],
    transform: t.transform,
    text: t["#text"] ?? "",
  }));
  return { width: Number(root.width), polylines, texts };
}

/** Inverse of plot.ts's `fmt`: "1.5k" -> 1500; undefined when not a number. */
function tickValue(s: string): number | undefined {
  const m = /^(-?\d+(?:\.\d+)?)([kM]?)$/.exec(s.trim());
  if (!m) return undefined;
  return Number(m[1]) * (m[2] === "k" ? 1e3 : m[2] === "M" ? 1e6 : 1);
}

const panelOf = (x: number) => Math.floor(x / PANEL_W);

/**
 * Pixel -> value maps of panel `i`, fitted through its first and last tick labels; the goodput
 * panel (0) has a logarithmic y axis.
 */
function axes(svg: Svg, i: number): { x: (px: number) => number; y: (py: number) => number } {
  const inPanel = svg.texts.filter((t) => panelOf(t.x) === i && t.transform === undefined);
  const yt = inPanel.filter((t) => t.anchor === "end" && tickValue(t.text) !== undefined)
    .map((t) => [t.y - 4, tickValue(t.text)!] as const);
  const xt = inPanel.filter((t) => t.anchor === "middle" && tickValue(t.text) !== undefined)
    .map((t) => [t.x, tickValue(t.text)!] as const);
  assert.ok(yt.length >= 2 && xt.length >= 2, `panel ${i} has tick labels on both axes`);
  const fit = (ticks: readonly (readonly [number, number])[]) => {
    const [p0, v0] = ticks[0]!;
    const [p1, v1] = ticks[ticks.length - 1]!;
    return (p: number) => v0 + ((p - p0) * (v1 - v0)) / (p1 - p0);
  };
  if (i !== 0) return { x: fit(xt), y: fit(yt) };
  const logFit = fit(yt.map(([p, v]) => [p, Math.log10(v)] as const));
  return { x: fit(xt), y: (p) => 10 ** logFit(p) };
}

/** The values drawn by `line` in panel `i`. */
function valuesOf(svg: Svg, i: number, line: Polyline): [number, number][] {
  const a = axes(svg, i);
  return line.points.map(([px, py]) => [a.x(px), a.y(py)]);
}

function near(actual: number, expected: number, tol: number, what: string): void {
  assert.ok(Math.abs(actual - expected) <= tol, `${what}: ${actual} vs ${expected} (±${tol})`);
}

function seriesByPanel(svg: Svg): string[][] {
  const out: string[][] = [];
  for (const l of svg.polylines) (out[panelOf(l.points[0]![0])] ??= []).push(l.series);
  return out.map((s) => s.sort());
}

Deno.test("chat bench --plot: valid SVG, one line per mode per panel, ideal efficiency curves", async () => {
  const out = await lossSweep();
  assert.equal(out.code, 0, out.stderr);
  assert.ok(out.svg !== undefined, "the plot file was written");
  const runs = jsonRuns(out.stdout);
  const svg = parseSvg(out.svg);
  assert.equal(svg.width, 3 * PANEL_W, "three panels: goodput, latency, efficiency");
  const texts = svg.texts.map((t) => t.text);
  for (const title of ["Goodput", "Latency p99", "Efficiency (useful / all DATA frames)"]) {
    assert.equal(texts.filter((t) => t === title).length, 1, title);
  }
  // Axis labels: the swept parameter and its unit under each panel, the unit rotated beside it.
  assert.equal(
    svg.texts.filter((t) => t.text === "loss, probability per frame").length,
    3,
    "x axis labels",
  );
  // Latency in ms, or in s when some p99 reached a second (a busy machine).
  const seconds = runs.some((r) => r.latencyMs.p99 >= 1000);
  const units = ["bytes/s (log scale)", `one-way latency, ${seconds ? "s" : "ms"}`, "fraction"];
  for (const [i, unit] of units.entries()) {
    const t = svg.texts.filter((t) => t.text === unit);
    assert.equal(t.length, 1, unit);
    assert.match(t[0]!.transform ?? "", /rotate\(-90\)/, unit);
    assert.match(t[0]!.transform ?? "", new RegExp(`translate\\(${i * PANEL_W + 14},`), unit);
  }
  // One data line per mode in every panel; the ideal curves (dashed) for goodput and efficiency.
  assert.deepEqual(seriesByPanel(svg), [
    ["gbn", "ideal GBN (N=8)", "ideal SR", "sr"],
    ["gbn", "sr"],
    ["gbn", "ideal GBN (N=8)", "ideal SR", "sr"],
  ]);
  for (const l of svg.polylines) {
    assert.equal(l.dashed, l.series.startsWith("ideal"), l.series);
    assert.equal(l.points.length, 2, `${l.series}: one point per swept value`);
  }
  // Every point sits where its number says (read back through the tick labels).
  const metric: ((r: RunResult) => number)[] = [
    (r) => r.goodputBytesPerS,
    (r) => r.latencyMs.p99 / (seconds ? 1000 : 1),
    (r) => r.arq!.efficiency,
  ];
  for (const l of svg.polylines.filter((l) => !l.dashed)) {
    const i = panelOf(l.points[0]![0]);
    const axis = axes(svg, i);
    const top = Math.max(
      ...svg.texts.filter((t) => panelOf(t.x) === i && t.anchor === "end")
        .map((t) => tickValue(t.text) ?? 0),
    );
    const expected = runs.filter((r) => r.mode === l.series).map((r) =>
      [r.sweep!.value, metric[i]!(r)] as const
    );
    const got = l.points.map(([px, py]) => [axis.x(px), axis.y(py)] as const);
    assert.equal(got.length, expected.length);
    for (const [k, [x, y]] of got.entries()) {
      near(x, expected[k]![0], 0.002, `${l.series} panel ${i} x`);
      // Within a pixel or so: on the log axis, a relative error.
      const tol = i === 0 ? expected[k]![1] * 0.03 : top * 0.01;
      near(y, expected[k]![1], tol, `${l.series} panel ${i} y`);
    }
  }
  // The textbook's ideal: SR 1 - p; GBN (1 - p) / (1 - p + N p) with N = 8.
  const idealIn = (panel: number, name: string) =>
    svg.polylines.find((l) => l.series === name && panelOf(l.points[0]![0]) === panel)!;
  const sr = valuesOf(svg, 2, idealIn(2, "ideal SR"));
  const gbn = valuesOf(svg, 2, idealIn(2, "ideal GBN (N=8)"));
  for (const [k, p] of [0, 0.1].entries()) {
    near(sr[k]![0], p, 0.002, "ideal SR x");
    near(sr[k]![1], 1 - p, 0.01, "ideal SR y");
    near(gbn[k]![0], p, 0.002, "ideal GBN x");
    near(gbn[k]![1], (1 - p) / (1 - p + 8 * p), 0.01, "ideal GBN y");
  }
  // The ideal goodput: the goodput at the smallest loss scaled by the ideal efficiency.
  for (const [mode, name] of [["sr", "ideal SR"], ["gbn", "ideal GBN (N=8)"]] as const) {
    const g0 = runs.find((r) => r.mode === mode && r.sweep!.value === 0)!.goodputBytesPerS;
    const eff = (p: number) => mode === "sr" ? 1 - p : (1 - p) / (1 - p + 8 * p);
    const top = Math.max(
      ...svg.texts.filter((t) => panelOf(t.x) === 0 && t.anchor === "end")
        .map((t) => tickValue(t.text) ?? 0),
    );
    for (const [k, [x, y]] of valuesOf(svg, 0, idealIn(0, name)).entries()) {
      const p = [0, 0.1][k]!;
      near(x, p, 0.002, `${name} goodput x`);
      near(y, g0 * eff(p), top * 0.01, `${name} goodput y`);
    }
  }
  // Legend: one entry per mode and per ideal curve.
  for (const name of ["GBN", "SR", "ideal SR", "ideal GBN (N=8)"]) {
    assert.ok(texts.includes(name), `legend ${name}`);
  }
});

Deno.test("renderSweepSvg: a line per mode and recovery when runs differ in it, timeout dotted", () => {
  const runs = [0, 0.1].flatMap((p) =>
    (["fast", "timeout"] as const).flatMap((rec) =>
      (["gbn", "sr"] as const).map((m) =>
        sampleRun(m, { param: "loss", value: p }, rec === "fast" ? 1000 : 100, 0.9, rec)
      )
    )
  );
  const text = renderSweepSvg(runs, "loss");
  const svg = parseSvg(text);
  assert.deepEqual(seriesByPanel(svg)[1], ["gbn fast", "gbn timeout", "sr fast", "sr timeout"]);
  for (const name of ["gbn timeout", "sr timeout"]) {
    assert.match(text, new RegExp(`data-series="${name}"[^>]*stroke-dasharray="2,3"`), name);
  }
  for (const name of ["gbn fast", "sr fast"]) {
    assert.doesNotMatch(text, new RegExp(`data-series="${name}"[^>]*stroke-dasharray`), name);
  }
  // The ideal goodput starts from the best goodput at the smallest loss (the fast runs').
  const ideal = svg.polylines.find((l) =>
    l.series === "ideal SR" && panelOf(l.points[0]![0]) === 0
  )!;
  const [first] = valuesOf(svg, 0, ideal);
  near(first![1], 1000, 20, "ideal SR goodput at loss 0");
  for (const label of ["SR fast", "SR timeout", "GBN fast", "GBN timeout"]) {
    assert.ok(svg.texts.some((t) => t.text === label), `legend ${label}`);
  }
});

Deno.test("renderSweepSvg: modes in any order, text has no efficiency line, no ideal off loss", () => {
  const values = [16, 4, 8];
  const runs = values.flatMap((v) =>
    (["text", "sr", "gbn"] as const).map((m) =>
      sampleRun(m, { param: "window", value: v }, 100 * v, m === "gbn" ? 1 - v / 100 : 0.99)
    )
  );
  const svg = parseSvg(renderSweepSvg(runs, "window"));
  assert.equal(svg.width, 3 * PANEL_W);
  assert.deepEqual(seriesByPanel(svg), [
    ["gbn", "sr", "text"],
    ["gbn", "sr", "text"],
    ["gbn", "sr"],
  ]);
  assert.ok(!svg.polylines.some((l) => l.dashed), "ideal curves only for a loss sweep");
  for (const l of svg.polylines) {
    const xs = l.points.map((p) => p[0]);
    assert.deepEqual(xs, [...xs].sort((a, b) => a - b), `${l.series}: x ascending`);
    assert.equal(xs.length, 3);
  }
  const gbnEff = valuesOf(
    svg,
    2,
    svg.polylines.find((l) => l.series === "gbn" && panelOf(l.points[0]![0]) === 2)!,
  );
  for (const [k, v] of [4, 8, 16].entries()) {
    near(gbnEff[k]![0], v, 0.05, "window");
    near(gbnEff[k]![1], 1 - v / 100, 0.01, "gbn efficiency");
  }
  assert.equal(svg.texts.filter((t) => t.text === "window, frames").length, 3, "x axis labels");

  // Text only: no efficiency panel at all.
  const textOnly = parseSvg(
    renderSweepSvg(runs.filter((r) => r.mode === "text"), "window"),
  );
  assert.equal(textOnly.width, 2 * PANEL_W);
  assert.deepEqual(seriesByPanel(textOnly), [["text"], ["text"]]);
});

// ---------------------------------------------------------------------------------------------
// CSV.

/** RFC 4180 parser (quoted fields, doubled quotes, commas and newlines inside quotes). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") {
      row.push(field);
      field = "";
    } else if (c === "\n") {
      row.push(field);
      rows.push(row);
      row = [];
      field = "";
    } else field += c;
  }
  assert.ok(!quoted, "no unterminated quote");
  if (field !== "" || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

const CSV_HEADER = [
  "mode",
  "sweep_param",
  "sweep_value",
  "clients",
  "messages",
  "size",
  "rate",
  "window",
  "ack_delay_ms",
  "recovery",
  "cc",
  "loss",
  "corrupt",
  "seed",
  "status",
  "connect_ms",
  "sent",
  "deliveries",
  "lost",
  "duplicated",
  "out_of_order",
  "deliveries_per_s",
  "goodput_bytes_per_s",
  "p50_ms",
  "p99_ms",
  "retransmissions",
  "retx_timeout",
  "retx_fast",
  "retx_nack",
  "retx_probe",
  "spurious",
  "repair_rtts",
  "timeouts",
  "efficiency",
  "mean_cwnd",
  "server_efficiency",
  "server_ns_per_delivery",
  "transport",
  "server_retransmissions",
  "kernel_udp_in_errors",
  "kernel_udp_rcvbuf_errors",
  "kernel_ip_undelivered",
  "refused",
];

Deno.test("chat bench --csv: header and one equally wide row per run", async () => {
  const out = await runChat([
    "bench",
    "--messages",
    "5",
    "--sweep",
    "clients=2,3",
    "--arq",
    "all",
    "--timeout",
    "8",
    "--csv",
  ], 30_000);
  assert.ok(!out.timedOut, "the CLI finished in time");
  assert.equal(out.code, 0, out.stderr);
  const rows = parseCsv(out.stdout);
  assert.deepEqual(rows[0], CSV_HEADER);
  assert.equal(rows.length, 1 + 2 * 3, out.stdout);
  for (const row of rows) assert.equal(row.length, CSV_HEADER.length, row.join(","));
  const col = (row: string[], name: string) => row[CSV_HEADER.indexOf(name)]!;
  const body = rows.slice(1);
  assert.deepEqual(body.map((r) => col(r, "mode")), ["gbn", "sr", "text", "gbn", "sr", "text"]);
  for (const r of body) {
    const clients = Number(col(r, "clients"));
    assert.equal(col(r, "sweep_param"), "clients");
    assert.equal(Number(col(r, "sweep_value")), clients);
    assert.equal(col(r, "status"), "complete");
    assert.equal(Number(col(r, "messages")), 5);
    assert.equal(Number(col(r, "sent")), clients * 5);
    assert.equal(Number(col(r, "deliveries")), clients * 5 * (clients - 1));
    assert.equal(col(r, "lost"), "0");
    assert.equal(col(r, "duplicated"), "0");
    assert.equal(col(r, "out_of_order"), "0");
    for (const n of ["connect_ms", "deliveries_per_s", "goodput_bytes_per_s", "p50_ms", "p99_ms"]) {
      assert.ok(Number.isFinite(Number(col(r, n))) && col(r, n) !== "", `${n}: ${col(r, n)}`);
    }
    const text = col(r, "mode") === "text";
    assert.equal(col(r, "retransmissions") === "", text, "retransmissions only for ARQ modes");
    assert.equal(col(r, "efficiency") === "", text, "efficiency only for ARQ modes");
  }
  assert.deepEqual(body.map((r) => Number(col(r, "clients"))), [2, 2, 2, 3, 3, 3]);
});

Deno.test("chat bench --ack-delay: held ACKs make fewer client frames than one ACK per read", async () => {
  const framesSent = async (delay: number) => {
    const out = await runChat([
      "bench",
      "--clients",
      "4",
      "--messages",
      "60",
      "--arq",
      "gbn",
      "--ack-delay",
      String(delay),
      "--timeout",
      "20",
      "--json",
    ], 40_000);
    assert.equal(out.code, 0, out.stderr);
    const r = JSON.parse(out.stdout.trim());
    assert.equal(r.status, "complete");
    assert.equal(r.params.ackDelayMs, delay);
    return { all: r.arq.framesSent as number, data: r.arq.dataFrames as number };
  };
  const perRead = await framesSent(0);
  const held = await framesSent(100);
  // The same messages either way: what differs is the ACKs (and control frames) beside the DATA.
  assert.ok(
    held.all - held.data < perRead.all - perRead.data,
    `ACK and control frames: ${held.all - held.data} held, ${perRead.all - perRead.data} per read`,
  );
});

Deno.test("toCsv: quotes cells with commas and quotes so every row keeps its width", () => {
  const runs = [
    sampleRun("gbn", { param: 'odd,"param"', value: 1 }),
    sampleRun("text"),
    sampleRun("sr", { param: "loss", value: 0.05 }),
    sampleRun("gbn", { param: "a,b", value: 2 }),
    sampleRun("sr", { param: 'say "hi"', value: 3 }),
  ];
  const csv = toCsv(runs);
  assert.ok(csv.endsWith("\n"));
  const rows = parseCsv(csv);
  assert.deepEqual(rows[0], CSV_HEADER);
  assert.equal(rows.length, 1 + runs.length);
  for (const row of rows) assert.equal(row.length, CSV_HEADER.length);
  assert.equal(rows[1]![1], 'odd,"param"');
  assert.equal(rows[4]![1], "a,b");
  assert.equal(rows[5]![1], 'say "hi"');
  assert.deepEqual(rows[2]!.slice(0, 3), ["text", "", ""]);
  assert.deepEqual(rows[3]!.slice(0, 3), ["sr", "loss", "0.05"]);
  assert.equal(rows[2]![CSV_HEADER.indexOf("efficiency")], "");
  assert.equal(rows[1]![CSV_HEADER.indexOf("efficiency")], "1.0000");
});

// ---------------------------------------------------------------------------------------------
// Validator.

type Json = Record<string, unknown>;

/** A deep copy of a valid result with `edit` applied. */
function broken(edit: (o: Json) => void, mode: "gbn" | "sr" | "text" = "gbn"): Json {
  const o = structuredClone(sampleRun(mode)) as unknown as Json;
  edit(o);
  return o;
}

Deno.test("validateRunResult accepts valid results of every mode and a failed run", () => {
  for (const m of ["gbn", "sr", "text"] as const) {
    assert.deepEqual(validateRunResult(sampleRun(m)), [], m);
    assert.deepEqual(validateRunResult(JSON.parse(JSON.stringify(sampleRun(m)))), [], m);
  }
  assert.deepEqual(
    validateRunResult({ ...sampleRun("sr"), arq: null, status: "failed", problems: ["boom"] }),
    [],
  );
});

Deno.test("validateRunResult rejects missing fields", () => {
  const top = Object.keys(sampleRun("gbn"));
  assert.equal(top.length, 23);
  for (const key of top) {
    const errors = validateRunResult(broken((o) => delete o[key]));
    assert.ok(errors.length > 0, `missing ${key} accepted`);
    assert.ok(errors.some((e) => e.includes(key)), `${key}: ${errors.join("; ")}`);
  }
  for (const key of Object.keys(sampleRun("gbn").params)) {
    const errors = validateRunResult(broken((o) => delete (o.params as Json)[key]));
    assert.ok(errors.some((e) => e.includes(key)), `params.${key}: ${errors.join("; ")}`);
  }
  for (const key of ["p50", "p90", "p99", "max", "mean"]) {
    const errors = validateRunResult(broken((o) => delete (o.latencyMs as Json)[key]));
    assert.ok(errors.some((e) => e.includes(key)), `latencyMs.${key}: ${errors.join("; ")}`);
  }
  for (const key of ["cpuMs", "cpuPercent", "bound"]) {
    const errors = validateRunResult(broken((o) => delete (o.generator as Json)[key]));
    assert.ok(errors.some((e) => e.includes(key)), `generator.${key}: ${errors.join("; ")}`);
  }
});

Deno.test("validateRunResult rejects wrong types and values", () => {
  const cases: [string, Json | unknown][] = [
    ["null", null],
    ["a number", 42],
    ["a string", "chat-bench"],
    ["an array", []],
    ["tool", broken((o) => o.tool = "other-bench")],
    ["version", broken((o) => o.version = 2)],
    ["version as string", broken((o) => o.version = "1")],
    ["startedAt", broken((o) => o.startedAt = 1700000000000)],
    ["mode", broken((o) => o.mode = "tcp")],
    ["status", broken((o) => o.status = "ok")],
    ["sent as string", broken((o) => o.sent = "30")],
    ["lost NaN", broken((o) => o.lost = NaN)],
    ["elapsedS Infinity", broken((o) => o.elapsedS = Infinity)],
    ["deliveries null", broken((o) => o.deliveries = null)],
    ["params not an object", broken((o) => o.params = "3 clients")],
    ["params.clients as string", broken((o) => (o.params as Json).clients = "3")],
    ["params.ackPolicy", broken((o) => (o.params as Json).ackPolicy = "nack")],
    ["params.faults as number", broken((o) => (o.params as Json).faults = 0)],
    ["params.loss null", broken((o) => (o.params as Json).loss = null)],
    ["sweep as string", broken((o) => o.sweep = "loss=0.1")],
    ["latencyMs.p99 as string", broken((o) => (o.latencyMs as Json).p99 = "3")],
    ["latencyMs null", broken((o) => o.latencyMs = null)],
    ["arq for text", broken((o) => o.arq = sampleRun("gbn").arq, "text")],
    ["arq null for gbn", broken((o) => o.arq = null)],
    ["arq as string", broken((o) => o.arq = "none")],
    ["server as string", broken((o) => o.server = "unknown")],
    ["generator as string", broken((o) => o.generator = "idle")],
    ["generator.bound as string", broken((o) => (o.generator as Json).bound = "no")],
    ["problems as string", broken((o) => o.problems = "LOST 3")],
    ["problems of numbers", broken((o) => o.problems = [3])],
  ];
  for (const [what, x] of cases) {
    assert.notDeepEqual(validateRunResult(x), [], `${what} accepted`);
  }
});

Deno.test("renderSweepSvg: goodput on a log axis, so a thousandth of it is still seen; latency of seconds in s; the parameters stated", () => {
  const runs = [0, 0.1, 0.2].flatMap((p, i) =>
    (["gbn", "sr"] as const).map((m) => {
      const r = sampleRun(m, { param: "loss", value: p }, [2_000_000, 20_000, 2_000][i]!);
      return { ...r, latencyMs: { ...r.latencyMs, p99: [5, 800, 30_000][i]! } };
    })
  );
  const svg = parseSvg(renderSweepSvg(runs, "loss"));
  const goodput = svg.polylines.find((l) => l.series === "gbn" && panelOf(l.points[0]![0]) === 0)!;
  const ys = goodput.points.map(([, y]) => y);
  // Equal ratios, equal steps: 2 M -> 20 k -> 2 k is two decades, then one.
  const [d1, d2] = [ys[1]! - ys[0]!, ys[2]! - ys[1]!];
  assert.ok(Math.abs(d1 - 2 * d2) < 1, `log steps ${d1} and ${d2}`);
  assert.ok(d2 > 20, "the smallest goodput is well above the largest's decade floor");
  const labels = svg.texts.filter((t) => panelOf(t.x) === 0 && t.anchor === "end");
  assert.deepEqual(labels.map((t) => t.text), ["1k", "10k", "100k", "1M", "10M"]);
  // A p99 of 30 s is labelled in seconds, not "30k" ms.
  assert.ok(svg.texts.some((t) => t.text === "one-way latency, s"));
  const latencyLabels = svg.texts.filter((t) => panelOf(t.x) === 1 && t.anchor === "end");
  assert.ok(!latencyLabels.some((t) => /k$/.test(t.text)), latencyLabels.map((t) => t.text).join());
  // The caption: everything needed to rerun it, but not the swept parameter.
  const caption = svg.texts.filter((t) => t.text.startsWith("chat bench: ") || t.y > 240)
    .map((t) => t.text).join(", ");
  for (
    const want of [
      "3 clients",
      "10 messages",
      "of 64 bytes",
      "window 8",
      "seed 1",
      "closed loop",
      "ACK sack",
      "recovery fast",
    ]
  ) {
    assert.ok(caption.includes(want), `caption has ${want}: ${caption}`);
  }
  assert.ok(
    !/loss \d/.test(caption),
    `the swept loss is on the axis, not in the caption: ${caption}`,
  );
});

Deno.test("renderSweepSvg: the y axis reaches past the largest value, whatever it is", () => {
  // Values just above a round tick (2.4 M when ticks are 0.5 M apart) once drew off the panel.
  const runs = [0, 0.1, 0.2].flatMap((p, i) =>
    (["gbn", "sr"] as const).map((m) =>
      sampleRun(
        m,
        { param: "loss", value: p },
        [2_412_345, 61_234, 9_876][i]! * (m === "sr" ? 1.1 : 1),
      )
    )
  );
  const svg = parseSvg(renderSweepSvg(runs, "loss"));
  for (let panel = 0; panel < 3; panel++) {
    const labels = svg.texts.filter((t) => panelOf(t.x) === panel && t.anchor === "end");
    const top = Math.min(...labels.map((t) => t.y));
    for (const l of svg.polylines.filter((l) => panelOf(l.points[0]![0]) === panel)) {
      for (const [, y] of l.points) {
        assert.ok(y >= top - 6, `panel ${panel} ${l.series}: y ${y} above ${top}`);
      }
    }
  }
});
