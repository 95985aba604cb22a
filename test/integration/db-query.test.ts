/**
 * The analysis queries of queries/ and `mxsurvey db query` against a real ClickHouse (Debian's 18.16, started by
 * test/helpers/clickhouse.ts). One database holds two complete scans and three newer ones that are not
 * complete (running, failed, and one whose latest row went back to running after a complete one), each with
 * rows whose counts differ (n = 2, 3, 5, 7, 11), so every query's answer names the scan it read. Shown: every
 * query file, run unchanged as clickhouse-client would, reads the newest complete scan; so does the CLI by
 * default; `--scan OLDER` reads the older one, and so does README's sed line for clickhouse-client; a hostile --scan is refused before any request reaches the
 * server; an unknown id is exit 2; the trend spans complete scans only and refuses --scan. The CLI runs from
 * another working directory, as `npx mxsurvey` would, so it finds queries/ by itself.
 */

import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listQueries, queriesDir, targetScan } from "../../shared/analysis-queries.js";
import type { ScanDomainRow, ScanHostRow } from "../../shared/schema/tables.js";
import { ClickHouseStore } from "../../shared/store/clickhouse.js";
import { quoteIdentifier } from "../../shared/store/sql.js";
import { runCli } from "../helpers/cli.js";
import { type ClickHouseInstance, startClickHouse } from "../helpers/clickhouse.js";
import { domainRow, hostRow, scanRow } from "../helpers/rows.js";
import { projectRoot } from "../tools/project-root.js";

interface TestScan {
  id: string;
  started: string;
  /** The states written, in order: the last one is the scan's state. */
  states: ("running" | "complete" | "failed")[];
  /** Rows: n valid hosts and domains, plus one host without STARTTLS, one with a bad certificate. */
  n: number;
}

const A: TestScan = {
  id: "20260101T000000Z-aaaaaa",
  started: "2026-01-01T00:00:00Z",
  states: ["complete"],
  n: 2,
};
const B: TestScan = {
  id: "20260201T000000Z-bbbbbb",
  started: "2026-02-01T00:00:00Z",
  states: ["complete"],
  n: 3,
};
const C: TestScan = {
  id: "20260301T000000Z-cccccc",
  started: "2026-03-01T00:00:00Z",
  states: ["running"],
  n: 5,
};
const D: TestScan = {
  id: "20260401T000000Z-dddddd",
  started: "2026-04-01T00:00:00Z",
  states: ["failed"],
  n: 7,
};
const E: TestScan = {
  id: "20260501T000000Z-eeeeee",
  started: "2026-05-01T00:00:00Z",
  states: ["complete", "running"], // its latest row says running: not complete any more
  n: 11,
};
const SCANS = [A, B, C, D, E];

const RUN = `t${Date.now().toString(36)}${process.pid}`;
const DB = `${RUN}_q`;
const EMPTY_DB = `${RUN}_qempty`;

let ch: ClickHouseInstance;
/** Writes the rows (names qualified, as every store does). */
let store: ClickHouseStore;
/** Reads with the database as the default, as `clickhouse-client --database DB` does. */
let reader: ClickHouseStore;
let cwd: string;

function rowsOf(s: TestScan): { hosts: ScanHostRow[]; domains: ScanDomainRow[] } {
  const key = { scan_id: s.id, scan_started_at: s.started };
  const hosts: ScanHostRow[] = [];
  for (let i = 0; i < s.n; i++) hosts.push(hostRow({ ...key, hostname: `ok${i}.example.org` }));
  hosts.push(
    hostRow({
      ...key,
      hostname: "selfsigned.example.org",
      status: "cert_invalid",
      tls_version: "TLSv1.2",
      tls_kx_group: "secp256r1",
      cert_trusted: false,
      cert_self_signed: true,
      cert_name_matches_mx: false,
    }),
    hostRow({
      ...key,
      hostname: "plain.example.org",
      status: "no_starttls",
      starttls_offered: false,
      starttls_reply_code: null,
      starttls_ok: null,
      tls_version: null,
      tls_cipher: null,
      tls_kx_group: null,
    }),
  );
  const domains: ScanDomainRow[] = [];
  for (let i = 0; i < s.n; i++) domains.push(domainRow({ ...key, domain: `d${i}.example.org` }));
  domains.push(domainRow({ ...key, domain: "plain.example.org", status: "no_starttls" }));
  return { hosts, domains };
}

const r2 = (x: number) => Math.round(x * 100) / 100;

/** What each scan-taking query answers for a scan of n (as JSON rows). */
function expected(name: string, n: number): unknown[] {
  switch (name) {
    case "tls-versions":
      return [
        { tls_version: "TLSv1.3", tls_kx_group: "x25519", rows: n },
        { tls_version: "TLSv1.2", tls_kx_group: "secp256r1", rows: 1 },
      ];
    case "mx-hosts-without-starttls":
      return [{ without_starttls: 1, answered_smtp: n + 2, pct_without_starttls: r2(100 / (n + 2)) }];
    case "starttls-hosts-invalid-cert":
      return [
        {
          invalid: 1,
          with_tls: n + 1,
          pct_invalid: r2(100 / (n + 1)),
          untrusted: 1,
          expired: 0,
          self_signed: 1,
          trusted_wrong_name: 0,
        },
      ];
    case "domain-verdicts":
      return [
        { status: "valid", domains: n, pct: r2((100 * n) / (n + 1)) },
        { status: "no_starttls", domains: 1, pct: r2(100 / (n + 1)) },
      ];
    default:
      throw new Error(`no expectation for ${name}`);
  }
}

const SCAN_QUERIES = [
  "domain-verdicts",
  "mx-hosts-without-starttls",
  "starttls-hosts-invalid-cert",
  "tls-versions",
];

function jsonLines(text: string): unknown[] {
  return text
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => JSON.parse(l) as unknown);
}

function cli(args: string[], database = DB) {
  return runCli(["db", "query", ...args, "--clickhouse", ch.url, "--database", database], { cwd });
}

beforeAll(async () => {
  ch = await startClickHouse();
  cwd = mkdtempSync(join(tmpdir(), "mxsurvey-dbq-"));
  store = new ClickHouseStore({ url: ch.url, database: DB });
  await store.migrate();
  reader = new ClickHouseStore({ url: ch.url, database: DB, defaultDatabase: true });
  for (const s of SCANS) {
    const { hosts, domains } = rowsOf(s);
    await store.writeHosts(hosts);
    await store.writeDomains(domains);
    for (const state of s.states) {
      // One insert per state: the latest row of a scan wins under FINAL.
      await store.writeScan(
        scanRow({ scan_id: s.id, scan_started_at: s.started, state, domains: s.n + 1, list_id: s.id }),
      );
      await store.flush();
    }
  }
  const empty = new ClickHouseStore({ url: ch.url, database: EMPTY_DB });
  await empty.migrate();
  await empty.writeScan(scanRow({ scan_id: C.id, scan_started_at: C.started, state: "running" }));
  await empty.close();
}, 20 * 60_000);

afterAll(async () => {
  await reader?.close();
  if (store) {
    for (const d of [DB, EMPTY_DB]) await store.command(`DROP DATABASE IF EXISTS ${quoteIdentifier(d)}`);
    await store.close();
  }
  if (cwd) rmSync(cwd, { recursive: true, force: true });
  await ch?.stop();
}, 120_000);

describe("analysis queries on ClickHouse", () => {
  it("queries - the test data: the newest complete scan is B, and newer scans exist that are not complete", async () => {
    const rows = await reader.queryTable("SELECT scan_id, state FROM scans FINAL ORDER BY scan_id");
    expect(rows.rows).toEqual([
      [A.id, "complete"],
      [B.id, "complete"],
      [C.id, "running"],
      [D.id, "failed"],
      [E.id, "running"],
    ]);
  });

  it.each(SCAN_QUERIES)(
    "queries - %s, the file as it is (what clickhouse-client runs), reads the newest complete scan",
    async (name) => {
      const sql = listQueries().find((q) => q.name === name)!.sql;
      const got = await reader.query(sql);
      expect(JSON.parse(JSON.stringify(got).replace(/"(\d+)"/g, "$1"))).toEqual(expected(name, B.n));
    },
  );

  it.each(SCAN_QUERIES)("queries - %s with the marker line set by hand to A reads A", async (name) => {
    const sql = listQueries().find((q) => q.name === name)!.sql;
    const got = await reader.query(targetScan(sql, A.id));
    expect(JSON.parse(JSON.stringify(got).replace(/"(\d+)"/g, "$1"))).toEqual(expected(name, A.n));
  });

  it.each(SCAN_QUERIES)(
    "queries - %s through README's sed line for clickhouse-client reads the scan named",
    async (name) => {
      const readme = readFileSync(join(projectRoot(), "README.md"), "utf8");
      const m = /^(sed "[^\n]*") queries\/domain-verdicts\.sql \\$/m.exec(readme);
      expect(m, "README's sed line for clickhouse-client").not.toBeNull();
      const command = `${m![1]!.replace("20261124T130000Z-1a2b3c", A.id)} queries/${name}.sql`;
      const sql = execFileSync("bash", ["-c", command], { cwd: projectRoot(), encoding: "utf8" });
      expect(sql).toContain(`'${A.id}' -- @scan`);
      const got = await reader.query(sql);
      expect(JSON.parse(JSON.stringify(got).replace(/"(\d+)"/g, "$1"))).toEqual(expected(name, A.n));
    },
  );

  it("queries - starttls-trend spans the complete scans only, oldest first", async () => {
    const r = await cli(["starttls-trend", "--format", "json"]);
    expect(r.code, r.stderr).toBe(0);
    expect(jsonLines(r.stdout)).toEqual(
      [A, B].map((s) => ({
        scan_id: s.id,
        scan_started_at: s.started.replace("T", " ").replace("Z", ""),
        list_source: "test",
        list_id: s.id,
        pct_starttls: r2((100 * (s.n + 1)) / (s.n + 2)),
        pct_valid: r2((100 * s.n) / (s.n + 1)),
      })),
    );
  });
});

describe("mxsurvey db query", () => {
  it.each(SCAN_QUERIES)("db query - %s reads the newest complete scan by default", async (name) => {
    const r = await cli([name, "--format", "json"]);
    expect(r.code, r.stderr).toBe(0);
    expect(jsonLines(r.stdout)).toEqual(expected(name, B.n));
    expect(r.stderr).toContain(`scan ${B.id} (newest complete)`);
  });

  it.each(SCAN_QUERIES)("db query - %s --scan of the older complete scan reads it", async (name) => {
    const r = await cli([name, "--scan", A.id, "--format", "json"]);
    expect(r.code, r.stderr).toBe(0);
    expect(jsonLines(r.stdout)).toEqual(expected(name, A.n));
    expect(r.stderr).not.toContain("warning");
  });

  it("db query - --scan of a running scan reads it, with a warning that it is not complete", async () => {
    const r = await cli(["tls-versions", "--scan", C.id, "--format", "json"]);
    expect(r.code, r.stderr).toBe(0);
    expect(jsonLines(r.stdout)).toEqual(expected("tls-versions", C.n));
    expect(r.stderr).toContain(`warning: scan ${C.id} is running, not complete`);
  });

  it("db query - an id with no scan is exit 2 and says so", async () => {
    const r = await cli(["domain-verdicts", "--scan", "20260101T000000Z-abcdef"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`no scan 20260101T000000Z-abcdef in ${DB}.scans`);
    expect(r.stdout).toBe("");
  });

  it("db query - no complete scan at all is exit 2, not an empty answer", async () => {
    const r = await cli(["tls-versions"], EMPTY_DB);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`no scan to read in ${EMPTY_DB}`);
    expect(r.stdout).toBe("");
  });

  it("db query - a query across scans refuses --scan", async () => {
    const r = await cli(["starttls-trend", "--scan", A.id]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("starttls-trend does not read one scan");
  });

  it("db query - scans lists every scan with its state, newest first", async () => {
    const r = await cli(["scans", "--format", "csv"]);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trimEnd().split("\r\n");
    expect(lines[0]).toMatch(/^scan_id,state,/);
    expect(lines.slice(1).map((l) => l.split(",").slice(0, 2).join(","))).toEqual([
      `${E.id},running`,
      `${D.id},failed`,
      `${C.id},running`,
      `${B.id},complete`,
      `${A.id},complete`,
    ]);
  });

  it("db query - the default table is aligned, numbers to the right", async () => {
    const r = await cli(["domain-verdicts"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(
      [
        "status       domains  pct",
        "-----------  -------  ---",
        "valid              3   75",
        "no_starttls        1   25",
        "",
      ].join("\n"),
    );
  });

  it("db query - a FILE with its own marker line takes --scan or the id set by hand; bad SQL is exit 2 with the server's words", async () => {
    const file = join(cwd, "mine.sql");
    writeFileSync(
      file,
      "-- My count.\nSELECT count() AS n FROM domains FINAL\nWHERE scan_id =\n  (SELECT max(scan_id) FROM scans FINAL WHERE state = 'complete') -- @scan\n",
    );
    const mine = await cli([file, "--scan", A.id, "--format", "tsv"]);
    expect(mine.code, mine.stderr).toBe(0);
    expect(mine.stdout).toBe(`n\n${A.n + 1}\n`);
    // The marker line set by hand: read as it says, and checked against the scans table like --scan.
    writeFileSync(file, targetScan(readFileSync(file, "utf8"), C.id));
    const byHand = await cli([file, "--format", "tsv"]);
    expect(byHand.code, byHand.stderr).toBe(0);
    expect(byHand.stdout).toBe(`n\n${C.n + 1}\n`);
    expect(byHand.stderr).toContain(`scan ${C.id} (chosen by its -- @scan line, running)`);
    expect(byHand.stderr).toContain(`warning: scan ${C.id} is running`);
    writeFileSync(file, targetScan(readFileSync(file, "utf8"), "20260101T000000Z-abcdef"));
    const unknown = await cli([file]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain(`mine: no scan 20260101T000000Z-abcdef in ${DB}.scans`);
    const bad = join(cwd, "bad.sql");
    writeFileSync(bad, "SELECT nope FROM domains\n");
    const r = await cli([bad]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/bad: ClickHouse refused the query: .*nope/);
    expect(r.stderr).not.toContain("internal error");
  });

  it("db query - an unknown name is exit 2 and lists the names", async () => {
    const r = await cli(["no-such-query"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("no query named");
    expect(r.stderr).toContain("domain-verdicts, grades, headline, mta-sts, mx-hosts-without-starttls");
  });

  it("db query - --list, from any working directory, names every query with its first header line", async () => {
    const r = await runCli(["db", "query", "--list"], { cwd });
    expect(r.code, r.stderr).toBe(0);
    const queries = listQueries(queriesDir());
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
    const lines = r.stdout.trimEnd().split("\n");
    expect(lines).toHaveLength(queries.length);
    queries.forEach((q, i) => {
      expect(lines[i]).toMatch(new RegExp(`^${q.name} +`));
      expect(lines[i]!.endsWith(q.summary)).toBe(true);
    });
  });
});

describe("db query --scan is checked before any request", () => {
  let server: Server;
  let url: string;
  const bodies: string[] = [];

  beforeAll(async () => {
    // Records what a client sends and answers every request with a server error.
    server = createServer((req, res) => {
      let body = `${req.method} ${req.url}\n`;
      req.on("data", (c: Buffer) => {
        body += c.toString();
      });
      req.on("end", () => {
        bodies.push(body);
        res.writeHead(500, { "X-ClickHouse-Exception-Code": "999" });
        res.end("Code: 999. DB::Exception: recording server\n");
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const addr = server.address() as { port: number };
    url = `http://127.0.0.1:${addr.port}`;
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it("db query - the recording server does see a valid --scan's lookup (the control)", async () => {
    bodies.length = 0;
    const r = await runCli(["db", "query", "tls-versions", "--scan", A.id, "--clickhouse", url], { cwd });
    expect(r.code).not.toBe(0);
    expect(bodies.join("\n")).toContain(`'${A.id}'`);
  });

  it.each([
    "x' OR 1=1 --",
    `${A.id}' OR '1'='1`,
    `${A.id}\n`,
    `${A.id.toUpperCase()}`,
    "20260101T000000Z-aaaaa",
    "",
  ])("db query - hostile or malformed --scan %j is exit 2 and nothing is sent", async (bad) => {
    bodies.length = 0;
    const r = await runCli(["db", "query", "tls-versions", `--scan=${bad}`, "--clickhouse", url], { cwd });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("is not a scan id");
    expect(bodies).toEqual([]);
  });
});
