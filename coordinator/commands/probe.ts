/**
 * `mxsurvey probe TARGET...`: probe mail servers directly, without MX discovery — for an operator testing a
 * server before publishing it (like `testssl.sh --starttls smtp host:port`). Same output and host rows as check.
 */

import { createProbeSecureContext } from "../../worker/api.js";
import { type CheckDeps, parseProbeTarget, probeTarget } from "../check/run-check.js";
import { type CheckArgs, concurrency, dnsClient, mxOptions, probeSettings, UsageError } from "../options.js";
import { renderHost } from "../render/text.js";
import { NoResolverError, type OutputArgs } from "./check.js";

export async function runProbe(
  targets: string[],
  args: CheckArgs & OutputArgs,
  out: NodeJS.WritableStream,
): Promise<void> {
  if (targets.length === 0)
    throw new UsageError("give at least one target: host, ip, host:port or [ipv6]:port");
  const settings = probeSettings(args);
  const parsed = targets.map((t) => {
    const p = parseProbeTarget(t, settings.smtpPort);
    if ("error" in p) throw new UsageError(p.error);
    return p;
  });
  const dns = dnsClient(args);
  const deps: CheckDeps = {
    dns,
    mx: mxOptions(args),
    probe: { settings, secureContext: createProbeSecureContext(settings.caPem) },
    concurrency: concurrency(args),
  };
  const color = args.color ?? (out as { isTTY?: boolean }).isTTY === true;
  try {
    for (const t of parsed) {
      const rows = await probeTarget(t, deps);
      if (rows.length === 1 && rows[0]!.dns_rcode === "TIMEOUT") {
        throw new NoResolverError(`no DNS resolver answered for ${t.host}`);
      }
      for (const r of rows)
        out.write(args.json ? `${JSON.stringify(r)}\n` : `${renderHost(r, { color })}\n\n`);
    }
  } finally {
    dns.close();
  }
}
