-- The top 20 MX providers by MX host names in one scan, with their hosts' STARTTLS, certificate, TLS, DANE rates.
-- A host's provider is its registrable domain (the provider column; '' for an IP address or a bare suffix).
-- Per host name, over its addresses, as in rank-buckets-hosts: starttls, valid_cert, cert_invalid, expired,
-- self_signed, name_mismatch, tls12_plus, weak_suite, dane. Rates are percentages of the provider's host names.
-- Ties: by name.
-- Scan: the newest complete one. Another scan: `mxsurvey db query providers-hosts --scan ID`, or, for
-- clickhouse-client, write the id in quotes in place of the expression on the line marked `-- @scan` (README:
-- analysis queries).
-- Run: clickhouse-client --database mxsurvey < queries/providers-hosts.sql
SELECT
    provider,
    count() AS mx_hosts,
    floor(10000 * countIf(starttls = 1) / mx_hosts + 0.5) / 100 AS pct_starttls,
    floor(10000 * countIf(valid_cert = 1) / mx_hosts + 0.5) / 100 AS pct_valid_cert,
    floor(10000 * countIf(valid_cert = 0 AND tls_ok = 1) / mx_hosts + 0.5) / 100 AS pct_cert_invalid,
    floor(10000 * countIf(valid_cert = 0 AND expired = 1) / mx_hosts + 0.5) / 100 AS pct_expired,
    floor(10000 * countIf(valid_cert = 0 AND self_signed = 1) / mx_hosts + 0.5) / 100 AS pct_self_signed,
    floor(10000 * countIf(valid_cert = 0 AND name_mismatch = 1) / mx_hosts + 0.5) / 100 AS pct_name_mismatch,
    floor(10000 * countIf(negotiated = 1 AND old_version = 0) / mx_hosts + 0.5) / 100 AS pct_tls12_plus,
    floor(10000 * countIf(weak = 1) / mx_hosts + 0.5) / 100 AS pct_weak_suite,
    floor(10000 * countIf(dane = 1) / mx_hosts + 0.5) / 100 AS pct_dane
FROM
(
    SELECT ifNull(any(provider), '') AS provider,
           hostname,
           max(ifNull(starttls_offered = 1, 0)) AS starttls,
           max(status = 'ok') AS valid_cert,
           max(status IN ('ok', 'cert_invalid')) AS tls_ok,
           max(status = 'cert_invalid' AND ifNull(cert_expired = 1, 0)) AS expired,
           max(status = 'cert_invalid' AND ifNull(cert_self_signed = 1, 0)) AS self_signed,
           max(status = 'cert_invalid' AND ifNull(cert_trusted = 1 AND cert_expired = 0 AND cert_name_matches_mx = 0, 0))
               AS name_mismatch,
           max(isNotNull(tls_version) AND status IN ('ok', 'cert_invalid')) AS negotiated,
           max(status IN ('ok', 'cert_invalid') AND ifNull(tls_version NOT IN ('TLSv1.2', 'TLSv1.3'), 0)) AS old_version,
           max(notEmpty(weak_ciphers)) AS weak,
           max(ifNull(dane_status = 'valid', 0)) AS dane
    FROM hosts FINAL
    WHERE scan_id =
        (SELECT max(scan_id) FROM scans FINAL WHERE state = 'complete') -- @scan
    GROUP BY hostname
) AS h
GROUP BY provider
ORDER BY mx_hosts DESC, provider
LIMIT 20
