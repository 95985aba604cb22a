/**
 * `mxsurvey check DOMAIN...`: the single-domain check end to end. Text per domain and MX host, or `--json`:
 * one `{"domain": <domain row>, "hosts": [<host rows>]}` per line. Exit 0 when the checks ran, whatever they
 * found; 2 on bad usage; 3 when no DNS resolver answers at all.
 */

import { checkDomain, type DomainResult } from "../check/run-check.js";
import { inProcessDeps } from "../deps.js";
import { domainArgument } from "../ingest/normalize.js";
import { type CheckArgs, dnsClient, NoResolverError, type PolicyArgs, UsageError } from "../options.js";
import { renderDomain } from "../render/text.js";

export interface OutputArgs {
  json: boolean;
  color?: boolean | undefined;
}

export async function runCheck(
  domains: string[],
  args: CheckArgs & PolicyArgs & OutputArgs,
  out: NodeJS.WritableStream,
): Promise<void> {
  // The rules of a scan's list (IDN to A-labels; addresses, single labels, underscores refused).
  const names = domains.map(domainArgument);
  if (names.length === 0) throw new UsageError("give at least one domain");
  const dns = dnsClient(args);
  const deps = inProcessDeps(args, dns);
  const color = args.color ?? (out as { isTTY?: boolean }).isTTY === true;
  // Domains run concurrently (each bounded by its own probes' deadlines); output keeps the order given.
  const pending = names.map(() => null as Promise<DomainResult> | null);
  const start = (i: number) => {
    const name = names[i];
    if (name !== undefined && pending[i] === null) pending[i] = checkDomain(name, deps);
  };
  const lookahead = Math.max(1, Math.min(names.length, Math.ceil(deps.concurrency / 2)));
  for (let i = 0; i < lookahead; i++) start(i);
  let answered = false;
  try {
    for (let i = 0; i < names.length; i++) {
      start(i);
      const r = await (pending[i] as Promise<DomainResult>);
      start(i + lookahead);
      if (r.domain.dns_rcode !== "TIMEOUT") answered = true;
      else if (!answered) {
        throw new NoResolverError(
          `no DNS resolver answered (${(args.resolver ?? ["/etc/resolv.conf"]).join(", ")}) within ${
            (args["dns-retries"] + 1) * args["dns-timeout"]
          } s`,
        );
      }
      out.write(
        args.json
          ? `${JSON.stringify({ domain: r.domain, hosts: r.hosts })}\n`
          : `${renderDomain(r.domain, r.hosts, { color })}\n\n`,
      );
    }
  } finally {
    dns.close();
  }
}
