-- STARTTLS adoption and valid domain verdicts per complete scan, oldest first: a trend across scans.
-- Per scan: the share of (host, IP) rows that answered SMTP and offer STARTTLS, and of domains whose verdict is
-- valid.
-- Scans: every complete scan (running and failed ones are left out); it takes no --scan.
-- Run: clickhouse-client --database mxsurvey < queries/starttls-trend.sql
-- (One JOIN per SELECT: ClickHouse 18.16 allows no more. Every joined subquery has an alias: current releases
-- refuse one without. ifNull(starttls_offered = 1, 0): a row not tested never counts, and the share is Float64
-- on every release, not Nullable(Float64) on 18.16 only.)
SELECT scan_id, scan_started_at, list_source, list_id, pct_starttls, pct_valid
FROM
(
    SELECT scan_id, scan_started_at, list_source, list_id, pct_starttls
    FROM (SELECT scan_id, scan_started_at, list_source, list_id FROM scans FINAL WHERE state = 'complete') AS s
    ANY LEFT JOIN
    (
        SELECT scan_id,
               floor(10000 * countIf(ifNull(starttls_offered = 1, 0)) / countIf(isNotNull(starttls_offered)) + 0.5) / 100
                   AS pct_starttls
        FROM hosts FINAL
        GROUP BY scan_id
    ) AS h USING scan_id
) AS sh
ANY LEFT JOIN
(
    SELECT scan_id, floor(10000 * countIf(status = 'valid') / count() + 0.5) / 100 AS pct_valid
    FROM domains FINAL
    GROUP BY scan_id
) AS d USING scan_id
ORDER BY scan_started_at, scan_id
