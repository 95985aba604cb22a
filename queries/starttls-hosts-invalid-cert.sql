-- Share of STARTTLS MX hosts whose certificate is not valid, with the reasons, in one scan (EFF 2018: 36.01%).
-- Of the (host, IP) rows with working STARTTLS: not valid is untrusted, out of date, or not naming the host.
-- Scan: the newest complete one. Another scan: `mxsurvey db query starttls-hosts-invalid-cert --scan ID`, or, for
-- clickhouse-client, write the id in quotes in place of the expression on the line marked `-- @scan` (README:
-- analysis queries), as in `'20260101T000000Z-abc123' -- @scan`.
-- A null fact (not tested) never counts; ifNull(…, 0) says so in a way that keeps the counts UInt64 on every
-- release (18.16 types countIf over a Nullable condition as Nullable(UInt64), current releases as UInt64).
-- Run: clickhouse-client --database mxsurvey < queries/starttls-hosts-invalid-cert.sql
SELECT
    countIf(status = 'cert_invalid') AS invalid,
    count() AS with_tls,
    floor(10000 * invalid / with_tls + 0.5) / 100 AS pct_invalid,
    countIf(status = 'cert_invalid' AND ifNull(cert_trusted = 0, 0)) AS untrusted,
    countIf(status = 'cert_invalid' AND ifNull(cert_expired = 1, 0)) AS expired,
    countIf(status = 'cert_invalid' AND ifNull(cert_self_signed = 1, 0)) AS self_signed,
    countIf(status = 'cert_invalid' AND ifNull(cert_trusted = 1 AND cert_name_matches_mx = 0, 0)) AS trusted_wrong_name
FROM hosts FINAL
WHERE scan_id =
    (SELECT max(scan_id) FROM scans FINAL WHERE state = 'complete') -- @scan
  AND status IN ('ok', 'cert_invalid')
