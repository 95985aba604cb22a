-- Share of unique MX host names without STARTTLS, of those that answered SMTP, in one scan (EFF 2018: 20.19%).
-- A host name's status is the worst of its addresses' rows, in the order of the domain verdict rule (EFF 2018:
-- "20.19% of 421 unique MX hostnames don't support STARTTLS").
-- Scan: the newest complete one. Another scan: `mxsurvey db query mx-hosts-without-starttls --scan ID`, or, for
-- clickhouse-client, write the id in quotes in place of the expression on the line marked `-- @scan` (README:
-- analysis queries), as in `'20260101T000000Z-abc123' -- @scan`.
-- Run: clickhouse-client --database mxsurvey < queries/mx-hosts-without-starttls.sql
SELECT
    countIf(worst = 'no_starttls') AS without_starttls,
    count() AS answered_smtp,
    floor(10000 * without_starttls / answered_smtp + 0.5) / 100 AS pct_without_starttls
FROM
(
    SELECT
        hostname,
        groupArray(status) AS s,
        multiIf(has(s, 'no_starttls'), 'no_starttls', has(s, 'tls_failed'), 'tls_failed',
                has(s, 'tls_unsupported_by_client'), 'tls_unsupported_by_client',
                has(s, 'cert_invalid'), 'cert_invalid', has(s, 'smtp_failed'), 'smtp_failed',
                has(s, 'inconclusive'), 'inconclusive',
                has(s, 'unreachable'), 'unreachable', has(s, 'dns_failed'), 'dns_failed',
                has(s, 'blocked'), 'blocked', 'ok') AS worst
    FROM hosts FINAL
    WHERE scan_id =
        (SELECT max(scan_id) FROM scans FINAL WHERE state = 'complete') -- @scan
    GROUP BY hostname
)
WHERE worst IN ('ok', 'cert_invalid', 'tls_failed', 'tls_unsupported_by_client', 'no_starttls')
