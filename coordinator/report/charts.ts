/**
 * Charts of the report: declarative Vega-Lite specs, compiled by vega-lite and drawn to SVG by vega in Node, at
 * build time, so the HTML needs no script and no network to show them. Only the report imports this module
 * (and so vega): nothing a worker runs reaches it.
 *
 * Every chart: a title, axis titles with units, the Okabe–Ito palette (distinguishable with the common forms of
 * colour blindness), no interaction. The spec builders take plain rows (objects keyed by column name).
 */

import * as vega from "vega";
import * as vl from "vega-lite";

/** Okabe & Ito (2008), "Color Universal Design": eight colours safe for colour-blind readers. */
export const PALETTE = [
  "#0072B2",
  "#E69F00",
  "#009E73",
  "#D55E00",
  "#56B4E9",
  "#CC79A7",
  "#F0E442",
  "#000000",
];

export type Row = Record<string, unknown>;
// biome-ignore lint/suspicious/noExplicitAny: a Vega-Lite spec is a large union; the builders below are typed by use
export type ChartSpec = Record<string, any>;

const CONFIG = {
  font: "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif",
  range: { category: PALETTE },
  axis: { labelFontSize: 11, titleFontSize: 12, labelLimit: 220 },
  legend: { labelFontSize: 11, titleFontSize: 12 },
  title: { fontSize: 14, anchor: "start" },
  view: { stroke: null },
  background: "white",
};

/** A horizontal bar per category: `value` (a percentage or a count) against `label`, in the rows' order. */
export function barChart(
  rows: Row[],
  opts: {
    label: string;
    value: string;
    valueTitle: string;
    labelTitle: string;
    title: string;
    color?: string;
  },
): ChartSpec {
  return {
    title: opts.title,
    data: { values: rows },
    width: 460,
    height: { step: 22 },
    mark: { type: "bar", color: PALETTE[0] },
    encoding: {
      y: { field: opts.label, type: "nominal", sort: null, title: opts.labelTitle },
      x: { field: opts.value, type: "quantitative", title: opts.valueTitle },
      ...(opts.color ? { color: { field: opts.color, type: "nominal", title: opts.color } } : {}),
      tooltip: [{ field: opts.label }, { field: opts.value }],
    },
  };
}

/** Grouped bars: for each row (a group, e.g. a rank bucket), one bar per metric column, as percentages. */
export function groupedBars(
  rows: Row[],
  opts: {
    group: string;
    groupTitle: string;
    metrics: { column: string; name: string }[];
    title: string;
    valueTitle?: string;
  },
): ChartSpec {
  const long = rows.flatMap((r) =>
    opts.metrics.map((m) => ({ group: String(r[opts.group]), metric: m.name, value: Number(r[m.column]) })),
  );
  const order = opts.metrics.map((m) => m.name);
  return {
    title: opts.title,
    data: { values: long },
    width: 460,
    height: { step: 10 },
    mark: "bar",
    encoding: {
      row: {
        field: "group",
        type: "nominal",
        sort: [...new Set(rows.map((r) => String(r[opts.group])))],
        title: opts.groupTitle,
        header: { labelAngle: 0, labelAlign: "left" },
      },
      y: { field: "metric", type: "nominal", sort: order, axis: null },
      x: {
        field: "value",
        type: "quantitative",
        title: opts.valueTitle ?? "share of mail domains (%)",
        scale: { domain: [0, 100] },
      },
      color: { field: "metric", type: "nominal", sort: order, title: "metric" },
    },
  };
}

/** A line per metric over scans (x: the scan's start, UTC). */
export function trendChart(rows: Row[], opts: { title: string }): ChartSpec {
  return {
    title: opts.title,
    data: {
      values: rows.map((r) => ({
        ...r,
        scan_started_at: `${String(r["scan_started_at"]).replace(" ", "T")}Z`,
      })),
    },
    width: 460,
    height: 220,
    mark: { type: "line", point: true },
    encoding: {
      x: {
        field: "scan_started_at",
        type: "temporal",
        title: "scan start (UTC)",
        timeUnit: "utcyearmonthdatehoursminutes",
      },
      y: { field: "value", type: "quantitative", title: "share (%)", scale: { domain: [0, 100] } },
      color: { field: "metric", type: "nominal", title: "metric" },
    },
  };
}

/** The chart as a standalone SVG element (text). */
export async function renderSvg(spec: ChartSpec): Promise<string> {
  const full = { $schema: "https://vega.github.io/schema/vega-lite/v6.json", config: CONFIG, ...spec };
  const compiled = vl.compile(full as vl.TopLevelSpec).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: "none" });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
