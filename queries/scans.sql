-- Every scan in the database, newest first, with its state: the ids that --scan takes.
-- Scans: every scan, whatever its state; it takes no --scan. (The other queries read complete scans only, unless
-- given a scan id.)
-- Run: clickhouse-client --database mxsurvey < queries/scans.sql
SELECT scan_id, state, scan_started_at, finished_at, list_source, list_id, domains, host_jobs, probe_version
FROM scans FINAL
ORDER BY scan_id DESC
