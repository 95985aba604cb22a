/**
 * `mxsurvey report` end to end, embedded (chDB over scan directories):
 *
 * - on a scan of a generated lab of 10,000 domains it writes index.html and every section's CSV and JSON, and
 *   three headline figures (domains, unique MX host names, unique IPs) and a fourth (mail domains), recomputed here
 *   straight from the scan's JSONL, are the report's numbers;
 * - `report --diff A B` on two scans of a lab whose servers were changed between them (one host loses STARTTLS,
 *   one gains it, one self-signed host gets a trusted certificate) lists exactly those host changes, exactly the
 *   domains whose verdict the JSONL says changed (each of them served by a changed host), and no DANE or MTA-STS
 *   change (the lab publishes neither).
 */

import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SECTIONS } from "../../coordinator/report/sections.js";
import { runCli } from "../helpers/cli.js";
import { type GeneratedLab, startGeneratedLab } from "../lab/generate.js";

let tmp: string;
const labs: GeneratedLab[] = [];

beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), "mxsurvey-report-"));
});

afterAll(async () => {
  await Promise.all(labs.map((l) => l.close()));
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

function jsonl(path: string): Record<string, unknown>[] {
  return readFileSync(path, "utf8")
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

async function scan(lab: GeneratedLab, out: string, timeoutMs: number): Promise<void> {
  const r = await runCli(["scan", "--domains", lab.listFile, "--out", out, "--quiet", ...lab.cliArgs()], {
    timeoutMs,
  });
  expect(r.code, r.stderr).toBe(0);
}

describe("report", () => {
  it("report - 10,000 generated domains: HTML, CSV and JSON written; headline figures equal the JSONL's", async () => {
    const lab = await startGeneratedLab({ domains: 10_000, hosts: 300, seed: 1410 });
    labs.push(lab);
    const dir = join(tmp, "big");
    await scan(lab, dir, 900_000);
    const rep = join(tmp, "big-report");
    const r = await runCli(["report", "--scan-dir", dir, "--out", rep], { timeoutMs: 300_000 });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`report written to ${rep}/index.html`);

    const html = readFileSync(join(rep, "index.html"), "utf8");
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).not.toMatch(/<script|https?:\/\/(?!www\.w3\.org\/)/); // no script, no address but SVG namespaces
    for (const s of SECTIONS) {
      expect(existsSync(join(rep, `${s.query}.csv`)), `${s.query}.csv`).toBe(true);
      const table = JSON.parse(readFileSync(join(rep, `${s.query}.json`), "utf8")) as { rows: unknown[] };
      expect(table.rows.length, `${s.query}.json has rows`).toBeGreaterThan(0);
      if (s.chart) expect(html, `${s.query} chart`).toContain(`id="chart-${s.query}"`);
    }

    const domains = jsonl(join(dir, "domains.jsonl"));
    const hosts = jsonl(join(dir, "hosts.jsonl"));
    const expected = {
      domains: domains.length,
      mail_domains: domains.filter((d) => d["mx_kind"] === "mx" || d["mx_kind"] === "implicit").length,
      unique_mx_hosts: new Set(hosts.map((h) => h["hostname"])).size,
      unique_ips: new Set(hosts.map((h) => h["ip"]).filter((ip) => ip !== null)).size,
    };
    expect(expected.domains).toBe(10_000);
    const headline = JSON.parse(readFileSync(join(rep, "headline.json"), "utf8")) as {
      rows: Record<string, unknown>[];
    };
    expect(headline.rows).toHaveLength(1);
    expect(headline.rows[0]).toMatchObject(expected);
    // The CSV says the same.
    const [head, line] = readFileSync(join(rep, "headline.csv"), "utf8").split("\r\n");
    const csv = Object.fromEntries(head!.split(",").map((k, i) => [k, line!.split(",")[i]]));
    for (const [k, v] of Object.entries(expected)) expect(csv[k], k).toBe(String(v));
    // And the page's table.
    expect(html).toContain(`<td class=num>${expected.unique_mx_hosts}</td>`);
  }, 1_200_000);

  it("report --diff - two scans of a lab whose servers changed: exactly the changes made", async () => {
    const lab = await startGeneratedLab({ domains: 400, hosts: 60, seed: 1414, addressBase: 140 });
    labs.push(lab);
    const before = join(tmp, "before");
    await scan(lab, before, 300_000);
    const rows = jsonl(join(before, "hosts.jsonl"));
    const statusOf = (hostname: string) => rows.find((h) => h["hostname"] === hostname)?.["status"];
    const scanned = lab.hosts.slice(5).filter((h) => statusOf(h.hostname) !== undefined);
    const pick = (behaviour: string, status: string) => {
      const h = scanned.find((x) => x.behaviour === behaviour && statusOf(x.hostname) === status);
      if (!h) throw new Error(`no scanned ${behaviour} host`);
      return h.hostname;
    };
    const loses = pick("valid", "ok");
    const gains = pick("no_starttls", "no_starttls");
    const fixed = pick("self_signed", "cert_invalid");
    await lab.setBehaviour(loses, "no_starttls");
    await lab.setBehaviour(gains, "valid");
    await lab.setBehaviour(fixed, "valid");
    const after = join(tmp, "after");
    await scan(lab, after, 300_000);

    const rep = join(tmp, "diff-report");
    const r = await runCli(["report", "--diff", before, after, "--out", rep], { timeoutMs: 300_000 });
    expect(r.code, r.stderr).toBe(0);
    const table = (name: string) =>
      (JSON.parse(readFileSync(join(rep, `${name}.json`), "utf8")) as { rows: Record<string, unknown>[] })
        .rows;

    const hostChanges = table("diff-hosts").map((h) => `${h["hostname"]} ${h["change"]}`);
    expect(hostChanges.sort()).toEqual(
      [
        `${loses} lost_starttls`,
        `${loses} lost_valid_cert`,
        `${gains} gained_starttls`,
        `${gains} gained_valid_cert`,
        `${fixed} gained_valid_cert`,
      ].sort(),
    );

    // Domains: the verdicts the two scans' JSONL give, compared here.
    const verdicts = (dir: string) =>
      new Map(jsonl(join(dir, "domains.jsonl")).map((d) => [d["domain"] as string, d]));
    const [a, b] = [verdicts(before), verdicts(after)];
    const changed = [...a.keys()]
      .filter(
        (d) =>
          b.has(d) &&
          (a.get(d)!["status"] !== b.get(d)!["status"] || a.get(d)!["grade"] !== b.get(d)!["grade"]),
      )
      .sort();
    expect(changed.length).toBeGreaterThan(0);
    for (const d of changed) {
      const primaries = a.get(d)!["mx_primary_hosts"] as string[];
      expect(
        primaries.some((h) => [loses, gains, fixed].includes(h)),
        `${d} is served by a changed host`,
      ).toBe(true);
    }
    const listed = table("diff-verdicts");
    expect(listed.map((v) => v["domain"])).toEqual(changed);
    for (const v of listed) {
      expect(v["status_a"]).toBe(a.get(v["domain"] as string)!["status"]);
      expect(v["status_b"]).toBe(b.get(v["domain"] as string)!["status"]);
    }
    expect(table("diff-policies")).toEqual([]);
    const counts = Object.fromEntries(table("diff-counts").map((c) => [c["change"], c["count"]]));
    expect(counts).toMatchObject({
      verdict_changed: changed.filter((d) => a.get(d)!["status"] !== b.get(d)!["status"]).length,
      lost_starttls: 1,
      gained_starttls: 1,
      gained_valid_cert: 2,
      lost_valid_cert: 1,
      adopted_dane: 0,
      dropped_dane: 0,
      adopted_mta_sts: 0,
      dropped_mta_sts: 0,
    });
    // stdout lists them too.
    expect(r.stdout).toContain(`${loses}  lost_starttls`);
    expect(existsSync(join(rep, "index.html"))).toBe(true);

    // The same diff by scan ids among --scan-dir directories.
    const ids = [before, after].map(
      (d) => (JSON.parse(readFileSync(join(d, "scan.json"), "utf8")) as { scan_id: string }).scan_id,
    );
    const byId = await runCli(
      ["report", "--diff", ids[0]!, ids[1]!, "--scan-dir", before, "--scan-dir", after],
      {
        timeoutMs: 300_000,
      },
    );
    expect(byId.code, byId.stderr).toBe(0);
    expect(byId.stdout).toBe(r.stdout);
  }, 900_000);

  it("report - usage errors: no --out, an unknown --scan, --diff with a path that is no scan", async () => {
    const none = await runCli(["report", "--scan-dir", tmp]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain("--out");
    const unknown = await runCli([
      "report",
      "--scan-dir",
      join(tmp, "before"),
      "--scan",
      "20200101T000000Z-abcdef",
      "--out",
      join(tmp, "unknown-report"),
    ]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("no scan 20200101T000000Z-abcdef");
    const bad = await runCli(["report", "--diff", join(tmp, "nope"), join(tmp, "nope2")]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("neither a scan directory nor a scan id");
  });
});
