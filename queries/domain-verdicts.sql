-- Domain verdicts of one scan, most common first: domains per verdict and their share (%) of the scan's domains.
-- Scan: the newest complete one. Another scan: `mxsurvey db query domain-verdicts --scan ID`, or, for
-- clickhouse-client, write the id in quotes in place of the expression on the line marked `-- @scan` (README:
-- analysis queries), as in `'20260101T000000Z-abc123' -- @scan`.
-- Run: clickhouse-client --database mxsurvey < queries/domain-verdicts.sql
-- (ClickHouse 18.16 has no window functions: the total comes from the same pass, through an array.)
SELECT
    verdict.1 AS status,
    verdict.2 AS domains,
    floor(10000 * domains / total + 0.5) / 100 AS pct
FROM
(
    SELECT groupArray((status, n)) AS verdicts, sum(n) AS total
    FROM
    (
        SELECT status, count() AS n
        FROM domains FINAL
        WHERE scan_id =
            (SELECT max(scan_id) FROM scans FINAL WHERE state = 'complete') -- @scan
        GROUP BY status
    )
)
ARRAY JOIN verdicts AS verdict
ORDER BY domains DESC, status
