-- Grade distribution of the mail domains in one scan (A+ ... F, LuxSci's rule; README: the rubric).
-- A domain's grade is the worst grade of its primary MX hosts; none: no grade (a scan at --depth basic, or no
-- STARTTLS facts). Of the domains with mail servers (mx_kind mx or implicit); pct is of those.
-- Scan: the newest complete one. Another scan: `mxsurvey db query grades --scan ID`, or, for clickhouse-client,
-- write the id in quotes in place of the expression on the line marked `-- @scan` (README: analysis queries).
-- Run: clickhouse-client --database mxsurvey < queries/grades.sql
SELECT grade, count() AS domains, floor(10000 * domains / any(total) + 0.5) / 100 AS pct
FROM
(
    SELECT scan_id, ifNull(grade, 'none') AS grade
    FROM domains FINAL
    WHERE scan_id =
        (SELECT max(scan_id) FROM scans FINAL WHERE state = 'complete') -- @scan
      AND mx_kind IN ('mx', 'implicit')
) AS g
ANY LEFT JOIN
(
    SELECT scan_id, countIf(mx_kind IN ('mx', 'implicit')) AS total FROM domains FINAL GROUP BY scan_id
) AS t USING scan_id
GROUP BY grade
ORDER BY indexOf(['A+', 'A', 'B', 'C', 'D', 'F', 'none'], grade)
