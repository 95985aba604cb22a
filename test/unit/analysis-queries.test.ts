/**
 * The analysis queries' conventions and the pure parts of `mxsurvey db query` (no server): the scan marker and
 * its substitution, every file of queries/ following the header and marker rules, finding queries/ from dist/,
 * and the output formats.
 */

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { formatResult } from "../../coordinator/render/result-table.js";
import {
  DEFAULT_SCAN_SELECTOR,
  listQueries,
  QueryFileError,
  type QueryResult,
  queriesDir,
  querySummary,
  scanMarker,
  targetScan,
} from "../../shared/analysis-queries.js";
import { projectRoot } from "../tools/project-root.js";

const ID = "20260101T000000Z-abc123";
const QUERY = [
  "-- What it answers.",
  "-- To read another scan, replace the line marked `-- @scan`.",
  "SELECT count() FROM hosts FINAL",
  "WHERE scan_id =",
  `    ${DEFAULT_SCAN_SELECTOR} -- @scan`,
  "  AND status = 'ok'",
  "",
].join("\n");

describe("scan marker", () => {
  it.each([
    ["the default line", QUERY, { line: 4, indent: "    ", selector: DEFAULT_SCAN_SELECTOR }],
    ["a literal set by hand", `WHERE scan_id =\n\t'${ID}'   --   @scan  \n`, null],
    ["a literal set by hand, marker spelled exactly", `WHERE scan_id =\n\t'${ID}' -- @scan\n`, 1],
    ["only comments mention the marker", "-- the line ending in -- @scan\nSELECT 1\n", null],
    ["the marker inside a longer comment", "SELECT 1 -- not @scanned\n", null],
    ["no marker", "SELECT 1\n", null],
  ])("marker - %s", (_name, sql, want) => {
    const m = scanMarker(sql);
    if (want === null) expect(m).toBeNull();
    else if (typeof want === "number") expect(m?.line).toBe(want);
    else expect(m).toEqual(want);
  });

  it("marker - two marked lines are an error: one place decides", () => {
    const sql = `${QUERY}UNION ALL SELECT 1 WHERE x =\n  (SELECT 1) -- @scan\n`;
    expect(() => scanMarker(sql)).toThrow(QueryFileError);
    expect(() => scanMarker(sql)).toThrow(/2 lines marked -- @scan \(lines 5, 8\)/);
  });

  it("target - replaces only the marked expression, keeping indentation, marker and the rest byte for byte", () => {
    const out = targetScan(QUERY, ID);
    expect(out).toBe(QUERY.replace(`    ${DEFAULT_SCAN_SELECTOR} -- @scan`, `    '${ID}' -- @scan`));
    // Still a marked query: targeting again replaces the literal.
    expect(targetScan(out, "20260202T000000Z-def456")).toContain("    '20260202T000000Z-def456' -- @scan\n");
  });

  it("target - CRLF line ends are kept", () => {
    const crlf = QUERY.replace(/\n/g, "\r\n");
    expect(targetScan(crlf, ID)).toBe(crlf.replace(DEFAULT_SCAN_SELECTOR, `'${ID}'`));
  });

  it.each([
    ["an injection", "x' OR 1=1 --"],
    ["a valid id with a tail", `${ID}' OR '1'='1`],
    ["a newline", `${ID}\n`],
    ["upper-case hex", ID.toUpperCase()],
    ["too short", "20260101T000000Z-abc12"],
    ["empty", ""],
    ["a backslash", `${ID}\\`],
  ])("target - %s is not a scan id", (_name, bad) => {
    const err = (() => {
      try {
        targetScan(QUERY, bad);
      } catch (e) {
        return e;
      }
      return null;
    })();
    expect(err).toBeInstanceOf(QueryFileError);
    expect((err as QueryFileError).code).toBe("bad_scan_id");
  });

  it("target - a query without a marker takes no scan id", () => {
    expect(() => targetScan("SELECT 1\n", ID)).toThrow(/no line marked -- @scan/);
  });

  it.each([
    ["a comment line", "-- What it answers.\nSELECT 1", "What it answers."],
    ["no comment", "SELECT 1", ""],
    ["a byte-order mark", "\uFEFF-- Answer.\r\nSELECT 1", "Answer."],
  ])("summary - %s", (_name, sql, want) => {
    expect(querySummary(sql)).toBe(want);
  });
});

describe("queries/", () => {
  const queries = listQueries(join(projectRoot(), "queries"));

  it("queries - the folder holds the analysis queries (schema.sql is not one)", () => {
    expect(queries.map((q) => q.name)).toEqual([
      "cert-validity",
      "dane-domains",
      "dane-failures",
      "domain-verdicts",
      "grades",
      "headline",
      "mta-sts",
      "mx-hosts-without-starttls",
      "providers-hosts",
      "providers",
      "rank-buckets-hosts",
      "rank-buckets",
      "scans",
      "starttls-domains",
      "starttls-hosts-invalid-cert",
      "starttls-hosts",
      "starttls-trend",
      "tls-rpt",
      "tls-versions",
      "trend",
      "weak-tls",
    ]);
  });

  it.each(listQueries(join(projectRoot(), "queries")).map((q) => [q.name, q] as const))(
    "queries - %s has a one-line summary, says which scan it reads and how to run it",
    (_name, q) => {
      const header = q.sql.split("\n").filter((l) => l.startsWith("--"));
      expect(q.summary.length).toBeGreaterThan(20);
      expect(q.summary.length).toBeLessThanOrEqual(112);
      expect(q.summary).toMatch(/[.)]$/); // a sentence, not the first half of one
      expect(header.join("\n")).toContain(`clickhouse-client --database mxsurvey < queries/${q.name}.sql`);
      expect(q.sql).not.toMatch(/\bmxsurvey\.\w/); // names unqualified: --database chooses
      if (q.takesScan) {
        expect(scanMarker(q.sql)!.selector).toBe(DEFAULT_SCAN_SELECTOR);
        expect(header.join("\n")).toContain(`mxsurvey db query ${q.name} --scan ID`);
        expect(header.join("\n")).toContain("Scan: the newest complete one.");
      } else {
        expect(header.join("\n")).toContain("it takes no --scan");
      }
    },
  );

  it("queries - every query that reads one scan names it in one place only (no other scan_id choice)", () => {
    for (const q of queries.filter((x) => x.takesScan)) {
      const body = q.sql
        .split("\n")
        .filter((l) => !l.trimStart().startsWith("--"))
        .join("\n");
      expect(body.match(/FROM scans/g), q.name).toHaveLength(1); // the marker line's subquery
    }
  });

  it("queries - found from the compiled module in dist/, and shipped in the npm package", () => {
    const fromDist = join(projectRoot(), "dist", "shared", "analysis-queries.js");
    expect(queriesDir(fromDist)).toBe(join(projectRoot(), "queries"));
    expect(queriesDir()).toBe(join(projectRoot(), "queries"));
    const pkg = JSON.parse(readFileSync(join(projectRoot(), "package.json"), "utf8")) as { files: string[] };
    expect(pkg.files).toContain("queries");
  });
});

describe("result formats", () => {
  const result: QueryResult = {
    columns: [
      { name: "status", type: "String" },
      { name: "n", type: "UInt64" },
      { name: "pct", type: "Float64" },
      { name: "note", type: "Nullable(String)" },
      { name: "tags", type: "Array(String)" },
      { name: "big", type: "Array(UInt64)" },
    ],
    rows: [
      ["valid", "12345678901234567890", 75.5, null, ["a", 'b"c'], ["1", "18446744073709551615"]],
      ['line\nbreak, "quoted"\ttab\\', "3", 0, "x", [], []],
    ],
  };

  it("format - table: aligned, numbers right, NULL, control characters escaped in strings", () => {
    expect(formatResult(result, "table")).toBe(
      [
        "status                                           n   pct  note  tags          big",
        "----------------------------  --------------------  ----  ----  ------------  ------------------------",
        'valid                         12345678901234567890  75.5  NULL  ["a","b\\"c"]  [1,18446744073709551615]',
        'line\\nbreak, "quoted"\\ttab\\\\                     3     0  x     []            []',
        "",
      ].join("\n"),
    );
  });

  it("format - json: one object per line, 64-bit integers as numbers digit for digit", () => {
    const lines = formatResult(result, "json").split("\n");
    expect(lines[0]).toBe(
      '{"status":"valid","n":12345678901234567890,"pct":75.5,"note":null,"tags":["a","b\\"c"],"big":[1,18446744073709551615]}',
    );
    expect(JSON.parse(lines[1]!)).toEqual({
      status: 'line\nbreak, "quoted"\ttab\\',
      n: 3,
      pct: 0,
      note: "x",
      tags: [],
      big: [],
    });
    expect(lines[2]).toBe("");
  });

  it("format - csv: RFC 4180 quoting, CRLF, null empty", () => {
    expect(formatResult(result, "csv")).toBe(
      [
        "status,n,pct,note,tags,big",
        'valid,12345678901234567890,75.5,,"[""a"",""b\\""c""]","[1,18446744073709551615]"',
        '"line\nbreak, ""quoted""\ttab\\",3,0,x,[],[]',
        "",
      ].join("\r\n"),
    );
  });

  it("format - tsv: TabSeparated escaping, null as \\N", () => {
    expect(formatResult(result, "tsv")).toBe(
      [
        "status\tn\tpct\tnote\ttags\tbig",
        'valid\t12345678901234567890\t75.5\t\\N\t["a","b\\\\"c"]\t[1,18446744073709551615]',
        'line\\nbreak, "quoted"\\ttab\\\\\t3\t0\tx\t[]\t[]',
        "",
      ].join("\n"),
    );
  });

  it("format - an empty result still has its header", () => {
    const empty: QueryResult = { columns: result.columns, rows: [] };
    expect(formatResult(empty, "table").split("\n")[0]).toBe("status  n  pct  note  tags  big");
    expect(formatResult(empty, "json")).toBe("");
    expect(formatResult(empty, "csv")).toBe("status,n,pct,note,tags,big\r\n");
  });
});
