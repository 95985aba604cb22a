-- The top 20 MX providers by share of mail domains in one scan, with their STARTTLS, certificate, DANE ... rates.
-- Rates: STARTTLS, valid certificate, grade A, DANE, MTA-STS and TLS-RPT.
-- A provider is the registrable domain of a primary MX host (mx_providers: mx1.google.com and aspmx.l.google.com
-- are google.com); a domain whose primary hosts belong to two providers counts for both. share: percentage of
-- the scan's mail domains (mx_kind mx or implicit) that use the provider. Rates are percentages of the
-- provider's domains, as in rank-buckets: starttls (verdict valid or cert_invalid), valid (verdict valid),
-- cert_invalid, grade_a (A+ or A), dane (valid), mta_sts (valid policy), tls_rpt (valid). Ties: by name.
-- Scan: the newest complete one. Another scan: `mxsurvey db query providers --scan ID`, or, for clickhouse-client,
-- write the id in quotes in place of the expression on the line marked `-- @scan` (README: analysis queries).
-- Run: clickhouse-client --database mxsurvey < queries/providers.sql
SELECT provider, domains, floor(10000 * domains / total + 0.5) / 100 AS share,
       pct_starttls, pct_valid, pct_cert_invalid, pct_grade_a, pct_dane, pct_mta_sts, pct_tls_rpt
FROM
(
    SELECT scan_id,
           provider,
           count() AS domains,
           floor(10000 * countIf(status IN ('valid', 'cert_invalid')) / domains + 0.5) / 100 AS pct_starttls,
           floor(10000 * countIf(status = 'valid') / domains + 0.5) / 100 AS pct_valid,
           floor(10000 * countIf(status = 'cert_invalid') / domains + 0.5) / 100 AS pct_cert_invalid,
           floor(10000 * countIf(ifNull(grade IN ('A+', 'A'), 0)) / domains + 0.5) / 100 AS pct_grade_a,
           floor(10000 * countIf(ifNull(dane_status = 'valid', 0)) / domains + 0.5) / 100 AS pct_dane,
           floor(10000 * countIf(ifNull(mta_sts_status = 'valid', 0)) / domains + 0.5) / 100 AS pct_mta_sts,
           floor(10000 * countIf(ifNull(tls_rpt_status = 'valid', 0)) / domains + 0.5) / 100 AS pct_tls_rpt
    FROM domains FINAL
    ARRAY JOIN mx_providers AS provider
    WHERE scan_id =
        (SELECT max(scan_id) FROM scans FINAL WHERE state = 'complete') -- @scan
      AND mx_kind IN ('mx', 'implicit')
    GROUP BY scan_id, provider
) AS p
ANY LEFT JOIN
(
    SELECT scan_id, countIf(mx_kind IN ('mx', 'implicit')) AS total FROM domains FINAL GROUP BY scan_id
) AS t USING scan_id
ORDER BY domains DESC, provider
LIMIT 20
