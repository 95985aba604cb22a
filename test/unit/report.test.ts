import { describe, expect, it } from "vitest";
import { barChart, PALETTE, renderSvg } from "../../coordinator/report/charts.js";
import { esc, renderHtml } from "../../coordinator/report/html.js";
import { headerRule, resultRows, SECTIONS } from "../../coordinator/report/sections.js";
import { listQueries } from "../../shared/analysis-queries.js";

describe("report pieces", () => {
  it("report - every section is a query of queries/, and every query but the old EFF ones has a section", () => {
    const names = listQueries().map((q) => q.name);
    for (const s of SECTIONS) expect(names, s.query).toContain(s.query);
    const without = names.filter((n) => !SECTIONS.some((s) => s.query === n));
    expect(without.sort()).toEqual(
      ["mx-hosts-without-starttls", "scans", "starttls-hosts-invalid-cert", "starttls-trend"].sort(),
    );
  });

  it("report - the rule is the header after its first line, up to the Scan line", () => {
    const sql =
      "-- What it answers.\n-- The rule, part one;\n-- part two.\n-- Scan: the newest.\n-- Run: x\nSELECT 1";
    expect(headerRule(sql)).toBe("The rule, part one; part two.");
  });

  it("report - 64-bit integers (strings from the engines) become numbers, strings stay", () => {
    expect(
      resultRows({
        columns: [
          { name: "n", type: "UInt64" },
          { name: "s", type: "String" },
          { name: "x", type: "Nullable(Float64)" },
        ],
        rows: [["12", "12", null]],
      }),
    ).toEqual([{ n: 12, s: "12", x: null }]);
  });

  it("report - text is escaped, the page has no script", () => {
    expect(esc(`<a href="x">&'`)).toBe("&lt;a href=&quot;x&quot;&gt;&amp;&#39;");
    const html = renderHtml({
      title: "t<script>",
      facts: [["scan", "<b>"]],
      generatedAt: "2026-01-01T00:00:00Z",
      sections: [
        {
          id: "s",
          title: "S",
          question: "Q",
          rule: "R",
          scope: "scan x",
          svg: null,
          result: { columns: [{ name: "c", type: "String" }], rows: [["<script>alert(1)</script>"]] },
          csv: "s.csv",
          json: "s.json",
          command: "mxsurvey db query s",
        },
      ],
    });
    expect(html).not.toContain("<script");
    expect(html).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    expect(html).toContain("default-src 'none'");
  });

  it("report - a bar chart renders to SVG with axis titles and the colour-blind-safe palette", async () => {
    const svg = await renderSvg(
      barChart(
        [
          { k: "a", v: 10 },
          { k: "b", v: 90 },
        ],
        { label: "k", value: "v", labelTitle: "kind", valueTitle: "share (%)", title: "T" },
      ),
    );
    expect(svg).toMatch(/^<svg/);
    expect(svg).toContain("share (%)");
    expect(svg).toContain("kind");
    expect(svg).toContain(PALETTE[0]);
    expect(svg).not.toMatch(/https?:\/\/(?!www\.w3\.org\/)/);
  });
});
