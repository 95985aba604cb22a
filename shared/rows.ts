/** Row constructors: the blank row every probe starts from, so no field is ever missing. */

import { emptyDaneFields } from "./dane/verdict.js";
import { mxProvider } from "./provider.js";
import type { HostRow } from "./schema/host-row.js";
import { emptyInventory, inventoryRowFields } from "./tls/inventory.js";
import { PROBE_VERSION } from "./version.js";

export function emptyHostRow(hostname: string, ip: string | null, port: number, startedAt: Date): HostRow {
  return {
    hostname,
    provider: mxProvider(hostname),
    ip,
    port,
    hostname_cnames: [],
    status: "unreachable",
    failure: null,
    failure_phase: null,
    failure_detail: null,
    dns_rcode: null,
    smtp_banner_code: null,
    smtp_banner: null,
    ehlo_command: null,
    ehlo_reply_code: null,
    ehlo_extensions: [],
    ehlo_raw: null,
    starttls_offered: null,
    starttls_reply_code: null,
    starttls_ok: null,
    tls_version: null,
    tls_cipher: null,
    tls_kx_group: null,
    tls_alert: null,
    ehlo_tls_extensions: [],
    cert_chain_sha256: [],
    cert_trusted: null,
    cert_error: null,
    cert_error_code: null,
    cert_expired: null,
    cert_not_yet_valid: null,
    cert_self_signed: null,
    cert_name_matches_mx: null,
    cert_subject_cn: null,
    cert_sans: [],
    cert_issuer: null,
    cert_not_before: null,
    cert_not_after: null,
    cert_key_type: null,
    cert_key_bits: null,
    cert_key_curve: null,
    cert_sig_alg: null,
    cert_sha256: null,
    cert_spki_sha256: null,
    ...emptyDaneFields(),
    ...inventoryRowFields(emptyInventory("versions"), "basic"),
    connections_used: 0,
    grade: null,
    recommendations: [],
    connect_ms: null,
    tls_ms: null,
    duration_ms: 0,
    probed_at: startedAt.toISOString(),
    probe_version: PROBE_VERSION,
  };
}

/** The row of a job that could not produce a probe result (exhausted redeliveries, or our own bug). */
export function failedJobRow(
  job: { hostname: string; ip: string; port: number },
  failure: "job_failed" | "unknown_failure",
  detail: string,
  at: Date = new Date(),
): HostRow {
  const row = emptyHostRow(job.hostname, job.ip, job.port, at);
  row.failure = failure;
  row.failure_phase = "job";
  row.failure_detail = detail;
  row.status = "unreachable";
  return row;
}
