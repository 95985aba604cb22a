/**
 * MTA-STS for one mail domain (RFC 8461), evaluated from stored facts: the `_mta-sts.<domain>` TXT lookup, the
 * policy fetch result and the domain's MX host rows. Pure: recomputable from what a scan stored.
 *
 * `mta_sts_status` is about the policy itself:
 * - none: no `v=STSv1` TXT record (senders never look for a policy);
 * - valid: one well-formed TXT record, the policy fetched by the rules of §3.3 and well-formed (§3.2);
 * - invalid: anything else once a TXT record exists (or the TXT lookup failed): `mta_sts_error` says what,
 *   from one closed vocabulary — TXT errors (`txt_*`), fetch failures (shared/policy/fetch-result.ts) and
 *   policy syntax errors (`policy_*`), the first that applies in that order.
 * How the MX hosts fare against a valid policy in enforce or testing mode (§4.1, §4.2) is reported beside it:
 * - `mta_sts_mx_mismatch`: MX hosts no `mx` pattern matches (a sender honouring an enforce policy would not
 *   deliver to them);
 * - `mta_sts_mx_failing`: matching MX hosts where STARTTLS or the certificate fails the policy's requirements
 *   (shared/policy/mx-tls.ts): a sender honouring the policy would fail to deliver there.
 * Warnings (closed vocabulary): testing mode; max_age below one day under enforce; a TXT record whose policy
 * could not be fetched; a policy served without a TXT record (senders never find it).
 */

import type { PolicyFetchFailure, PolicyFetchResult } from "./fetch-result.js";
import { POLICY_FETCH_FAILURES } from "./fetch-result.js";
import {
  MTA_STS_POLICY_ERRORS,
  type MtaStsPolicyError,
  mxMatchesAny,
  parseMtaStsPolicy,
} from "./mta-sts-policy.js";
import { MTA_STS_TXT_ERRORS, type MtaStsTxtError, mtaStsTxtFromLookup } from "./mta-sts-txt.js";
import { failingHosts, hostNames, type PolicyHostFacts } from "./mx-tls.js";
import type { TxtLookup } from "./txt-record.js";

export const MTA_STS_STATUSES = ["none", "valid", "invalid"] as const;
export type MtaStsStatus = (typeof MTA_STS_STATUSES)[number];

/** Every value `mta_sts_error` can take. */
export const MTA_STS_ERRORS = [
  ...MTA_STS_TXT_ERRORS,
  ...POLICY_FETCH_FAILURES,
  ...MTA_STS_POLICY_ERRORS,
] as const;
export type MtaStsError = MtaStsTxtError | PolicyFetchFailure | MtaStsPolicyError;

export const MTA_STS_WARNINGS = [
  "testing_mode", // the policy is valid but only asks for reports (mode testing)
  "max_age_short", // enforce with max_age below 86400 s: senders forget the policy within a day
  "txt_without_policy", // a v=STSv1 TXT record, but no policy could be fetched
  "policy_without_txt", // a policy is served but no TXT record announces it: senders never fetch it
] as const;
export type MtaStsWarning = (typeof MTA_STS_WARNINGS)[number];

/** One day: the shortest max_age we do not warn about under enforce. */
export const MTA_STS_MIN_GOOD_MAX_AGE = 86_400;

/** The MTA-STS columns of the domain row. */
export interface MtaStsFields {
  mta_sts_status: MtaStsStatus;
  /** The policy's mode when its file parsed that far (also when invalid for another reason), else null. */
  mta_sts_mode: string | null;
  /** The TXT record's id when the record is valid, else null. */
  mta_sts_id: string | null;
  mta_sts_max_age: number | null;
  /** The policy's mx patterns (lower case) as far as they parsed. */
  mta_sts_mx_patterns: string[];
  /** MX hosts no pattern matches (valid policy in enforce or testing mode only). */
  mta_sts_mx_mismatch: string[];
  /** Matching MX hosts a policy-honouring sender would refuse (valid policy in enforce or testing mode only). */
  mta_sts_mx_failing: string[];
  mta_sts_error: MtaStsError | null;
}

export interface MtaStsEvaluation extends MtaStsFields {
  warnings: MtaStsWarning[];
  /** For people: what the error or the fetch saw; null when there is nothing to say. */
  detail: string | null;
}

export interface MtaStsInput {
  /** The lookup of `_mta-sts.<domain>` TXT. */
  txt: TxtLookup;
  /** The fetch of the policy (done whether or not a TXT record exists, so policy_without_txt can be seen). */
  fetch: PolicyFetchResult;
  /** The domain's MX host rows (one per host and address; every MX host, primary or not). */
  hosts: readonly PolicyHostFacts[];
}

export function evaluateMtaSts(input: MtaStsInput): MtaStsEvaluation {
  const txt = mtaStsTxtFromLookup(input.txt);
  const { fetch } = input;
  const parsed = fetch.ok && fetch.body !== null ? parseMtaStsPolicy(fetch.body) : null;
  const out: MtaStsEvaluation = {
    mta_sts_status: "none",
    mta_sts_mode: null,
    mta_sts_id: null,
    mta_sts_max_age: null,
    mta_sts_mx_patterns: [],
    mta_sts_mx_mismatch: [],
    mta_sts_mx_failing: [],
    mta_sts_error: null,
    warnings: [],
    detail: null,
  };

  if (txt.status === "none") {
    // Only a well-formed policy counts: a catch-all web server answering 200 text/plain is not a policy.
    if (parsed?.ok) {
      out.warnings.push("policy_without_txt");
      out.detail = `a policy is served at ${fetch.url} but _mta-sts has no v=STSv1 TXT record`;
    }
    return out;
  }

  // From here on a TXT record exists (or its lookup failed): the policy is valid or invalid.
  if (txt.status === "valid") out.mta_sts_id = txt.id;
  if (parsed) {
    const facts = parsed.ok ? parsed.policy : parsed.partial;
    out.mta_sts_mode = facts.mode;
    out.mta_sts_max_age = facts.max_age;
    out.mta_sts_mx_patterns = [...facts.mx];
  } else if (txt.status === "valid") {
    out.warnings.push("txt_without_policy");
  }

  if (txt.status === "invalid") {
    out.mta_sts_status = "invalid";
    out.mta_sts_error = txt.error;
    out.detail = txt.detail;
    return out;
  }
  if (!fetch.ok || !parsed) {
    out.mta_sts_status = "invalid";
    out.mta_sts_error = fetch.failure ?? "unknown_failure";
    out.detail = fetch.detail ?? `policy fetch from ${fetch.url} failed`;
    return out;
  }
  if (!parsed.ok) {
    out.mta_sts_status = "invalid";
    out.mta_sts_error = parsed.error;
    out.detail = parsed.problems.map((p) => p.detail).join("; ");
    return out;
  }

  const policy = parsed.policy;
  out.mta_sts_status = "valid";
  if (policy.mode === "testing") out.warnings.push("testing_mode");
  if (policy.mode === "enforce" && policy.max_age < MTA_STS_MIN_GOOD_MAX_AGE)
    out.warnings.push("max_age_short");
  if (policy.mode === "none") return out;

  const names = hostNames(input.hosts);
  out.mta_sts_mx_mismatch = names.filter((h) => !mxMatchesAny(h, policy.mx));
  const matching = new Set(names.filter((h) => mxMatchesAny(h, policy.mx)));
  out.mta_sts_mx_failing = failingHosts(input.hosts, matching);
  return out;
}

/** A valid policy in enforce mode that every MX host matches and passes: what a grade of A+ asks for. */
export function mtaStsEnforcedAndHonoured(f: MtaStsFields): boolean {
  return (
    f.mta_sts_status === "valid" &&
    f.mta_sts_mode === "enforce" &&
    f.mta_sts_mx_mismatch.length === 0 &&
    f.mta_sts_mx_failing.length === 0
  );
}

/** A valid enforce policy its own MX hosts fail (mismatch or failing TLS): mail to the domain may bounce. */
export function mtaStsEnforcedButBroken(f: MtaStsFields): boolean {
  return (
    f.mta_sts_status === "valid" &&
    f.mta_sts_mode === "enforce" &&
    (f.mta_sts_mx_mismatch.length > 0 || f.mta_sts_mx_failing.length > 0)
  );
}
