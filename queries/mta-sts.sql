-- MTA-STS (RFC 8461) of the mail domains in one scan: adoption, modes, error categories, MX/policy mismatches.
-- Domains by the policy's status (valid, invalid, none, not_checked for null), mode (enforce, testing, none; ''
-- without a policy) and error ('' unless invalid), with how many of them have MX hosts that match none of the
-- policy's mx patterns (with_mx_mismatch) and matching MX hosts a policy-honouring sender would refuse: no
-- STARTTLS or a certificate not valid for the host (with_mx_failing). Of the domains with mail servers (mx_kind
-- mx or implicit); pct is of those.
-- Scan: the newest complete one. Another scan: `mxsurvey db query mta-sts --scan ID`, or, for clickhouse-client,
-- write the id in quotes in place of the expression on the line marked `-- @scan` (README: analysis queries).
-- Run: clickhouse-client --database mxsurvey < queries/mta-sts.sql
SELECT mta_sts_status, mta_sts_mode, mta_sts_error, count() AS domains, floor(10000 * domains / any(total) + 0.5) / 100 AS pct,
       sum(mismatch) AS with_mx_mismatch, sum(failing) AS with_mx_failing
FROM
(
    SELECT scan_id,
           ifNull(mta_sts_status, 'not_checked') AS mta_sts_status,
           ifNull(mta_sts_mode, '') AS mta_sts_mode,
           ifNull(mta_sts_error, '') AS mta_sts_error,
           toUInt64(notEmpty(mta_sts_mx_mismatch)) AS mismatch,
           toUInt64(notEmpty(mta_sts_mx_failing)) AS failing
    FROM domains FINAL
    WHERE scan_id =
        (SELECT max(scan_id) FROM scans FINAL WHERE state = 'complete') -- @scan
      AND mx_kind IN ('mx', 'implicit')
) AS d
ANY LEFT JOIN
(
    SELECT scan_id, countIf(mx_kind IN ('mx', 'implicit')) AS total FROM domains FINAL GROUP BY scan_id
) AS t USING scan_id
GROUP BY mta_sts_status, mta_sts_mode, mta_sts_error
ORDER BY indexOf(['valid', 'invalid', 'none', 'not_checked'], mta_sts_status), mta_sts_mode, mta_sts_error
