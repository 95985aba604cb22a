-- Headline counts of one scan: domains, domains with mail servers, unique MX host names, unique IPs, dedupe ratio.
-- domains: the scan's domain rows; mail_domains: those with MX records or an implicit MX (mx_kind mx or
-- implicit); mx_references: MX host names summed over domains (a host named by two domains counts twice);
-- unique_mx_hosts / unique_ips: distinct host names / addresses over the host rows; host_rows: (host, IP) rows,
-- the probes made; dedupe_ratio: mx_references / unique_mx_hosts, how many domains' MX references each probed
-- host name stood for.
-- Scan: the newest complete one. Another scan: `mxsurvey db query headline --scan ID`, or, for clickhouse-client,
-- write the id in quotes in place of the expression on the line marked `-- @scan` (README: analysis queries).
-- Run: clickhouse-client --database mxsurvey < queries/headline.sql
-- (The host counts come from a second subquery joined on scan_id, so the scan is chosen on one line only.)
SELECT
    scan_id,
    domains,
    mail_domains,
    mx_references,
    unique_mx_hosts,
    unique_ips,
    host_rows,
    floor(100 * mx_references / greatest(unique_mx_hosts, 1) + 0.5) / 100 AS dedupe_ratio
FROM
(
    SELECT scan_id,
           count() AS domains,
           countIf(mx_kind IN ('mx', 'implicit')) AS mail_domains,
           sum(length(mx_hosts)) AS mx_references
    FROM domains FINAL
    WHERE scan_id =
        (SELECT max(scan_id) FROM scans FINAL WHERE state = 'complete') -- @scan
    GROUP BY scan_id
) AS d
ANY LEFT JOIN
(
    SELECT scan_id,
           uniqExact(hostname) AS unique_mx_hosts,
           uniqExactIf(assumeNotNull(ip), isNotNull(ip)) AS unique_ips,
           count() AS host_rows
    FROM hosts FINAL
    GROUP BY scan_id
) AS h USING scan_id
