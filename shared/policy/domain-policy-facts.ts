/** What the domain-policy probe saw for one domain, as plain data (it travels in the scan plan). */

import type { PolicyFetchResult } from "./fetch-result.js";
import type { TxtLookup } from "./txt-record.js";

export interface DomainPolicyFacts {
  mta_sts_txt: TxtLookup;
  tls_rpt_txt: TxtLookup;
  mta_sts_fetch: PolicyFetchResult;
}
