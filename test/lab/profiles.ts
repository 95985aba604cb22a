/**
 * The lab's cases: one mail domain per behaviour, each with a one-line why and the exact outcome the probe must
 * produce (failure, phase, host status, domain status). The e2e test and the demo both read this table.
 * Domains live under `.lab.test` (RFC 2606 reserves .test); every host gets its own 127.0.x.y address.
 */

import type { Failure, Phase } from "../../shared/failures.js";
import type { DomainRow } from "../../shared/schema/domain-row.js";
import type { HostRow } from "../../shared/schema/host-row.js";
import type { DomainStatus, HostStatus } from "../../shared/status.js";
import type { LeafSpec } from "./pki.js";
import type { SmtpBehaviour } from "./smtp-server.js";

const DAY = 86_400_000;

/** One simulated MX host: SMTP behaviour plus the certificate it presents (names default to the host name). */
export interface LabHost {
  /** How the host behaves; `tls` is filled in by the world from `cert`. */
  behaviour: Omit<SmtpBehaviour, "tls"> & {
    tlsVersions?: {
      min?: "TLSv1" | "TLSv1.1" | "TLSv1.2" | "TLSv1.3";
      max?: "TLSv1" | "TLSv1.1" | "TLSv1.2" | "TLSv1.3";
    };
  };
  cert?: Omit<LeafSpec, "names"> & { names?: string[] };
  /** No server at all on this address (connection refused). */
  noServer?: boolean;
}

export interface LabCase {
  /** The domain's first label: `<name>.lab.test`. */
  name: string;
  why: string;
  /** MX records: preference and host key (`mx` → `mx.<domain>`); omitted = one MX at 10 → host "mx". */
  mx?: { preference: number; host: string }[];
  hosts?: Record<string, LabHost>;
  /** Extra or replacing zone entries, relative names (`@` = the domain). */
  zone?: Record<string, import("./dns-server.js").LabDnsName>;
  expect: {
    domain: DomainStatus;
    /** Expected outcome per host key (its first address). */
    hosts?: Record<string, { status: HostStatus; failure: Failure | null; phase: Phase | null }>;
    /** Exact facts of the first host's row (by key), beyond status and failure. */
    facts?: Record<string, Partial<HostRow>>;
    domainFacts?: Partial<DomainRow>;
  };
  /** The domain is not in the zone at all (NXDOMAIN). */
  absent?: boolean;
  /** Slow cases need a short --smtp-timeout to stay quick; the e2e test uses LAB_SMTP_TIMEOUT_MS. */
  slow?: boolean;
}

const ok = { status: "ok", failure: null, phase: null } as const;
const good: LabHost = { behaviour: {} };

export const LAB_CASES: LabCase[] = [
  {
    name: "valid",
    why: "STARTTLS with a lab-CA certificate naming the MX host",
    hosts: { mx: good },
    expect: {
      domain: "valid",
      hosts: { mx: ok },
      facts: {
        mx: {
          starttls_offered: true,
          starttls_ok: true,
          cert_trusted: true,
          cert_error: null,
          cert_name_matches_mx: true,
          cert_key_type: "rsa",
          cert_key_bits: 2048,
          cert_sig_alg: "sha256WithRSAEncryption",
          dane_status: "none",
          dane_dnssec_tlsa: "insecure",
          tls_version: "TLSv1.3",
          ehlo_command: "EHLO",
          smtp_banner_code: 220,
        },
      },
      domainFacts: { mx_kind: "mx", mx_priorities: [10], cert_name_matches_domain: false },
    },
  },
  {
    name: "no-starttls",
    why: "speaks ESMTP but never offers STARTTLS",
    hosts: { mx: { behaviour: { starttls: "none" } } },
    expect: {
      domain: "no_starttls",
      hosts: { mx: { status: "no_starttls", failure: null, phase: null } },
      facts: { mx: { starttls_offered: false, starttls_ok: null, tls_version: null, cert_trusted: null } },
    },
  },
  {
    name: "expired",
    why: "certificate expired 30 days ago",
    hosts: {
      mx: {
        behaviour: {},
        cert: { notBefore: new Date(Date.now() - 400 * DAY), notAfter: new Date(Date.now() - 30 * DAY) },
      },
    },
    expect: {
      facts: {
        mx: {
          cert_trusted: false,
          cert_error: "expired",
          cert_error_code: "CERT_HAS_EXPIRED",
          cert_expired: true,
          cert_not_yet_valid: false,
          cert_name_matches_mx: true,
        },
      },
      domain: "cert_invalid",
      hosts: { mx: { status: "cert_invalid", failure: null, phase: null } },
    },
  },
  {
    name: "not-yet-valid",
    why: "certificate valid only from 30 days from now",
    hosts: {
      mx: {
        behaviour: {},
        cert: { notBefore: new Date(Date.now() + 30 * DAY), notAfter: new Date(Date.now() + 400 * DAY) },
      },
    },
    expect: {
      facts: {
        mx: {
          cert_trusted: false,
          cert_error: "not_yet_valid",
          cert_error_code: "CERT_NOT_YET_VALID",
          cert_expired: false,
          cert_not_yet_valid: true,
        },
      },
      domain: "cert_invalid",
      hosts: { mx: { status: "cert_invalid", failure: null, phase: null } },
    },
  },
  {
    name: "self-signed",
    why: "self-signed certificate naming the MX host",
    hosts: { mx: { behaviour: {}, cert: { issuer: "self" } } },
    expect: {
      facts: {
        mx: {
          cert_trusted: false,
          cert_error: "self_signed",
          cert_error_code: "DEPTH_ZERO_SELF_SIGNED_CERT",
          cert_self_signed: true,
          cert_name_matches_mx: true,
        },
      },
      domain: "cert_invalid",
      hosts: { mx: { status: "cert_invalid", failure: null, phase: null } },
    },
  },
  {
    name: "wrong-name",
    why: "trusted certificate for an unrelated name",
    hosts: { mx: { behaviour: {}, cert: { names: ["mail.unrelated.test"] } } },
    expect: {
      facts: { mx: { cert_trusted: true, cert_name_matches_mx: false, cert_sans: ["mail.unrelated.test"] } },
      domain: "cert_invalid",
      hosts: { mx: { status: "cert_invalid", failure: null, phase: null } },
    },
  },
  {
    name: "domain-name",
    why: "certificate names the mail domain but not the MX host: valid for the domain (EFF rule)",
    hosts: { mx: { behaviour: {}, cert: { names: ["domain-name.lab.test"] } } },
    expect: {
      domainFacts: { cert_name_matches_domain: true },
      facts: { mx: { cert_trusted: true, cert_name_matches_mx: false, cert_sans: ["domain-name.lab.test"] } },
      domain: "valid",
      hosts: { mx: { status: "cert_invalid", failure: null, phase: null } },
    },
  },
  {
    name: "rsa1024",
    why: "a 1024-bit RSA key: a weakness of its own, still a trusted path",
    hosts: { mx: { behaviour: {}, cert: { key: { type: "rsa", bits: 1024 } } } },
    expect: {
      facts: { mx: { cert_trusted: true, cert_key_type: "rsa", cert_key_bits: 1024 } },
      domain: "valid",
      hosts: { mx: ok },
    },
  },
  {
    name: "sha1",
    why: "a SHA-1 signature on the leaf: a weakness of its own, still a trusted path",
    hosts: { mx: { behaviour: {}, cert: { signatureHash: "SHA-1" } } },
    expect: {
      facts: { mx: { cert_trusted: true, cert_sig_alg: "sha1WithRSAEncryption" } },
      domain: "valid",
      hosts: { mx: ok },
    },
  },
  {
    name: "tls10-11",
    why: "only TLS 1.0 and 1.1",
    hosts: { mx: { behaviour: { tlsVersions: { min: "TLSv1", max: "TLSv1.1" } } } },
    expect: {
      facts: { mx: { tls_version: "TLSv1.1", cert_trusted: true } },
      domain: "valid",
      hosts: { mx: ok },
    },
  },
  {
    name: "tls13-only",
    why: "only TLS 1.3",
    hosts: { mx: { behaviour: { tlsVersions: { min: "TLSv1.3", max: "TLSv1.3" } } } },
    expect: { facts: { mx: { tls_version: "TLSv1.3" } }, domain: "valid", hosts: { mx: ok } },
  },
  {
    name: "greet-554",
    why: "554 greeting: the server refuses us",
    hosts: { mx: { behaviour: { greeting: { code: 554 } } } },
    expect: {
      facts: { mx: { smtp_banner_code: 554, ehlo_command: null, starttls_offered: null } },
      domain: "smtp_failed",
      hosts: { mx: { status: "smtp_failed", failure: "banner_rejected", phase: "banner" } },
    },
  },
  {
    name: "greet-421",
    why: "421 greeting on every connection (too many connections): rate-limited, not measured — retried once, still inconclusive",
    hosts: { mx: { behaviour: { greeting: { code: 421 } } } },
    expect: {
      facts: { mx: { smtp_banner_code: 421, starttls_offered: null, connections_used: 2 } },
      domain: "inconclusive",
      hosts: { mx: { status: "inconclusive", failure: "banner_rejected", phase: "banner" } },
    },
  },
  {
    name: "421-then-ok",
    why: "a rate limit that lifts: 421 on the first connection, the normal dialogue on the next — the retry finds it",
    hosts: { mx: { behaviour: { refuseFirst: 1 } } },
    expect: {
      facts: { mx: { smtp_banner_code: 220, starttls_ok: true, connections_used: 2 } },
      domain: "valid",
      hosts: { mx: ok },
    },
  },
  {
    name: "never-greets",
    why: "accepts TCP and never says a word (a tarpit): inconclusive, not retried (it would only spend the deadline)",
    hosts: { mx: { behaviour: { greeting: { never: true } } } },
    expect: {
      facts: { mx: { smtp_banner_code: null, smtp_banner: null, connections_used: 1 } },
      domain: "inconclusive",
      hosts: { mx: { status: "inconclusive", failure: "banner_timeout", phase: "banner" } },
    },
    slow: true,
  },
  {
    name: "reset-on-connect",
    why: "accepts TCP and resets at once (a connection limit in a middlebox): inconclusive, retried once",
    hosts: { mx: { behaviour: { reset: "on_connect" } } },
    expect: {
      facts: { mx: { smtp_banner_code: null, starttls_offered: null, connections_used: 2 } },
      domain: "inconclusive",
      hosts: { mx: { status: "inconclusive", failure: "connection_reset", phase: "banner" } },
    },
  },
  {
    name: "reset-after-greeting",
    why: "greets, then resets on EHLO (a rate limit enforced after the greeting): inconclusive, retried once",
    hosts: { mx: { behaviour: { reset: "after_greeting" } } },
    expect: {
      facts: {
        mx: { smtp_banner_code: 220, ehlo_command: null, starttls_offered: null, connections_used: 2 },
      },
      domain: "inconclusive",
      hosts: { mx: { status: "inconclusive", failure: "connection_reset", phase: "ehlo" } },
    },
  },
  {
    name: "drip",
    why: "sends its greeting one byte per second",
    hosts: { mx: { behaviour: { greeting: { dripMs: 1000 } } } },
    expect: {
      facts: { mx: { smtp_banner_code: null } },
      domain: "smtp_failed",
      hosts: { mx: { status: "smtp_failed", failure: "partial_reply_timeout", phase: "banner" } },
    },
    slow: true,
  },
  {
    name: "slow-greeting",
    why: "greets after 1.5 s, as postscreen-style greeting delays do: patience is rewarded",
    hosts: { mx: { behaviour: { greeting: { delayMs: 1500 } } } },
    expect: { domain: "valid", hosts: { mx: ok } },
  },
  {
    name: "multiline-greeting",
    why: "a three-line 220 greeting",
    hosts: {
      mx: {
        behaviour: { greeting: { lines: ["mx.multiline-greeting.lab.test ESMTP", "no UCE", "welcome"] } },
      },
    },
    expect: {
      facts: {
        mx: {
          smtp_banner: "220-mx.multiline-greeting.lab.test ESMTP\n220-no UCE\n220 welcome",
          smtp_banner_code: 220,
        },
      },
      domain: "valid",
      hosts: { mx: ok },
    },
  },
  {
    name: "hostile-text",
    why: "greets with terminal escapes (OSC window title, clear screen) and control bytes: text output shows them escaped, JSON keeps them as sent",
    hosts: {
      mx: { behaviour: { greeting: { lines: ["mx \x1b]0;pwned\x07 \x1b[2J ESMTP \x9b2J\x08"] } } },
    },
    expect: {
      facts: {
        mx: { smtp_banner: "220 mx \x1b]0;pwned\x07 \x1b[2J ESMTP \x9b2J\x08", smtp_banner_code: 220 },
      },
      domain: "valid",
      hosts: { mx: ok },
    },
  },
  {
    name: "ehlo-refused",
    why: "EHLO refused, HELO accepted: no extensions, so no STARTTLS",
    hosts: { mx: { behaviour: { ehlo: "refuse" } } },
    expect: {
      facts: {
        mx: { ehlo_command: "HELO", ehlo_reply_code: 250, starttls_offered: false, ehlo_extensions: [] },
      },
      domain: "no_starttls",
      hosts: { mx: { status: "no_starttls", failure: null, phase: null } },
    },
  },
  {
    name: "starttls-454",
    why: "offers STARTTLS, answers it with 454",
    hosts: { mx: { behaviour: { starttls: "reject" } } },
    expect: {
      facts: {
        mx: { starttls_offered: true, starttls_reply_code: 454, starttls_ok: false, tls_version: null },
      },
      domain: "tls_failed",
      hosts: { mx: { status: "tls_failed", failure: "starttls_rejected", phase: "starttls" } },
    },
  },
  {
    name: "handshake-close",
    why: "answers STARTTLS with 220, then hangs up on the ClientHello",
    hosts: { mx: { behaviour: { tlsFailure: "close_during_handshake" } } },
    expect: {
      facts: { mx: { starttls_offered: true, starttls_reply_code: 220, starttls_ok: false } },
      domain: "tls_failed",
      hosts: { mx: { status: "tls_failed", failure: "connection_closed", phase: "tls_handshake" } },
    },
  },
  {
    name: "3des-only",
    why: "offers STARTTLS but only 3DES, which Node's OpenSSL 3 cannot complete: the server's own choice and chain are the facts",
    hosts: { mx: { behaviour: { tlsResponder: { versions: [0x0303], suites: [0x000a] } } } },
    expect: {
      facts: {
        mx: {
          starttls_offered: true,
          starttls_ok: false,
          tls_version: "TLSv1.2",
          tls_cipher: "TLS_RSA_WITH_3DES_EDE_CBC_SHA",
          tls_alert: "handshake_failure",
          cert_sans: ["mx.3des-only.lab.test"],
          cert_name_matches_mx: true,
          cert_trusted: null,
          connections_used: 2,
        },
      },
      domain: "tls_unsupported_by_client",
      hosts: {
        mx: {
          status: "tls_unsupported_by_client",
          failure: "tls_unsupported_by_client",
          phase: "tls_handshake",
        },
      },
    },
  },
  {
    name: "hello-then-fail",
    why: "answers OpenSSL's ClientHello with a ServerHello and its chain, then hangs up: its choice is kept, its TLS does not work",
    hosts: { mx: { behaviour: { tlsResponder: { versions: [0x0303], suites: [0x009c] } } } },
    expect: {
      facts: {
        mx: {
          starttls_ok: false,
          tls_version: "TLSv1.2",
          tls_cipher: "TLS_RSA_WITH_AES_128_GCM_SHA256",
          cert_sans: ["mx.hello-then-fail.lab.test"],
          cert_trusted: null,
          connections_used: 1,
        },
      },
      domain: "tls_failed",
      hosts: { mx: { status: "tls_failed", failure: "connection_closed", phase: "tls_handshake" } },
    },
  },
  {
    name: "refused",
    why: "nothing listens on the MX host's address",
    hosts: { mx: { behaviour: {}, noServer: true } },
    expect: {
      facts: { mx: { smtp_banner_code: null, connect_ms: null } },
      domain: "unreachable",
      hosts: { mx: { status: "unreachable", failure: "connection_refused", phase: "connect" } },
    },
  },
  {
    name: "backup-bad",
    why: "primary MX is fine; the backup lacks STARTTLS but does not decide the verdict",
    mx: [
      { preference: 10, host: "mx" },
      { preference: 20, host: "backup" },
    ],
    hosts: { mx: good, backup: { behaviour: { starttls: "none" } } },
    expect: {
      domainFacts: {
        mx_hosts: ["mx.backup-bad.lab.test", "backup.backup-bad.lab.test"],
        mx_priorities: [10, 20],
        mx_primary_hosts: ["mx.backup-bad.lab.test"],
      },
      domain: "valid",
      hosts: { mx: ok, backup: { status: "no_starttls", failure: null, phase: null } },
    },
  },
  {
    name: "two-primaries",
    why: "two MX hosts of equal preference, one without STARTTLS: both decide",
    mx: [
      { preference: 10, host: "mx" },
      { preference: 10, host: "mx2" },
    ],
    hosts: { mx: good, mx2: { behaviour: { starttls: "none" } } },
    expect: {
      domainFacts: { mx_primary_hosts: ["mx.two-primaries.lab.test", "mx2.two-primaries.lab.test"] },
      domain: "no_starttls",
      hosts: { mx: ok, mx2: { status: "no_starttls", failure: null, phase: null } },
    },
  },
  {
    name: "cname-mx",
    why: "the MX target is a CNAME (noted) to a good host",
    mx: [{ preference: 10, host: "alias" }],
    hosts: { real: { behaviour: {}, cert: { names: ["alias.cname-mx.lab.test"] } } },
    zone: { alias: { CNAME: "real.cname-mx.lab.test" } },
    expect: {
      domainFacts: { mx_cname_hosts: ["alias.cname-mx.lab.test"], mx_hosts: ["alias.cname-mx.lab.test"] },
      domain: "valid",
    },
  },
  {
    name: "unresolvable-mx",
    why: "the MX host has no address record: it still gets a host row",
    mx: [{ preference: 10, host: "ghost" }],
    expect: {
      domainFacts: { mx_hosts: ["ghost.unresolvable-mx.lab.test"], hosts_total: 1 },
      domain: "dns_failed",
    },
  },
  {
    name: "mx-servfail",
    why: "the MX host's address lookup answers SERVFAIL: the resolver failed, not the name — inconclusive, not dns_failed",
    zone: { mx: { rcode: "SERVFAIL" } },
    expect: {
      facts: { mx: { dns_rcode: "SERVFAIL", connect_ms: null } },
      domain: "inconclusive",
      hosts: { mx: { status: "inconclusive", failure: "dns_servfail", phase: "resolve" } },
    },
  },
  {
    name: "ip-literal-mx",
    why: "the MX target is an IP literal: flagged, not probed",
    zone: { "@": { MX: [{ preference: 10, exchange: "127.0.0.1" }] } },
    expect: { domainFacts: { mx_ip_literals: ["127.0.0.1"], hosts_total: 1 }, domain: "dns_failed" },
  },
  {
    name: "null-mx",
    why: "null MX (RFC 7505): the domain accepts no mail",
    zone: { "@": { MX: [{ preference: 0, exchange: "" }] } },
    expect: {
      domainFacts: { mx_kind: "null", mx_hosts: [], hosts_total: 0, dns_rcode: "NOERROR" },
      domain: "no_mail",
    },
  },
  {
    name: "implicit",
    why: "no MX record: mail goes to the domain's own address (RFC 5321 §5.1)",
    mx: [],
    hosts: { "@": { behaviour: {} } },
    expect: {
      domainFacts: {
        mx_kind: "implicit",
        mx_hosts: ["implicit.lab.test"],
        mx_priorities: [0],
        cert_name_matches_domain: true,
      },
      domain: "valid",
    },
  },
  {
    name: "servfail",
    why: "the resolver answers SERVFAIL for the MX lookup",
    zone: { "@": { rcode: "SERVFAIL" } },
    expect: {
      domainFacts: { mx_kind: "error", dns_rcode: "SERVFAIL", dns_failure: "dns_servfail", hosts_total: 0 },
      domain: "dns_error",
    },
  },
  {
    name: "nxdomain",
    why: "the domain does not exist",
    absent: true,
    expect: {
      domainFacts: { mx_kind: "none", dns_rcode: "NXDOMAIN", dns_failure: "dns_nxdomain" },
      domain: "no_mx",
    },
  },
];
