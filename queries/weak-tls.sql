-- TLS versions accepted and weak suites, over the MX hosts whose versions were tested, in one scan.
-- Of the (host, IP) rows with the version inventory (--depth versions or full: tls12 not null): how many accept
-- each protocol version (SSLv2 ... TLS 1.3), accept only versions older than TLS 1.2, accept a weak suite
-- (NULL, anonymous, EXPORT, DES, 3DES, RC4 ...: weak_ciphers not empty, --depth full only), or offer only
-- forward-secret suites. pct is of the rows tested for that feature (tested); a scan at --depth basic gives 0.
-- Scan: the newest complete one. Another scan: `mxsurvey db query weak-tls --scan ID`, or, for clickhouse-client,
-- write the id in quotes in place of the expression on the line marked `-- @scan` (README: analysis queries).
-- Run: clickhouse-client --database mxsurvey < queries/weak-tls.sql
SELECT feature, tested, accepting AS host_rows, if(tested = 0, 0, floor(10000 * accepting / tested + 0.5) / 100) AS pct
FROM
(
    SELECT countIf(isNotNull(tls12)) AS versions_tested,
           countIf(ifNull(ssl2 = 1, 0)) AS n_ssl2,
           countIf(ifNull(ssl3 = 1, 0)) AS n_ssl3,
           countIf(ifNull(tls10 = 1, 0)) AS n_tls10,
           countIf(ifNull(tls11 = 1, 0)) AS n_tls11,
           countIf(ifNull(tls12 = 1, 0)) AS n_tls12,
           countIf(ifNull(tls13 = 1, 0)) AS n_tls13,
           countIf(ifNull(tls12 = 0 AND tls13 = 0 AND (tls10 = 1 OR tls11 = 1 OR ssl3 = 1), 0)) AS n_old_only,
           countIf(ciphers_complete = 1) AS suites_tested,
           countIf(ciphers_complete = 1 AND notEmpty(weak_ciphers)) AS n_weak,
           countIf(ciphers_complete = 1 AND ifNull(forward_secrecy_only = 1, 0)) AS n_fs_only
    FROM hosts FINAL
    WHERE scan_id =
        (SELECT max(scan_id) FROM scans FINAL WHERE state = 'complete') -- @scan
)
ARRAY JOIN
    ['SSLv2', 'SSLv3', 'TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3', 'only below TLSv1.2', 'weak suite', 'forward secrecy only'] AS feature,
    [versions_tested, versions_tested, versions_tested, versions_tested, versions_tested, versions_tested, versions_tested, suites_tested, suites_tested] AS tested,
    [n_ssl2, n_ssl3, n_tls10, n_tls11, n_tls12, n_tls13, n_old_only, n_weak, n_fs_only] AS accepting
