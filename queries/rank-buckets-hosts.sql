-- The MX hosts' STARTTLS, certificate, TLS and DANE rates by list rank bucket in one scan (top 1k ... all).
-- A bucket's hosts are the unique primary MX host names of its domains (cumulative buckets, as in rank-buckets;
-- a domain without a rank is in all only). Per host name, over its addresses: starttls (some address lists
-- STARTTLS after EHLO), valid_cert (some address completed STARTTLS with a trusted, in-date certificate naming
-- the host: host status ok), cert_invalid (STARTTLS worked but no address's certificate was valid), expired,
-- self_signed, name_mismatch (trusted and in date but not naming the host), tls12_plus (the negotiated version
-- was TLS 1.2 or 1.3 on every address that negotiated one), weak_suite (an address accepts a weak suite:
-- --depth full), dane (some address has valid DANE). Rates are percentages of the bucket's host names.
-- Scan: the newest complete one. Another scan: `mxsurvey db query rank-buckets-hosts --scan ID`, or, for
-- clickhouse-client, write the id in quotes in place of the expression on the line marked `-- @scan` (README:
-- analysis queries).
-- Run: clickhouse-client --database mxsurvey < queries/rank-buckets-hosts.sql
-- (Host facts are joined on (scan_id, hostname), so the scan is chosen on one line only.)
SELECT
    rank_bucket,
    uniqExact(hostname) AS mx_hosts,
    floor(10000 * uniqExactIf(hostname, starttls = 1) / greatest(mx_hosts, 1) + 0.5) / 100 AS pct_starttls,
    floor(10000 * uniqExactIf(hostname, valid_cert = 1) / greatest(mx_hosts, 1) + 0.5) / 100 AS pct_valid_cert,
    floor(10000 * uniqExactIf(hostname, valid_cert = 0 AND tls_ok = 1) / greatest(mx_hosts, 1) + 0.5) / 100
        AS pct_cert_invalid,
    floor(10000 * uniqExactIf(hostname, valid_cert = 0 AND expired = 1) / greatest(mx_hosts, 1) + 0.5) / 100
        AS pct_expired,
    floor(10000 * uniqExactIf(hostname, valid_cert = 0 AND self_signed = 1) / greatest(mx_hosts, 1) + 0.5) / 100
        AS pct_self_signed,
    floor(10000 * uniqExactIf(hostname, valid_cert = 0 AND name_mismatch = 1) / greatest(mx_hosts, 1) + 0.5) / 100
        AS pct_name_mismatch,
    floor(10000 * uniqExactIf(hostname, negotiated = 1 AND old_version = 0) / greatest(mx_hosts, 1) + 0.5) / 100
        AS pct_tls12_plus,
    floor(10000 * uniqExactIf(hostname, weak = 1) / greatest(mx_hosts, 1) + 0.5) / 100 AS pct_weak_suite,
    floor(10000 * uniqExactIf(hostname, dane = 1) / greatest(mx_hosts, 1) + 0.5) / 100 AS pct_dane
FROM
(
    SELECT scan_id, rank_bucket, hostname
    FROM
    (
        SELECT scan_id,
               arrayJoin([1000, 10000, 100000, 1000000, 0]) AS bound,
               transform(bound, [1000, 10000, 100000, 1000000, 0], ['top 1k', 'top 10k', 'top 100k', 'top 1M', 'all'], '')
                   AS rank_bucket,
               ifNull(rank, 4294967295) AS list_rank,
               mx_primary_hosts
        FROM domains FINAL
        WHERE scan_id =
            (SELECT max(scan_id) FROM scans FINAL WHERE state = 'complete') -- @scan
    ) AS b
    ARRAY JOIN mx_primary_hosts AS hostname
    WHERE bound = 0 OR list_rank <= bound
) AS d
ANY LEFT JOIN
(
    SELECT scan_id,
           hostname,
           max(ifNull(starttls_offered = 1, 0)) AS starttls,
           max(status = 'ok') AS valid_cert,
           max(status IN ('ok', 'cert_invalid')) AS tls_ok,
           max(status = 'cert_invalid' AND ifNull(cert_expired = 1, 0)) AS expired,
           max(status = 'cert_invalid' AND ifNull(cert_self_signed = 1, 0)) AS self_signed,
           max(status = 'cert_invalid' AND ifNull(cert_trusted = 1 AND cert_expired = 0 AND cert_name_matches_mx = 0, 0))
               AS name_mismatch,
           max(isNotNull(tls_version) AND status IN ('ok', 'cert_invalid')) AS negotiated,
           max(status IN ('ok', 'cert_invalid') AND ifNull(tls_version NOT IN ('TLSv1.2', 'TLSv1.3'), 0)) AS old_version,
           max(notEmpty(weak_ciphers)) AS weak,
           max(ifNull(dane_status = 'valid', 0)) AS dane
    FROM hosts FINAL
    GROUP BY scan_id, hostname
) AS h USING (scan_id, hostname)
GROUP BY rank_bucket
ORDER BY indexOf(['top 1k', 'top 10k', 'top 100k', 'top 1M', 'all'], rank_bucket)
