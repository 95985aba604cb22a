/**
 * `mxsurvey scan` from the command line on a messy domain list (embedded default, against the lab): a BOM,
 * blank lines, comments, quoted fields, IP addresses, invalid and over-long names, NUL bytes and duplicates.
 * Every valid domain is scanned; every rejected line is listed with its number and reason, in the scan row and
 * by --dry-run (which makes no DNS query). Then --resume of a finished scan changes nothing.
 */

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ScanRow } from "../../shared/schema/scan-row.js";
import type { ScanDomainRow, ScanHostRow } from "../../shared/schema/tables.js";
import { readJsonl } from "../../shared/store/jsonl.js";
import { runCli } from "../helpers/cli.js";
import { LAB_CASES } from "../lab/profiles.js";
import { type LabWorld, startLabWorld } from "../lab/world.js";

let lab: LabWorld;
let dir: string;
const long = `${"a".repeat(63)}.${"b".repeat(63)}.${"c".repeat(63)}.${"d".repeat(63)}.lab.test`; // 261 chars

// line: content — the expected outcome in the comment
const LINES = [
  "\uFEFF1,valid.lab.test", // 1 ok (BOM stripped)
  "", // 2 blank
  "# a comment", // 3 comment
  '3,"no-starttls.lab.test"', // 4 ok (quoted)
  "4,192.0.2.1", // 5 rejected ip_address
  "5,VALID.lab.test.", // 6 duplicate of line 1
  "6,bad_name.lab.test", // 7 rejected
  `7,${long}`, // 8 rejected too_long
  "8,nul\u0000byte.lab.test", // 9 rejected nul_byte
  "9,backup-bad.lab.test", // 10 ok
  "10,[2001:db8::1]", // 11 rejected
  "11,expired.lab.test\r", // 12 ok (CRLF)
  "12,valid.lab.test", // 13 duplicate
  "13,-lead.lab.test", // 14 rejected
];

beforeAll(async () => {
  lab = await startLabWorld({
    cases: LAB_CASES.filter((c) => ["valid", "no-starttls", "backup-bad", "expired"].includes(c.name)),
  });
  dir = mkdtempSync(join(tmpdir(), "mxsurvey-scan-cli-"));
  writeFileSync(join(dir, "list.csv"), `${LINES.join("\n")}\n`);
}, 60_000);

afterAll(async () => {
  await lab?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const args = () => [...lab.cliArgs(), "--ehlo-name", "cli.mxsurvey.test", "--quiet"];

describe("scan cli", () => {
  it("scan - --dry-run prints counts and every rejected line, and makes no DNS query", async () => {
    const queries = lab.dns.queries;
    const r = await runCli(["scan", "--domains", join(dir, "list.csv"), "--dry-run", ...args()]);
    expect(r.code, r.stderr).toBe(0);
    expect(lab.dns.queries).toBe(queries);
    for (const n of [5, 7, 8, 9, 11, 14]) expect(r.stdout).toMatch(new RegExp(`line ${n}\\b`));
    expect(r.stdout).toMatch(/ip_address/);
    expect(r.stdout).toMatch(/nul_byte/);
    expect(r.stdout).toMatch(/too_long/);
  });

  it("scan - every valid domain is scanned once; every rejected line is in the scan row with its number and reason", async () => {
    const out = join(dir, "scan");
    const r = await runCli([
      "scan",
      "--domains",
      join(dir, "list.csv"),
      "--out",
      out,
      "--list-source",
      "test",
      "--list-id",
      "messy-1",
      ...args(),
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/domains scanned\s+4\s+\(2 duplicates, 6 rejected lines\)/);
    const domains = readJsonl<ScanDomainRow>(join(out, "domains.jsonl"));
    expect(domains.map((d) => d.domain)).toEqual([
      "valid.lab.test",
      "no-starttls.lab.test",
      "backup-bad.lab.test",
      "expired.lab.test",
    ]);
    expect(domains.map((d) => d.status)).toEqual(["valid", "no_starttls", "valid", "cert_invalid"]);
    // Each domain's rank is its list line's first field; a duplicate (lines 6 and 13) keeps the first line's.
    expect(domains.map((d) => d.rank)).toEqual([1, 3, 9, 11]);
    // Every lab MX host is under lab.test: `.test` is not in the Public Suffix List, so its default rule makes
    // lab.test the registrable domain.
    expect(domains.map((d) => d.mx_providers)).toEqual([
      ["lab.test"],
      ["lab.test"],
      ["lab.test"],
      ["lab.test"],
    ]);
    const scan = JSON.parse(readFileSync(join(out, "scan.json"), "utf8")) as ScanRow;
    expect(scan).toMatchObject({
      state: "complete",
      list_source: "test",
      list_id: "messy-1",
      domains: 4,
      duplicates: 2,
      rejected: 6,
    });
    expect(scan.rejected_lines.map((l) => l.split("\t").slice(0, 2))).toEqual([
      ["5", "ip_address"],
      ["7", "invalid_characters"],
      ["8", "too_long"],
      ["9", "nul_byte"],
      ["11", "ip_address"],
      ["14", "bad_hyphen"],
    ]);
    const hosts = readJsonl<ScanHostRow>(join(out, "hosts.jsonl"));
    expect(new Set(hosts.map((h) => `${h.hostname}|${h.ip}`)).size).toBe(hosts.length);
    expect(hosts.every((h) => h.scan_id === scan.scan_id)).toBe(true);
    expect(hosts.length).toBeGreaterThan(0);
    expect(hosts.map((h) => h.provider)).toEqual(hosts.map(() => "lab.test"));

    // Resuming a finished scan probes nothing and writes nothing new.
    const conns = lab.hosts.reduce((n, h) => n + (h.server?.connections ?? 0), 0);
    const again = await runCli(["scan", "--resume", scan.scan_id, "--out", out, ...args()]);
    expect(again.code, again.stderr).toBe(0);
    expect(lab.hosts.reduce((n, h) => n + (h.server?.connections ?? 0), 0)).toBe(conns);
    expect(readJsonl<ScanHostRow>(join(out, "hosts.jsonl"))).toHaveLength(hosts.length);
    expect(readJsonl<ScanDomainRow>(join(out, "domains.jsonl"))).toHaveLength(4);
  });
});
