-- DANE adoption of the mail domains in one scan (RFC 7672): by DANE status and DNSSEC state of the MX answer.
-- dane_status of a domain: valid only when its MX answer is DNSSEC-secure and every primary MX host has valid
-- DANE; none: no TLSA records; insecure: not DNSSEC-signed; invalid or bogus: published but failing;
-- not_tested: null. dnssec_mx: secure, insecure, bogus, indeterminate ('' when not known). Of the domains with
-- mail servers (mx_kind mx or implicit); pct is of those.
-- Scan: the newest complete one. Another scan: `mxsurvey db query dane-domains --scan ID`, or, for clickhouse-client,
-- write the id in quotes in place of the expression on the line marked `-- @scan` (README: analysis queries).
-- Run: clickhouse-client --database mxsurvey < queries/dane-domains.sql
SELECT dane_status, dnssec_mx, count() AS domains, floor(10000 * domains / any(total) + 0.5) / 100 AS pct
FROM
(
    SELECT scan_id, ifNull(dane_status, 'not_tested') AS dane_status, ifNull(dnssec_mx, '') AS dnssec_mx
    FROM domains FINAL
    WHERE scan_id =
        (SELECT max(scan_id) FROM scans FINAL WHERE state = 'complete') -- @scan
      AND mx_kind IN ('mx', 'implicit')
) AS d
ANY LEFT JOIN
(
    SELECT scan_id, countIf(mx_kind IN ('mx', 'implicit')) AS total FROM domains FINAL GROUP BY scan_id
) AS t USING scan_id
GROUP BY dane_status, dnssec_mx
ORDER BY indexOf(['valid', 'invalid', 'bogus', 'insecure', 'none', 'not_tested'], dane_status), dnssec_mx
