/**
 * `mxsurvey scan`'s rules about what it refuses and when it fails, from the command line against the lab:
 * one directory holds one scan (a second scan or another scan's resume is refused, and not one byte of the
 * existing scan changes); a scan whose resolvers never answer fails (exit 3, state `failed`) instead of
 * publishing dns_error verdicts as data; an empty list and bad option values are refused (exit 2) before any
 * directory is created; `--domains -` reads standard input; check and scan normalize names alike.
 */

import { createSocket, type Socket as UdpSocket } from "node:dgram";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ScanRow } from "../../shared/schema/scan-row.js";
import type { ScanDomainRow } from "../../shared/schema/tables.js";
import { readJsonl } from "../../shared/store/jsonl.js";
import { runCli } from "../helpers/cli.js";
import { LAB_CASES, type LabCase } from "../lab/profiles.js";
import { type LabWorld, startLabWorld } from "../lab/world.js";

/** A domain whose MX query the lab's DNS server drops: the resolver never answers for it. */
const SILENT: LabCase = {
  name: "silent",
  why: "the resolver never answers the MX query (dropped)",
  zone: { "@": { drop: true } },
  expect: { domain: "dns_error" },
};

let lab: LabWorld;
let dir: string;
let silentResolver: UdpSocket;

beforeAll(async () => {
  lab = await startLabWorld({
    cases: [...LAB_CASES.filter((c) => ["valid", "no-starttls"].includes(c.name)), SILENT],
  });
  dir = mkdtempSync(join(tmpdir(), "mxsurvey-scan-rules-"));
  writeFileSync(join(dir, "two.txt"), "valid.lab.test\nno-starttls.lab.test\n");
  silentResolver = createSocket("udp4");
  await new Promise<void>((res) => silentResolver.bind(0, "127.0.0.1", () => res()));
}, 60_000);

afterAll(async () => {
  silentResolver?.close();
  await lab?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const args = () => [...lab.cliArgs(), "--ehlo-name", "rules.mxsurvey.test", "--quiet"];

/** Every file under `d` (relative path → bytes), to prove a refused run changed nothing. */
function snapshot(d: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const e of readdirSync(d, { recursive: true, withFileTypes: true })) {
    if (!e.isFile()) continue;
    const p = join(e.parentPath, e.name);
    out.set(p.slice(d.length), readFileSync(p).toString("base64"));
  }
  return out;
}

/** A fresh, empty working directory: a scan without --out writes ./scans/<id>/ there. */
function freshCwd(): string {
  const cwd = join(dir, `cwd-${Math.random().toString(36).slice(2)}`);
  mkdirSync(cwd);
  return cwd;
}

describe("scan rules: one directory, one scan", () => {
  let out: string;
  let scan: ScanRow;

  beforeAll(async () => {
    out = join(dir, "done");
    const r = await runCli(["scan", "--domains", join(dir, "two.txt"), "--out", out, ...args()]);
    expect(r.code, r.stderr).toBe(0);
    scan = JSON.parse(readFileSync(join(out, "scan.json"), "utf8")) as ScanRow;
    expect(scan.state).toBe("complete");
  }, 60_000);

  it("scan - a new scan into a directory that holds a scan is refused (exit 2) with the command that resumes it; no byte changes", async () => {
    const before = snapshot(out);
    const queries = lab.dns.queries;
    const r = await runCli(["scan", "--domains", join(dir, "two.txt"), "--out", out, ...args()]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain(`already holds scan ${scan.scan_id}`);
    expect(r.stderr).toContain(`mxsurvey scan --resume ${scan.scan_id} --out ${out}`);
    expect(r.stdout).toBe("");
    expect(snapshot(out)).toEqual(before);
    expect(lab.dns.queries).toBe(queries);
  });

  it("scan - --resume OTHER_ID --out DIR of another scan is refused (exit 2); no byte changes", async () => {
    const before = snapshot(out);
    const other = "20260101T000000Z-abcdef";
    const r = await runCli(["scan", "--resume", other, "--out", out, ...args()]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain(`holds scan ${scan.scan_id}, not ${other}`);
    expect(snapshot(out)).toEqual(before);
  });

  it("scan - a directory with scan files but no scan.json is refused too", async () => {
    const half = join(dir, "half");
    mkdirSync(half);
    writeFileSync(join(half, "hosts.jsonl"), readFileSync(join(out, "hosts.jsonl")));
    const before = snapshot(half);
    const r = await runCli(["scan", "--domains", join(dir, "two.txt"), "--out", half, ...args()]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/holds .*hosts\.jsonl/);
    expect(snapshot(half)).toEqual(before);
  });

  it("scan - an existing empty directory is a fine --out", async () => {
    const empty = join(dir, "empty");
    mkdirSync(empty);
    const r = await runCli(["scan", "--domains", join(dir, "two.txt"), "--out", empty, ...args()]);
    expect(r.code, r.stderr).toBe(0);
    expect(readJsonl<ScanDomainRow>(join(empty, "domains.jsonl"))).toHaveLength(2);
  });
});

describe("scan rules: failures are not data", () => {
  it("scan - resolvers that never answer: exit 3, scan.json state failed with the reason, no domain rows", async () => {
    const out = join(dir, "dead");
    const r = await runCli(
      [
        "scan",
        "--domains",
        join(dir, "two.txt"),
        "--out",
        out,
        ...args().filter((a, i, all) => a !== "--resolver" && all[i - 1] !== "--resolver"),
        "--resolver",
        `127.0.0.1:${silentResolver.address().port}`,
        "--dns-timeout",
        "0.5",
        "--dns-retries",
        "0",
      ],
      { timeoutMs: 30_000 },
    );
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr).toMatch(/no DNS resolver answered/);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    const scan = JSON.parse(readFileSync(join(out, "scan.json"), "utf8")) as ScanRow;
    expect(scan.state).toBe("failed");
    expect(scan.failure_reason).toMatch(/no DNS resolver answered: 2 of 2 MX lookups/);
    expect(scan.finished_at).not.toBeNull();
    expect(readJsonl<ScanDomainRow>(join(out, "domains.jsonl"))).toEqual([]);

    // A failed scan is not resumed (nothing was measured): start a new one. Its directory stays as it is.
    const before = snapshot(out);
    const again = await runCli(["scan", "--resume", scan.scan_id, "--out", out, ...args()]);
    expect(again.code, again.stderr).toBe(2);
    expect(again.stderr).toMatch(/failed \(no DNS resolver answered.*start a new scan/);
    expect(snapshot(out)).toEqual(before);
  });

  it("scan - resolvers partly lost: the scan goes on, completes, and counts the unanswered lookups", async () => {
    const out = join(dir, "partial");
    writeFileSync(join(dir, "partial.txt"), "valid.lab.test\nsilent.lab.test\n");
    const r = await runCli(
      ["scan", "--domains", join(dir, "partial.txt"), "--out", out, ...args(), "--dns-timeout", "0.5"],
      { timeoutMs: 30_000 },
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/MX lookups unanswered\s+1 of 2/);
    const scan = JSON.parse(readFileSync(join(out, "scan.json"), "utf8")) as ScanRow;
    expect(scan.state).toBe("complete");
    expect(scan.failure_reason).toBeNull();
    const statuses = readJsonl<ScanDomainRow>(join(out, "domains.jsonl")).map((d) => [d.domain, d.status]);
    expect(statuses).toEqual([
      ["valid.lab.test", "valid"],
      ["silent.lab.test", "dns_error"],
    ]);
  });

  it("scan - one of two resolvers dead: retries go to the other, the scan completes, and the summary names the dead one", async () => {
    const out = join(dir, "one-dead");
    const dead = `127.0.0.1:${silentResolver.address().port}`;
    const r = await runCli(
      [
        "scan",
        "--domains",
        join(dir, "two.txt"),
        "--out",
        out,
        ...args().filter((a, i, all) => a !== "--resolver" && all[i - 1] !== "--resolver"),
        "--resolver",
        dead,
        "--resolver",
        lab.dns.address,
        "--dns-timeout",
        "0.3",
        "--dns-retries",
        "1",
      ],
      { timeoutMs: 60_000 },
    );
    expect(r.code, r.stderr).toBe(0);
    const line = new RegExp(
      `resolver not answering\\s+${dead.replace(/\./g, "\\.")}\\s+\\((\\d+) of (\\d+) queries unanswered\\)`,
    );
    const m = line.exec(r.stdout);
    expect(m, r.stdout).not.toBeNull();
    expect(Number(m![1])).toBeGreaterThan(0);
    expect(Number(m![1])).toBe(Number(m![2]));
    expect(r.stdout).not.toContain(`resolver not answering   ${lab.dns.address}`);
    expect(r.stdout).not.toMatch(/MX lookups unanswered/);
    const scan = JSON.parse(readFileSync(join(out, "scan.json"), "utf8")) as ScanRow;
    expect(scan.state).toBe("complete");
    const statuses = readJsonl<ScanDomainRow>(join(out, "domains.jsonl")).map((d) => d.status);
    expect(statuses).toEqual(["valid", "no_starttls"]);
  });

  it.each([
    ["an empty list", ""],
    ["a list of blank lines and comments", "\n# nothing\n\n"],
    ["a list with only invalid lines", "192.0.2.1\nbad_name.test\n[::1]\n"],
  ])("scan - %s is refused (exit 2) and no directory is created", async (_what, text) => {
    const cwd = freshCwd();
    writeFileSync(join(cwd, "list.txt"), text);
    const queries = lab.dns.queries;
    const r = await runCli(["scan", "--domains", "list.txt", ...args()], { cwd });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/no valid domain in list\.txt/);
    expect(readdirSync(cwd)).toEqual(["list.txt"]);
    expect(lab.dns.queries).toBe(queries);
    const withOut = await runCli(["scan", "--domains", "list.txt", "--out", "o", ...args()], { cwd });
    expect(withOut.code).toBe(2);
    expect(existsSync(join(cwd, "o"))).toBe(false);
  });

  it.each([
    [["--threads", "0"], /--threads/],
    [["--concurrency", "0"], /--concurrency/],
    [["--depth", "bogus"], /depth/],
    [["--dns-retries", "99"], /--dns-retries/],
    [["--dns-timeout", "0"], /--dns-timeout/],
    [["--ips-per-host", "0"], /--ips-per-host/],
    [["--max-mx", "1000"], /--max-mx/],
    [["--https-port", "0"], /--https-port/],
    [["--policy-list", "/nonexistent/policy.json"], /--policy-list/],
    [["--dns-concurrency", "0"], /--dns-concurrency/],
    [["--fleet-concurrency", "0"], /--fleet-concurrency/],
    [["--job-ack-wait", "0"], /--job-ack-wait/],
    [["--top", "0"], /--top/],
    [["--clickhouse", "not a url"], /--clickhouse/],
    [["--clickhouse", "http://127.0.0.1:1", "--database", "bad-name!"], /--database/],
    [["--resolver", "not-an-ip"], /resolver/i],
  ])("scan - bad option %j is refused (exit 2) before any directory or query", async (bad, message) => {
    const cwd = freshCwd();
    writeFileSync(join(cwd, "list.txt"), "valid.lab.test\n");
    const queries = lab.dns.queries;
    const r = await runCli(["scan", "--domains", "list.txt", ...args(), ...bad], { cwd });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(readdirSync(cwd)).toEqual(["list.txt"]);
    expect(lab.dns.queries).toBe(queries);
  });
});

describe("scan rules: input", () => {
  it("scan - --domains - reads the list from standard input", async () => {
    const out = join(dir, "stdin");
    const r = await runCli(["scan", "--domains", "-", "--out", out, ...args()], {
      stdin: "valid.lab.test\nno-starttls.lab.test\n192.0.2.1\n",
    });
    expect(r.code, r.stderr).toBe(0);
    const domains = readJsonl<ScanDomainRow>(join(out, "domains.jsonl"));
    expect(domains.map((d) => [d.domain, d.status])).toEqual([
      ["valid.lab.test", "valid"],
      ["no-starttls.lab.test", "no_starttls"],
    ]);
    const scan = JSON.parse(readFileSync(join(out, "scan.json"), "utf8")) as ScanRow;
    expect(scan).toMatchObject({ input_file: "-", domains: 2, rejected: 1 });
  });

  it("check and scan - an IDN becomes the same A-label in both", async () => {
    const check = await runCli([
      "check",
      "Bücher.LAB.test.",
      ...lab.cliArgs(),
      "--json",
      "--ehlo-name",
      "t.test",
    ]);
    expect(check.code, check.stderr).toBe(0);
    const checked = JSON.parse(check.stdout.trim()) as { domain: { domain: string } };
    expect(checked.domain.domain).toBe("xn--bcher-kva.lab.test");

    const out = join(dir, "idn");
    const r = await runCli(["scan", "--domains", "-", "--out", out, ...args()], {
      stdin: "Bücher.LAB.test.\n",
    });
    expect(r.code, r.stderr).toBe(0);
    const domains = readJsonl<ScanDomainRow>(join(out, "domains.jsonl"));
    expect(domains.map((d) => d.domain)).toEqual([checked.domain.domain]);
  });

  it.each(["192.0.2.1", "[192.0.2.1]", "::1", "localhost", "bad_name.lab.test"])(
    "check and scan - %s is refused by both",
    async (name) => {
      const check = await runCli(["check", name, ...lab.cliArgs(), "--ehlo-name", "t.test"]);
      expect(check.code, check.stderr).toBe(2);
      const cwd = freshCwd();
      const scan = await runCli(["scan", "--domains", "-", ...args()], { cwd, stdin: `${name}\n` });
      expect(scan.code, scan.stderr).toBe(2);
      expect(readdirSync(cwd)).toEqual([]);
      // The same reason in both messages.
      const reason = /\b(ip_address|single_label|invalid_characters)\b/.exec(check.stderr)?.[1];
      expect(reason).toBeDefined();
      expect(scan.stderr).toContain(reason!);
    },
  );
});
