/**
 * Did the scan's resolvers answer? An MX lookup that ended in a timeout or REFUSED (after every retry, across
 * every resolver) got no answer about the domain: that is the resolvers' failure, not a fact about the domain.
 * SERVFAIL is not counted: a recursive resolver says it for the domain's own broken servers or DNSSEC.
 *
 * When no MX lookup got an answer at all, the scan fails (exit 3, state `failed`): publishing its dns_error
 * verdicts would read as a survey of domains that all have broken DNS. When only some lookups went unanswered,
 * the scan goes on and the summary counts them.
 */

import type { MxDiscovery } from "../../shared/dns/mx.js";

const RESOLVER_RCODES: ReadonlySet<string> = new Set(["TIMEOUT", "REFUSED"]);

/** The MX lookup got no answer from the resolvers (timeout or REFUSED). */
export function unansweredByResolvers(d: Pick<MxDiscovery, "kind" | "rcode">): boolean {
  return d.kind === "error" && RESOLVER_RCODES.has(d.rcode);
}

export interface ResolverHealth {
  /** MX lookups made (one per domain). */
  lookups: number;
  /** Of which the resolvers never answered. */
  unanswered: number;
  /** Why the scan must fail, or null when at least one lookup was answered (or there were none). */
  failure: string | null;
}

/** `resolvers`: the resolvers asked, named in the failure reason. */
export function resolverHealth(
  discoveries: Iterable<Pick<MxDiscovery, "kind" | "rcode">>,
  resolvers: readonly string[],
): ResolverHealth {
  const tally = new ResolverHealthTally();
  for (const d of discoveries) tally.add(d);
  return tally.result(resolvers);
}

/** The judgement gathered one MX discovery at a time, as a streaming scan plans. */
export class ResolverHealthTally {
  private lookups = 0;
  private unanswered = 0;

  add(d: Pick<MxDiscovery, "kind" | "rcode">): void {
    this.lookups++;
    if (unansweredByResolvers(d)) this.unanswered++;
  }

  result(resolvers: readonly string[]): ResolverHealth {
    const { lookups, unanswered } = this;
    const failure =
      lookups > 0 && unanswered === lookups
        ? `no DNS resolver answered: ${unanswered} of ${lookups} MX lookups timed out or were refused${
            resolvers.length > 0 ? ` (resolvers ${resolvers.join(", ")})` : ""
          }`
        : null;
    return { lookups, unanswered, failure };
  }
}
