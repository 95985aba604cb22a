/**
 * The lab's domain-policy cases (MTA-STS, RFC 8461; TLS-RPT, RFC 8460): one mail domain per behaviour, each
 * with a one-line why and the exact outcome the evaluation must produce. `startPolicyLab` starts what the cases
 * need — an HTTPS policy server per `mta-sts.<domain>` (test/lab/https-server.ts) and an SMTP server per MX host
 * (test/lab/smtp-server.ts), certificates from the given lab CA — and returns the zone entries for the lab DNS
 * server, so the lab world can merge both into its own.
 *
 * Addresses: policy hosts on 127.0.<base>.x, MX hosts on 127.0.<base+1>.x (base 8 by default: clear of the
 * world's 127.0.1.x, the real-server test's 127.0.5.x, the generator's 127.100+.x and 127.0.204.x).
 */

import type { CertError } from "../../shared/cert-errors.js";
import type { PolicyFetchFailure, PolicyFetchStep } from "../../shared/policy/fetch-result.js";
import type { MtaStsError, MtaStsStatus, MtaStsWarning } from "../../shared/policy/mta-sts.js";
import type { TlsRptError, TlsRptStatus } from "../../shared/policy/tls-rpt.js";
import type { LabDnsName, LabZone } from "./dns-server.js";
import { type LabHttpsServer, type PolicyHttpsBehaviour, startPolicyHttpsServer } from "./https-server.js";
import { issueLeaf, type LabCa } from "./pki.js";
import { type LabSmtpServer, startSmtpServer } from "./smtp-server.js";

export interface PolicyLabCase {
  /** The domain's first label: `<name>.<suffix>`. */
  name: string;
  why: string;
  /** `_mta-sts.<domain>` TXT records; omitted = none. */
  stsTxt?: string[];
  /** `_smtp._tls.<domain>` TXT records (`{domain}` is replaced); omitted = none. */
  rptTxt?: string[];
  /** The policy host `mta-sts.<domain>`; omitted = the name does not exist. */
  policy?: {
    /** `body` may use `{domain}`, replaced by the case's domain. */
    behaviour: PolicyHttpsBehaviour;
    /** Default "valid" (lab CA, names mta-sts.<domain>). */
    cert?: "valid" | "self_signed" | "wrong_name";
  };
  /** The one MX host `mx.<domain>`: STARTTLS with a valid certificate (default) or no STARTTLS. */
  mx?: "valid" | "no_starttls";
  expect: {
    mta_sts_status: MtaStsStatus;
    mta_sts_error: MtaStsError | null;
    mta_sts_mode?: string | null;
    mta_sts_max_age?: number | null;
    /** Relative host keys (`mx` → mx.<domain>). */
    mta_sts_mx_mismatch?: string[];
    mta_sts_mx_failing?: string[];
    warnings?: MtaStsWarning[];
    fetch?: {
      failure: PolicyFetchFailure | null;
      step: PolicyFetchStep | null;
      status?: number | null;
      contentType?: string | null;
      cert_error?: CertError | null;
    };
    tls_rpt_status: TlsRptStatus;
    tls_rpt_error: TlsRptError | null;
    /** `{domain}` is replaced. */
    tls_rpt_rua?: string[];
  };
  /** The fetch needs a short headers timeout to stay quick (the test uses its own). */
  slow?: boolean;
}

/** A policy file, LF-terminated; `{domain}` is replaced when served. */
function policy(lines: string[]): string {
  return `${lines.join("\n")}\n`;
}

const TXT_GOOD = "v=STSv1; id=20260101T000000";
const ENFORCE = policy(["version: STSv1", "mode: enforce", "mx: *.{domain}", "max_age: 604800"]);
const noRpt = { tls_rpt_status: "none", tls_rpt_error: null } as const;
const okFetch = { failure: null, step: null, status: 200 } as const;

export const POLICY_LAB_CASES: PolicyLabCase[] = [
  {
    name: "sts-enforce",
    why: "TXT, an enforce policy whose wildcard matches the MX host, valid TLS, and TLS-RPT with two URIs",
    stsTxt: [TXT_GOOD, "unrelated-verification=abc123"],
    rptTxt: ["v=TLSRPTv1; rua=mailto:tlsrpt@{domain}, https://reports.{domain}/tlsrpt"],
    policy: { behaviour: { body: ENFORCE } },
    expect: {
      mta_sts_status: "valid",
      mta_sts_error: null,
      mta_sts_mode: "enforce",
      mta_sts_max_age: 604800,
      mta_sts_mx_mismatch: [],
      mta_sts_mx_failing: [],
      warnings: [],
      fetch: { ...okFetch, contentType: "text/plain; charset=utf-8" },
      tls_rpt_status: "valid",
      tls_rpt_error: null,
      tls_rpt_rua: ["mailto:tlsrpt@{domain}", "https://reports.{domain}/tlsrpt"],
    },
  },
  {
    name: "sts-enforce-failing",
    why: "a valid enforce policy, but its MX host offers no STARTTLS: senders honouring it cannot deliver",
    stsTxt: [TXT_GOOD],
    policy: { behaviour: { body: ENFORCE } },
    mx: "no_starttls",
    expect: {
      mta_sts_status: "valid",
      mta_sts_error: null,
      mta_sts_mode: "enforce",
      mta_sts_mx_mismatch: [],
      mta_sts_mx_failing: ["mx"],
      warnings: [],
      fetch: okFetch,
      ...noRpt,
    },
  },
  {
    name: "sts-testing",
    why: "testing mode (CRLF lines, exact mx pattern): valid, with a warning; no TLS-RPT record",
    stsTxt: [TXT_GOOD],
    policy: {
      behaviour: {
        body: "version: STSv1\r\nmode: testing\r\nmx: mx.{domain}\r\nmax_age: 86400\r\n",
        contentType: "text/plain",
      },
    },
    expect: {
      mta_sts_status: "valid",
      mta_sts_error: null,
      mta_sts_mode: "testing",
      mta_sts_max_age: 86400,
      mta_sts_mx_mismatch: [],
      mta_sts_mx_failing: [],
      warnings: ["testing_mode"],
      fetch: okFetch,
      ...noRpt,
    },
  },
  {
    name: "sts-none",
    why: "mode none without mx lines: a valid policy that withdraws MTA-STS",
    stsTxt: [TXT_GOOD],
    policy: { behaviour: { body: policy(["version: STSv1", "mode: none", "max_age: 86400"]) } },
    expect: {
      mta_sts_status: "valid",
      mta_sts_error: null,
      mta_sts_mode: "none",
      mta_sts_mx_mismatch: [],
      mta_sts_mx_failing: [],
      warnings: [],
      fetch: okFetch,
      ...noRpt,
    },
  },
  {
    name: "sts-short-max-age",
    why: "enforce with max_age 3600: valid, but senders forget it within the hour",
    stsTxt: [TXT_GOOD],
    policy: {
      behaviour: { body: policy(["version: STSv1", "mode: enforce", "mx: mx.{domain}", "max_age: 3600"]) },
    },
    expect: {
      mta_sts_status: "valid",
      mta_sts_error: null,
      mta_sts_mode: "enforce",
      mta_sts_max_age: 3600,
      warnings: ["max_age_short"],
      fetch: okFetch,
      ...noRpt,
    },
  },
  {
    name: "sts-mx-mismatch",
    why: "the policy lists another host: the real MX host matches no pattern",
    stsTxt: [TXT_GOOD],
    policy: {
      behaviour: {
        body: policy(["version: STSv1", "mode: enforce", "mx: mail.elsewhere.test", "max_age: 604800"]),
      },
    },
    expect: {
      mta_sts_status: "valid",
      mta_sts_error: null,
      mta_sts_mode: "enforce",
      mta_sts_mx_mismatch: ["mx"],
      mta_sts_mx_failing: [],
      warnings: [],
      fetch: okFetch,
      ...noRpt,
    },
  },
  {
    name: "sts-max-age-over",
    why: "max_age one second above the RFC's 31557600",
    stsTxt: [TXT_GOOD],
    policy: {
      behaviour: {
        body: policy(["version: STSv1", "mode: enforce", "mx: mx.{domain}", "max_age: 31557601"]),
      },
    },
    expect: {
      mta_sts_status: "invalid",
      mta_sts_error: "policy_bad_max_age",
      mta_sts_mode: "enforce",
      mta_sts_max_age: null,
      mta_sts_mx_mismatch: [],
      mta_sts_mx_failing: [],
      warnings: [],
      fetch: okFetch,
      ...noRpt,
    },
  },
  {
    name: "sts-content-type",
    why: "the policy is served as text/html",
    stsTxt: [TXT_GOOD],
    policy: { behaviour: { body: ENFORCE, contentType: "text/html; charset=utf-8" } },
    expect: {
      mta_sts_status: "invalid",
      mta_sts_error: "policy_content_type",
      mta_sts_mode: null,
      warnings: ["txt_without_policy"],
      fetch: {
        failure: "policy_content_type",
        step: "headers",
        status: 200,
        contentType: "text/html; charset=utf-8",
      },
      ...noRpt,
    },
  },
  {
    name: "sts-redirect",
    why: "a 301 to another URL: RFC 8461 §3.3 forbids following it",
    stsTxt: [TXT_GOOD],
    policy: {
      behaviour: { status: 301, headers: { Location: "https://www.{domain}/mta-sts.txt" }, body: "moved\n" },
    },
    expect: {
      mta_sts_status: "invalid",
      mta_sts_error: "policy_redirect",
      warnings: ["txt_without_policy"],
      fetch: { failure: "policy_redirect", step: "headers", status: 301 },
      ...noRpt,
    },
  },
  {
    name: "sts-self-signed",
    why: "the policy host presents a self-signed certificate",
    stsTxt: [TXT_GOOD],
    policy: { behaviour: { body: ENFORCE }, cert: "self_signed" },
    expect: {
      mta_sts_status: "invalid",
      mta_sts_error: "policy_cert_untrusted",
      warnings: ["txt_without_policy"],
      fetch: {
        failure: "policy_cert_untrusted",
        step: "tls_handshake",
        status: null,
        cert_error: "self_signed",
      },
      ...noRpt,
    },
  },
  {
    name: "sts-wrong-name",
    why: "a trusted certificate for www.<domain>, not mta-sts.<domain>",
    stsTxt: [TXT_GOOD],
    policy: { behaviour: { body: ENFORCE }, cert: "wrong_name" },
    expect: {
      mta_sts_status: "invalid",
      mta_sts_error: "policy_cert_name_mismatch",
      warnings: ["txt_without_policy"],
      fetch: { failure: "policy_cert_name_mismatch", step: "tls_handshake", status: null, cert_error: null },
      ...noRpt,
    },
  },
  {
    name: "sts-404",
    why: "the policy host answers 404",
    stsTxt: [TXT_GOOD],
    policy: { behaviour: { status: 404, body: "not here\n" } },
    expect: {
      mta_sts_status: "invalid",
      mta_sts_error: "policy_http_status",
      warnings: ["txt_without_policy"],
      fetch: { failure: "policy_http_status", step: "headers", status: 404 },
      ...noRpt,
    },
  },
  {
    name: "sts-oversized",
    why: "a 1 MiB body without Content-Length: reading stops past 64 KiB",
    stsTxt: [TXT_GOOD],
    policy: { behaviour: { body: ENFORCE + `# ${"x".repeat(1024 * 1024)}\n`, chunked: true } },
    expect: {
      mta_sts_status: "invalid",
      mta_sts_error: "policy_too_large",
      warnings: ["txt_without_policy"],
      fetch: { failure: "policy_too_large", step: "body", status: 200 },
      ...noRpt,
    },
  },
  {
    name: "sts-slow",
    why: "the policy host accepts the request and never answers",
    stsTxt: [TXT_GOOD],
    policy: { behaviour: { hang: true } },
    slow: true,
    expect: {
      mta_sts_status: "invalid",
      mta_sts_error: "policy_timeout",
      warnings: ["txt_without_policy"],
      fetch: { failure: "policy_timeout", step: "headers", status: null },
      ...noRpt,
    },
  },
  {
    name: "sts-txt-multiple",
    why: "two v=STSv1 records: senders cannot tell which one holds",
    stsTxt: [TXT_GOOD, "v=STSv1; id=20260202"],
    policy: { behaviour: { body: ENFORCE } },
    expect: {
      mta_sts_status: "invalid",
      mta_sts_error: "txt_multiple",
      warnings: [],
      fetch: okFetch,
      ...noRpt,
    },
  },
  {
    name: "sts-txt-bad-version",
    why: "the only record says v=STSv2",
    stsTxt: ["v=STSv2; id=20260101"],
    policy: { behaviour: { body: ENFORCE } },
    expect: { mta_sts_status: "invalid", mta_sts_error: "txt_bad_version", fetch: okFetch, ...noRpt },
  },
  {
    name: "sts-txt-missing-id",
    why: "v=STSv1 without an id",
    stsTxt: ["v=STSv1;"],
    policy: { behaviour: { body: ENFORCE } },
    expect: { mta_sts_status: "invalid", mta_sts_error: "txt_missing_id", fetch: okFetch, ...noRpt },
  },
  {
    name: "sts-txt-no-policy",
    why: "a valid TXT record, but mta-sts.<domain> does not exist",
    stsTxt: [TXT_GOOD],
    expect: {
      mta_sts_status: "invalid",
      mta_sts_error: "dns_nxdomain",
      mta_sts_mode: null,
      warnings: ["txt_without_policy"],
      fetch: { failure: "dns_nxdomain", step: "resolve", status: null },
      ...noRpt,
    },
  },
  {
    name: "sts-policy-no-txt",
    why: "a valid policy is served, but no TXT record announces it: senders never fetch it",
    policy: { behaviour: { body: ENFORCE } },
    expect: {
      mta_sts_status: "none",
      mta_sts_error: null,
      mta_sts_mode: null,
      warnings: ["policy_without_txt"],
      fetch: okFetch,
      ...noRpt,
    },
  },
  {
    name: "rpt-multiple",
    why: "two v=TLSRPTv1 records: senders must assume no TLS-RPT",
    rptTxt: ["v=TLSRPTv1; rua=mailto:a@{domain}", "v=TLSRPTv1; rua=mailto:b@{domain}"],
    expect: {
      mta_sts_status: "none",
      mta_sts_error: null,
      fetch: { failure: "dns_nxdomain", step: "resolve" },
      tls_rpt_status: "invalid",
      tls_rpt_error: "tlsrpt_multiple",
    },
  },
  {
    name: "rpt-bad-uri",
    why: "a rua mailto: URI without a valid address",
    rptTxt: ["v=TLSRPTv1; rua=mailto:not-an-address"],
    expect: {
      mta_sts_status: "none",
      mta_sts_error: null,
      tls_rpt_status: "invalid",
      tls_rpt_error: "tlsrpt_bad_uri",
    },
  },
  {
    name: "rpt-http-uri",
    why: "a rua http: URI (only mailto: and https: are allowed)",
    rptTxt: ["v=TLSRPTv1; rua=http://reports.{domain}/tlsrpt"],
    expect: {
      mta_sts_status: "none",
      mta_sts_error: null,
      tls_rpt_status: "invalid",
      tls_rpt_error: "tlsrpt_bad_uri",
    },
  },
  {
    name: "rpt-none",
    why: "no TLS-RPT and no MTA-STS at all",
    expect: { mta_sts_status: "none", mta_sts_error: null, warnings: [], ...noRpt },
  },
];

export interface PolicyLab {
  /** Zone entries (absolute names) to merge into the lab DNS zone. */
  zone: LabZone;
  /** The HTTPS policy servers, one per case with a policy host. */
  servers: LabHttpsServer[];
  /** The SMTP servers of the cases' MX hosts. */
  smtpServers: LabSmtpServer[];
  httpsPort: number;
  smtpPort: number;
  cases: PolicyLabCase[];
  domainOf(c: PolicyLabCase): string;
  /** The HTTPS server of a case (undefined when it has no policy host). */
  serverOf(c: PolicyLabCase): LabHttpsServer | undefined;
  close(): Promise<void>;
}

function fill(text: string, domain: string): string {
  return text.replaceAll("{domain}", domain);
}

/** Fill `{domain}` in a case's expected values (rua URIs, host keys stay keys). */
export function expectedRua(c: PolicyLabCase, domain: string): string[] | undefined {
  return c.expect.tls_rpt_rua?.map((u) => fill(u, domain));
}

export async function startPolicyLab(opts: {
  ca: LabCa;
  suffix?: string;
  /** Shared port of the policy hosts; default: a free random port. */
  httpsPort?: number;
  /** Shared port of the MX hosts; default: a free random port (the world passes its own). */
  smtpPort?: number;
  /** Third octet of the policy hosts' addresses; MX hosts use the next one. Default 8. */
  addressBase?: number;
  cases?: PolicyLabCase[];
}): Promise<PolicyLab> {
  const cases = opts.cases ?? POLICY_LAB_CASES;
  const suffix = opts.suffix ?? "lab.test";
  const base = opts.addressBase ?? 8;
  if (cases.length > 254) throw new Error("policy lab: at most 254 cases");
  const domainOf = (c: PolicyLabCase): string => `${c.name}.${suffix}`;
  const zone: LabZone = {};
  const add = (name: string, entry: LabDnsName): void => {
    zone[name] = { ...(zone[name] ?? {}), ...entry };
  };

  type HttpsSpec = {
    c: PolicyLabCase;
    ip: string;
    hostname: string;
    key: string;
    cert: string;
    domain: string;
  };
  type SmtpSpec = { ip: string; hostname: string; starttls: boolean; key: string; cert: string };
  const httpsSpecs: HttpsSpec[] = [];
  const smtpSpecs: SmtpSpec[] = [];
  for (const [i, c] of cases.entries()) {
    const domain = domainOf(c);
    const mxName = `mx.${domain}`;
    const mxIp = `127.0.${base + 1}.${i + 1}`;
    add(domain, { MX: [{ preference: 10, exchange: mxName }] });
    add(mxName, { A: [mxIp] });
    const mxLeaf = await issueLeaf(opts.ca, { names: [mxName] });
    smtpSpecs.push({
      ip: mxIp,
      hostname: mxName,
      starttls: (c.mx ?? "valid") === "valid",
      key: mxLeaf.keyPem,
      cert: mxLeaf.chainPem,
    });
    if (c.stsTxt) add(`_mta-sts.${domain}`, { TXT: c.stsTxt.map((t) => fill(t, domain)) });
    if (c.rptTxt) add(`_smtp._tls.${domain}`, { TXT: c.rptTxt.map((t) => fill(t, domain)) });
    if (c.policy) {
      const hostname = `mta-sts.${domain}`;
      const ip = `127.0.${base}.${i + 1}`;
      add(hostname, { A: [ip] });
      const kind = c.policy.cert ?? "valid";
      const leaf = await issueLeaf(opts.ca, {
        names: [kind === "wrong_name" ? `www.${domain}` : hostname],
        ...(kind === "self_signed" ? { issuer: "self" as const } : {}),
      });
      httpsSpecs.push({ c, ip, hostname, key: leaf.keyPem, cert: leaf.chainPem, domain });
    }
  }

  const servers: LabHttpsServer[] = [];
  const smtpServers: LabSmtpServer[] = [];
  const closeAll = async (): Promise<void> => {
    await Promise.all([...servers, ...smtpServers].map((s) => s.close()));
    servers.length = 0;
    smtpServers.length = 0;
  };
  /** Start every server of one kind on one port, retrying other random ports when one is taken. */
  const onFreePort = async (
    wanted: number | undefined,
    start: (port: number) => Promise<void>,
  ): Promise<number> => {
    for (let attempt = 0; attempt < 8; attempt++) {
      const port = wanted ?? 20_000 + Math.floor(Math.random() * 40_000);
      try {
        await start(port);
        return port;
      } catch (err) {
        if (wanted !== undefined || (err as { code?: string }).code !== "EADDRINUSE") throw err;
      }
    }
    throw new Error("policy lab: no free port after 8 attempts");
  };

  try {
    const httpsPort = await onFreePort(opts.httpsPort, async (port) => {
      const started: LabHttpsServer[] = [];
      try {
        for (const s of httpsSpecs) {
          const b = s.c.policy!.behaviour;
          started.push(
            await startPolicyHttpsServer({
              host: s.ip,
              port,
              hostname: s.hostname,
              key: s.key,
              cert: s.cert,
              behaviour: {
                ...b,
                ...(b.body !== undefined ? { body: fill(b.body, s.domain) } : {}),
                ...(b.headers
                  ? {
                      headers: Object.fromEntries(
                        Object.entries(b.headers).map(([k, v]) => [k, fill(v, s.domain)]),
                      ),
                    }
                  : {}),
              },
            }),
          );
        }
        servers.push(...started);
      } catch (err) {
        await Promise.all(started.map((s) => s.close()));
        throw err;
      }
    });
    const smtpPort = await onFreePort(opts.smtpPort, async (port) => {
      const started: LabSmtpServer[] = [];
      try {
        for (const s of smtpSpecs) {
          started.push(
            await startSmtpServer({
              host: s.ip,
              port,
              behaviour: {
                hostname: s.hostname,
                starttls: s.starttls ? "offer" : "none",
                ...(s.starttls ? { tls: { key: s.key, cert: s.cert } } : {}),
              },
            }),
          );
        }
        smtpServers.push(...started);
      } catch (err) {
        await Promise.all(started.map((s) => s.close()));
        throw err;
      }
    });
    const byCase = new Map(httpsSpecs.map((s, i) => [s.c, servers[i]!]));
    return {
      zone,
      servers,
      smtpServers,
      httpsPort,
      smtpPort,
      cases,
      domainOf,
      serverOf: (c) => byCase.get(c),
      close: closeAll,
    };
  } catch (err) {
    await closeAll();
    throw err;
  }
}
