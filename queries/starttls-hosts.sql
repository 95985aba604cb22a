-- STARTTLS per unique MX host name in one scan: offered, working, absent, inconclusive, not tested.
-- A host name counts once, however many addresses it has. offered: some address listed STARTTLS after EHLO;
-- working: some address completed STARTTLS and the TLS handshake; absent: an address answered EHLO without
-- STARTTLS and none offered it; inconclusive: no address reached EHLO and one was rate-limited, tarpitted or
-- reset (host status inconclusive); not_tested: the rest (no address, refused, greeting refused, blocked).
-- offered and working overlap (working is part of offered); absent, inconclusive and not_tested do not, and
-- offered + absent + inconclusive + not_tested = hosts. pct is of every host name.
-- Scan: the newest complete one. Another scan: `mxsurvey db query starttls-hosts --scan ID`, or, for clickhouse-client,
-- write the id in quotes in place of the expression on the line marked `-- @scan` (README: analysis queries).
-- Run: clickhouse-client --database mxsurvey < queries/starttls-hosts.sql
SELECT category, n AS hosts, floor(10000 * n / total + 0.5) / 100 AS pct
FROM
(
    SELECT count() AS total,
           countIf(offered = 1) AS n_offered,
           countIf(working = 1) AS n_working,
           countIf(offered = 0 AND absent = 1) AS n_absent,
           countIf(offered = 0 AND absent = 0 AND inconclusive = 1) AS n_inconclusive,
           countIf(offered = 0 AND absent = 0 AND inconclusive = 0) AS n_not_tested
    FROM
    (
        SELECT hostname,
               max(ifNull(starttls_offered = 1, 0)) AS offered,
               max(ifNull(starttls_ok = 1, 0)) AS working,
               max(ifNull(starttls_offered = 0, 0)) AS absent,
               max(status = 'inconclusive') AS inconclusive
        FROM hosts FINAL
        WHERE scan_id =
            (SELECT max(scan_id) FROM scans FINAL WHERE state = 'complete') -- @scan
        GROUP BY hostname
    ) AS per_host
)
ARRAY JOIN
    ['offered', 'working', 'absent', 'inconclusive', 'not_tested'] AS category,
    [n_offered, n_working, n_absent, n_inconclusive, n_not_tested] AS n
