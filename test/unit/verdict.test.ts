/**
 * Unit tests of verdicts (shared/verdict.ts) and domain rows (shared/domain-result.ts): host status for every
 * value of the vocabulary, the domain-name rule for certificates, domain status from the primary MX hosts, and
 * `buildDomainRow` for every MX discovery kind. Rows start from `emptyHostRow` (shared/rows.ts).
 */

import { describe, expect, it } from "vitest";
import type { MxDiscovery, MxHost } from "../../shared/dns/mx.js";
import {
  buildDomainRow,
  domainGradeReason,
  primaryHosts,
  unresolvedHostRow,
} from "../../shared/domain-result.js";
import { emptyHostRow } from "../../shared/rows.js";
import type { DomainRow } from "../../shared/schema/domain-row.js";
import type { HostRow } from "../../shared/schema/host-row.js";
import type { DomainStatus, HostStatus } from "../../shared/status.js";
import {
  certNamesDomain,
  certTrustedInDate,
  domainStatusFromPrimaries,
  hostStatus,
  hostStatusForDomain,
} from "../../shared/verdict.js";
import { PROBE_VERSION } from "../../shared/version.js";

const AT = new Date("2025-01-02T03:04:05.000Z");
const DOMAIN = "example.org";
const MX = "mx.example.org";

function row(fields: Partial<HostRow> = {}, hostname = MX): HostRow {
  return { ...emptyHostRow(hostname, "192.0.2.1", 25, AT), ...fields };
}

/** A host that did STARTTLS with a certificate that is trusted, in date and names the MX host. */
const GOOD_TLS: Partial<HostRow> = {
  smtp_banner_code: 220,
  ehlo_reply_code: 250,
  starttls_offered: true,
  starttls_reply_code: 220,
  starttls_ok: true,
  tls_version: "TLSv1.3",
  tls_cipher: "TLS_AES_256_GCM_SHA384",
  cert_trusted: true,
  cert_expired: false,
  cert_not_yet_valid: false,
  cert_self_signed: false,
  cert_name_matches_mx: true,
  cert_subject_cn: MX,
  cert_sans: [MX],
  cert_sha256: "ab".repeat(32),
};

/** GOOD_TLS after a full TLS inventory that grades A: TLS 1.2 and 1.3, NIST r1 and r2 suites, no weak suite. */
const FULL_A: Partial<HostRow> = {
  ...GOOD_TLS,
  inventory_depth: "full",
  ssl2: false,
  ssl3: false,
  tls10: false,
  tls11: false,
  tls12: true,
  tls13: true,
  ciphers: ["TLSv1.3:TLS_AES_128_GCM_SHA256", "TLSv1.2:TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"],
  ciphers_complete: true,
  nist_r1_ok: true,
  nist_r2_ok: true,
  cert_key_type: "rsa",
  cert_key_bits: 2048,
  cert_sig_alg: "sha256WithRSAEncryption",
  cert_not_after: "2099-01-01T00:00:00.000Z",
};

const failed = (
  failure: HostRow["failure"],
  failure_phase: HostRow["failure_phase"],
  extra: Partial<HostRow> = {},
) => ({
  failure,
  failure_phase,
  failure_detail: "x",
  ...extra,
});

const hostCases: { name: string; input: Partial<HostRow>; expect: HostStatus }[] = [
  { name: "ok: trusted, in date, name matches", input: GOOD_TLS, expect: "ok" },
  { name: "TLS 1.2 is ok too", input: { ...GOOD_TLS, tls_version: "TLSv1.2" }, expect: "ok" },
  {
    name: "untrusted",
    input: { ...GOOD_TLS, cert_trusted: false, cert_error: "unknown_issuer" },
    expect: "cert_invalid",
  },
  {
    name: "expired but trusted flag set",
    input: { ...GOOD_TLS, cert_trusted: true, cert_expired: true },
    expect: "cert_invalid",
  },
  { name: "not yet valid", input: { ...GOOD_TLS, cert_not_yet_valid: true }, expect: "cert_invalid" },
  {
    name: "name does not match",
    input: { ...GOOD_TLS, cert_name_matches_mx: false },
    expect: "cert_invalid",
  },
  { name: "trust unknown (null)", input: { ...GOOD_TLS, cert_trusted: null }, expect: "cert_invalid" },
  { name: "expiry unknown (null)", input: { ...GOOD_TLS, cert_expired: null }, expect: "cert_invalid" },
  {
    name: "not-yet-valid unknown (null)",
    input: { ...GOOD_TLS, cert_not_yet_valid: null },
    expect: "cert_invalid",
  },
  {
    name: "name match unknown (null)",
    input: { ...GOOD_TLS, cert_name_matches_mx: null },
    expect: "cert_invalid",
  },
  {
    name: "failure after TLS keeps the certificate verdict",
    input: { ...GOOD_TLS, ...failed("smtp_timeout", "ehlo_tls") },
    expect: "ok",
  },
  {
    name: "the server's ServerHello choice without a completed handshake is not TLS: tls_failed",
    input: {
      ...GOOD_TLS,
      ...failed("connection_closed", "tls_handshake", { starttls_offered: true, starttls_ok: false }),
    },
    expect: "tls_failed",
  },
  {
    name: "a suite this client cannot complete (3DES): its own status, not no_starttls or tls_failed",
    input: failed("tls_unsupported_by_client", "tls_handshake", {
      starttls_offered: true,
      starttls_ok: false,
      tls_version: "TLSv1.2",
      tls_cipher: "TLS_RSA_WITH_3DES_EDE_CBC_SHA",
    }),
    expect: "tls_unsupported_by_client",
  },
  { name: "blocked address", input: failed("blocked_address", "connect"), expect: "blocked" },
  { name: "dns_nxdomain", input: failed("dns_nxdomain", "resolve"), expect: "dns_failed" },
  { name: "dns_no_address", input: failed("dns_no_address", "resolve"), expect: "dns_failed" },
  {
    name: "dns_servfail: the resolver failed, not the name",
    input: failed("dns_servfail", "resolve"),
    expect: "inconclusive",
  },
  { name: "dns_refused", input: failed("dns_refused", "resolve"), expect: "inconclusive" },
  { name: "dns_timeout", input: failed("dns_timeout", "resolve"), expect: "inconclusive" },
  { name: "dns_error", input: failed("dns_error", "resolve"), expect: "dns_failed" },
  { name: "dns_cname_loop", input: failed("dns_cname_loop", "resolve"), expect: "dns_failed" },
  { name: "mx_ip_literal", input: failed("mx_ip_literal", "resolve"), expect: "dns_failed" },
  { name: "connection_refused", input: failed("connection_refused", "connect"), expect: "unreachable" },
  { name: "connect_timeout", input: failed("connect_timeout", "connect"), expect: "unreachable" },
  { name: "host_unreachable", input: failed("host_unreachable", "connect"), expect: "unreachable" },
  { name: "network_unreachable", input: failed("network_unreachable", "connect"), expect: "unreachable" },
  {
    name: "connection_reset while connecting: accepted, then reset (a refusal is connection_refused)",
    input: failed("connection_reset", "connect"),
    expect: "inconclusive",
  },
  { name: "deadline while connecting", input: failed("deadline_exceeded", "connect"), expect: "unreachable" },
  { name: "job_failed", input: failed("job_failed", "job"), expect: "unreachable" },
  {
    name: "starttls_rejected",
    input: failed("starttls_rejected", "starttls", { starttls_offered: true, starttls_reply_code: 454 }),
    expect: "tls_failed",
  },
  {
    name: "handshake failure (alert)",
    input: failed("tls_alert", "tls_handshake", { starttls_offered: true, tls_alert: "handshake_failure" }),
    expect: "tls_failed",
  },
  {
    name: "handshake failure (protocol version)",
    input: failed("tls_protocol_version", "tls_handshake", { starttls_offered: true }),
    expect: "tls_failed",
  },
  {
    name: "tls_timeout",
    input: failed("tls_timeout", "tls_handshake", { starttls_offered: true }),
    expect: "tls_failed",
  },
  {
    name: "no STARTTLS offered",
    input: { smtp_banner_code: 220, ehlo_reply_code: 250, starttls_offered: false },
    expect: "no_starttls",
  },
  {
    name: "banner_rejected",
    input: failed("banner_rejected", "banner", { smtp_banner_code: 554 }),
    expect: "smtp_failed",
  },
  {
    name: "421 greeting: rate-limited, not measured",
    input: failed("banner_rejected", "banner", { smtp_banner_code: 421 }),
    expect: "inconclusive",
  },
  { name: "banner_timeout: a tarpit", input: failed("banner_timeout", "banner"), expect: "inconclusive" },
  { name: "no EHLO reply: a tarpit", input: failed("smtp_timeout", "ehlo"), expect: "inconclusive" },
  {
    name: "EHLO and HELO answered 421",
    input: failed("ehlo_rejected", "ehlo", { ehlo_reply_code: 421 }),
    expect: "inconclusive",
  },
  {
    name: "a drip is a broken server, not a rate limit",
    input: failed("partial_reply_timeout", "banner"),
    expect: "smtp_failed",
  },
  {
    name: "ehlo_rejected",
    input: failed("ehlo_rejected", "ehlo", { ehlo_reply_code: 502 }),
    expect: "smtp_failed",
  },
  {
    name: "protocol error in the banner",
    input: failed("smtp_protocol_error", "banner"),
    expect: "smtp_failed",
  },
  { name: "connection closed in EHLO", input: failed("connection_closed", "ehlo"), expect: "inconclusive" },
  {
    name: "connection reset in the banner",
    input: failed("connection_reset", "banner"),
    expect: "inconclusive",
  },
  {
    name: "connection reset after STARTTLS was offered is measured: tls_failed",
    input: failed("connection_reset", "starttls", { starttls_offered: true }),
    expect: "tls_failed",
  },
];

const domainHostCases: {
  name: string;
  input: Partial<HostRow>;
  expect: { host: HostStatus; domain: HostStatus };
}[] = [
  { name: "names the MX host", input: GOOD_TLS, expect: { host: "ok", domain: "ok" } },
  {
    name: "names the domain, not the MX host",
    input: { ...GOOD_TLS, cert_name_matches_mx: false, cert_sans: [DOMAIN], cert_subject_cn: DOMAIN },
    expect: { host: "cert_invalid", domain: "ok" },
  },
  {
    name: "names the domain in upper case with a trailing dot",
    input: { ...GOOD_TLS, cert_name_matches_mx: false, cert_sans: ["EXAMPLE.ORG."] },
    expect: { host: "cert_invalid", domain: "ok" },
  },
  {
    name: "names the domain by CN without SANs",
    input: { ...GOOD_TLS, cert_name_matches_mx: false, cert_sans: [], cert_subject_cn: DOMAIN },
    expect: { host: "cert_invalid", domain: "ok" },
  },
  {
    name: "CN naming the domain is ignored when SANs exist",
    input: {
      ...GOOD_TLS,
      cert_name_matches_mx: false,
      cert_sans: ["other.example.net"],
      cert_subject_cn: DOMAIN,
    },
    expect: { host: "cert_invalid", domain: "cert_invalid" },
  },
  {
    name: "wildcard does not name the bare domain",
    input: { ...GOOD_TLS, cert_name_matches_mx: false, cert_sans: ["*.example.org"] },
    expect: { host: "cert_invalid", domain: "cert_invalid" },
  },
  {
    name: "untrusted certificate naming the domain",
    input: { ...GOOD_TLS, cert_trusted: false, cert_name_matches_mx: false, cert_sans: [DOMAIN] },
    expect: { host: "cert_invalid", domain: "cert_invalid" },
  },
  {
    name: "expired certificate naming the domain",
    input: { ...GOOD_TLS, cert_expired: true, cert_name_matches_mx: false, cert_sans: [DOMAIN] },
    expect: { host: "cert_invalid", domain: "cert_invalid" },
  },
  {
    name: "not-yet-valid certificate naming the domain",
    input: { ...GOOD_TLS, cert_not_yet_valid: true, cert_name_matches_mx: false, cert_sans: [DOMAIN] },
    expect: { host: "cert_invalid", domain: "cert_invalid" },
  },
  {
    name: "no STARTTLS is unchanged",
    input: { starttls_offered: false, cert_sans: [DOMAIN] },
    expect: { host: "no_starttls", domain: "no_starttls" },
  },
];

const certFieldCases: {
  name: string;
  input: Partial<HostRow>;
  expect: { trustedInDate: boolean; namesDomain: boolean };
}[] = [
  {
    name: "good certificate for the MX host",
    input: GOOD_TLS,
    expect: { trustedInDate: true, namesDomain: false },
  },
  {
    name: "certificate for the domain",
    input: { ...GOOD_TLS, cert_sans: [MX, DOMAIN] },
    expect: { trustedInDate: true, namesDomain: true },
  },
  {
    name: "names without TLS do not count",
    input: { cert_sans: [DOMAIN] },
    expect: { trustedInDate: false, namesDomain: false },
  },
  {
    name: "expired",
    input: { ...GOOD_TLS, cert_expired: true },
    expect: { trustedInDate: false, namesDomain: false },
  },
];

const P = (status: HostStatus, hostname = MX): HostRow => {
  const byStatus: Record<HostStatus, Partial<HostRow>> = {
    ok: GOOD_TLS,
    cert_invalid: { ...GOOD_TLS, cert_trusted: false },
    tls_failed: failed("tls_alert", "tls_handshake", { starttls_offered: true }),
    tls_unsupported_by_client: failed("tls_unsupported_by_client", "tls_handshake", {
      starttls_offered: true,
      starttls_ok: false,
      tls_version: "TLSv1.2",
      tls_cipher: "TLS_RSA_WITH_3DES_EDE_CBC_SHA",
    }),
    no_starttls: { starttls_offered: false },
    smtp_failed: failed("banner_rejected", "banner", { smtp_banner_code: 554 }),
    inconclusive: failed("banner_rejected", "banner", { smtp_banner_code: 421 }),
    unreachable: failed("connection_refused", "connect"),
    dns_failed: failed("dns_nxdomain", "resolve"),
    blocked: failed("blocked_address", "connect"),
  };
  const r = row(byStatus[status], hostname);
  r.status = hostStatus(r);
  return r;
};

const primaryCases: { name: string; input: HostStatus[]; expect: DomainStatus }[] = [
  { name: "no primary rows", input: [], expect: "unreachable" },
  { name: "one ok", input: ["ok"], expect: "valid" },
  { name: "two ok", input: ["ok", "ok"], expect: "valid" },
  { name: "ok and cert_invalid: worst wins", input: ["ok", "cert_invalid"], expect: "cert_invalid" },
  {
    name: "cert_invalid and ok: order does not matter",
    input: ["cert_invalid", "ok"],
    expect: "cert_invalid",
  },
  { name: "no_starttls outranks unreachable", input: ["unreachable", "no_starttls"], expect: "no_starttls" },
  { name: "no_starttls outranks tls_failed", input: ["tls_failed", "no_starttls"], expect: "no_starttls" },
  { name: "tls_failed outranks cert_invalid", input: ["cert_invalid", "tls_failed"], expect: "tls_failed" },
  {
    name: "tls_failed outranks tls_unsupported_by_client",
    input: ["tls_unsupported_by_client", "tls_failed"],
    expect: "tls_failed",
  },
  {
    name: "tls_unsupported_by_client outranks cert_invalid",
    input: ["cert_invalid", "tls_unsupported_by_client"],
    expect: "tls_unsupported_by_client",
  },
  {
    name: "cert_invalid outranks smtp_failed",
    input: ["smtp_failed", "cert_invalid"],
    expect: "cert_invalid",
  },
  { name: "smtp_failed outranks unreachable", input: ["unreachable", "smtp_failed"], expect: "smtp_failed" },
  {
    name: "a measured insecurity outranks inconclusive",
    input: ["inconclusive", "no_starttls"],
    expect: "no_starttls",
  },
  {
    name: "cert_invalid outranks inconclusive",
    input: ["inconclusive", "cert_invalid"],
    expect: "cert_invalid",
  },
  { name: "inconclusive outranks ok", input: ["ok", "inconclusive"], expect: "inconclusive" },
  {
    name: "inconclusive outranks unreachable",
    input: ["unreachable", "inconclusive"],
    expect: "inconclusive",
  },
  { name: "unreachable outranks dns_failed", input: ["dns_failed", "unreachable"], expect: "unreachable" },
  { name: "dns_failed outranks blocked", input: ["blocked", "dns_failed"], expect: "dns_failed" },
  { name: "blocked outranks ok", input: ["ok", "blocked"], expect: "blocked" },
  { name: "unreachable and ok", input: ["ok", "unreachable"], expect: "unreachable" },
  { name: "all unreachable", input: ["unreachable", "unreachable"], expect: "unreachable" },
  { name: "all dns_failed", input: ["dns_failed", "dns_failed"], expect: "dns_failed" },
  { name: "all blocked", input: ["blocked"], expect: "blocked" },
];

function mxHost(hostname: string, preference: number, extra: Partial<MxHost> = {}): MxHost {
  return {
    hostname,
    preference,
    ipLiteral: false,
    addresses: ["192.0.2.1"],
    cnames: [],
    rcode: "NOERROR",
    ad: false,
    failure: null,
    detail: null,
    ...extra,
  };
}

function discovery(
  kind: MxDiscovery["kind"],
  hosts: MxHost[],
  extra: Partial<MxDiscovery> = {},
): MxDiscovery {
  return {
    domain: DOMAIN,
    kind,
    rcode: "NOERROR",
    ad: false,
    failure: null,
    detail: null,
    truncated: false,
    hosts,
    ...extra,
  };
}

/** The domain row with everything empty; cases override what they expect. */
function domainRow(fields: Partial<DomainRow>): DomainRow {
  return {
    domain: DOMAIN,
    rank: null,
    status: "unreachable",
    mx_kind: "mx",
    mx_hosts: [],
    mx_priorities: [],
    mx_primary_hosts: [],
    // Every MX host of these cases is under example.org: that is the provider of any primary.
    mx_providers: (fields.mx_primary_hosts ?? []).length > 0 ? [DOMAIN] : [],
    mx_cname_hosts: [],
    mx_ip_literals: [],
    mx_truncated: false,
    dns_rcode: "NOERROR",
    dns_failure: null,
    mx_ad: false,
    cert_name_matches_domain: null,
    grade: null,
    forced_tls_eligible: null,
    recommendations: [],
    dnssec_mx: null,
    dane_status: null,
    dane_single_record_note: false,
    dane_hosts_total: 0,
    dane_hosts_valid: 0,
    mta_sts_status: null,
    mta_sts_mode: null,
    mta_sts_id: null,
    mta_sts_max_age: null,
    mta_sts_mx_patterns: [],
    mta_sts_mx_mismatch: [],
    mta_sts_mx_failing: [],
    mta_sts_error: null,
    mta_sts_warnings: [],
    mta_sts_detail: null,
    tls_rpt_status: null,
    tls_rpt_rua: [],
    tls_rpt_error: null,
    policy_list_listed: null,
    policy_list_mode: null,
    policy_list_mx_ok: null,
    policy_list_mismatch: [],
    policy_list_failing: [],
    hosts_total: 0,
    hosts_ok: 0,
    duration_ms: 1234,
    checked_at: "2025-01-02T03:04:05.000Z",
    probe_version: PROBE_VERSION,
    ...fields,
  };
}

const FOR_DOMAIN: Partial<HostRow> = { ...GOOD_TLS, cert_name_matches_mx: false, cert_sans: [DOMAIN] };

const domainCases: { name: string; input: { d: MxDiscovery; rows: HostRow[] }; expect: DomainRow }[] = [
  {
    name: "null MX",
    input: {
      d: discovery("null", [], { detail: "null MX (RFC 7505): the domain accepts no mail" }),
      rows: [],
    },
    expect: domainRow({ status: "no_mail", mx_kind: "null" }),
  },
  {
    name: "no such domain",
    input: { d: discovery("none", [], { rcode: "NXDOMAIN", failure: "dns_nxdomain" }), rows: [] },
    expect: domainRow({
      status: "no_mx",
      mx_kind: "none",
      dns_rcode: "NXDOMAIN",
      dns_failure: "dns_nxdomain",
    }),
  },
  {
    name: "MX lookup error",
    input: { d: discovery("error", [], { rcode: "SERVFAIL", failure: "dns_servfail" }), rows: [] },
    expect: domainRow({
      status: "dns_error",
      mx_kind: "error",
      dns_rcode: "SERVFAIL",
      dns_failure: "dns_servfail",
    }),
  },
  {
    name: "MX lookup timeout",
    input: { d: discovery("error", [], { rcode: "TIMEOUT", failure: "dns_timeout" }), rows: [] },
    expect: domainRow({
      status: "dns_error",
      mx_kind: "error",
      dns_rcode: "TIMEOUT",
      dns_failure: "dns_timeout",
    }),
  },
  {
    name: "implicit MX with a valid certificate for the domain",
    input: {
      d: discovery("implicit", [mxHost(DOMAIN, 0)], { ad: true }),
      rows: [row({ ...GOOD_TLS, cert_sans: [DOMAIN], cert_name_matches_mx: true }, DOMAIN)],
    },
    expect: domainRow({
      status: "valid",
      mx_kind: "implicit",
      mx_hosts: [DOMAIN],
      mx_priorities: [0],
      mx_primary_hosts: [DOMAIN],
      mx_ad: true,
      cert_name_matches_domain: true,
      hosts_total: 1,
      hosts_ok: 1,
    }),
  },
  {
    name: "one MX, valid for the MX host only",
    input: { d: discovery("mx", [mxHost(MX, 10)]), rows: [row(GOOD_TLS)] },
    expect: domainRow({
      status: "valid",
      mx_hosts: [MX],
      mx_priorities: [10],
      mx_primary_hosts: [MX],
      cert_name_matches_domain: false,
      hosts_total: 1,
      hosts_ok: 1,
    }),
  },
  {
    name: "one MX whose certificate names only the domain",
    input: { d: discovery("mx", [mxHost(MX, 10)]), rows: [row(FOR_DOMAIN)] },
    expect: domainRow({
      status: "valid",
      mx_hosts: [MX],
      mx_priorities: [10],
      mx_primary_hosts: [MX],
      cert_name_matches_domain: true,
      hosts_total: 1,
      hosts_ok: 1,
    }),
  },
  {
    name: "backup MX ignored",
    input: {
      d: discovery("mx", [mxHost("mx1.example.org", 10), mxHost("backup.example.org", 20)]),
      rows: [row(GOOD_TLS, "mx1.example.org"), row({ starttls_offered: false }, "backup.example.org")],
    },
    expect: domainRow({
      status: "valid",
      mx_hosts: ["mx1.example.org", "backup.example.org"],
      mx_priorities: [10, 20],
      mx_primary_hosts: ["mx1.example.org"],
      cert_name_matches_domain: false,
      // LuxSci's Forced TLS asks every MX host, backups included: the backup offers no STARTTLS.
      forced_tls_eligible: false,
      hosts_total: 2,
      hosts_ok: 1,
    }),
  },
  {
    name: "two primaries, worst wins; the backup's good certificate does not help",
    input: {
      d: discovery("mx", [
        mxHost("a.example.org", 5),
        mxHost("b.example.org", 5),
        mxHost("c.example.org", 10),
      ]),
      rows: [
        row(GOOD_TLS, "a.example.org"),
        row({ ...GOOD_TLS, cert_trusted: false }, "b.example.org"),
        row(FOR_DOMAIN, "c.example.org"),
      ],
    },
    expect: domainRow({
      status: "cert_invalid",
      mx_hosts: ["a.example.org", "b.example.org", "c.example.org"],
      mx_priorities: [5, 5, 10],
      mx_primary_hosts: ["a.example.org", "b.example.org"],
      cert_name_matches_domain: false,
      hosts_total: 3,
      hosts_ok: 2,
    }),
  },
  {
    name: "no_starttls outranks unreachable; no certificate seen",
    input: {
      d: discovery("mx", [mxHost("a.example.org", 10), mxHost("b.example.org", 10)]),
      rows: [
        row(failed("connection_refused", "connect"), "a.example.org"),
        row({ starttls_offered: false }, "b.example.org"),
      ],
    },
    expect: domainRow({
      status: "no_starttls",
      mx_hosts: ["a.example.org", "b.example.org"],
      mx_priorities: [10, 10],
      mx_primary_hosts: ["a.example.org", "b.example.org"],
      cert_name_matches_domain: null,
      forced_tls_eligible: false,
      hosts_total: 2,
      hosts_ok: 0,
    }),
  },
  {
    name: "all primaries unreachable",
    input: {
      d: discovery("mx", [mxHost("a.example.org", 10), mxHost("b.example.org", 10)]),
      rows: [
        row(failed("connect_timeout", "connect"), "a.example.org"),
        row(failed("connection_refused", "connect"), "b.example.org"),
      ],
    },
    expect: domainRow({
      status: "unreachable",
      mx_hosts: ["a.example.org", "b.example.org"],
      mx_priorities: [10, 10],
      mx_primary_hosts: ["a.example.org", "b.example.org"],
      hosts_total: 2,
    }),
  },
  {
    name: "one host with two addresses: both rows are primaries",
    input: {
      d: discovery("mx", [mxHost(MX, 10, { addresses: ["192.0.2.1", "192.0.2.2"] })]),
      rows: [row(GOOD_TLS), { ...row(failed("connection_refused", "connect")), ip: "192.0.2.2" }],
    },
    expect: domainRow({
      status: "unreachable",
      mx_hosts: [MX],
      mx_priorities: [10],
      mx_primary_hosts: [MX],
      cert_name_matches_domain: false,
      hosts_total: 2,
      hosts_ok: 1,
    }),
  },
  {
    name: "a TLS row without a certificate hash does not count for the domain name",
    input: { d: discovery("mx", [mxHost(MX, 10)]), rows: [row({ ...FOR_DOMAIN, cert_sha256: null })] },
    expect: domainRow({
      status: "valid",
      mx_hosts: [MX],
      mx_priorities: [10],
      mx_primary_hosts: [MX],
      cert_name_matches_domain: null,
      hosts_total: 1,
      hosts_ok: 1,
    }),
  },
  {
    name: "CNAME'd and IP-literal MX targets, truncated list",
    input: {
      d: discovery(
        "mx",
        [
          mxHost("alias.example.org", 10, { cnames: ["real.example.net"] }),
          mxHost("[192.0.2.9]", 20, { ipLiteral: true, addresses: [], failure: "mx_ip_literal" }),
        ],
        { truncated: true },
      ),
      rows: [
        row(
          { ...GOOD_TLS, cert_sans: ["alias.example.org"], cert_subject_cn: "alias.example.org" },
          "alias.example.org",
        ),
        unresolvedHostRow(
          mxHost("[192.0.2.9]", 20, { ipLiteral: true, addresses: [], failure: "mx_ip_literal" }),
          25,
          AT,
        ),
      ],
    },
    expect: domainRow({
      status: "valid",
      mx_hosts: ["alias.example.org", "[192.0.2.9]"],
      mx_priorities: [10, 20],
      mx_primary_hosts: ["alias.example.org"],
      mx_cname_hosts: ["alias.example.org"],
      mx_ip_literals: ["[192.0.2.9]"],
      mx_truncated: true,
      cert_name_matches_domain: false,
      hosts_total: 2,
      hosts_ok: 1,
    }),
  },
  {
    name: "primary that did not resolve",
    input: {
      d: discovery("mx", [mxHost(MX, 10, { addresses: [], rcode: "NXDOMAIN", failure: "dns_nxdomain" })]),
      rows: [
        unresolvedHostRow(
          mxHost(MX, 10, { addresses: [], rcode: "NXDOMAIN", failure: "dns_nxdomain" }),
          25,
          AT,
        ),
      ],
    },
    expect: domainRow({
      status: "dns_failed",
      mx_hosts: [MX],
      mx_priorities: [10],
      mx_primary_hosts: [MX],
      hosts_total: 1,
    }),
  },
  {
    name: "Forced TLS: a primary without STARTTLS makes it false, at --depth basic too",
    input: {
      d: discovery("mx", [mxHost(MX, 10)]),
      rows: [row({ smtp_banner_code: 220, starttls_offered: false })],
    },
    expect: domainRow({
      status: "no_starttls",
      mx_hosts: [MX],
      mx_priorities: [10],
      mx_primary_hosts: [MX],
      forced_tls_eligible: false,
      hosts_total: 1,
    }),
  },
  {
    name: "Forced TLS: a primary whose STARTTLS handshake fails makes it false",
    input: {
      d: discovery("mx", [mxHost(MX, 10)]),
      rows: [
        row({
          smtp_banner_code: 220,
          starttls_offered: true,
          starttls_reply_code: 220,
          starttls_ok: false,
          ...failed("tls_alert", "tls_handshake"),
        }),
      ],
    },
    expect: domainRow({
      status: "tls_failed",
      mx_hosts: [MX],
      mx_priorities: [10],
      mx_primary_hosts: [MX],
      forced_tls_eligible: false,
      hosts_total: 1,
    }),
  },
  {
    name: "Forced TLS: a fully inventoried valid host makes it true",
    input: { d: discovery("mx", [mxHost(MX, 10)]), rows: [row(FULL_A)] },
    expect: domainRow({
      status: "valid",
      mx_hosts: [MX],
      mx_priorities: [10],
      mx_primary_hosts: [MX],
      cert_name_matches_domain: false,
      grade: "A",
      forced_tls_eligible: true,
      hosts_total: 1,
      hosts_ok: 1,
    }),
  },
];

describe("verdict", () => {
  for (const { name, input, expect: want } of hostCases)
    it(`host status - ${name}`, () => {
      expect(hostStatus(row(input))).toBe(want);
    });

  for (const { name, input, expect: want } of domainHostCases)
    it(`host status for domain - ${name}`, () => {
      const r = row(input);
      expect({ host: hostStatus(r), domain: hostStatusForDomain(r, DOMAIN) }).toEqual(want);
    });

  for (const { name, input, expect: want } of certFieldCases)
    it(`cert fields - ${name}`, () => {
      const r = row(input);
      expect({ trustedInDate: certTrustedInDate(r), namesDomain: certNamesDomain(r, DOMAIN) }).toEqual(want);
    });

  for (const { name, input, expect: want } of primaryCases)
    it(`domain status from primaries - ${name}`, () => {
      const rows = input.map((s, i) => P(s, `mx${i}.example.org`));
      expect(rows.map((r) => r.status)).toEqual(input); // the fixtures have the status they claim
      expect(domainStatusFromPrimaries(rows, DOMAIN)).toBe(want);
    });

  it("domain status from primaries - a certificate naming the domain makes the domain valid", () => {
    const r = row(FOR_DOMAIN);
    expect(hostStatus(r)).toBe("cert_invalid");
    expect(domainStatusFromPrimaries([r], DOMAIN)).toBe("valid");
    expect(domainStatusFromPrimaries([r], "other.example")).toBe("cert_invalid");
  });
});

describe("domain result", () => {
  for (const { name, input, expect: want } of domainCases)
    it(`build domain row - ${name}`, () => {
      // These rows carry no DANE data (never looked up): the MX answer's DNSSEC state is all DANE says here.
      const withMx = input.d.kind === "mx" || input.d.kind === "implicit";
      const primaries = new Set(primaryHosts(input.d));
      const primaryRows = input.rows.filter((r) => primaries.has(r.hostname)).length;
      const dane = {
        dnssec_mx: withMx ? (input.d.ad ? "secure" : "insecure") : null,
        dane_status: withMx && primaryRows > 0 ? (input.d.ad ? null : "none") : null,
        dane_single_record_note: false,
        dane_hosts_total: primaryRows,
        dane_hosts_valid: 0,
      };
      expect(buildDomainRow(input.d, input.rows, AT, 1234)).toEqual({ ...want, ...dane });
    });

  it("build domain row - mx_providers: the primary hosts' providers, each once, sorted; backups and IP literals add none", () => {
    const d = discovery("mx", [
      mxHost("mx1.google.com", 10),
      mxHost("aspmx.l.google.com", 10),
      mxHost("mail.example.co.uk", 10),
      mxHost("[192.0.2.9]", 10, { addresses: [], ipLiteral: true, failure: "mx_ip_literal" }),
      mxHost("backup.outlook.com", 20),
    ]);
    expect(buildDomainRow(d, [], AT, 1).mx_providers).toEqual(["example.co.uk", "google.com"]);
  });

  it("build domain row - rank: given by scan, null by default (check)", () => {
    const d = discovery("mx", [mxHost(MX, 10)]);
    expect(buildDomainRow(d, [], AT, 1).rank).toBeNull();
    expect(buildDomainRow(d, [], AT, 1, { facts: null, list: null }, 42).rank).toBe(42);
  });

  const primaryHostCases: { name: string; input: MxHost[]; expect: string[] }[] = [
    { name: "no hosts", input: [], expect: [] },
    { name: "lowest preference only", input: [mxHost("b", 20), mxHost("a", 10)], expect: ["a"] },
    {
      name: "ties kept in order",
      input: [mxHost("a", 10), mxHost("b", 10), mxHost("c", 30)],
      expect: ["a", "b"],
    },
    { name: "preference 0", input: [mxHost("z", 0), mxHost("y", 1)], expect: ["z"] },
  ];
  for (const { name, input, expect: want } of primaryHostCases)
    it(`primary hosts - ${name}`, () => {
      expect(primaryHosts(discovery("mx", input))).toEqual(want);
    });

  const unresolvedCases: { name: string; input: MxHost; expect: Partial<HostRow> }[] = [
    {
      name: "NXDOMAIN",
      input: mxHost(MX, 10, {
        addresses: [],
        rcode: "NXDOMAIN",
        failure: "dns_nxdomain",
        detail: "A: NXDOMAIN",
      }),
      expect: {
        hostname: MX,
        ip: null,
        port: 25,
        status: "dns_failed",
        failure: "dns_nxdomain",
        failure_phase: "resolve",
        failure_detail: "A: NXDOMAIN",
        dns_rcode: "NXDOMAIN",
      },
    },
    {
      name: "no failure recorded becomes dns_no_address",
      input: mxHost(MX, 10, { addresses: [], cnames: ["c.example.net"] }),
      expect: {
        hostname: MX,
        ip: null,
        status: "dns_failed",
        failure: "dns_no_address",
        failure_phase: "resolve",
        failure_detail: null,
        dns_rcode: "NOERROR",
        hostname_cnames: ["c.example.net"],
      },
    },
    {
      name: "IP literal",
      input: mxHost("[192.0.2.9]", 10, { addresses: [], ipLiteral: true, failure: "mx_ip_literal" }),
      expect: {
        hostname: "[192.0.2.9]",
        status: "dns_failed",
        failure: "mx_ip_literal",
        failure_phase: "resolve",
      },
    },
  ];
  for (const { name, input, expect: want } of unresolvedCases)
    it(`unresolved host row - ${name}`, () => {
      const r = unresolvedHostRow(input, 25, AT);
      expect(r).toMatchObject(want);
      expect(r.probed_at).toBe("2025-01-02T03:04:05.000Z");
    });

  const B_HOST: Partial<HostRow> = { ...FULL_A, nist_r1_ok: false };
  const gradeReasonCases: {
    name: string;
    input: { rows: HostRow[]; enforced?: boolean | null; recommendations?: string[] };
    expect: ReturnType<typeof domainGradeReason>;
  }[] = [
    {
      name: "the worst primary host decides",
      input: { rows: [row(FULL_A, "a.example.org"), row(B_HOST, "b.example.org")] },
      expect: { grade: "B", host_grade: "B", worst_hosts: ["b.example.org"], lowered_by: [] },
    },
    {
      name: "every host alike: all of them are named",
      input: { rows: [row(FULL_A, "a.example.org"), row(FULL_A, "b.example.org")] },
      expect: {
        grade: "A",
        host_grade: "A",
        worst_hosts: ["a.example.org", "b.example.org"],
        lowered_by: [],
      },
    },
    {
      name: "a major domain-level finding lowers it two letters below every host",
      input: { rows: [row(FULL_A)], recommendations: ["mta_sts_mx_failing", "publish_tls_rpt"] },
      expect: { grade: "C", host_grade: "A", worst_hosts: [MX], lowered_by: ["mta_sts_mx_failing"] },
    },
    {
      name: "minor and info findings do not lower it",
      input: { rows: [row(FULL_A)], recommendations: ["fix_mta_sts", "publish_tls_rpt"] },
      expect: { grade: "A", host_grade: "A", worst_hosts: [MX], lowered_by: [] },
    },
    {
      name: "an ungraded host (--depth basic): no grade",
      input: { rows: [row(FULL_A, "a.example.org"), row(GOOD_TLS, "b.example.org")] },
      expect: { grade: null, host_grade: null, worst_hosts: [], lowered_by: [] },
    },
  ];
  for (const { name, input, expect: want } of gradeReasonCases)
    it(`domain grade reason - ${name}`, () => {
      expect(domainGradeReason(input.rows, input.enforced ?? null, input.recommendations ?? [], AT)).toEqual(
        want,
      );
    });
});
