/**
 * Survey jobs and results: the plain data that crosses processes (NATS messages), threads (piscina) and files.
 * A job names a target, never how to probe it: the target-address policy, resolvers and trust roots are worker
 * settings, so whoever can publish a job cannot point the fleet at a private network or a rogue CA.
 */

import { createHash } from "node:crypto";
import type { DaneLookup } from "./dane/lookup.js";
import type { HostRow } from "./schema/host-row.js";
import type { ProbeDepth } from "./settings.js";

export interface HostJob {
  scan_id: string;
  /** The scan's start (ISO-8601): every row of a scan carries it, so a scan lives in one monthly partition. */
  scan_started_at: string;
  hostname: string;
  ip: string;
  port: number;
  /** TLSA records and DNSSEC states of the host (RFC 7672), resolved by the coordinator: data, never a target. */
  dane?: DaneLookup | null;
  /** The scan's --depth: how much of the TLS inventory to run (a measurement parameter, never a target). */
  depth?: ProbeDepth;
}

/** A probe result as it travels from a worker to the coordinator / sink. */
export interface HostResult {
  job: HostJob;
  row: HostRow;
  /** Which worker produced it (host name and pid), for operators. */
  worker: string;
  /** Delivery attempt that produced it (1 = first). */
  attempt: number;
}

/** The deterministic identity of a job: scan, host, ip and port. Used as the NATS message id (idempotent publish). */
export function jobKey(j: Pick<HostJob, "scan_id" | "hostname" | "ip" | "port">): string {
  const h = createHash("sha256").update(`${j.hostname}\n${j.ip}\n${j.port}`).digest("hex").slice(0, 32);
  return `${j.scan_id}.${h}`;
}

/** Scan ids: sortable, safe in NATS subjects, file names and SQL literals: `YYYYMMDDTHHMMSSZ-xxxxxx`. */
export function newScanId(now: Date = new Date()): string {
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d+Z$/, "Z");
  const rand = createHash("sha256")
    .update(`${now.getTime()}${Math.random()}${process.pid}`)
    .digest("hex")
    .slice(0, 6);
  return `${stamp}-${rand}`;
}

export const SCAN_ID_RE = /^[0-9]{8}T[0-9]{6}Z-[0-9a-f]{6}$/;
