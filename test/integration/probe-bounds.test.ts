/**
 * Lab tests of the probe's bounds (issue 11, scope 5), over real STARTTLS connections on 127.0.231.x, each case
 * with a one-line why and the exact row it must produce:
 * - one --host-deadline for the whole (host, IP), the TLS inventory included;
 * - a byte budget on TLS records: a server that floods records OpenSSL ignores, during the probe's handshake and
 *   during an inventory hello, ends with `tls_too_large` after a bounded number of bytes.
 */

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ProbeSettings } from "../../shared/settings.js";
import { createProbeSecureContext, type ProbeContext } from "../../worker/api.js";
import { labProbeParams, probeWithSettings } from "../helpers/params.js";
import { createLabCa, issueLeaf, type LabCa, type LabLeaf } from "../lab/pki.js";
import { type LabSmtpServer, type SmtpBehaviour, startSmtpServer } from "../lab/smtp-server.js";

const HOSTNAME = "mx.bounds.test";

const SETTINGS: ProbeSettings = {
  allowPrivateTargets: true,
  caPem: [],
  ...labProbeParams({ ehloName: "probe.mxsurvey.test", connectTimeoutMs: 3000, smtpTimeoutMs: 3000 }),
};

let ca: LabCa;
let leaf: LabLeaf;
let ctx: Omit<ProbeContext, "settings"> & { settings: ProbeSettings };
const servers: LabSmtpServer[] = [];
let nextHost = 1;

beforeAll(async () => {
  ca = await createLabCa();
  leaf = await issueLeaf(ca, { names: [HOSTNAME] });
  ctx = {
    settings: { ...SETTINGS, caPem: [ca.certPem] },
    secureContext: createProbeSecureContext([ca.certPem]),
  };
});

afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

async function server(behaviour: SmtpBehaviour): Promise<LabSmtpServer> {
  const s = await startSmtpServer({ host: `127.0.231.${nextHost++}`, port: 0, behaviour });
  servers.push(s);
  return s;
}

function probe(s: LabSmtpServer, settings: Partial<ProbeSettings> = {}) {
  return probeWithSettings(
    { hostname: HOSTNAME, ip: s.host, port: s.port },
    { ...ctx, settings: { ...ctx.settings, ...settings } },
  );
}

describe("bounds - one host deadline", () => {
  it("deadline - a slow server (1 s greeting delay) probed at --depth full ends within one --host-deadline, keeping the inventory's partial facts", async () => {
    // Why: the inventory used to start a fresh deadline after the first probe, so one (host, IP) took up to twice
    // the deadline. Every connection here costs a 1 s greeting delay: the full inventory cannot finish in 3.5 s.
    const s = await server({
      hostname: HOSTNAME,
      greeting: { delayMs: 1000 },
      tls: { key: leaf.keyPem, cert: leaf.chainPem, minVersion: "TLSv1.2", maxVersion: "TLSv1.3" },
    });
    const deadline = 3500;
    const t0 = Date.now();
    const row = await probe(s, { depth: "full", hostDeadlineMs: deadline });
    const elapsed = Date.now() - t0;
    expect(elapsed).toBeLessThan(deadline + 500);
    expect(row.duration_ms).toBeLessThan(deadline + 500);
    // The first probe finished: the row's own verdict stands; the inventory says why it stopped.
    expect({ status: row.status, failure: row.failure, phase: row.failure_phase }).toEqual({
      status: "ok",
      failure: null,
      phase: null,
    });
    expect(row.inventory_failure).toBe("deadline_exceeded");
    // Partial facts kept: TLS 1.3 was tested first, within the deadline; the suites are not complete.
    expect(row.tls13).toBe(true);
    expect(row.ciphers_complete).toBe(false);
    expect(row.connections_used).toBeGreaterThanOrEqual(2);
  });
});

describe("bounds - TLS record flood", () => {
  const MiB = 1024 * 1024;

  it("flood - endless empty HelloRequests after our ClientHello: tls_too_large at tls_handshake after the byte budget, not the 10 s TLS timeout", async () => {
    // Why: OpenSSL's client skips HelloRequests mid-handshake, so without a byte budget the flood runs until
    // --tls-timeout (GBs over a fast link).
    const s = await server({
      hostname: HOSTNAME,
      tlsResponder: { versions: [], suites: [], flood: "hello_request" },
    });
    const t0 = Date.now();
    const row = await probe(s, { tlsTimeoutMs: 10_000 });
    expect(Date.now() - t0).toBeLessThan(5000);
    expect({ status: row.status, failure: row.failure, phase: row.failure_phase }).toEqual({
      status: "tls_failed",
      failure: "tls_too_large",
      phase: "tls_handshake",
    });
    expect(row.failure_detail).toBe("more than 1048576 bytes from the server without a completed handshake");
    expect({
      starttls_offered: row.starttls_offered,
      starttls_ok: row.starttls_ok,
      tls_version: row.tls_version,
    }).toEqual({ starttls_offered: true, starttls_ok: false, tls_version: null });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(s.flooded).toBeGreaterThan(MiB);
    expect(s.flooded).toBeLessThan(16 * MiB);
  });

  it("flood - the same flood answering an inventory hello (--depth versions): the inventory stops with tls_too_large", async () => {
    // Why: the inventory's answer reader skips the same HelloRequests; its 256 KiB bound must end the attempt
    // with a named failure, and the inventory must not try again on every version.
    const s = await server({
      hostname: HOSTNAME,
      tlsResponder: { versions: [], suites: [], flood: "hello_request" },
    });
    const t0 = Date.now();
    const row = await probe(s, { tlsTimeoutMs: 10_000, depth: "versions" });
    expect(Date.now() - t0).toBeLessThan(8000);
    expect({ status: row.status, failure: row.failure, phase: row.failure_phase }).toEqual({
      status: "tls_failed",
      failure: "tls_too_large",
      phase: "tls_handshake",
    });
    expect(row.inventory_failure).toBe("tls_too_large");
    expect(row.connections_used).toBe(2);
    expect([row.tls13, row.tls12, row.tls11, row.tls10, row.ssl3, row.ssl2]).toEqual([
      null,
      null,
      null,
      null,
      null,
      null,
    ]);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(s.flooded).toBeLessThan(32 * MiB);
  });
});
