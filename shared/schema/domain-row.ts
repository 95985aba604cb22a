/**
 * The domain row: one per (scan, mail domain) — the contract for `--json` output, JSONL files and the
 * ClickHouse domains table. Columns are in output order.
 */

import { DNSSEC_STATES } from "../dane/dnssec.js";
import { DANE_STATUSES } from "../dane/verdict.js";
import { DNS_RCODES } from "../dns/types.js";
import { FAILURES } from "../failures.js";
import { MTA_STS_ERRORS, MTA_STS_STATUSES } from "../policy/mta-sts.js";
import { TLS_RPT_ERRORS, TLS_RPT_STATUSES } from "../policy/tls-rpt.js";
import { DOMAIN_STATUSES } from "../status.js";
import { GRADES } from "../tls/grade.js";
import { col, type RowOf, t } from "./columns.js";

export const MX_KINDS = ["mx", "implicit", "null", "none", "error"] as const;
export type MxKind = (typeof MX_KINDS)[number];

export const DOMAIN_COLUMNS = {
  domain: col(t.string(), "mail domain (lower case A-labels, no trailing dot)"),
  rank: col(
    t.nullable(t.uint32()),
    "the domain's rank in the scan's list (Tranco's first field; the first line of a duplicate); null: the list has no ranks, or check",
  ),
  status: col(t.enum(DOMAIN_STATUSES), "domain verdict from its highest-priority MX hosts (see README)"),
  mx_kind: col(
    t.enum(MX_KINDS),
    "mx: MX records; implicit: no MX, the domain's own address (RFC 5321 §5.1); null: null MX (RFC 7505); none: no such domain or nothing to deliver to; error: the lookup failed",
  ),
  mx_hosts: col(t.array(t.string()), "MX host names in preference order"),
  mx_priorities: col(t.array(t.uint16()), "MX preferences, aligned with mx_hosts"),
  mx_primary_hosts: col(
    t.array(t.string()),
    "the hosts with the lowest preference value: they decide the verdict",
  ),
  mx_providers: col(
    t.array(t.string()),
    "the providers of the primary MX hosts (their registrable domains, see the host row's provider), each once, sorted",
  ),
  mx_cname_hosts: col(
    t.array(t.string()),
    "MX targets that are CNAMEs (RFC 5321 §5.1 says they should not be)",
  ),
  mx_ip_literals: col(
    t.array(t.string()),
    "MX targets that are IP address literals (not allowed; not probed)",
  ),
  mx_truncated: col(t.bool(), "more MX records than --max-mx; the rest were not probed"),
  dns_rcode: col(t.enum(DNS_RCODES), "rcode of the MX lookup"),
  dns_failure: col(
    t.nullable(t.enum(FAILURES)),
    "the MX lookup's failure name, when mx_kind is error or none",
  ),
  mx_ad: col(t.bool(), "the MX answer had the AD flag (validated by a DNSSEC-validating resolver)"),
  cert_name_matches_domain: col(
    t.nullable(t.bool()),
    "every primary MX host that presented a certificate names the mail domain (null: no certificate seen)",
  ),
  grade: col(t.nullable(t.enum(GRADES)), "the worst grade of the highest-priority MX hosts (LuxSci's rule)"),
  forced_tls_eligible: col(
    t.nullable(t.bool()),
    "LuxSci's Forced TLS rule: every MX host supports TLS, TLS 1.0 and/or 1.2, and a NIST SP 800-52r1 suite",
  ),
  recommendations: col(
    t.array(t.string()),
    "domain-level codes about MTA-STS, DANE and TLS-RPT (README lists each code's sentence); host codes are on host rows",
  ),
  dnssec_mx: col(
    t.nullable(t.enum(DNSSEC_STATES)),
    "DNSSEC state of the MX answer: secure, insecure, bogus, indeterminate",
  ),
  dane_status: col(
    t.nullable(t.enum(DANE_STATUSES)),
    "DANE for the domain: valid only when the MX answer is secure and every primary MX host has valid DANE",
  ),
  dane_single_record_note: col(t.bool(), "a primary MX host has a single TLSA record (no rollover possible)"),
  dane_hosts_total: col(t.uint16(), "primary MX host rows considered for DANE"),
  dane_hosts_valid: col(t.uint16(), "of those, rows with valid DANE"),
  mta_sts_status: col(
    t.nullable(t.enum(MTA_STS_STATUSES)),
    "MTA-STS (RFC 8461) policy itself — TXT, fetch and parse: none, valid, invalid; null: not checked",
  ),
  mta_sts_mode: col(t.nullable(t.string()), "the policy's mode: enforce, testing, none"),
  mta_sts_id: col(t.nullable(t.string()), "the TXT record's id"),
  mta_sts_max_age: col(t.nullable(t.uint32()), "the policy's max_age in seconds"),
  mta_sts_mx_patterns: col(t.array(t.string()), "the policy's mx patterns"),
  mta_sts_mx_mismatch: col(t.array(t.string()), "MX hosts that match no pattern"),
  mta_sts_mx_failing: col(
    t.array(t.string()),
    "matching MX hosts a policy-honouring sender would refuse (no STARTTLS, or a certificate not valid for the host)",
  ),
  mta_sts_error: col(t.nullable(t.enum(MTA_STS_ERRORS)), "why mta_sts_status is invalid"),
  mta_sts_warnings: col(
    t.array(t.string()),
    "testing_mode, max_age_short, txt_without_policy, policy_without_txt",
  ),
  mta_sts_detail: col(t.nullable(t.string()), "what the TXT lookup, fetch or parser saw, for people"),
  tls_rpt_status: col(
    t.nullable(t.enum(TLS_RPT_STATUSES)),
    "TLS-RPT (RFC 8460): none, valid, invalid; null: not checked",
  ),
  tls_rpt_rua: col(t.array(t.string()), "the reporting URIs (mailto: or https:)"),
  tls_rpt_error: col(t.nullable(t.enum(TLS_RPT_ERRORS)), "why tls_rpt_status is invalid"),
  policy_list_listed: col(
    t.nullable(t.bool()),
    "the domain is on the --policy-list (STARTTLS Everywhere); null: no list given",
  ),
  policy_list_mode: col(t.nullable(t.string()), "the listed mode"),
  policy_list_mx_ok: col(
    t.nullable(t.bool()),
    "every MX host matches the listed mxs and, under enforce, passes TLS",
  ),
  policy_list_mismatch: col(t.array(t.string()), "MX hosts no listed mxs entry matches"),
  policy_list_failing: col(t.array(t.string()), "matching MX hosts without valid TLS"),
  hosts_total: col(t.uint16(), "host rows for this domain (one per MX host and address)"),
  hosts_ok: col(
    t.uint16(),
    "host rows that are ok for this domain (a trusted certificate naming the domain counts)",
  ),
  duration_ms: col(t.uint32(), "MX discovery and every probe of this domain"),
  checked_at: col(t.datetime(), "when the check of the domain started"),
  probe_version: col(t.string(), "mxsurvey version that produced the row"),
} as const;

export type DomainRow = RowOf<typeof DOMAIN_COLUMNS>;
