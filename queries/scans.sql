-- Every scan in the database, newest first, with its state: the ids that `--scan ID` and the `-- @scan` line take.
-- Scans: every scan, whatever its state (only complete ones are read by the other queries by default); it takes
-- no --scan.
-- Run: clickhouse-client --database mxsurvey < queries/scans.sql
SELECT scan_id, state, scan_started_at, finished_at, list_source, list_id, domains, host_jobs, probe_version
FROM scans FINAL
ORDER BY scan_id DESC
