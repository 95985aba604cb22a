/**
 * The DNS and HTTPS facts of a mail domain's transport policies, gathered at once:
 * - `_mta-sts.<domain>` TXT (RFC 8461 §3.1),
 * - `_smtp._tls.<domain>` TXT (RFC 8460 §3),
 * - the MTA-STS policy fetch (worker/probes/mta-sts-fetch.ts), always attempted so that a policy served
 *   without a TXT record is seen too.
 * Plain data only: shared/policy/mta-sts.ts and shared/policy/tls-rpt.ts turn these facts (plus the MX host
 * rows) into the domain row's columns, and can do so again from storage.
 */

import type { DomainPolicyFacts } from "../../shared/policy/domain-policy-facts.js";
import { txtLookupFromAnswer } from "../../shared/policy/txt-record.js";
import { fetchMtaStsPolicy, type PolicyFetchContext } from "./mta-sts-fetch.js";

export type { DomainPolicyFacts };

export async function probeDomainPolicies(
  domain: string,
  ctx: PolicyFetchContext,
): Promise<DomainPolicyFacts> {
  const [sts, rpt, fetch] = await Promise.all([
    ctx.dns.query(`_mta-sts.${domain}`, "TXT"),
    ctx.dns.query(`_smtp._tls.${domain}`, "TXT"),
    fetchMtaStsPolicy(domain, ctx),
  ]);
  return {
    mta_sts_txt: txtLookupFromAnswer(sts),
    tls_rpt_txt: txtLookupFromAnswer(rpt),
    mta_sts_fetch: fetch,
  };
}
