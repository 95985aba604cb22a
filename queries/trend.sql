-- The main rates per complete scan, one row per (scan, metric), oldest first: a line per metric over time.
-- Per scan (list_source and list_id say which list; a trend compares scans of one list), the percentage of the
-- scan's mail domains (mx_kind mx or implicit) with: starttls (verdict valid or cert_invalid), valid (verdict
-- valid), grade_a (A+ or A), dane (valid), mta_sts (a valid policy), tls_rpt (valid); and of its (host, IP)
-- rows that answered EHLO, host_starttls (STARTTLS offered).
-- Scans: every complete scan (running and failed ones are left out); it takes no --scan.
-- Run: clickhouse-client --database mxsurvey < queries/trend.sql
SELECT scan_id, scan_started_at, list_source, list_id, metric, value
FROM
(
    SELECT scan_id, scan_started_at, list_source, list_id,
           pct_starttls, pct_valid, pct_grade_a, pct_dane, pct_mta_sts, pct_tls_rpt, pct_host_starttls
    FROM
    (
        SELECT scan_id, scan_started_at, list_source, list_id, pct_host_starttls
        FROM (SELECT scan_id, scan_started_at, list_source, list_id FROM scans FINAL WHERE state = 'complete') AS s
        ANY LEFT JOIN
        (
            SELECT scan_id,
                   floor(10000 * countIf(ifNull(starttls_offered = 1, 0)) / greatest(countIf(isNotNull(starttls_offered)), 1) + 0.5) / 100
                       AS pct_host_starttls
            FROM hosts FINAL
            GROUP BY scan_id
        ) AS h USING scan_id
    ) AS sh
    ANY LEFT JOIN
    (
        SELECT scan_id,
               countIf(mx_kind IN ('mx', 'implicit')) AS mail_domains,
               floor(10000 * countIf(status IN ('valid', 'cert_invalid')) / greatest(mail_domains, 1) + 0.5) / 100 AS pct_starttls,
               floor(10000 * countIf(status = 'valid') / greatest(mail_domains, 1) + 0.5) / 100 AS pct_valid,
               floor(10000 * countIf(ifNull(grade IN ('A+', 'A'), 0)) / greatest(mail_domains, 1) + 0.5) / 100 AS pct_grade_a,
               floor(10000 * countIf(ifNull(dane_status = 'valid', 0)) / greatest(mail_domains, 1) + 0.5) / 100 AS pct_dane,
               floor(10000 * countIf(ifNull(mta_sts_status = 'valid', 0)) / greatest(mail_domains, 1) + 0.5) / 100 AS pct_mta_sts,
               floor(10000 * countIf(ifNull(tls_rpt_status = 'valid', 0)) / greatest(mail_domains, 1) + 0.5) / 100 AS pct_tls_rpt
        FROM domains FINAL
        GROUP BY scan_id
    ) AS d USING scan_id
)
ARRAY JOIN
    ['starttls', 'valid', 'grade_a', 'dane', 'mta_sts', 'tls_rpt', 'host_starttls'] AS metric,
    [pct_starttls, pct_valid, pct_grade_a, pct_dane, pct_mta_sts, pct_tls_rpt, pct_host_starttls] AS value
ORDER BY scan_started_at, scan_id, indexOf(['starttls', 'valid', 'grade_a', 'dane', 'mta_sts', 'tls_rpt', 'host_starttls'], metric)
