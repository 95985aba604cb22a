/**
 * Host and domain status vocabularies.
 *
 * Host status is computed from one host row alone (certificate names checked against the MX host name).
 * Domain status is computed from the domain's DNS outcome and the rows of its highest-priority MX hosts,
 * where a certificate also counts as valid when it names the mail domain (the EFF checker's rule).
 */

export const HOST_STATUSES = [
  "ok", // STARTTLS worked and the certificate is valid: trusted, in date, names the MX host
  "cert_invalid", // STARTTLS worked (mail is encrypted) but the certificate does not authenticate the host
  "tls_failed", // STARTTLS was offered but refused, or the TLS handshake failed
  // the server chose a version or suite this client (Node's OpenSSL) cannot complete: 3DES, RC4, EXPORT, SSLv3 ...;
  // its choice and certificate chain come from its own answer (tls_version, tls_cipher, cert_*)
  "tls_unsupported_by_client",
  "no_starttls", // the server speaks SMTP but does not offer STARTTLS
  "smtp_failed", // connected, but the greeting or EHLO/HELO failed, so STARTTLS could not be tried
  // not now rather than not so: a 4xx greeting (421 too many connections), a tarpit (no greeting, no EHLO reply),
  // a reset or close right after connect or the greeting, a resolver that failed (SERVFAIL, REFUSED, timeout);
  // the failure and phase say which. Never counted as a server without STARTTLS.
  "inconclusive",
  "unreachable", // no TCP connection (refused, timed out, unreachable)
  "dns_failed", // the MX host name did not resolve to an address
  "blocked", // the address is special-purpose and was not contacted (--allow-private-targets is off)
] as const;
export type HostStatus = (typeof HOST_STATUSES)[number];

export const DOMAIN_STATUSES = [
  "valid", // every highest-priority MX host: STARTTLS with a valid certificate
  "cert_invalid", // every tested primary host encrypts, at least one certificate is not valid
  "tls_failed", // a primary host offers STARTTLS but it fails
  "tls_unsupported_by_client", // a primary host negotiates only what this client cannot complete (3DES, RC4 ...)
  "no_starttls", // a primary host does not offer STARTTLS
  "smtp_failed", // a primary host could not be tested past the SMTP greeting / EHLO
  "inconclusive", // a primary host rate-limited, tarpitted or reset us, or its address lookup failed
  "unreachable", // a primary host did not accept a TCP connection
  "dns_failed", // a primary host name did not resolve
  "blocked", // a primary host address is special-purpose and was not contacted
  "no_mail", // null MX (RFC 7505): the domain accepts no mail — a verdict, not a failure
  "no_mx", // the domain does not exist, or has neither MX nor address records
  "dns_error", // the MX lookup failed (SERVFAIL, REFUSED, timeout)
] as const;
export type DomainStatus = (typeof DOMAIN_STATUSES)[number];

/**
 * Which primary host status decides the domain verdict: the first one in this list that any primary row has.
 * A measured insecurity (no STARTTLS, a failing handshake, a bad certificate) outranks a host we could not
 * test; among those we could not test, the one nearest to SMTP wins.
 */
export const DOMAIN_SEVERITY: readonly HostStatus[] = [
  "no_starttls",
  "tls_failed",
  "tls_unsupported_by_client",
  "cert_invalid",
  "smtp_failed",
  "inconclusive",
  "unreachable",
  "dns_failed",
  "blocked",
  "ok",
];
