/**
 * MTA-STS policy fetch for one mail domain (RFC 8461 §3.3).
 *
 * Measures: whether `https://mta-sts.<domain>/.well-known/mta-sts.txt` can be retrieved the way a sender
 * honouring MTA-STS retrieves it, and what it says (the body is returned; shared/policy/ parses it).
 * Steps: resolve `mta-sts.<domain>` with our DNS client (A; AAAA too with ipv6) → for each address: the target
 * address policy (a special-purpose address is `blocked_address` and never contacted) → TCP to that very
 * address → TLS, SNI = `mta-sts.<domain>`, certificate validated with the host name → GET → status 200,
 * `text/plain`, body within 64 KiB. A failure to connect moves on to the next address; anything later is the
 * answer (a sender would not retry a host that answered).
 * Phase: policy_fetch; `step` says where (resolve, connect, tls_handshake, headers, body). Failures: the DNS
 * and socket names of shared/failures.ts, the TLS handshake names, and the policy_* names.
 * Returns plain data in every case; throws only on our own bugs.
 */

import type { Socket } from "node:net";
import type { SecureContext } from "node:tls";
import type { DnsQuerier } from "../../shared/dns/cache.js";
import { resolveHost } from "../../shared/dns/mx.js";
import type { Failure } from "../../shared/failures.js";
import {
  POLICY_FETCH_FAILURES,
  type PolicyFetchFailure,
  type PolicyFetchResult,
} from "../../shared/policy/fetch-result.js";
import { PROBE_VERSION } from "../../shared/version.js";
import { checkTargetAddress } from "../net/address-policy.js";
import { Deadline } from "../net/deadline.js";
import { httpsGet } from "../net/https-fetch.js";

export const MTA_STS_POLICY_PATH = "/.well-known/mta-sts.txt";

export interface PolicyFetchSettings {
  allowPrivateTargets: boolean;
  ipv6: boolean;
  /** 443; the lab serves its policy hosts on another port. */
  httpsPort: number;
  connectTimeoutMs: number;
  tlsTimeoutMs: number;
  headersTimeoutMs: number;
  bodyTimeoutMs: number;
  /** RFC 8461 §3.3 asks senders to bound the body; 64 KiB is what common implementations use. */
  maxBodyBytes: number;
  /** At most this many addresses of mta-sts.<domain> are tried. */
  ipsPerHost: number;
  /** One deadline over every attempt after the DNS lookup (each step also has its own timeout). */
  deadlineMs: number;
}

export const DEFAULT_POLICY_FETCH_SETTINGS: Omit<PolicyFetchSettings, "allowPrivateTargets" | "ipv6"> = {
  httpsPort: 443,
  connectTimeoutMs: 10_000,
  tlsTimeoutMs: 10_000,
  headersTimeoutMs: 10_000,
  bodyTimeoutMs: 10_000,
  maxBodyBytes: 65_536,
  ipsPerHost: 4,
  deadlineMs: 30_000,
};

export interface PolicyFetchContext {
  dns: DnsQuerier;
  /** createHttpsSecureContext(settings.caPem): the SMTP probe's trust store, default TLS settings. */
  secureContext: SecureContext;
  settings: PolicyFetchSettings;
  /** Open a TCP connection (tests may count or refuse). */
  connect?: (ip: string, port: number) => Socket;
  now?: () => Date;
}

const FETCH_FAILURES: ReadonlySet<string> = new Set(POLICY_FETCH_FAILURES);

function asFetchFailure(f: Failure | null): PolicyFetchFailure {
  return f !== null && FETCH_FAILURES.has(f) ? (f as PolicyFetchFailure) : "dns_error";
}

export function mtaStsPolicyUrl(domain: string, port = 443): string {
  return `https://mta-sts.${domain}${port === 443 ? "" : `:${port}`}${MTA_STS_POLICY_PATH}`;
}

export async function fetchMtaStsPolicy(domain: string, ctx: PolicyFetchContext): Promise<PolicyFetchResult> {
  const started = Date.now();
  const s = ctx.settings;
  const host = `mta-sts.${domain}`;
  const result: PolicyFetchResult = {
    ok: false,
    url: mtaStsPolicyUrl(domain, s.httpsPort),
    addresses: [],
    dns_rcode: null,
    ip: null,
    status: null,
    contentType: null,
    location: null,
    body: null,
    body_bytes: null,
    failure: null,
    phase: null,
    step: null,
    detail: null,
    cert_trusted: null,
    cert_error: null,
    cert_error_code: null,
    cert_name_matches: null,
    tls_version: null,
    duration_ms: 0,
  };
  const done = (): PolicyFetchResult => {
    result.phase = result.failure ? "policy_fetch" : null;
    result.duration_ms = Date.now() - started;
    return result;
  };

  const resolved = await resolveHost(ctx.dns, host, { ipv6: s.ipv6, ipsPerHost: s.ipsPerHost, maxMx: 1 });
  result.dns_rcode = resolved.rcode;
  result.addresses = resolved.addresses;
  if (resolved.addresses.length === 0) {
    result.failure = asFetchFailure(resolved.failure);
    result.step = "resolve";
    result.detail = `${host}: ${resolved.detail ?? "no address"}`;
    return done();
  }

  const deadline = Deadline.after(s.deadlineMs);
  const blocked: string[] = [];
  for (const [i, ip] of resolved.addresses.entries()) {
    const decision = checkTargetAddress(ip, s.allowPrivateTargets);
    if (!decision.allowed) {
      blocked.push(`${ip} (${decision.range}${decision.cidr ? ` ${decision.cidr}` : ""})`);
      continue;
    }
    const got = await httpsGet({
      ip,
      port: s.httpsPort,
      servername: host,
      path: MTA_STS_POLICY_PATH,
      secureContext: ctx.secureContext,
      connectTimeoutMs: s.connectTimeoutMs,
      tlsTimeoutMs: s.tlsTimeoutMs,
      headersTimeoutMs: s.headersTimeoutMs,
      bodyTimeoutMs: s.bodyTimeoutMs,
      maxBodyBytes: s.maxBodyBytes,
      mediaType: "text/plain",
      userAgent: PROBE_VERSION,
      deadline,
      ...(ctx.connect ? { connect: ctx.connect } : {}),
      ...(ctx.now ? { now: ctx.now } : {}),
    });
    Object.assign(result, got, { ip });
    const more = resolved.addresses.slice(i + 1).length > 0;
    if (got.step !== "connect" || !more || deadline.expired()) return done();
  }
  if (result.ip === null) {
    result.failure = "blocked_address";
    result.step = "connect";
    result.detail = `special-purpose address, not contacted: ${blocked.join(", ")}`;
  }
  return done();
}
