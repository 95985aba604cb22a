/**
 * `mxsurvey probe TARGET...`: probe mail servers directly, without MX discovery — for an operator testing a
 * server before publishing it (like `testssl.sh --starttls smtp host:port`). Same output and host rows as check.
 */

import type { HostRow } from "../../shared/schema/host-row.js";
import { parseProbeTarget, probeTarget } from "../check/run-check.js";
import { inProcessDeps } from "../deps.js";
import {
  type CheckArgs,
  dnsClient,
  ehloNameWarning,
  NoResolverError,
  resolveEhloName,
  smtpPort,
  UsageError,
} from "../options.js";
import { renderHost } from "../render/text.js";
import type { OutputArgs } from "./check.js";

export async function runProbe(
  targets: string[],
  args: CheckArgs & OutputArgs,
  out: NodeJS.WritableStream,
  err: NodeJS.WritableStream = process.stderr,
): Promise<void> {
  if (targets.length === 0)
    throw new UsageError("give at least one target: host, ip, host:port or [ipv6]:port");
  const defaultPort = smtpPort(args);
  const parsed = targets.map((t) => {
    const p = parseProbeTarget(t, defaultPort);
    if ("error" in p) throw new UsageError(p.error);
    return p;
  });
  const dns = dnsClient(args);
  const deps = inProcessDeps(args, dns);
  const warning = ehloNameWarning(args["ehlo-name"], resolveEhloName(args["ehlo-name"]));
  if (warning) err.write(`mxsurvey: warning: ${warning}\n`);
  const color = args.color ?? (out as { isTTY?: boolean }).isTTY === true;
  try {
    // Targets run in parallel, up to --concurrency at once (a host-name target's addresses share its slot and
    // are bounded by the same limit inside probeTarget); rows are written in the order the targets were given.
    const results: Promise<HostRow[]>[] = [];
    const started: (() => void)[] = [];
    let next = 0;
    const launch = (): void => {
      const i = next++;
      if (i < parsed.length) started[i]!();
    };
    for (const t of parsed) {
      results.push(
        new Promise<void>((resolve) => started.push(resolve)).then(() =>
          probeTarget(t, deps).finally(launch),
        ),
      );
    }
    // A rejection is only observed when its turn comes (below); don't let it be reported as unhandled before.
    for (const r of results) r.catch(() => {});
    for (let k = 0; k < Math.min(deps.concurrency, parsed.length); k++) launch();
    for (const [i, t] of parsed.entries()) {
      const rows = await results[i]!;
      if (rows.length === 1 && rows[0]!.dns_rcode === "TIMEOUT") {
        throw new NoResolverError(`no DNS resolver answered for ${t.host}`);
      }
      for (const r of rows)
        out.write(
          args.json
            ? `${JSON.stringify(r)}\n`
            : `${renderHost(r, { color, verbose: args.verbose === true })}\n\n`,
        );
    }
  } finally {
    dns.close();
  }
}
