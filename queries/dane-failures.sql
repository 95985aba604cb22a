-- DANE failure categories of the MX hosts in one scan: (host, IP) rows by DANE status and, when invalid, why.
-- dane_status of a host row: valid (a usable TLSA record authenticated the server), invalid (TLSA published and
-- DNSSEC-secure, but no record matched, or no usable one: dane_failure says which), bogus (DNSSEC validation
-- failed), insecure (TLSA not signed), none (no TLSA), not_tested (null). dane_failure: '' unless invalid.
-- pct is of all host rows of the scan.
-- Scan: the newest complete one. Another scan: `mxsurvey db query dane-failures --scan ID`, or, for clickhouse-client,
-- write the id in quotes in place of the expression on the line marked `-- @scan` (README: analysis queries).
-- Run: clickhouse-client --database mxsurvey < queries/dane-failures.sql
SELECT dane_status, dane_failure, count() AS host_rows, floor(10000 * host_rows / any(total) + 0.5) / 100 AS pct
FROM
(
    SELECT scan_id, ifNull(dane_status, 'not_tested') AS dane_status, ifNull(dane_failure, '') AS dane_failure
    FROM hosts FINAL
    WHERE scan_id =
        (SELECT max(scan_id) FROM scans FINAL WHERE state = 'complete') -- @scan
) AS h
ANY LEFT JOIN
(
    SELECT scan_id, count() AS total FROM hosts FINAL GROUP BY scan_id
) AS t USING scan_id
GROUP BY dane_status, dane_failure
ORDER BY indexOf(['valid', 'invalid', 'bogus', 'insecure', 'none', 'not_tested'], dane_status), dane_failure
