-- Negotiated TLS versions and key-exchange groups over the (host, IP) rows of the latest complete scan.
SELECT tls_version, tls_kx_group, count() AS rows
FROM hosts FINAL
WHERE scan_id = (SELECT max(scan_id) FROM scans FINAL WHERE state = 'complete')
  AND tls_version IS NOT NULL AND starttls_ok = 1
GROUP BY tls_version, tls_kx_group
ORDER BY rows DESC
