-- Share of unique MX host names without STARTTLS in the latest complete scan, of the hosts that answered SMTP
-- (EFF 2018: "20.19% of 421 unique MX hostnames don't support STARTTLS"). A host name's status is the worst of
-- its addresses' rows, in the order of the domain verdict rule. Run with: clickhouse-client --database mxsurvey
SELECT
    countIf(worst = 'no_starttls') AS without_starttls,
    count() AS answered_smtp,
    round(100 * without_starttls / answered_smtp, 2) AS pct_without_starttls
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
    WHERE scan_id = (SELECT max(scan_id) FROM scans FINAL WHERE state = 'complete')
    GROUP BY hostname
)
WHERE worst IN ('ok', 'cert_invalid', 'tls_failed', 'tls_unsupported_by_client', 'no_starttls')
