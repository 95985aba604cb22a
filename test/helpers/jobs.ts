/**
 * Survey jobs for transport tests: every field of the job contract set, every nullable DANE field non-null
 * (a job whose optional parts are all empty cannot show that a boundary keeps them).
 */

import type { DaneLookup } from "../../shared/dane/lookup.js";
import type { HostJob } from "../../shared/jobs.js";
import { labProbeParams } from "./params.js";

export function daneLookupWithEveryField(hostname: string): DaneLookup {
  const tlsa = {
    base: hostname,
    name: `_25._tcp.${hostname}`,
    rcode: "NOERROR" as const,
    ad: true,
    state: "secure" as const,
    cnames: [`tlsa.${hostname}`],
    links: [
      {
        name: `_25._tcp.${hostname}`,
        type: "CNAME" as const,
        rcode: "NOERROR" as const,
        ad: true,
        state: "secure" as const,
      },
      {
        name: `tlsa.${hostname}`,
        type: "TLSA" as const,
        rcode: "NOERROR" as const,
        ad: true,
        state: "secure" as const,
      },
    ],
    records: [
      { usage: 3, selector: 1, matchingType: 1, data: "a".repeat(64) },
      { usage: 2, selector: 0, matchingType: 2, data: "b".repeat(128) },
    ],
    outcome: "records" as const,
    detail: "a detail",
  };
  return {
    hostname,
    port: 25,
    mx: { rcode: "NOERROR", ad: true, state: "secure" },
    address: {
      a: { name: hostname, type: "A", rcode: "NOERROR", ad: true, state: "secure" },
      aaaa: { name: hostname, type: "AAAA", rcode: "NOERROR", ad: false, state: "insecure" },
      cnames: [`alias.${hostname}`],
      state: "insecure",
      aliasState: "secure",
    },
    hostState: "secure",
    candidates: [`alias.${hostname}`, hostname],
    tried: [{ ...tlsa, base: `alias.${hostname}`, outcome: "none", records: [] }, tlsa],
    tlsa,
  };
}

/** n jobs of one scan, each with every field set (addresses from TEST-NET-1, distinct keys). */
export function jobsWithEveryField(scanId: string, n: number, from = 0): HostJob[] {
  return Array.from({ length: n }, (_, k) => {
    const i = from + k;
    const hostname = `mx${i}.example.test`;
    return {
      scan_id: scanId,
      scan_started_at: "2026-11-24T12:00:00.000Z",
      hostname,
      ip: `192.0.2.${i % 250}`,
      port: 25 + Math.floor(i / 250),
      dane: daneLookupWithEveryField(hostname),
      probe: labProbeParams({ depth: "full", ehloName: "scan.mxsurvey.test", perHostDelayMs: 125 + i }),
    };
  });
}
