-- Domain verdicts of the latest complete scan, most common first. Run with --database mxsurvey.
-- (No window functions: ClickHouse 18.16 has none.)
SELECT
    status,
    count() AS domains,
    round(100 * domains / (SELECT count() FROM domains FINAL
                           WHERE scan_id = (SELECT max(scan_id) FROM scans FINAL WHERE state = 'complete')), 2) AS pct
FROM domains FINAL
WHERE scan_id = (SELECT max(scan_id) FROM scans FINAL WHERE state = 'complete')
GROUP BY status
ORDER BY domains DESC
