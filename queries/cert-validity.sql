-- Certificate validity of the MX hosts whose STARTTLS worked, in one scan: trusted, expired, self-signed, ...
-- The categories: trusted, expired, not yet valid, self-signed, untrusted issuer, name mismatch.
-- Of the (host, IP) rows whose STARTTLS and TLS handshake completed (status ok or cert_invalid). Each row counts
-- once, in the first category that fits, in this order: trusted (status ok: the path validates to a trusted
-- root, the leaf is in date and names the MX host), expired, not_yet_valid, self_signed, untrusted_issuer (the
-- path does not validate, for another reason), name_mismatch (trusted and in date, but not naming the host),
-- other. pct is of those rows.
-- Scan: the newest complete one. Another scan: `mxsurvey db query cert-validity --scan ID`, or, for clickhouse-client,
-- write the id in quotes in place of the expression on the line marked `-- @scan` (README: analysis queries).
-- Run: clickhouse-client --database mxsurvey < queries/cert-validity.sql
SELECT category, count() AS host_rows, floor(10000 * host_rows / any(total) + 0.5) / 100 AS pct
FROM
(
    SELECT multiIf(
               status = 'ok', 'trusted',
               ifNull(cert_expired = 1, 0), 'expired',
               ifNull(cert_not_yet_valid = 1, 0), 'not_yet_valid',
               ifNull(cert_self_signed = 1, 0), 'self_signed',
               ifNull(cert_trusted = 0, 0), 'untrusted_issuer',
               ifNull(cert_name_matches_mx = 0, 0), 'name_mismatch',
               'other') AS category,
           scan_id
    FROM hosts FINAL
    WHERE scan_id =
        (SELECT max(scan_id) FROM scans FINAL WHERE state = 'complete') -- @scan
      AND status IN ('ok', 'cert_invalid')
) AS c
ANY LEFT JOIN
(
    SELECT scan_id, countIf(status IN ('ok', 'cert_invalid')) AS total FROM hosts FINAL GROUP BY scan_id
) AS t USING scan_id
GROUP BY category
ORDER BY indexOf(['trusted', 'expired', 'not_yet_valid', 'self_signed', 'untrusted_issuer', 'name_mismatch', 'other'], category)
