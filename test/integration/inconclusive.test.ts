/**
 * Rate-limited and inconclusive are their own state (issue 11, scope 3): the probe's one retry, over real SMTP
 * connections on 127.0.233.x. The exact rows of each lab behaviour (421 greeting, tarpit, reset on connect, reset
 * after the greeting, a 421 that lifts) are asserted by the lab cases (test/lab/profiles.ts, lab-check.test.ts);
 * here, when the retry happens, what the row says about it, and that it stays within the host deadline.
 */

import { afterAll, describe, expect, it } from "vitest";
import type { ProbeSettings } from "../../shared/settings.js";
import { createProbeSecureContext } from "../../worker/api.js";
import { labProbeParams, probeWithSettings } from "../helpers/params.js";
import { type LabSmtpServer, type SmtpBehaviour, startSmtpServer } from "../lab/smtp-server.js";

const HOSTNAME = "mx.inconclusive.test";
const SETTINGS: ProbeSettings = {
  allowPrivateTargets: true,
  caPem: [],
  ...labProbeParams({
    ehloName: "probe.mxsurvey.test",
    connectTimeoutMs: 1000,
    smtpTimeoutMs: 1000,
    tlsTimeoutMs: 1000,
  }),
};
const secureContext = createProbeSecureContext();
const servers: LabSmtpServer[] = [];
let nextHost = 1;

afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

async function server(behaviour: SmtpBehaviour): Promise<LabSmtpServer> {
  const s = await startSmtpServer({
    host: `127.0.233.${nextHost++}`,
    port: 0,
    behaviour: { hostname: HOSTNAME, starttls: "none", ...behaviour },
  });
  servers.push(s);
  return s;
}

function probe(s: LabSmtpServer, settings: Partial<ProbeSettings> = {}, retryDelayMs = 300) {
  return probeWithSettings(
    { hostname: HOSTNAME, ip: s.host, port: s.port },
    { settings: { ...SETTINGS, ...settings }, secureContext, retryDelayMs },
  );
}

describe("inconclusive - one retry within the deadline", () => {
  it("retry - a 421 on every connection: retried once after the pause, still inconclusive, both attempts in the row", async () => {
    const s = await server({ greeting: { code: 421 } });
    const t0 = Date.now();
    const r = await probe(s);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(300);
    expect({ status: r.status, failure: r.failure, phase: r.failure_phase }).toEqual({
      status: "inconclusive",
      failure: "banner_rejected",
      phase: "banner",
    });
    expect({
      code: r.smtp_banner_code,
      offered: r.starttls_offered,
      connections: r.connections_used,
    }).toEqual({
      code: 421,
      offered: null,
      connections: 2,
    });
    expect(s.connections).toBe(2);
    expect(r.failure_detail).toBe(
      "421 mx.inconclusive.test Service unavailable; retried once after 300 ms; the first attempt: banner_rejected at banner (421 mx.inconclusive.test Service unavailable)",
    );
  });

  it("retry - a rate limit that lifts: the second attempt measures the server, the first is noted", async () => {
    const s = await server({ refuseFirst: 1 });
    const r = await probe(s);
    expect({
      status: r.status,
      failure: r.failure,
      offered: r.starttls_offered,
      connections: r.connections_used,
    }).toEqual({ status: "no_starttls", failure: null, offered: false, connections: 2 });
    expect(r.failure_detail).toBe(
      "retried once after 300 ms; the first attempt: banner_rejected at banner (421 4.7.0 mx.inconclusive.test Too many connections, try again later)",
    );
  });

  it("retry - not when the host deadline leaves no room for the pause, a connection and a reply", async () => {
    const s = await server({ greeting: { code: 421 } });
    const r = await probe(s, { hostDeadlineMs: 2500 }, 1000);
    expect({ status: r.status, failure: r.failure, connections: r.connections_used }).toEqual({
      status: "inconclusive",
      failure: "banner_rejected",
      connections: 1,
    });
    expect(r.failure_detail).toBe("421 mx.inconclusive.test Service unavailable");
  });

  it("retry - not for a tarpit: one wait for the greeting is enough", async () => {
    const s = await server({ greeting: { never: true } });
    const r = await probe(s);
    expect({
      status: r.status,
      failure: r.failure,
      phase: r.failure_phase,
      connections: r.connections_used,
    }).toEqual({
      status: "inconclusive",
      failure: "banner_timeout",
      phase: "banner",
      connections: 1,
    });
    expect(r.duration_ms).toBeLessThan(1800);
  });

  it("retry - a 554 greeting is a refusal, not a rate limit: smtp_failed, not retried", async () => {
    const s = await server({ greeting: { code: 554 } });
    const r = await probe(s);
    expect({ status: r.status, failure: r.failure, connections: r.connections_used }).toEqual({
      status: "smtp_failed",
      failure: "banner_rejected",
      connections: 1,
    });
  });
});
