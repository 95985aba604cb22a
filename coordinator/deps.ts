/**
 * The in-process dependencies of check, probe and the embedded scan: the probe's and the policy fetcher's TLS
 * contexts (trust roots), built from the parsed options. Kept apart from options.ts so that parsing the command
 * line loads no probe code.
 */

import type { DnsQuerier } from "../shared/dns/cache.js";
import type { DnsClient } from "../shared/dns/client.js";
import type { ProbeSettings } from "../shared/settings.js";
import {
  createHttpsSecureContext,
  createProbeSecureContext,
  DEFAULT_POLICY_FETCH_SETTINGS,
  type PolicyFetchContext,
} from "../worker/api.js";
import type { CheckDeps } from "./check/run-check.js";
import {
  type CheckArgs,
  concurrency,
  httpsPort,
  loadPolicyList,
  mxOptions,
  type PolicyArgs,
  type ProbeArgs,
} from "./options.js";

export function policyContext(
  a: PolicyArgs & ProbeArgs,
  dns: DnsQuerier,
  settings: ProbeSettings,
): PolicyFetchContext | null {
  if (!a.policies) return null;
  const port = httpsPort(a);
  return {
    dns,
    secureContext: createHttpsSecureContext(settings.caPem),
    settings: {
      ...DEFAULT_POLICY_FETCH_SETTINGS,
      allowPrivateTargets: settings.allowPrivateTargets,
      ipv6: a.ipv6,
      httpsPort: port,
    },
  };
}

/** The in-process dependencies of check and probe (probe passes no policy arguments: no domain policies). */
export function inProcessDeps(
  args: CheckArgs & Partial<PolicyArgs>,
  settings: ProbeSettings,
  dns: DnsClient,
): CheckDeps {
  return {
    dns,
    mx: mxOptions(args),
    probe: { settings, secureContext: createProbeSecureContext(settings.caPem) },
    concurrency: concurrency(args),
    ...(args.policies === undefined
      ? {}
      : {
          policies: policyContext(args as CheckArgs & PolicyArgs, dns, settings),
          policyList: loadPolicyList(args as PolicyArgs),
        }),
  };
}
