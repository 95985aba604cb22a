/**
 * Cross-check of mxsurvey's TLS inventory (`probe --depth full`) against nmap's ssl-enum-ciphers and
 * testssl.sh (`--starttls smtp -p -E`) on the same lab STARTTLS servers — Node TLS servers of eight profiles
 * (test/lab/tls-fleet.ts) on 127.0.240.x port 25. Per server, the versions offered and the suites accepted per
 * version must be the same in all three (names mapped to IANA's through shared/tls/cipher-suites.ts).
 *
 * nmap and testssl.sh come from Debian's packages, installed here when missing; a failed install (or not being
 * root, which binding port 25 needs) fails this file with a clear message, unless MXSURVEY_SKIP_CROSSCHECK=1,
 * which skips it instead. Every target is a 127.x address; no tool resolves a name.
 *
 * Expected, explained differences (none of them is a disagreement on a suite):
 * - nmap's ssl-enum-ciphers does not test SSLv2 (it has sslv2 as a separate script): SSLv2 is compared with
 *   testssl.sh only;
 * - nmap names TLS 1.3 suites TLS_AKE_WITH_<aead>_<hash>; they are mapped to IANA's TLS_<aead>_<hash>;
 * - 3DES (DES-CBC3-SHA) cannot be served: this Node build's OpenSSL has no DES suite at all, so the legacy
 *   profile's 3DES entry is dropped by OpenSSL and no tool finds it (checked below with tls.getCiphers()).
 */

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { getCiphers } from "node:tls";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI } from "../helpers/cli.js";
import {
  type CrosscheckTools,
  diffViews,
  ensureCrosscheckTools,
  mxsurveyView,
  nmapArgs,
  parseNmapXml,
  parseTestsslJson,
  runTool,
  type ToolView,
  testsslArgs,
} from "../helpers/crosscheck.js";
import { FLEET_HOSTNAME, type Fleet, PROFILES, startFleet } from "../lab/tls-fleet.js";

const SKIP = process.env.MXSURVEY_SKIP_CROSSCHECK === "1";
const PREFIX = "127.0.240";

let tools: CrosscheckTools | null = null;
let setupError: Error | null = null;
let fleet: Fleet | null = null;
let tmp = "";
const mx = new Map<string, ToolView>();
const rows = new Map<string, Record<string, unknown>>();
let nmap = new Map<string, ToolView>();
const testssl = new Map<string, ToolView>();

beforeAll(async () => {
  try {
    tools = ensureCrosscheckTools();
    if (tools.installed.length) console.log(`installed from Debian: ${tools.installed.join(", ")}`);
    if (process.getuid && process.getuid() !== 0) {
      throw new Error("the lab servers listen on port 25 (where nmap speaks SMTP STARTTLS): run as root");
    }
  } catch (err) {
    setupError = err as Error;
    if (SKIP) return;
    throw new Error(`tls-crosscheck: ${setupError.message} (MXSURVEY_SKIP_CROSSCHECK=1 skips this file)`);
  }
  fleet = await startFleet({ prefix: PREFIX, count: PROFILES.length });
  tmp = mkdtempSync(join(tmpdir(), "mxsurvey-crosscheck-"));
  const caFile = join(tmp, "ca.pem");
  writeFileSync(caFile, fleet.ca.certPem);
  const targets = fleet.hosts.map((h) => `${h.ip}:${h.port}`);

  // mxsurvey: one run over all servers, in parallel.
  const m = await runTool(process.execPath, [
    CLI,
    "probe",
    ...targets,
    "--depth",
    "full",
    "--per-host-delay",
    "0",
    "--json",
    "--allow-private-targets",
    "--ca-file",
    caFile,
    "--ehlo-name",
    "crosscheck.mxsurvey.test",
    "--concurrency",
    String(targets.length),
  ]);
  if (m.code !== 0) throw new Error(`mxsurvey probe exited ${m.code}: ${m.stderr.slice(-2000)}`);
  for (const line of m.stdout.trim().split("\n")) {
    const row = JSON.parse(line) as Record<string, unknown>;
    const key = `${row.ip}:${row.port}`;
    rows.set(key, row);
    mx.set(key, mxsurveyView(row));
  }

  // nmap: one run over all servers, as an operator would.
  const n = await runTool(
    tools.nmap,
    nmapArgs(
      fleet.hosts.map((h) => h.ip),
      25,
      FLEET_HOSTNAME,
    ),
  );
  if (n.code !== 0) throw new Error(`nmap exited ${n.code}: ${n.stderr.slice(-2000)}`);
  nmap = parseNmapXml(n.stdout);

  // testssl.sh: one run per server (it takes one target), four at a time.
  const queue = [...fleet.hosts];
  const testsslBin = tools.testssl;
  await Promise.all(
    [0, 1, 2, 3].map(async () => {
      for (let h = queue.shift(); h; h = queue.shift()) {
        const json = join(tmp, `testssl-${h.ip}.json`);
        const r = await runTool(testsslBin, testsslArgs(h.ip, h.port, json));
        if (r.code === null) throw new Error(`testssl.sh on ${h.ip} was killed`);
        testssl.set(`${h.ip}:${h.port}`, parseTestsslJson(readFileSync(json, "utf8")));
      }
    }),
  );
}, 900_000); // testssl.sh takes about a minute per server, longer on a busy 2-core machine

afterAll(async () => {
  await fleet?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

const ready = (ctx: { skip: (note?: string) => void }) => {
  if (setupError && SKIP) ctx.skip(`MXSURVEY_SKIP_CROSSCHECK=1: ${setupError.message}`);
};

describe("tls-crosscheck - mxsurvey against nmap ssl-enum-ciphers and testssl.sh", () => {
  it("tls-crosscheck - this Node has no 3DES to serve (why no tool finds DES-CBC3-SHA)", (ctx) => {
    ready(ctx);
    expect(getCiphers().filter((c) => c.includes("des"))).toEqual([]);
  });

  it.for(PROFILES.map((p, i) => [p.name, i] as const))(
    "tls-crosscheck - %s: versions and suites agree",
    ([name, i], ctx) => {
      ready(ctx);
      const key = `${PREFIX}.${i + 1}:25`;
      const m = mx.get(key);
      const n = nmap.get(key);
      const t = testssl.get(key);
      expect(m, `mxsurvey row for ${key}`).toBeDefined();
      expect(n, `nmap ssl-enum-ciphers output for ${key}`).toBeDefined();
      expect(t, `testssl.sh output for ${key}`).toBeDefined();
      const row = rows.get(key)!;
      expect(row.ciphers_complete, `${name}: mxsurvey complete`).toBe(true);
      expect(m!.unmapped).toEqual([]);
      expect(n!.unmapped).toEqual([]);
      expect(t!.unmapped).toEqual([]);
      const vsNmap = diffViews(m!, "mxsurvey", n!, "nmap", [
        "SSLv3",
        "TLSv1",
        "TLSv1.1",
        "TLSv1.2",
        "TLSv1.3",
      ]);
      const vsTestssl = diffViews(m!, "mxsurvey", t!, "testssl.sh");
      console.log(
        `${name}: mxsurvey ${m!.suites["TLSv1.3"]?.length ?? 0}+${m!.suites["TLSv1.2"]?.length ?? 0}+` +
          `${m!.suites["TLSv1.1"]?.length ?? 0}+${m!.suites.TLSv1?.length ?? 0} suites (1.3+1.2+1.1+1.0), ` +
          `${row.connections_used} connections; nmap diff ${vsNmap.length}, testssl.sh diff ${vsTestssl.length}`,
      );
      expect(vsNmap).toEqual([]);
      expect(vsTestssl).toEqual([]);
      // Every version decided by all three.
      for (const v of ["TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"] as const) {
        expect(m!.versions[v], `${name} ${v} mxsurvey`).toBeTypeOf("boolean");
        expect(t!.versions[v], `${name} ${v} testssl.sh`).toBeTypeOf("boolean");
      }
    },
  );
});
