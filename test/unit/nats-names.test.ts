/** NATS names (shared/transport/names.ts): subjects round-trip to job keys; namespaces never overlap. */

import { describe, expect, it } from "vitest";
import { jobKey, newScanId } from "../../shared/jobs.js";
import {
  ACK_WAIT_MS,
  BACKOFF_MS,
  HEARTBEAT_MS,
  MAX_DELIVER,
  NATS_NAMES,
  natsNames,
  RESULTS_DUPLICATE_WINDOW_MS,
} from "../../shared/transport/names.js";

const scan = newScanId(new Date("2026-11-24T12:00:00Z"));
const key = jobKey({ scan_id: scan, hostname: "mx.example.org", ip: "192.0.2.1", port: 25 });

describe("NATS names", () => {
  it("production names", () => {
    expect(NATS_NAMES.jobsStream).toBe("MXSURVEY_JOBS");
    expect(NATS_NAMES.jobsSubjects).toBe("mxsurvey.jobs.>");
    expect(NATS_NAMES.workersConsumer).toBe("mxsurvey-workers");
    expect(NATS_NAMES.resultsSubject(scan)).toBe(`mxsurvey.results.${scan}`);
    expect(NATS_NAMES.plansSubject(scan)).toBe(`mxsurvey.plans.${scan}`);
    expect(NATS_NAMES.maxDeliveriesAdvisory).toBe(
      "$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.MXSURVEY_JOBS.mxsurvey-workers",
    );
  });

  it("a job subject round-trips to its key and falls under its scan's filter", () => {
    const subject = NATS_NAMES.jobSubject(key);
    expect(subject).toBe(`mxsurvey.jobs.${key}`);
    expect(subject.startsWith(NATS_NAMES.scanJobsFilter(scan).slice(0, -1))).toBe(true);
    expect(NATS_NAMES.jobKeyOfSubject(subject)).toBe(key);
    expect(NATS_NAMES.jobKeyOfSubject(`mxsurvey.results.${scan}`)).toBeNull();
    expect(natsNames("x").jobKeyOfSubject(subject)).toBeNull();
    expect(() => NATS_NAMES.jobSubject("a.b")).toThrow(/invalid job key/);
    expect(() => NATS_NAMES.resultsSubject("*")).toThrow(/invalid scan id/);
    expect(() => NATS_NAMES.scanJobsFilter("x.>")).toThrow(/invalid scan id/);
  });

  it("namespaces give disjoint stream names and subjects", () => {
    const a = natsNames("staging");
    expect(a.jobsStream).toBe("MXSURVEY_STAGING_JOBS");
    expect(a.jobsSubjects).toBe("mxsurvey_staging.jobs.>");
    expect(a.workersConsumer).toBe("mxsurvey-staging-workers");
    for (const n of [NATS_NAMES, natsNames("jobs"), natsNames("results")]) {
      expect(a.jobsSubjects.split(".")[0]).not.toBe(n.jobsSubjects.split(".")[0]);
    }
    expect(() => natsNames("Bad.Name")).toThrow(/invalid NATS namespace/);
    expect(() => natsNames(">")).toThrow(/invalid NATS namespace/);
  });

  it("timing defaults hang together", () => {
    expect(HEARTBEAT_MS * 3).toBeLessThanOrEqual(ACK_WAIT_MS);
    expect(BACKOFF_MS[0]).toBe(ACK_WAIT_MS);
    expect(Math.min(...BACKOFF_MS)).toBeGreaterThanOrEqual(ACK_WAIT_MS);
    expect(MAX_DELIVER).toBeGreaterThan(BACKOFF_MS.length);
    const schedule = BACKOFF_MS.reduce((a, b) => a + b, 0);
    expect(RESULTS_DUPLICATE_WINDOW_MS).toBeGreaterThan(schedule + 120_000);
  });
});
