-- STARTTLS adoption and valid domain verdicts per complete scan, oldest first: a trend across scans.
-- Per scan: the share of (host, IP) rows that answered SMTP and offer STARTTLS, and of domains whose verdict is
-- valid.
-- Scans: every complete scan (running and failed ones are left out); it takes no --scan.
-- Run: clickhouse-client --database mxsurvey < queries/starttls-trend.sql
-- (One JOIN per SELECT: ClickHouse 18.16 allows no more.)
SELECT scan_id, scan_started_at, list_source, list_id, pct_starttls, pct_valid
FROM
(
    SELECT scan_id, scan_started_at, list_source, list_id, pct_starttls
    FROM (SELECT scan_id, scan_started_at, list_source, list_id FROM scans FINAL WHERE state = 'complete')
    ANY LEFT JOIN
    (
        SELECT scan_id,
               round(100 * countIf(starttls_offered = 1) / countIf(isNotNull(starttls_offered)), 2) AS pct_starttls
        FROM hosts FINAL
        GROUP BY scan_id
    ) USING scan_id
)
ANY LEFT JOIN
(
    SELECT scan_id, round(100 * countIf(status = 'valid') / count(), 2) AS pct_valid
    FROM domains FINAL
    GROUP BY scan_id
) USING scan_id
ORDER BY scan_started_at, scan_id
