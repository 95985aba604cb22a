/**
 * Options shared by the commands that probe (check, probe; later scan and worker), and their translation into
 * settings. Each flag is spelled as its setting (`--smtp-timeout` → smtpTimeoutMs). Bad values are refused at
 * start-up with a UsageError, before any DNS query or connection.
 */

import { readFileSync } from "node:fs";
import { hostname as osHostname } from "node:os";
import type { Argv } from "yargs";
import {
  DnsClient,
  type DnsClientOptions,
  parseResolver,
  readSystemResolvers,
} from "../shared/dns/client.js";
import { DEFAULT_MX_OPTIONS } from "../shared/dns/mx.js";
import type { DnsResolverAddress } from "../shared/dns/types.js";
import { checkEhloName } from "../shared/hostname.js";
import { type PolicyList, readPolicyList } from "../shared/policy/policy-list.js";
import {
  DEFAULT_PROBE_PARAMS,
  DEFAULT_SMTP_PORT,
  PROBE_DEPTHS,
  PROBE_PARAM_LIMITS,
  type ProbeDepth,
  type ProbeParams,
  type ProbeSettings,
  type WorkerSettings,
} from "../shared/settings.js";

export class UsageError extends Error {
  override name = "UsageError";
}

/** No DNS resolver answered at all: the CLI exits 3 (nothing was measured). */
export class NoResolverError extends Error {
  override name = "NoResolverError";
}

/** The probing process's own settings (never taken from a job): check, probe, scan and worker. */
export function workerSettingsOptions<T>(y: Argv<T>) {
  return y
    .option("ca-file", {
      type: "string",
      array: true,
      description: "extra trusted root CAs, PEM (repeatable)",
    })
    .option("allow-private-targets", {
      type: "boolean",
      default: false,
      description: "allow loopback, private and other special-purpose target addresses (the lab needs it)",
    });
}

/** Options that make up the probe settings and the DNS client: shared by check, probe and scan. */
export function probeSettingsOptions<T>(y: Argv<T>) {
  return workerSettingsOptions(y)
    .option("resolver", {
      type: "string",
      array: true,
      description:
        "DNS resolver IP[:PORT] (repeatable; retries go to the next one). Default: /etc/resolv.conf",
    })
    .option("dns-timeout", { type: "number", default: 3, description: "seconds per DNS attempt" })
    .option("dns-retries", {
      type: "number",
      default: 2,
      description: "extra DNS attempts (to the next resolver)",
    })
    .option("smtp-port", {
      type: "number",
      default: DEFAULT_SMTP_PORT,
      description: "SMTP port to probe",
    })
    .option("ehlo-name", {
      type: "string",
      description:
        "name sent in EHLO/HELO, a fully qualified domain name. Default: this machine's host name (a warning when it is not fully qualified)",
    })
    .option("connect-timeout", {
      type: "number",
      default: DEFAULT_PROBE_PARAMS.connectTimeoutMs / 1000,
      description: "seconds to establish TCP",
    })
    .option("smtp-timeout", {
      type: "number",
      default: DEFAULT_PROBE_PARAMS.smtpTimeoutMs / 1000,
      description: "seconds to wait for each SMTP reply, the greeting included",
    })
    .option("tls-timeout", {
      type: "number",
      default: DEFAULT_PROBE_PARAMS.tlsTimeoutMs / 1000,
      description: "seconds for the TLS handshake",
    })
    .option("host-deadline", {
      type: "number",
      default: DEFAULT_PROBE_PARAMS.hostDeadlineMs / 1000,
      description: "overall seconds per (MX host, IP) probe",
    })
    .option("ipv6", {
      type: "boolean",
      default: DEFAULT_MX_OPTIONS.ipv6,
      description: "also resolve and probe AAAA addresses",
    })
    .option("ips-per-host", {
      type: "number",
      default: DEFAULT_MX_OPTIONS.ipsPerHost,
      description: "probe at most this many addresses per MX host",
    })
    .option("max-mx", {
      type: "number",
      default: DEFAULT_MX_OPTIONS.maxMx,
      description: "probe at most this many MX hosts per domain",
    })
    .option("depth", {
      type: "string",
      choices: ["basic", "versions", "full"],
      default: DEFAULT_PROBE_PARAMS.depth,
      description:
        "basic: the STARTTLS handshake; versions: + one connection per protocol version; full: + cipher suites and grade",
    })
    .option("per-host-delay", {
      type: "number",
      default: DEFAULT_PROBE_PARAMS.perHostDelayMs / 1000,
      description: "seconds between two connections to one host during the TLS inventory",
    });
}

/** Domain policies (MTA-STS, TLS-RPT, the STARTTLS policy list): check and scan. */
export function policyOptions<T>(y: Argv<T>) {
  return y
    .option("policies", {
      type: "boolean",
      default: true,
      description: "check MTA-STS (TXT + HTTPS policy) and TLS-RPT for each domain (--no-policies to skip)",
    })
    .option("https-port", {
      type: "number",
      default: 443,
      description: "port of the MTA-STS policy host (the lab uses another)",
    })
    .option("policy-list", {
      type: "string",
      description: "a STARTTLS Everywhere policy.json to check each domain against",
    });
}

export interface PolicyArgs {
  policies: boolean;
  "https-port": number;
  "policy-list"?: string | undefined;
}

/** --https-port, checked (a UsageError when it is not a port). */
export function httpsPort(a: PolicyArgs): number {
  const port = a["https-port"];
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    throw new UsageError("--https-port must be 1..65535");
  return port;
}

export function loadPolicyList(a: PolicyArgs): PolicyList | null {
  const file = a["policy-list"];
  if (!file) return null;
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw new UsageError(`--policy-list ${file}: ${err instanceof Error ? err.message : String(err)}`);
  }
  const r = readPolicyList(text);
  if (!r.ok) throw new UsageError(`--policy-list ${file}: ${r.error}: ${r.detail}`);
  return r.list;
}

/** check and probe: the settings plus in-process concurrency and output format. */
export function probeOptions<T>(y: Argv<T>) {
  return probeSettingsOptions(y)
    .option("concurrency", { type: "number", default: 16, description: "probes in flight at once" })
    .option("json", {
      type: "boolean",
      default: false,
      description: "one JSON object per line instead of text",
    })
    .option("color", {
      type: "boolean",
      description: "colour the text output (default: when stdout is a TTY)",
    })
    .option("verbose", {
      type: "boolean",
      default: false,
      description: "text: every check of every host, and every cipher suite by its full name",
    });
}

export interface WorkerSettingsArgs {
  "ca-file"?: string[] | undefined;
  "allow-private-targets": boolean;
}

export interface ProbeArgs extends WorkerSettingsArgs {
  resolver?: string[] | undefined;
  "dns-timeout": number;
  "dns-retries": number;
  "smtp-port": number;
  "ehlo-name"?: string | undefined;
  "connect-timeout": number;
  "smtp-timeout": number;
  "tls-timeout": number;
  "host-deadline": number;
  ipv6: boolean;
  "ips-per-host": number;
  "max-mx": number;
  depth?: string | undefined;
  "per-host-delay"?: number | undefined;
}

export interface CheckArgs extends ProbeArgs {
  concurrency: number;
}

/** check: probe options plus the domain policies. */
export function checkOptions<T>(y: Argv<T>) {
  return policyOptions(probeOptions(y));
}

export function seconds(name: string, v: number): number {
  const max = PROBE_PARAM_LIMITS.maxTimeoutMs / 1000;
  if (!Number.isFinite(v) || v <= 0 || v > max)
    throw new UsageError(`--${name} must be a number of seconds in (0, ${max}]`);
  return Math.max(1, Math.round(v * 1000));
}

export function positiveInt(name: string, v: number, max: number): number {
  if (!Number.isInteger(v) || v < 1 || v > max)
    throw new UsageError(`--${name} must be an integer from 1 to ${max}`);
  return v;
}

export function defaultEhloName(): string {
  return osHostname();
}

/**
 * A warning when the EHLO name is this machine's host name and not a fully qualified domain name (no dot, like
 * `vm` or `localhost`): RFC 5321 §4.1.4 asks for a FQDN (or an address literal), and real MTAs reject or
 * penalise a bare name. null when the name was given with --ehlo-name or is fully qualified.
 */
export function ehloNameWarning(given: string | undefined, name: string): string | null {
  if (given !== undefined || name.includes(".")) return null;
  return `this machine's host name ${JSON.stringify(name)} is not a fully qualified domain name, and real mail servers may refuse it in EHLO (RFC 5321 §4.1.4); give one with --ehlo-name, e.g. --ehlo-name scanner.example.org`;
}

export function resolveEhloName(given: string | undefined): string {
  const name = given ?? defaultEhloName();
  const c = checkEhloName(name);
  if (!c.ok) {
    const what =
      given === undefined
        ? `this machine's host name ${JSON.stringify(name)}`
        : `--ehlo-name ${JSON.stringify(name)}`;
    throw new UsageError(`${what} ${c.reason}; give a valid host name with --ehlo-name`);
  }
  return c.name;
}

export function resolvers(given: string[] | undefined): DnsResolverAddress[] {
  if (given && given.length > 0) {
    return given.map((s) => {
      try {
        return parseResolver(s);
      } catch (err) {
        throw new UsageError(err instanceof Error ? err.message : String(err));
      }
    });
  }
  let text: string;
  try {
    text = readFileSync("/etc/resolv.conf", "utf8");
  } catch {
    throw new UsageError("no --resolver given and /etc/resolv.conf cannot be read");
  }
  const found = readSystemResolvers(text);
  if (found.length === 0)
    throw new UsageError("no --resolver given and /etc/resolv.conf lists no nameserver");
  return found;
}

/** The probing process's own settings: the target-address policy and the trust roots. */
export function workerSettings(a: WorkerSettingsArgs): WorkerSettings {
  const caPem = (a["ca-file"] ?? []).map((f) => {
    try {
      const pem = readFileSync(f, "utf8");
      if (!pem.includes("-----BEGIN CERTIFICATE-----"))
        throw new UsageError(`--ca-file ${f}: no PEM certificate in it`);
      return pem;
    } catch (err) {
      if (err instanceof UsageError) throw err;
      throw new UsageError(`--ca-file ${f}: ${err instanceof Error ? err.message : String(err)}`);
    }
  });
  return { allowPrivateTargets: a["allow-private-targets"], caPem };
}

/** The measurement parameters a probe applies (in a scan, every job carries the scan's). */
export function probeParams(a: ProbeArgs): ProbeParams {
  return {
    depth: probeDepth(a.depth),
    ehloName: resolveEhloName(a["ehlo-name"]),
    connectTimeoutMs: seconds("connect-timeout", a["connect-timeout"]),
    smtpTimeoutMs: seconds("smtp-timeout", a["smtp-timeout"]),
    tlsTimeoutMs: seconds("tls-timeout", a["tls-timeout"]),
    hostDeadlineMs: seconds("host-deadline", a["host-deadline"]),
    perHostDelayMs: perHostDelay(a["per-host-delay"]),
  };
}

export function smtpPort(a: Pick<ProbeArgs, "smtp-port">): number {
  const port = a["smtp-port"];
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    throw new UsageError("--smtp-port must be 1..65535");
  return port;
}

/** check and probe: the worker settings and the parameters together, as one probe applies them. */
export function probeSettings(a: ProbeArgs): ProbeSettings {
  return { ...workerSettings(a), ...probeParams(a) };
}

function probeDepth(v: string | undefined): ProbeDepth {
  const d = v ?? DEFAULT_PROBE_PARAMS.depth;
  if (!(PROBE_DEPTHS as readonly string[]).includes(d))
    throw new UsageError(`--depth must be one of ${PROBE_DEPTHS.join(", ")}`);
  return d as ProbeDepth;
}

function perHostDelay(v: number | undefined): number {
  if (v === undefined) return DEFAULT_PROBE_PARAMS.perHostDelayMs;
  const max = PROBE_PARAM_LIMITS.maxPerHostDelayMs / 1000;
  if (!Number.isFinite(v) || v < 0 || v > max)
    throw new UsageError(`--per-host-delay must be 0..${max} seconds`);
  return Math.round(v * 1000);
}

export function dnsRetries(a: Pick<ProbeArgs, "dns-retries">): number {
  const retries = a["dns-retries"];
  if (!Number.isInteger(retries) || retries < 0 || retries > 10)
    throw new UsageError("--dns-retries must be 0..10");
  return retries;
}

export function dnsTimeoutMs(a: Pick<ProbeArgs, "dns-timeout">): number {
  return seconds("dns-timeout", a["dns-timeout"]);
}

/** The DNS client's settings from the options (a bad value is a UsageError); opens nothing. */
export function dnsClientOptions(a: ProbeArgs): DnsClientOptions {
  return { resolvers: resolvers(a.resolver), timeoutMs: dnsTimeoutMs(a), retries: dnsRetries(a) };
}

export function dnsClient(a: ProbeArgs): DnsClient {
  return new DnsClient(dnsClientOptions(a));
}

export function mxOptions(a: ProbeArgs) {
  return {
    ipv6: a.ipv6,
    ipsPerHost: positiveInt("ips-per-host", a["ips-per-host"], 64),
    maxMx: positiveInt("max-mx", a["max-mx"], 100),
  };
}

export function concurrency(a: CheckArgs): number {
  return positiveInt("concurrency", a.concurrency, 4096);
}
