/**
 * `check` of several domains shares work as `scan` does: each (MX host, IP) is probed — and inventoried — once
 * per invocation and its row reused by every domain naming it; probes of one IP never overlap; a domain whose
 * DNS never answers gets its own dns_error row while the others are reported, and exit 3 stays for "no resolver
 * answered any query". The CLI tests run the built CLI against the lab, whose servers count connections.
 */

import type { Socket } from "node:net";
import { connect as netConnect } from "node:net";
import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CheckDeps, CheckRun } from "../../coordinator/check/run-check.js";
import { runCheck } from "../../coordinator/commands/check.js";
import { DnsClient } from "../../shared/dns/client.js";
import type { DomainRow } from "../../shared/schema/domain-row.js";
import type { HostRow } from "../../shared/schema/host-row.js";
import { createProbeSecureContext } from "../../worker/api.js";
import { runCli } from "../helpers/cli.js";
import { labProbeParams } from "../helpers/params.js";
import { LAB_CASES, type LabCase } from "../lab/profiles.js";
import { type LabWorld, labAddress, startLabWorld } from "../lab/world.js";

const VALID_MX = "mx.valid.lab.test";

/** A domain whose only MX record names another lab domain's host. */
const sharing = (name: string, exchange = VALID_MX): LabCase => ({
  name,
  why: `MX ${exchange}, shared with other domains`,
  mx: [],
  zone: { "@": { MX: [{ preference: 10, exchange }] } },
  expect: { domain: "valid" },
});

const CASES: LabCase[] = [
  ...LAB_CASES.filter((c) => c.name === "valid"),
  sharing("shared-a"),
  sharing("shared-b"),
  sharing("shared-c"),
  {
    name: "dead-dns",
    why: "the resolver never answers any query for this domain's name (a dead path)",
    mx: [],
    zone: { "@": { drop: true } },
    expect: { domain: "dns_error" },
  },
  {
    name: "same-ip",
    why: "two MX host names on one address: one (host, IP) each, never probed at once",
    mx: [],
    zone: {
      "@": {
        MX: [
          { preference: 10, exchange: "a.same-ip.lab.test" },
          { preference: 10, exchange: "b.same-ip.lab.test" },
        ],
      },
      a: { A: [labAddress(0)] },
      b: { A: [labAddress(0)] },
    },
    expect: { domain: "cert_invalid" },
  },
];

let lab: LabWorld;

beforeAll(async () => {
  lab = await startLabWorld({ cases: CASES });
  // The same-ip case's names point at the valid case's server (the first lab address: valid comes first).
  expect(lab.hosts.find((h) => h.hostname === VALID_MX)!.ip).toBe(labAddress(0));
}, 60_000);

afterAll(async () => {
  await lab?.close();
});

const connectionsToValid = () => lab.hosts.find((h) => h.hostname === VALID_MX)!.server!.connections;

function parseLines(stdout: string): { domain: DomainRow; hosts: HostRow[] }[] {
  return stdout
    .trim()
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l));
}

const EHLO = ["--ehlo-name", "t.mxsurvey.test"];

describe("check shares work across its domains", () => {
  it("check - four domains naming one MX host: it is probed once, every domain gets its row", async () => {
    const before = connectionsToValid();
    const domains = ["shared-a.lab.test", "valid.lab.test", "shared-b.lab.test", "shared-c.lab.test"];
    const r = await runCli(["check", ...domains, ...lab.cliArgs(), "--json", ...EHLO]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const lines = parseLines(r.stdout);
    expect(lines.map((l) => l.domain.domain)).toEqual(domains);
    for (const l of lines) {
      expect(l.domain.status).toBe("valid");
      expect(l.hosts.map((h) => [h.hostname, h.status, h.connections_used])).toEqual([[VALID_MX, "ok", 1]]);
    }
    // One probe at --depth basic is one connection: the other three domains reused its row.
    expect(connectionsToValid() - before).toBe(1);
  });

  it("check - --depth versions: the shared host is inventoried once", async () => {
    const before = connectionsToValid();
    const r = await runCli([
      "check",
      "shared-a.lab.test",
      "shared-b.lab.test",
      "valid.lab.test",
      ...lab.cliArgs(),
      "--depth",
      "versions",
      "--per-host-delay",
      "0",
      "--json",
      ...EHLO,
    ]);
    expect(r.code).toBe(0);
    const lines = parseLines(r.stdout);
    const used = lines.map((l) => l.hosts[0]!.connections_used);
    expect(new Set(used).size).toBe(1);
    expect(used[0]).toBeGreaterThan(1);
    expect(connectionsToValid() - before).toBe(used[0]);
  });

  it("check - a domain whose DNS never answers gets its own dns_error row; the others are reported", async () => {
    const domains = ["shared-a.lab.test", "dead-dns.lab.test", "valid.lab.test"];
    const r = await runCli(
      [
        "check",
        ...domains,
        ...lab.cliArgs(),
        "--dns-timeout",
        "0.5",
        "--dns-retries",
        "1",
        "--json",
        ...EHLO,
      ],
      { timeoutMs: 20_000 },
    );
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const lines = parseLines(r.stdout);
    expect(lines.map((l) => [l.domain.domain, l.domain.status])).toEqual([
      ["shared-a.lab.test", "valid"],
      ["dead-dns.lab.test", "dns_error"],
      ["valid.lab.test", "valid"],
    ]);
    expect(lines[1]!.domain).toMatchObject({
      mx_kind: "error",
      dns_rcode: "TIMEOUT",
      dns_failure: "dns_timeout",
      hosts_total: 0,
    });
    expect(lines[1]!.hosts).toEqual([]);
  });

  it("check - the dead domain first, in text: its row, then the others, exit 0", async () => {
    const r = await runCli(
      [
        "check",
        "dead-dns.lab.test",
        "valid.lab.test",
        ...lab.cliArgs(),
        "--dns-timeout",
        "0.5",
        "--dns-retries",
        "0",
        "--no-policies",
        ...EHLO,
      ],
      { timeoutMs: 20_000 },
    );
    expect(r.code).toBe(0);
    const dead = r.stdout.indexOf("dead-dns.lab.test");
    const valid = r.stdout.indexOf("valid.lab.test");
    expect(dead).toBeGreaterThanOrEqual(0);
    expect(valid).toBeGreaterThan(dead);
    expect(r.stdout).toMatch(/dead-dns\.lab\.test\s+✗ dns_error/);
  });

  it("check - only the dead domain and no other query: no resolver answered anything, exit 3", async () => {
    const r = await runCli(
      [
        "check",
        "dead-dns.lab.test",
        ...lab.cliArgs(),
        "--dns-timeout",
        "0.5",
        "--dns-retries",
        "0",
        "--no-policies",
        ...EHLO,
      ],
      { timeoutMs: 20_000 },
    );
    expect(r.code).toBe(3);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/no DNS resolver answered/);
  });

  it("check - with policies the resolver answers the domain's TXT queries: a dns_error row, exit 0", async () => {
    const r = await runCli(
      [
        "check",
        "dead-dns.lab.test",
        ...lab.cliArgs(),
        "--dns-timeout",
        "0.5",
        "--dns-retries",
        "0",
        "--json",
        ...EHLO,
      ],
      { timeoutMs: 20_000 },
    );
    expect(r.code).toBe(0);
    expect(parseLines(r.stdout).map((l) => l.domain.status)).toEqual(["dns_error"]);
  });
});

describe("check run (in-process)", () => {
  it("check run - two host names on one IP: one probe each, never at the same time, --per-host-delay apart", async () => {
    const dns = new DnsClient({
      resolvers: [{ host: lab.dns.host, port: lab.dns.port }],
      timeoutMs: 1000,
      retries: 1,
    });
    const opened: number[] = [];
    const connect = (ip: string, port: number): Socket => {
      opened.push(Date.now());
      return netConnect({ host: ip, port });
    };
    const deps: CheckDeps = {
      dns,
      mx: { maxMx: 10, ipsPerHost: 8, ipv6: false },
      probe: {
        settings: { allowPrivateTargets: true, caPem: [lab.ca.certPem] },
        secureContext: createProbeSecureContext([lab.ca.certPem]),
        connect,
      },
      params: labProbeParams({ ehloName: "t.mxsurvey.test", depth: "versions", perHostDelayMs: 100 }),
      port: lab.smtpPort,
      concurrency: 8,
    };
    try {
      const run = new CheckRun(deps);
      const [a, b] = await Promise.all(run.checkDomains(["same-ip.lab.test", "valid.lab.test"]));
      // Three (host, IP) pairs on one address: a.same-ip, b.same-ip and mx.valid, each probed once.
      expect(run.probesStarted).toBe(3);
      expect(a!.hosts.map((h) => h.hostname)).toEqual(["a.same-ip.lab.test", "b.same-ip.lab.test"]);
      expect(b!.hosts[0]!.status).toBe("ok");
      const total = [...a!.hosts, ...b!.hosts].reduce((n, h) => n + h.connections_used, 0);
      expect(opened).toHaveLength(total);
      // The three probes (each a STARTTLS probe then its inventory) ran one after another, 100 ms apart.
      const spans = [...a!.hosts, ...b!.hosts]
        .map((h) => [Date.parse(h.probed_at), Date.parse(h.probed_at) + h.duration_ms] as const)
        .sort((x, y) => x[0] - y[0]);
      for (let i = 1; i < spans.length; i++)
        expect(spans[i]![0] - spans[i - 1]![1]).toBeGreaterThanOrEqual(95);
    } finally {
      dns.close();
    }
  });

  it("check run - on a terminal, progress on stderr is cleared before each domain is printed", async () => {
    const chunks: { stream: "out" | "err"; text: string }[] = [];
    const sink = (stream: "out" | "err") =>
      new Writable({
        write(chunk: Buffer, _enc, done) {
          chunks.push({ stream, text: chunk.toString() });
          done();
        },
      });
    const err = Object.assign(sink("err"), { isTTY: true, columns: 200 }) as unknown as NodeJS.WriteStream;
    await runCheck(
      ["dead-dns.lab.test", "valid.lab.test"],
      {
        resolver: [lab.dns.address],
        "dns-timeout": 1,
        "dns-retries": 0,
        "ca-file": [lab.caFile],
        "allow-private-targets": true,
        "smtp-port": lab.smtpPort,
        "ehlo-name": "t.mxsurvey.test",
        "connect-timeout": 2,
        "smtp-timeout": 1,
        "tls-timeout": 2,
        "host-deadline": 10,
        ipv6: false,
        "ips-per-host": 8,
        "max-mx": 10,
        depth: "basic",
        "per-host-delay": 0,
        concurrency: 4,
        policies: false,
        "https-port": 443,
        json: true,
      },
      sink("out"),
      err,
    );
    const progress = chunks.findIndex(
      (c) => c.stream === "err" && c.text.includes("checking: 0 of 2 domains done"),
    );
    expect(progress, "a progress line while dead-dns waits for its DNS answer").toBeGreaterThanOrEqual(0);
    expect(chunks[progress]!.text).toContain("waiting for dead-dns.lab.test");
    const outs = chunks.flatMap((c, i) => (c.stream === "out" ? [i] : []));
    expect(outs.map((i) => JSON.parse(chunks[i]!.text).domain.domain)).toEqual([
      "dead-dns.lab.test",
      "valid.lab.test",
    ]);
    // The last thing written to stderr before any domain is printed clears the progress line.
    for (const i of outs) {
      const lastErr = chunks.slice(0, i).findLast((c) => c.stream === "err");
      expect(lastErr?.text).toBe("\r\x1b[K");
    }
  });
});
