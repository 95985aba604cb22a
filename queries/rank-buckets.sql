-- The survey's main rates by list rank bucket in one scan: top 1k, top 10k, top 100k, top 1M, and all domains.
-- Buckets are cumulative (top 10k includes top 1k); a domain without a rank (a list without ranks) is in all
-- only. Rates are percentages of the bucket's mail domains (mx_kind mx or implicit): starttls (verdict valid or
-- cert_invalid: every primary MX host encrypts), no_starttls, inconclusive, valid (verdict valid: STARTTLS with a
-- valid certificate on every primary MX host), cert_invalid, grade_a (grade A+ or A), dane (DANE valid),
-- mta_sts (a valid MTA-STS policy, any mode), mta_sts_enforce (valid and mode enforce), tls_rpt (TLS-RPT valid).
-- Scan: the newest complete one. Another scan: `mxsurvey db query rank-buckets --scan ID`, or, for clickhouse-client,
-- write the id in quotes in place of the expression on the line marked `-- @scan` (README: analysis queries).
-- Run: clickhouse-client --database mxsurvey < queries/rank-buckets.sql
SELECT
    rank_bucket,
    count() AS domains,
    countIf(mail) AS mail_domains,
    floor(10000 * countIf(mail AND status IN ('valid', 'cert_invalid')) / greatest(mail_domains, 1) + 0.5) / 100 AS pct_starttls,
    floor(10000 * countIf(mail AND status = 'no_starttls') / greatest(mail_domains, 1) + 0.5) / 100 AS pct_no_starttls,
    floor(10000 * countIf(mail AND status = 'inconclusive') / greatest(mail_domains, 1) + 0.5) / 100 AS pct_inconclusive,
    floor(10000 * countIf(mail AND status = 'valid') / greatest(mail_domains, 1) + 0.5) / 100 AS pct_valid,
    floor(10000 * countIf(mail AND status = 'cert_invalid') / greatest(mail_domains, 1) + 0.5) / 100 AS pct_cert_invalid,
    floor(10000 * countIf(mail AND grade IN ('A+', 'A')) / greatest(mail_domains, 1) + 0.5) / 100 AS pct_grade_a,
    floor(10000 * countIf(mail AND dane = 'valid') / greatest(mail_domains, 1) + 0.5) / 100 AS pct_dane,
    floor(10000 * countIf(mail AND sts = 'valid') / greatest(mail_domains, 1) + 0.5) / 100 AS pct_mta_sts,
    floor(10000 * countIf(mail AND sts = 'valid' AND sts_mode = 'enforce') / greatest(mail_domains, 1) + 0.5) / 100 AS pct_mta_sts_enforce,
    floor(10000 * countIf(mail AND rpt = 'valid') / greatest(mail_domains, 1) + 0.5) / 100 AS pct_tls_rpt
FROM
(
    SELECT arrayJoin([1000, 10000, 100000, 1000000, 0]) AS bound,
           transform(bound, [1000, 10000, 100000, 1000000, 0], ['top 1k', 'top 10k', 'top 100k', 'top 1M', 'all'], '')
               AS rank_bucket,
           ifNull(rank, 4294967295) AS list_rank,
           mx_kind IN ('mx', 'implicit') AS mail,
           status,
           ifNull(grade, '') AS grade,
           ifNull(dane_status, '') AS dane,
           ifNull(mta_sts_status, '') AS sts,
           ifNull(mta_sts_mode, '') AS sts_mode,
           ifNull(tls_rpt_status, '') AS rpt
    FROM domains FINAL
    WHERE scan_id =
        (SELECT max(scan_id) FROM scans FINAL WHERE state = 'complete') -- @scan
) AS b
WHERE bound = 0 OR list_rank <= bound
GROUP BY rank_bucket
ORDER BY indexOf(['top 1k', 'top 10k', 'top 100k', 'top 1M', 'all'], rank_bucket)
