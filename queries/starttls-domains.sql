-- STARTTLS per mail domain in one scan, from its verdict: offered, working, absent, inconclusive, not tested.
-- Of the domains with mail servers (mx_kind mx or implicit). The verdict is decided by the domain's primary MX
-- hosts, the worst one winning (README: verdicts). offered: verdict valid, cert_invalid, tls_failed or
-- tls_unsupported_by_client (STARTTLS offered by the deciding hosts); working: valid or cert_invalid (mail is
-- encrypted); absent: no_starttls; inconclusive: inconclusive; not_tested: smtp_failed, unreachable, dns_failed,
-- blocked. working is part of offered; offered + absent + inconclusive + not_tested = mail domains.
-- Scan: the newest complete one. Another scan: `mxsurvey db query starttls-domains --scan ID`, or, for clickhouse-client,
-- write the id in quotes in place of the expression on the line marked `-- @scan` (README: analysis queries).
-- Run: clickhouse-client --database mxsurvey < queries/starttls-domains.sql
SELECT category, n AS domains, floor(10000 * n / total + 0.5) / 100 AS pct
FROM
(
    SELECT count() AS total,
           countIf(status IN ('valid', 'cert_invalid', 'tls_failed', 'tls_unsupported_by_client')) AS n_offered,
           countIf(status IN ('valid', 'cert_invalid')) AS n_working,
           countIf(status = 'no_starttls') AS n_absent,
           countIf(status = 'inconclusive') AS n_inconclusive,
           countIf(status IN ('smtp_failed', 'unreachable', 'dns_failed', 'blocked')) AS n_not_tested
    FROM domains FINAL
    WHERE scan_id =
        (SELECT max(scan_id) FROM scans FINAL WHERE state = 'complete') -- @scan
      AND mx_kind IN ('mx', 'implicit')
)
ARRAY JOIN
    ['offered', 'working', 'absent', 'inconclusive', 'not_tested'] AS category,
    [n_offered, n_working, n_absent, n_inconclusive, n_not_tested] AS n
