-- TLS-RPT (RFC 8460) adoption of the mail domains in one scan: domains by status and error.
-- tls_rpt_status: valid (a well-formed _smtp._tls TXT record), invalid (tls_rpt_error says why), none,
-- not_checked (null). Of the domains with mail servers (mx_kind mx or implicit); pct is of those.
-- Scan: the newest complete one. Another scan: `mxsurvey db query tls-rpt --scan ID`, or, for clickhouse-client,
-- write the id in quotes in place of the expression on the line marked `-- @scan` (README: analysis queries).
-- Run: clickhouse-client --database mxsurvey < queries/tls-rpt.sql
SELECT tls_rpt_status, tls_rpt_error, count() AS domains, floor(10000 * domains / any(total) + 0.5) / 100 AS pct
FROM
(
    SELECT scan_id, ifNull(tls_rpt_status, 'not_checked') AS tls_rpt_status, ifNull(tls_rpt_error, '') AS tls_rpt_error
    FROM domains FINAL
    WHERE scan_id =
        (SELECT max(scan_id) FROM scans FINAL WHERE state = 'complete') -- @scan
      AND mx_kind IN ('mx', 'implicit')
) AS d
ANY LEFT JOIN
(
    SELECT scan_id, countIf(mx_kind IN ('mx', 'implicit')) AS total FROM domains FINAL GROUP BY scan_id
) AS t USING scan_id
GROUP BY tls_rpt_status, tls_rpt_error
ORDER BY indexOf(['valid', 'invalid', 'none', 'not_checked'], tls_rpt_status), tls_rpt_error
