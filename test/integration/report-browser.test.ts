/**
 * A real browser looks at the report: `mxsurvey report` on an embedded scan of a generated lab, then Debian's
 * Chromium (headless, through playwright-core; test/helpers/chromium.ts installs it when missing) opens
 * index.html from a file:// URL with every request that is not a file:// one refused and recorded. It must load
 * without a console error or page error and without asking for anything on the network, and every chart must
 * be drawn: an SVG with a non-empty box inside its figure, with marks in it, and the table under it. A full-page
 * screenshot is taken (and kept at $MXSURVEY_REPORT_SCREENSHOT when set: that is how docs/report.png is made).
 *
 * MXSURVEY_SKIP_BROWSER=1 skips it, printing why; nothing else does.
 */

import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SECTIONS } from "../../coordinator/report/sections.js";
import { type HeadlessChromium, launchChromium, SKIP_BROWSER } from "../helpers/chromium.js";
import { runCli } from "../helpers/cli.js";
import { type GeneratedLab, startGeneratedLab } from "../lab/generate.js";

let tmp: string;
let lab: GeneratedLab | undefined;
let chromium: HeadlessChromium | undefined;
let report: string;

beforeAll(async () => {
  if (SKIP_BROWSER) return;
  tmp = mkdtempSync(join(tmpdir(), "mxsurvey-report-browser-"));
  const [l, c] = await Promise.all([
    startGeneratedLab({ domains: 1500, hosts: 80, seed: 1415, addressBase: 150 }),
    launchChromium(),
  ]);
  lab = l;
  chromium = c;
  const dir = join(tmp, "scan");
  const s = await runCli(
    ["scan", "--domains", lab.listFile, "--out", dir, "--quiet", "--depth", "versions", ...lab.cliArgs()],
    { timeoutMs: 600_000 },
  );
  expect(s.code, s.stderr).toBe(0);
  report = join(tmp, "report");
  const r = await runCli(["report", "--scan-dir", dir, "--out", report], { timeoutMs: 300_000 });
  expect(r.code, r.stderr).toBe(0);
}, 1_500_000);

afterAll(async () => {
  await chromium?.close();
  await lab?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe.skipIf(SKIP_BROWSER)("report in a browser", () => {
  it("report-browser - Chromium shows every chart with its table, offline, without a console error", async () => {
    const page = await chromium!.context.newPage();
    const problems: string[] = [];
    const network: string[] = [];
    page.on("console", (m) => {
      if (m.type() === "error" || m.type() === "warning") problems.push(`console ${m.type()}: ${m.text()}`);
    });
    page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
    await page.route(
      (url) => url.protocol !== "file:",
      (route) => {
        network.push(route.request().url());
        return route.abort();
      },
    );
    const url = pathToFileURL(join(report, "index.html")).href;
    const response = await page.goto(url, { waitUntil: "load" });
    expect(response?.ok() ?? true).toBe(true);

    const charted = SECTIONS.filter((s) => s.chart !== null).map((s) => s.query);
    expect(charted.length).toBeGreaterThanOrEqual(10);
    for (const name of charted) {
      const svg = page.locator(`#chart-${name} > svg`);
      expect(await svg.count(), `${name}: one svg in its figure`).toBe(1);
      await svg.scrollIntoViewIfNeeded();
      const box = await svg.boundingBox();
      expect(box, `${name}: the svg has a box`).not.toBeNull();
      expect(box!.width, `${name}: width`).toBeGreaterThan(100);
      expect(box!.height, `${name}: height`).toBeGreaterThan(50);
      // Marks drawn: bars (paths in role-mark groups) or the line.
      const marks = await page.locator(`#chart-${name} svg .role-mark path`).count();
      expect(marks, `${name}: marks drawn`).toBeGreaterThan(0);
      // The figure is followed by its table, inside the same section.
      const rows = await page.locator(`section#${name} table tbody tr`).count();
      expect(rows, `${name}: the table under the chart`).toBeGreaterThan(0);
      // And the chart sits above its table.
      const tableBox = await page.locator(`section#${name} table`).boundingBox();
      expect(tableBox!.y).toBeGreaterThan(box!.y);
    }
    const shot = join(tmp, "report.png");
    await page.screenshot({ path: shot, fullPage: false });
    expect(statSync(shot).size).toBeGreaterThan(20_000);
    const keep = process.env["MXSURVEY_REPORT_SCREENSHOT"];
    if (keep) {
      await page.setViewportSize({ width: 1100, height: 1500 });
      await page.evaluate("window.scrollTo(0, 0)");
      await page.screenshot({ path: keep, fullPage: false });
    }
    expect(readFileSync(shot).subarray(1, 4).toString()).toBe("PNG");
    expect(network, "requests to the network").toEqual([]);
    expect(problems).toEqual([]);
    await page.close();
  }, 120_000);
});
