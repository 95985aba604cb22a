/**
 * DANE verdicts as flat row fields: the host fields (one set per host row, i.e. per MX host and address), the
 * part of the host verdict that DNS alone decides, and the domain aggregation. Everything here works on plain
 * data (the stored facts), so a domain verdict can be recomputed from host rows.
 *
 * Host `dane_status`:
 *   none      no TLSA records (NXDOMAIN or NODATA at every candidate TLSA base domain)
 *   insecure  TLSA records exist but do not count: the TLSA, MX or address answers are not DNSSEC-secure
 *             (RFC 7672 §2.2); a DANE client falls back to opportunistic TLS
 *   bogus     a lookup that decides failed validation (SERVFAIL): a DANE client must not deliver (§2.1.1)
 *   valid     the TLSA records count and one usable record matches the certificates the server presented
 *   invalid   the TLSA records count and none matches (dane_failure says why), or every record is unusable
 *   null      not tested: a lookup timed out, or the records count but no certificate was seen
 *
 * Note on `all_unusable`: RFC 7672 §2.2 says a secure RRset of only unusable records (e.g. PKIX-TA/PKIX-EE)
 * still makes TLS mandatory but authentication not required, so a DANE client delivers over unauthenticated
 * TLS. mxsurvey reports it as `invalid` with dane_failure `all_unusable`: the domain meant to publish DANE and
 * no sender can authenticate it.
 */

import type { DnsRcode } from "../dns/types.js";
import { type DnssecState, dnssecState } from "./dnssec.js";
import type { DaneLookup } from "./lookup.js";
import { assessTlsa, shortTlsa, type TlsaAssessment } from "./tlsa.js";

export const DANE_STATUSES = ["none", "valid", "invalid", "insecure", "bogus"] as const;
export type DaneStatus = (typeof DANE_STATUSES)[number];

/** Why a host's DANE is `invalid`. */
export const DANE_FAILURES = [
  "no_match", // no usable record matches the leaf (DANE-EE) or a certificate of the chain (DANE-TA)
  "ta_chain_invalid", // a DANE-TA record matches a certificate the server sent, but the leaf does not chain to it
  "ta_expired", // the DANE-TA path verifies, but a certificate on it is expired or not yet valid
  "ta_name_mismatch", // the DANE-TA path verifies, but the leaf names none of the reference identifiers
  "all_unusable", // the secure RRset holds only unusable records (see the note above)
  "no_starttls", // the records count but the server does not offer STARTTLS (RFC 7672 §2.2: TLS is mandatory)
  "no_certificate", // TLS completed without a server certificate (an anonymous cipher)
] as const;
export type DaneFailure = (typeof DANE_FAILURES)[number];

/** The DANE columns of a host row. */
export interface DaneHostFields {
  dane_status: DaneStatus | null;
  dane_failure: DaneFailure | null;
  /** The deciding TLSA RRset, compact form (`3 1 1 <hex>`), in answer order; [] when none. */
  dane_tlsa: string[];
  /** The record that authenticated the server, compact form; null unless valid. */
  dane_matched: string | null;
  /** The records of dane_tlsa that are unusable for SMTP (unknown values, bad data, PKIX-TA/PKIX-EE). */
  dane_unusable: string[];
  /** The TLSA base domain the records were found at (the MX host, or its secure CNAME expansion). */
  dane_base_domain: string | null;
  /** Exactly one usable record: no key or certificate rollover is possible without a window of failure. */
  dane_single_record_note: boolean;
  dane_dnssec_mx: DnssecState | null;
  /** The host's address records (see DaneLookup.hostState). */
  dane_dnssec_addr: DnssecState | null;
  dane_dnssec_tlsa: DnssecState | null;
  /** For people: why this status, with record-by-record notes. */
  dane_detail: string | null;
}

/** The DANE fields of a host that was not looked up (an IP-literal MX, a probe without DANE). */
export function emptyDaneFields(): DaneHostFields {
  return {
    dane_status: null,
    dane_failure: null,
    dane_tlsa: [],
    dane_matched: null,
    dane_unusable: [],
    dane_base_domain: null,
    dane_single_record_note: false,
    dane_dnssec_mx: null,
    dane_dnssec_addr: null,
    dane_dnssec_tlsa: null,
    dane_detail: null,
  };
}

export type DaneDnsVerdict =
  /** DNS alone decides (none, insecure, bogus, not tested, or invalid because every record is unusable). */
  | { decided: true; fields: DaneHostFields }
  /** The records count: the certificates decide, against these usable records. */
  | { decided: false; fields: DaneHostFields; usable: TlsaAssessment[] };

const PRECONDITION_RFC = { mx: "RFC 7672 §2.2.1", host: "RFC 7672 §2.2.2-2.2.3" } as const;

/** What the DNS answers alone say about a host's DANE. */
export function daneDnsVerdict(lookup: DaneLookup): DaneDnsVerdict {
  const t = lookup.tlsa;
  const assessed = t.records.map((r) => assessTlsa(r));
  const usable = assessed.filter((a) => a.usable);
  const fields: DaneHostFields = {
    ...emptyDaneFields(),
    dane_tlsa: assessed.map((a) => a.text),
    dane_unusable: assessed.filter((a) => !a.usable).map((a) => a.text),
    dane_base_domain: t.outcome === "records" ? t.base : null,
    dane_single_record_note: usable.length === 1,
    dane_dnssec_mx: lookup.mx?.state ?? null,
    dane_dnssec_addr: lookup.hostState,
    dane_dnssec_tlsa: t.state,
  };
  const done = (status: DaneStatus | null, detail: string, failure: DaneFailure | null = null) => ({
    decided: true as const,
    fields: { ...fields, dane_status: status, dane_failure: failure, dane_detail: detail },
  });
  const where = t.cnames.length > 0 ? `${t.name} (CNAME to ${t.cnames.join(" → ")})` : t.name;

  // The MX answer, then the host's addresses: DANE applies only when both are secure.
  const pre: [keyof typeof PRECONDITION_RFC, string, DnssecState | null][] = [
    ["mx", "the MX answer", lookup.mx?.state ?? null],
    ["host", `the address records of ${lookup.hostname}`, lookup.hostState],
  ];
  for (const [key, what, state] of pre) {
    if (state === null || state === "secure") continue;
    if (state === "bogus") return done("bogus", `${what} failed DNSSEC validation (SERVFAIL)`);
    if (state === "indeterminate") return done(null, `${what} could not be obtained: DANE not tested`);
    if (t.outcome === "none") return done("none", `no TLSA records at ${where}`);
    return done(
      "insecure",
      `${what} is not DNSSEC-secure: TLSA records at ${where} do not count (${PRECONDITION_RFC[key]})` +
        (t.outcome === "error" ? `; the TLSA lookup itself failed (${t.rcode})` : ""),
    );
  }
  if (t.outcome === "error") {
    return t.state === "bogus"
      ? done("bogus", `TLSA lookup of ${where} failed: SERVFAIL (bogus, RFC 7672 §2.1.1)`)
      : done(null, `TLSA lookup of ${where} failed: ${t.rcode}${t.detail ? ` (${t.detail})` : ""}`);
  }
  if (t.outcome === "none") {
    const tried = lookup.tried.map((l) => l.name).join(", ");
    return done("none", `no TLSA records at ${tried} (${t.state} denial)`);
  }
  if (t.state !== "secure") {
    return done("insecure", `TLSA records at ${where} are not DNSSEC-secure (no AD flag): they do not count`);
  }
  if (usable.length === 0) {
    return done(
      "invalid",
      `every TLSA record at ${where} is unusable (${assessed.map((a) => `${shortTlsa(a.record)}: ${a.why}`).join("; ")}); ` +
        "RFC 7672 §2.2: TLS is still mandatory, but authentication is impossible",
      "all_unusable",
    );
  }
  return { decided: false, fields, usable };
}

/** The DANE columns of a domain row. */
export interface DaneDomainFields {
  /** DNSSEC state of the MX answer (for an implicit MX, of its NODATA answer); null without an answer. */
  dnssec_mx: DnssecState | null;
  /** valid only when the MX answer is secure and every primary host row is valid (see daneDomainVerdict). */
  dane_status: DaneStatus | null;
  /** Some primary host has exactly one usable TLSA record (no rollover possible). */
  dane_single_record_note: boolean;
  /** Primary host rows considered, and how many of them have DANE that is valid for this domain. */
  dane_hosts_total: number;
  dane_hosts_valid: number;
}

/** Worst first: a domain is as protected as its least protected primary host. */
const DOMAIN_ORDER: (DaneStatus | null)[] = ["bogus", "invalid", null, "insecure", "none", "valid"];

/**
 * A domain's DANE from its MX answer and the DANE fields of its primary host rows (every address of every
 * MX host with the lowest preference). No host rows → null.
 *
 * The MX answer is applied here, per domain, because one MX host (one host row, probed once in a scan) can be
 * named by a secure MX RRset in one domain and an insecure one in another: host rows may be computed without
 * it (`lookupDane(dns, host, null)`), and then
 * - MX insecure: DANE does not apply (RFC 7672 §2.2.1): `none` when no host has TLSA records, else `insecure`;
 * - MX bogus: `bogus`; MX indeterminate: null (not tested);
 * - MX secure (or no MX answer): `valid` only when every host is valid, otherwise the worst host status by
 *   bogus > invalid > not tested (null) > insecure > none.
 * Host rows computed with the MX answer (`lookupDane(dns, host, mx)`) give the same domain status.
 */
export function daneDomainVerdict(
  mx: { rcode: DnsRcode; ad: boolean } | null,
  primaryHosts: readonly Pick<DaneHostFields, "dane_status" | "dane_single_record_note" | "dane_tlsa">[],
): DaneDomainFields {
  const mxState = mx ? dnssecState(mx) : null;
  const mxSecure = mxState === null || mxState === "secure";
  let status: DaneStatus | null = null;
  if (primaryHosts.length > 0) {
    if (mxState === "insecure") {
      // DANE cannot apply; what matters is whether anyone published TLSA records in vain.
      const none = primaryHosts.every(
        (h) => h.dane_tlsa.length === 0 && (h.dane_status === "none" || h.dane_status === null),
      );
      status = none ? "none" : "insecure";
    } else if (mxState === "bogus") {
      status = "bogus";
    } else if (mxState === "indeterminate") {
      status = null;
    } else {
      let worst = DOMAIN_ORDER.length - 1;
      for (const h of primaryHosts) worst = Math.min(worst, DOMAIN_ORDER.indexOf(h.dane_status));
      status = DOMAIN_ORDER[worst] ?? null;
    }
  }
  return {
    dnssec_mx: mxState,
    dane_status: status,
    dane_single_record_note: primaryHosts.some((h) => h.dane_single_record_note),
    dane_hosts_total: primaryHosts.length,
    dane_hosts_valid: mxSecure ? primaryHosts.filter((h) => h.dane_status === "valid").length : 0,
  };
}
