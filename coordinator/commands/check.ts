/**
 * `mxsurvey check DOMAIN...`: the single-domain check end to end. Text per domain and MX host, or `--json`:
 * one `{"domain": <domain row>, "hosts": [<host rows>]}` per line. Exit 0 when the checks ran, whatever they
 * found; 2 on bad usage; 3 when no DNS resolver answers any query at all.
 */

import { CheckRun, type DomainResult } from "../check/run-check.js";
import { inProcessDeps } from "../deps.js";
import { domainArgument } from "../ingest/normalize.js";
import {
  type CheckArgs,
  dnsClient,
  ehloNameWarning,
  NoResolverError,
  type PolicyArgs,
  resolveEhloName,
  UsageError,
} from "../options.js";
import { renderDomain } from "../render/text.js";

export interface OutputArgs {
  json: boolean;
  color?: boolean | undefined;
  verbose?: boolean | undefined;
}

/**
 * A one-line progress report on stderr while domains run, for a terminal only: domains done, probes done, and
 * the domain output is waiting for. Cleared before each domain is printed, so the two never interleave.
 */
class CheckProgress {
  private timer: NodeJS.Timeout | null = null;
  private shown = false;
  private last = "";
  done = 0;
  waitingFor = "";

  constructor(
    private readonly err: NodeJS.WriteStream,
    private readonly total: number,
    private readonly run: CheckRun,
  ) {
    this.timer = setInterval(() => this.draw(), 250);
    this.timer.unref();
  }

  private draw(): void {
    const line = `checking: ${this.done} of ${this.total} domains done, ${this.run.probesDone} of ${this.run.probesStarted} (MX host, IP) probes done${this.waitingFor ? `; waiting for ${this.waitingFor}` : ""}`;
    const width = Math.max(20, (this.err.columns || 100) - 1);
    const text = line.length > width ? `${line.slice(0, width - 1)}…` : line;
    if (this.shown && text === this.last) return;
    this.err.write(`\r\x1b[K${text}`);
    this.last = text;
    this.shown = true;
  }

  clear(): void {
    if (this.shown) this.err.write("\r\x1b[K");
    this.shown = false;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.clear();
  }
}

/**
 * Check the domains given, sharing work between them (CheckRun): every domain starts at once (up to
 * DOMAIN_LANES), and each is printed as soon as it and every domain before it are done — the output keeps the
 * order the domains were given. A domain whose resolver never answered gets its own dns_error row; only when no
 * resolver answered any query of the whole invocation does check exit 3 (NoResolverError) with no rows.
 */
export async function runCheck(
  domains: string[],
  args: CheckArgs & PolicyArgs & OutputArgs,
  out: NodeJS.WritableStream,
  err: NodeJS.WriteStream = process.stderr,
): Promise<void> {
  // The rules of a scan's list (IDN to A-labels; addresses, single labels, underscores refused).
  const names = domains.map(domainArgument);
  if (names.length === 0) throw new UsageError("give at least one domain");
  const dns = dnsClient(args);
  const deps = inProcessDeps(args, dns);
  const warning = ehloNameWarning(args["ehlo-name"], resolveEhloName(args["ehlo-name"]));
  if (warning) err.write(`mxsurvey: warning: ${warning}\n`);
  const color = args.color ?? (out as { isTTY?: boolean }).isTTY === true;
  const run = new CheckRun(deps);
  const results = run.checkDomains(names);
  // A rejection is only observed when its turn comes (below); don't let it be reported as unhandled before.
  for (const r of results) r.catch(() => {});
  const progress = err.isTTY === true ? new CheckProgress(err, names.length, run) : null;
  try {
    for (const [i, name] of names.entries()) {
      if (progress) progress.waitingFor = name;
      const r = await (results[i] as Promise<DomainResult>);
      if (r.domain.dns_rcode === "TIMEOUT" && !run.dnsAnswered) {
        // Perhaps the resolver is dead; perhaps only this domain's queries go unanswered. The others decide.
        await Promise.allSettled(results);
        if (!run.dnsAnswered) {
          throw new NoResolverError(
            `no DNS resolver answered (${(args.resolver ?? ["/etc/resolv.conf"]).join(", ")}) within ${
              (args["dns-retries"] + 1) * args["dns-timeout"]
            } s`,
          );
        }
      }
      progress?.clear();
      if (progress) progress.done = i + 1;
      out.write(
        args.json
          ? `${JSON.stringify({ domain: r.domain, hosts: r.hosts })}\n`
          : `${renderDomain(r.domain, r.hosts, { color, verbose: args.verbose === true })}\n\n`,
      );
    }
  } finally {
    progress?.stop();
    dns.close();
  }
}
