/**
 * A scan's parameters: every option that changes what a scan measures, saved when the scan starts (`params` in
 * scan.json and in the ClickHouse `scans` table) under its flag name, with its value in the flag's own units
 * after defaults are applied (the EHLO name and the resolvers as they were resolved, file paths made absolute).
 * `--resume ID` restores them, so a resumed scan measures exactly what it started to; an option given again
 * with another value is refused with a message naming each difference. A CA file or policy list whose content
 * changed since the scan started is refused too (their SHA-256 is saved beside the path).
 *
 * Options that change only how fast a scan runs (threads, concurrency, DNS concurrency, fleet size, ack wait)
 * or where its rows go (--out, --clickhouse, --nats) are not parameters: they may differ on resume.
 */

import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { formatResolver } from "../../shared/dns/client.js";
import type { ProbeParams } from "../../shared/jobs.js";
import type { JsonObject } from "../../shared/schema/columns.js";
import type { ScanRow } from "../../shared/schema/scan-row.js";
import type { ProbeDepth } from "../../shared/settings.js";
import type { ScanArgs } from "../commands/scan-options.js";
import {
  dnsRetries,
  dnsTimeoutMs,
  httpsPort,
  mxOptions,
  probeParams,
  resolvers,
  smtpPort,
  UsageError,
} from "../options.js";

export interface ScanParams {
  depth: ProbeDepth;
  "smtp-port": number;
  "ehlo-name": string;
  "connect-timeout": number;
  "smtp-timeout": number;
  "tls-timeout": number;
  "host-deadline": number;
  "per-host-delay": number;
  resolver: string[];
  "dns-timeout": number;
  "dns-retries": number;
  "ca-file": string[];
  "allow-private-targets": boolean;
  ipv6: boolean;
  "ips-per-host": number;
  "max-mx": number;
  policies: boolean;
  "https-port": number;
  "policy-list": string | null;
  format: string;
  column: string | null;
  top: number | null;
  "list-source": string;
  "list-id": string;
  label: string;
}

/** What is saved: the parameters, fingerprints of the files they name, and the transport the scan runs on. */
export interface SavedScanParams extends ScanParams {
  "ca-file-sha256": string[];
  "policy-list-sha256": string | null;
  mode: "embedded" | "nats";
}

const seconds = (ms: number) => ms / 1000;

/**
 * Each parameter read from the (validated) options. A record over every key of ScanParams: a parameter added
 * to the type must be read here, or this does not compile.
 */
const READ: { [K in keyof ScanParams]: (a: ScanArgs, p: ProbeParams) => ScanParams[K] } = {
  depth: (_a, p) => p.depth,
  "smtp-port": (a) => smtpPort(a),
  "ehlo-name": (_a, p) => p.ehloName,
  "connect-timeout": (_a, p) => seconds(p.connectTimeoutMs),
  "smtp-timeout": (_a, p) => seconds(p.smtpTimeoutMs),
  "tls-timeout": (_a, p) => seconds(p.tlsTimeoutMs),
  "host-deadline": (_a, p) => seconds(p.hostDeadlineMs),
  "per-host-delay": (_a, p) => seconds(p.perHostDelayMs),
  resolver: (a) => resolvers(a.resolver).map(formatResolver),
  "dns-timeout": (a) => seconds(dnsTimeoutMs(a)),
  "dns-retries": (a) => dnsRetries(a),
  "ca-file": (a) => (a["ca-file"] ?? []).map((f) => resolve(f)),
  "allow-private-targets": (a) => a["allow-private-targets"],
  ipv6: (a) => mxOptions(a).ipv6,
  "ips-per-host": (a) => mxOptions(a).ipsPerHost,
  "max-mx": (a) => mxOptions(a).maxMx,
  policies: (a) => a.policies,
  "https-port": (a) => httpsPort(a),
  "policy-list": (a) => (a["policy-list"] ? resolve(a["policy-list"]) : null),
  format: (a) => a.format ?? "auto",
  column: (a) => a.column ?? null,
  top: (a) => a.top ?? null,
  "list-source": (a) => a["list-source"],
  "list-id": (a) => a["list-id"],
  label: (a) => scanLabel(a.label),
};

/** `--label`: a plain name (letters, digits, `.`, `_`, `-`; at most 100), or empty for none. */
export function scanLabel(label: string | undefined): string {
  const v = label ?? "";
  if (!/^[A-Za-z0-9._-]{0,100}$/.test(v))
    throw new UsageError(
      `--label: ${JSON.stringify(v)} is not a plain name (letters, digits, . _ -; at most 100)`,
    );
  return v;
}

export const SCAN_PARAM_FLAGS = Object.keys(READ) as (keyof ScanParams)[];

/** The scan parameters of validated options (throws UsageError on a bad value). */
export function scanParamsOf(a: ScanArgs): ScanParams {
  const p = probeParams(a);
  const out: Partial<Record<keyof ScanParams, unknown>> = {};
  for (const flag of SCAN_PARAM_FLAGS) out[flag] = READ[flag](a, p);
  return out as ScanParams;
}

function sha256File(path: string, flag: string): string {
  try {
    return createHash("sha256").update(readFileSync(path)).digest("hex");
  } catch (err) {
    throw new UsageError(`--${flag} ${path}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** The parameters as saved with the scan. */
export function savedParams(p: ScanParams, mode: SavedScanParams["mode"]): SavedScanParams {
  return {
    ...p,
    "ca-file-sha256": p["ca-file"].map((f) => sha256File(f, "ca-file")),
    "policy-list-sha256": p["policy-list"] ? sha256File(p["policy-list"], "policy-list") : null,
    mode,
  };
}

/** A scan row's saved parameters (scans from before the parameters were saved by flag have none of them). */
export function savedParamsOf(scan: Pick<ScanRow, "params">): Partial<SavedScanParams> {
  const v: unknown = typeof scan.params === "string" ? JSON.parse(scan.params) : scan.params;
  return (typeof v === "object" && v !== null ? v : {}) as Partial<SavedScanParams>;
}

const show = (v: unknown) => (v === null ? "(none)" : Array.isArray(v) ? v.join(",") || "(none)" : String(v));

/**
 * The options of a resumed scan: its saved parameters, with the options given now checked against them.
 * `given(flag)` says whether the user typed the option (not a default). Throws a UsageError that names every
 * option given with a value other than the saved one, and every named file whose content changed.
 */
export function restoreScanParams(
  scanId: string,
  saved: Partial<SavedScanParams>,
  args: ScanArgs,
  given: (flag: string) => boolean,
): ScanArgs {
  const effective: Record<string, unknown> = { ...args };
  for (const flag of SCAN_PARAM_FLAGS) {
    if (!(flag in saved) || given(flag)) continue;
    const v = saved[flag];
    effective[flag] = v === null ? undefined : v;
  }
  const restored = effective as unknown as ScanArgs;
  const now = scanParamsOf(restored);
  const diffs: string[] = [];
  for (const flag of SCAN_PARAM_FLAGS) {
    if (!(flag in saved) || !given(flag)) continue;
    if (JSON.stringify(now[flag]) !== JSON.stringify(saved[flag]))
      diffs.push(`--${flag}: the scan has ${show(saved[flag])}, given ${show(now[flag])}`);
  }
  const fresh = savedParams(now, saved.mode ?? "embedded");
  for (const flag of ["ca-file", "policy-list"] as const) {
    const key = `${flag}-sha256` as const;
    if (key in saved && JSON.stringify(fresh[key]) !== JSON.stringify(saved[key]))
      diffs.push(`--${flag} ${show(now[flag])}: the file's content changed since the scan started`);
  }
  if (diffs.length > 0) {
    throw new UsageError(
      `--resume ${scanId}: options differ from the scan's saved parameters (resume without them, or start a new scan):\n  ${diffs.join("\n  ")}`,
    );
  }
  return restored;
}

/** The saved parameters as a JSON object for the scan row. */
export function paramsColumn(p: SavedScanParams): JsonObject {
  return { ...p };
}
