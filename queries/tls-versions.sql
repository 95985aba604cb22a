-- Negotiated TLS versions and key-exchange groups over the (host, IP) rows of one scan, most common first.
-- Scan: the newest complete one. Another scan: `mxsurvey db query tls-versions --scan ID`, or, for
-- clickhouse-client, write the id in quotes in place of the expression on the line marked `-- @scan` (README:
-- analysis queries), as in `'20260101T000000Z-abc123' -- @scan`.
-- Run: clickhouse-client --database mxsurvey < queries/tls-versions.sql
SELECT tls_version, tls_kx_group, count() AS rows
FROM hosts FINAL
WHERE scan_id =
    (SELECT max(scan_id) FROM scans FINAL WHERE state = 'complete') -- @scan
  AND tls_version IS NOT NULL AND starttls_ok = 1
GROUP BY tls_version, tls_kx_group
ORDER BY rows DESC, tls_version, tls_kx_group
