/**
 * The job contract: the one definition of the plain data that crosses processes (NATS messages), threads
 * (piscina) and files, and the one validator derived from it (`parseHostJob`), used at every boundary.
 *
 * A job names a target and carries what the scan decided about measuring it: the host's DANE lookup (resolved
 * by the coordinator) and the scan's measurement parameters (`probe`: depth, EHLO name, timeouts, per-host
 * delay), so every worker of a scan measures exactly what the embedded scan would. It never says *how far* a
 * worker may reach: the target-address policy and the trust roots are worker settings (shared/settings.ts), so
 * whoever can publish a job can neither point the fleet at a private network nor add a trust root.
 *
 * Every field is required and unknown fields are refused: a worker that does not know a field the coordinator
 * sent refuses the job instead of silently measuring something else. Adding a field is a change here only; the
 * TypeScript types are inferred from these schemas, and the DANE schema is checked against `DaneLookup`.
 */

import { createHash } from "node:crypto";
import { z } from "zod";
import { DNSSEC_STATES } from "./dane/dnssec.js";
import type { DaneLookup } from "./dane/lookup.js";
import { DNS_RCODES } from "./dns/types.js";
import { checkEhloName } from "./hostname.js";
import type { HostRow } from "./schema/host-row.js";
import { PROBE_DEPTHS, PROBE_PARAM_LIMITS } from "./settings.js";

/* ------------------------------------------------------------------------------------------------------------
 * Schemas
 * ---------------------------------------------------------------------------------------------------------- */

/** Scan ids: sortable, safe in NATS subjects, file names and SQL literals: `YYYYMMDDTHHMMSSZ-xxxxxx`. */
export const SCAN_ID_RE = /^[0-9]{8}T[0-9]{6}Z-[0-9a-f]{6}$/;

const timeoutMs = z.number().int().positive().max(PROBE_PARAM_LIMITS.maxTimeoutMs);
const port = z.number().int().min(1).max(65535);

/** The scan's measurement parameters (see shared/settings.ts for their defaults and the worker's own settings). */
export const ProbeParamsSchema = z.strictObject({
  depth: z.enum(PROBE_DEPTHS),
  ehloName: z.string().refine((s) => checkEhloName(s).ok, "not a valid EHLO name"),
  connectTimeoutMs: timeoutMs,
  /** Per SMTP reply: the greeting and every command's reply. */
  smtpTimeoutMs: timeoutMs,
  tlsTimeoutMs: timeoutMs,
  /** One overall deadline per (host, ip) probe. */
  hostDeadlineMs: timeoutMs,
  /** Pause between two connections to one host during the TLS inventory. */
  perHostDelayMs: z.number().int().min(0).max(PROBE_PARAM_LIMITS.maxPerHostDelayMs),
});

const rcode = z.enum(DNS_RCODES);
const state = z.enum(DNSSEC_STATES);
const DnsStepSchema = z.strictObject({
  name: z.string(),
  type: z.enum(["A", "AAAA", "MX", "TXT", "TLSA", "CNAME"]),
  rcode,
  ad: z.boolean(),
  state,
});
const TlsaLookupSchema = z.strictObject({
  base: z.string(),
  name: z.string(),
  rcode,
  ad: z.boolean(),
  state,
  cnames: z.array(z.string()),
  links: z.array(DnsStepSchema),
  records: z.array(
    z.strictObject({ usage: z.number(), selector: z.number(), matchingType: z.number(), data: z.string() }),
  ),
  outcome: z.enum(["records", "none", "error"]),
  detail: z.string().nullable(),
});
export const DaneLookupSchema = z.strictObject({
  hostname: z.string(),
  port,
  mx: z.strictObject({ rcode, ad: z.boolean(), state }).nullable(),
  address: z.strictObject({
    a: DnsStepSchema,
    aaaa: DnsStepSchema.nullable(),
    cnames: z.array(z.string()),
    state,
    aliasState: state.nullable(),
  }),
  hostState: state,
  candidates: z.array(z.string()),
  tried: z.array(TlsaLookupSchema),
  tlsa: TlsaLookupSchema,
});

/** What one probe of one (MX host, IP) needs: `check` and `probe` run these without a scan. */
export const ProbeJobSchema = z.strictObject({
  hostname: z.string().min(1).max(253),
  ip: z.union([z.ipv4(), z.ipv6()]),
  port,
  /** The host's TLSA records and DNSSEC states (RFC 7672), looked up by the coordinator; null: not looked up. */
  dane: DaneLookupSchema.nullable(),
  probe: ProbeParamsSchema,
});

/** A survey's job: a probe job of one scan. */
export const HostJobSchema = ProbeJobSchema.extend({
  scan_id: z.string().regex(SCAN_ID_RE),
  /** The scan's start (ISO-8601): every row of a scan carries it, so a scan lives in one monthly partition. */
  scan_started_at: z.iso.datetime(),
});

/**
 * A job's identity (scan, host, ip, port): what a result names and what a job's key is made of. Extra fields
 * are ignored, so the identity of a job that fails validation can still be read (and its failure recorded).
 */
export const JobIdentitySchema = z.object({
  scan_id: HostJobSchema.shape.scan_id,
  scan_started_at: HostJobSchema.shape.scan_started_at,
  hostname: HostJobSchema.shape.hostname,
  ip: HostJobSchema.shape.ip,
  port: HostJobSchema.shape.port,
});

export type ProbeParams = z.infer<typeof ProbeParamsSchema>;
export type JobIdentity = z.infer<typeof JobIdentitySchema>;
export type ProbeJob = z.infer<typeof ProbeJobSchema>;
export type HostJob = z.infer<typeof HostJobSchema>;

/** Compile-time proof that the DANE schema describes exactly `DaneLookup` (shared/dane/lookup.ts). */
type Same<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
const daneSchemaIsDaneLookup: Same<z.infer<typeof DaneLookupSchema>, DaneLookup> = true;
void daneSchemaIsDaneLookup;

/* ------------------------------------------------------------------------------------------------------------
 * The validator
 * ---------------------------------------------------------------------------------------------------------- */

export type JobParse<T> = { ok: true; job: T } | { ok: false; error: string };

function describeIssues(err: z.ZodError): string {
  return err.issues
    .slice(0, 3)
    .map((i) => `${i.path.length > 0 ? i.path.join(".") : "(job)"}: ${i.message}`)
    .join("; ");
}

/** Validate a survey job: a decoded JSON value, or the bytes of a NATS message. */
export function parseHostJob(data: unknown): JobParse<HostJob> {
  let v = data;
  if (data instanceof Uint8Array) {
    try {
      v = JSON.parse(new TextDecoder().decode(data));
    } catch {
      return { ok: false, error: "not JSON" };
    }
  }
  const r = HostJobSchema.safeParse(v);
  return r.success ? { ok: true, job: r.data } : { ok: false, error: describeIssues(r.error) };
}

/** The identity of a job-like value (see JobIdentitySchema), or null. */
export function parseJobIdentity(data: unknown): JobIdentity | null {
  let v = data;
  if (data instanceof Uint8Array) {
    try {
      v = JSON.parse(new TextDecoder().decode(data));
    } catch {
      return null;
    }
  }
  const r = JobIdentitySchema.safeParse(v);
  return r.success ? r.data : null;
}

/** Validate a probe job (the piscina task's input): a probe job, or a survey job whose probe part is taken. */
export function parseProbeJob(v: unknown): JobParse<ProbeJob> {
  if (typeof v === "object" && v !== null && "scan_id" in v) {
    const r = parseHostJob(v);
    return r.ok ? { ok: true, job: probeJobOf(r.job) } : r;
  }
  const r = ProbeJobSchema.safeParse(v);
  return r.success ? { ok: true, job: r.data } : { ok: false, error: describeIssues(r.error) };
}

/** A job's identity, without the rest of the job (what a result carries). */
export function jobIdentity(j: JobIdentity): JobIdentity {
  const { scan_id, scan_started_at, hostname, ip, port } = j;
  return { scan_id, scan_started_at, hostname, ip, port };
}

/** The probe part of a survey job (what the pool's task runs). */
export function probeJobOf(j: HostJob): ProbeJob {
  const { scan_id: _id, scan_started_at: _at, ...job } = j;
  return job;
}

/* ------------------------------------------------------------------------------------------------------------
 * Results and identities
 * ---------------------------------------------------------------------------------------------------------- */

/** A probe result as it travels from a worker to the coordinator / sink. */
export interface HostResult {
  /** The job it answers (its identity: the rest of the job is not sent back). */
  job: JobIdentity;
  row: HostRow;
  /** Which worker produced it (host name and pid), for operators. */
  worker: string;
  /** Delivery attempt that produced it (1 = first). */
  attempt: number;
}

/** The deterministic identity of a job: scan, host, ip and port. Used as the NATS message id (idempotent publish). */
export function jobKey(j: Pick<JobIdentity, "scan_id" | "hostname" | "ip" | "port">): string {
  const h = createHash("sha256").update(`${j.hostname}\n${j.ip}\n${j.port}`).digest("hex").slice(0, 32);
  return `${j.scan_id}.${h}`;
}

/** A new scan id (see SCAN_ID_RE). */
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
