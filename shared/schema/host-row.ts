/**
 * The host row: one per (MX host, IP) probed — the contract for `--json` output, JSONL files and the ClickHouse
 * hosts table. Columns are in output order. `null` means "not reached / not tested", never "false".
 */

import { CERT_ERRORS } from "../cert-errors.js";
import { DNSSEC_STATES } from "../dane/dnssec.js";
import { DANE_FAILURES, DANE_STATUSES } from "../dane/verdict.js";
import { FAILURES, PHASES } from "../failures.js";
import { PROBE_DEPTHS } from "../settings.js";
import { HOST_STATUSES } from "../status.js";
import { GRADES } from "../tls/grade.js";
import { col, type RowOf, t } from "./columns.js";

const nstr = () => t.nullable(t.string());
const nbool = () => t.nullable(t.bool());

export const HOST_COLUMNS = {
  hostname: col(
    t.string(),
    "MX host name (lower case, no trailing dot); the domain itself for an implicit MX",
  ),
  provider: col(
    nstr(),
    "the MX host's registrable domain under the Public Suffix List's ICANN section (mx1.google.com: google.com); null: an IP address or a bare suffix",
  ),
  ip: col(nstr(), "address probed; null when the host name did not resolve"),
  port: col(t.uint16(), "TCP port probed (25 unless --smtp-port)"),
  hostname_cnames: col(t.array(t.string()), "CNAME chain followed when resolving the host name"),
  status: col(t.enum(HOST_STATUSES), "host verdict (see README: host status)"),
  failure: col(t.nullable(t.enum(FAILURES)), "null, or the name from the closed failure vocabulary"),
  failure_phase: col(t.nullable(t.enum(PHASES)), "the phase that failed"),
  failure_detail: col(nstr(), "what we saw, for people: the raw error text or reply"),
  dns_rcode: col(
    nstr(),
    "rcode of the host's address lookup (NOERROR, NXDOMAIN, SERVFAIL, REFUSED, TIMEOUT)",
  ),
  smtp_banner_code: col(t.nullable(t.uint16()), "code of the greeting (220, or a 4xx/5xx)"),
  smtp_banner: col(nstr(), "greeting text as received, lines joined by \\n"),
  ehlo_command: col(
    t.nullable(t.enum(["EHLO", "HELO"])),
    "the hello that was accepted (HELO after EHLO refused)",
  ),
  ehlo_reply_code: col(t.nullable(t.uint16()), "code of the last EHLO/HELO reply"),
  ehlo_extensions: col(
    t.array(t.string()),
    "EHLO extensions before TLS: KEYWORD [params], keyword upper-cased",
  ),
  ehlo_raw: col(nstr(), "the EHLO reply as received"),
  starttls_offered: col(nbool(), "STARTTLS among the EHLO extensions (null: EHLO not reached)"),
  starttls_reply_code: col(t.nullable(t.uint16()), "code of the reply to STARTTLS"),
  starttls_ok: col(nbool(), "STARTTLS answered 220 and the TLS handshake completed"),
  tls_version: col(
    nstr(),
    "negotiated protocol: SSLv3, TLSv1, TLSv1.1, TLSv1.2, TLSv1.3; with starttls_ok false, the server's ServerHello choice",
  ),
  tls_cipher: col(
    nstr(),
    "negotiated cipher suite, IANA name; with starttls_ok false, the server's ServerHello choice",
  ),
  tls_kx_group: col(
    nstr(),
    "key exchange group: x25519, secp256r1, ... or ffdhe-N / dh-N for finite-field DH",
  ),
  tls_alert: col(nstr(), "the TLS alert the server sent when the handshake failed, e.g. handshake_failure"),
  ehlo_tls_extensions: col(t.array(t.string()), "EHLO extensions inside TLS"),
  cert_chain_sha256: col(
    t.array(t.string()),
    "SHA-256 of each certificate the server sent, in the order sent (roots it did not send are not added); " +
      "if its Certificate message could not be read, OpenSSL's linked chain instead, noted in failure_detail",
  ),
  cert_trusted: col(
    nbool(),
    "path validation alone: chains to Mozilla's roots (Node's bundle) or --ca-file; null when no handshake completed",
  ),
  cert_error: col(t.nullable(t.enum(CERT_ERRORS)), "why the path did not validate"),
  cert_error_code: col(nstr(), "OpenSSL's verify result for the path, e.g. CERT_HAS_EXPIRED"),
  cert_expired: col(nbool(), "the leaf's notAfter is in the past"),
  cert_not_yet_valid: col(nbool(), "the leaf's notBefore is in the future"),
  cert_self_signed: col(nbool(), "the leaf is issued by itself and verifies with its own key"),
  cert_name_matches_mx: col(
    nbool(),
    "a DNS SAN (or the CN when there are none) matches the MX host (RFC 6125)",
  ),
  cert_subject_cn: col(nstr(), "leaf subject common name"),
  cert_sans: col(t.array(t.string()), "leaf DNS subject alternative names"),
  cert_issuer: col(nstr(), "leaf issuer distinguished name"),
  cert_not_before: col(t.nullable(t.datetime()), "leaf validity start"),
  cert_not_after: col(t.nullable(t.datetime()), "leaf validity end"),
  cert_key_type: col(nstr(), "leaf public key type: rsa, ec, ed25519, ed448, dsa, rsa-pss"),
  cert_key_bits: col(t.nullable(t.uint16()), "leaf key size: RSA modulus bits, EC curve bits"),
  cert_key_curve: col(nstr(), "named curve of an EC key, e.g. prime256v1"),
  cert_sig_alg: col(nstr(), "signature algorithm on the leaf, e.g. sha256WithRSAEncryption"),
  cert_sha256: col(nstr(), "SHA-256 of the leaf certificate (DER), hex"),
  cert_spki_sha256: col(nstr(), "SHA-256 of the leaf's SubjectPublicKeyInfo (DER), hex"),
  dane_status: col(
    t.nullable(t.enum(DANE_STATUSES)),
    "DANE (RFC 7672): none (no TLSA), valid, invalid, insecure (not DNSSEC-signed), bogus (validation failed); null: not tested",
  ),
  dane_failure: col(t.nullable(t.enum(DANE_FAILURES)), "why dane_status is invalid"),
  dane_tlsa: col(t.array(t.string()), "the TLSA RRset that decided, as `usage selector matching-type hex`"),
  dane_matched: col(nstr(), "the TLSA record that authenticated the server"),
  dane_unusable: col(
    t.array(t.string()),
    "TLSA records unusable for SMTP (PKIX-TA/PKIX-EE usages, unknown values)",
  ),
  dane_base_domain: col(nstr(), "TLSA base domain: the MX host, or its secure CNAME expansion"),
  dane_single_record_note: col(
    t.bool(),
    "exactly one usable TLSA record: no rollover without a window of failure",
  ),
  dane_dnssec_mx: col(
    t.nullable(t.enum(DNSSEC_STATES)),
    "DNSSEC state of the MX answer (null in scans: see the domain row)",
  ),
  dane_dnssec_addr: col(t.nullable(t.enum(DNSSEC_STATES)), "DNSSEC state of the host's address records"),
  dane_dnssec_tlsa: col(t.nullable(t.enum(DNSSEC_STATES)), "DNSSEC state of the TLSA answer"),
  dane_detail: col(nstr(), "why this DANE status, record by record, for people"),
  ssl2: col(nbool(), "SSLv2 accepted (the server's own answer to our SSLv2 ClientHello); null: not tested"),
  ssl3: col(nbool(), "SSLv3 accepted; null: not tested"),
  tls10: col(nbool(), "TLS 1.0 accepted; null: not tested"),
  tls11: col(nbool(), "TLS 1.1 accepted; null: not tested"),
  tls12: col(nbool(), "TLS 1.2 accepted; null: not tested"),
  tls13: col(nbool(), "TLS 1.3 accepted; null: not tested"),
  ciphers: col(
    t.array(t.string()),
    "accepted cipher suites as `VERSION:IANA_NAME`, highest version first (--depth full)",
  ),
  ciphers_complete: col(t.bool(), "every suite of every accepted version was tried"),
  weak_ciphers: col(
    t.array(t.string()),
    "the accepted suites that are weak: NULL, anonymous, EXPORT, DES, 3DES, RC4, RC2, IDEA, ...",
  ),
  nist_r1_ok: col(nbool(), "accepts at least one NIST SP 800-52r1 recommended suite; null: not known"),
  nist_r2_ok: col(nbool(), "accepts at least one NIST SP 800-52r2 recommended suite; null: not known"),
  forward_secrecy_only: col(nbool(), "every accepted suite has forward secrecy; null: not known"),
  kx_groups: col(t.array(t.string()), "key-exchange groups accepted (TLS 1.3 and TLS 1.2 ECDHE), then dh-N"),
  server_cipher_order: col(nbool(), "the server enforces its own suite order; null: not tested"),
  inventory_depth: col(t.enum(PROBE_DEPTHS), "the --depth this row was probed with: basic, versions, full"),
  inventory_failure: col(
    t.nullable(t.enum(FAILURES)),
    "why the TLS inventory stopped early (its facts so far are kept)",
  ),
  connections_used: col(t.uint16(), "TCP connections this row's probes opened to the host"),
  grade: col(
    t.nullable(t.enum(GRADES)),
    "A+..F (README: the rubric); null at --depth basic (versions unknown) or without STARTTLS facts",
  ),
  recommendations: col(
    t.array(t.string()),
    "stable codes of what to change (README lists each code's sentence)",
  ),
  connect_ms: col(t.nullable(t.uint32()), "time to establish TCP"),
  tls_ms: col(t.nullable(t.uint32()), "time of the TLS handshake"),
  duration_ms: col(t.uint32(), "whole probe of this (host, ip)"),
  probed_at: col(t.datetime(), "when the probe started"),
  probe_version: col(t.string(), "mxsurvey version that produced the row"),
} as const;

export type HostRow = RowOf<typeof HOST_COLUMNS>;
