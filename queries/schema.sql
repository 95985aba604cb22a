-- Generated from shared/schema by npm run docs. DO NOT EDIT.
-- ClickHouse DDL of mxsurvey's tables (see shared/store/ddl.ts for the type mapping). Runs on ClickHouse
-- 18.16 and current releases. Date-times are DateTime('UTC'), second precision. A nullable sorting-key
-- column is keyed as ifNull(column, ''), the column itself stays Nullable. `mxsurvey db migrate` runs the
-- same statements and checks the live tables against them.

CREATE DATABASE IF NOT EXISTS `mxsurvey`;

-- hosts: one row per (scan, MX host, IP)
CREATE TABLE IF NOT EXISTS `mxsurvey`.`hosts`
(
    `scan_id`                 String COMMENT 'the scan this row belongs to',
    `scan_started_at`         DateTime('UTC') COMMENT 'the scan\'s start; partitions a scan into one month',
    `hostname`                String COMMENT 'MX host name (lower case, no trailing dot); the domain itself for an implicit MX',
    `ip`                      Nullable(String) COMMENT 'address probed; null when the host name did not resolve',
    `port`                    UInt16 COMMENT 'TCP port probed (25 unless --smtp-port)',
    `hostname_cnames`         Array(String) COMMENT 'CNAME chain followed when resolving the host name',
    `status`                  String COMMENT 'host verdict (see README: host status)',
    `failure`                 Nullable(String) COMMENT 'null, or the name from the closed failure vocabulary',
    `failure_phase`           Nullable(String) COMMENT 'the phase that failed',
    `failure_detail`          Nullable(String) COMMENT 'what we saw, for people: the raw error text or reply',
    `dns_rcode`               Nullable(String) COMMENT 'rcode of the host\'s address lookup (NOERROR, NXDOMAIN, SERVFAIL, REFUSED, TIMEOUT)',
    `smtp_banner_code`        Nullable(UInt16) COMMENT 'code of the greeting (220, or a 4xx/5xx)',
    `smtp_banner`             Nullable(String) COMMENT 'greeting text as received, lines joined by \\n',
    `ehlo_command`            Nullable(String) COMMENT 'the hello that was accepted (HELO after EHLO refused)',
    `ehlo_reply_code`         Nullable(UInt16) COMMENT 'code of the last EHLO/HELO reply',
    `ehlo_extensions`         Array(String) COMMENT 'EHLO extensions before TLS: KEYWORD [params], keyword upper-cased',
    `ehlo_raw`                Nullable(String) COMMENT 'the EHLO reply as received',
    `starttls_offered`        Nullable(UInt8) COMMENT 'STARTTLS among the EHLO extensions (null: EHLO not reached)',
    `starttls_reply_code`     Nullable(UInt16) COMMENT 'code of the reply to STARTTLS',
    `starttls_ok`             Nullable(UInt8) COMMENT 'STARTTLS answered 220 and the TLS handshake completed',
    `tls_version`             Nullable(String) COMMENT 'negotiated protocol: SSLv3, TLSv1, TLSv1.1, TLSv1.2, TLSv1.3; with starttls_ok false, the server\'s ServerHello choice',
    `tls_cipher`              Nullable(String) COMMENT 'negotiated cipher suite, IANA name; with starttls_ok false, the server\'s ServerHello choice',
    `tls_kx_group`            Nullable(String) COMMENT 'key exchange group: x25519, secp256r1, ... or ffdhe-N / dh-N for finite-field DH',
    `tls_alert`               Nullable(String) COMMENT 'the TLS alert the server sent when the handshake failed, e.g. handshake_failure',
    `ehlo_tls_extensions`     Array(String) COMMENT 'EHLO extensions inside TLS',
    `cert_chain_sha256`       Array(String) COMMENT 'SHA-256 of each certificate the server sent, in the order sent (roots it did not send are not added); if its Certificate message could not be read, OpenSSL\'s linked chain instead, noted in failure_detail',
    `cert_trusted`            Nullable(UInt8) COMMENT 'path validation alone: chains to Mozilla\'s roots (Node\'s bundle) or --ca-file; null when no handshake completed',
    `cert_error`              Nullable(String) COMMENT 'why the path did not validate',
    `cert_error_code`         Nullable(String) COMMENT 'OpenSSL\'s verify result for the path, e.g. CERT_HAS_EXPIRED',
    `cert_expired`            Nullable(UInt8) COMMENT 'the leaf\'s notAfter is in the past',
    `cert_not_yet_valid`      Nullable(UInt8) COMMENT 'the leaf\'s notBefore is in the future',
    `cert_self_signed`        Nullable(UInt8) COMMENT 'the leaf is issued by itself and verifies with its own key',
    `cert_name_matches_mx`    Nullable(UInt8) COMMENT 'a DNS SAN (or the CN when there are none) matches the MX host (RFC 6125)',
    `cert_subject_cn`         Nullable(String) COMMENT 'leaf subject common name',
    `cert_sans`               Array(String) COMMENT 'leaf DNS subject alternative names',
    `cert_issuer`             Nullable(String) COMMENT 'leaf issuer distinguished name',
    `cert_not_before`         Nullable(DateTime('UTC')) COMMENT 'leaf validity start',
    `cert_not_after`          Nullable(DateTime('UTC')) COMMENT 'leaf validity end',
    `cert_key_type`           Nullable(String) COMMENT 'leaf public key type: rsa, ec, ed25519, ed448, dsa, rsa-pss',
    `cert_key_bits`           Nullable(UInt16) COMMENT 'leaf key size: RSA modulus bits, EC curve bits',
    `cert_key_curve`          Nullable(String) COMMENT 'named curve of an EC key, e.g. prime256v1',
    `cert_sig_alg`            Nullable(String) COMMENT 'signature algorithm on the leaf, e.g. sha256WithRSAEncryption',
    `cert_sha256`             Nullable(String) COMMENT 'SHA-256 of the leaf certificate (DER), hex',
    `cert_spki_sha256`        Nullable(String) COMMENT 'SHA-256 of the leaf\'s SubjectPublicKeyInfo (DER), hex',
    `dane_status`             Nullable(String) COMMENT 'DANE (RFC 7672): none (no TLSA), valid, invalid, insecure (not DNSSEC-signed), bogus (validation failed); null: not tested',
    `dane_failure`            Nullable(String) COMMENT 'why dane_status is invalid',
    `dane_tlsa`               Array(String) COMMENT 'the TLSA RRset that decided, as `usage selector matching-type hex`',
    `dane_matched`            Nullable(String) COMMENT 'the TLSA record that authenticated the server',
    `dane_unusable`           Array(String) COMMENT 'TLSA records unusable for SMTP (PKIX-TA/PKIX-EE usages, unknown values)',
    `dane_base_domain`        Nullable(String) COMMENT 'TLSA base domain: the MX host, or its secure CNAME expansion',
    `dane_single_record_note` UInt8 COMMENT 'exactly one usable TLSA record: no rollover without a window of failure',
    `dane_dnssec_mx`          Nullable(String) COMMENT 'DNSSEC state of the MX answer (null in scans: see the domain row)',
    `dane_dnssec_addr`        Nullable(String) COMMENT 'DNSSEC state of the host\'s address records',
    `dane_dnssec_tlsa`        Nullable(String) COMMENT 'DNSSEC state of the TLSA answer',
    `dane_detail`             Nullable(String) COMMENT 'why this DANE status, record by record, for people',
    `ssl2`                    Nullable(UInt8) COMMENT 'SSLv2 accepted (the server\'s own answer to our SSLv2 ClientHello); null: not tested',
    `ssl3`                    Nullable(UInt8) COMMENT 'SSLv3 accepted; null: not tested',
    `tls10`                   Nullable(UInt8) COMMENT 'TLS 1.0 accepted; null: not tested',
    `tls11`                   Nullable(UInt8) COMMENT 'TLS 1.1 accepted; null: not tested',
    `tls12`                   Nullable(UInt8) COMMENT 'TLS 1.2 accepted; null: not tested',
    `tls13`                   Nullable(UInt8) COMMENT 'TLS 1.3 accepted; null: not tested',
    `ciphers`                 Array(String) COMMENT 'accepted cipher suites as `VERSION:IANA_NAME`, highest version first (--depth full)',
    `ciphers_complete`        UInt8 COMMENT 'every suite of every accepted version was tried',
    `weak_ciphers`            Array(String) COMMENT 'the accepted suites that are weak: NULL, anonymous, EXPORT, DES, 3DES, RC4, RC2, IDEA, ...',
    `nist_r1_ok`              Nullable(UInt8) COMMENT 'accepts at least one NIST SP 800-52r1 recommended suite; null: not known',
    `nist_r2_ok`              Nullable(UInt8) COMMENT 'accepts at least one NIST SP 800-52r2 recommended suite; null: not known',
    `forward_secrecy_only`    Nullable(UInt8) COMMENT 'every accepted suite has forward secrecy; null: not known',
    `kx_groups`               Array(String) COMMENT 'key-exchange groups accepted (TLS 1.3 and TLS 1.2 ECDHE), then dh-N',
    `server_cipher_order`     Nullable(UInt8) COMMENT 'the server enforces its own suite order; null: not tested',
    `inventory_depth`         String COMMENT 'the --depth this row was probed with: basic, versions, full',
    `inventory_failure`       Nullable(String) COMMENT 'why the TLS inventory stopped early (its facts so far are kept)',
    `connections_used`        UInt16 COMMENT 'TCP connections this row\'s probes opened to the host',
    `grade`                   Nullable(String) COMMENT 'A+..F (README: the rubric); null at --depth basic (versions unknown) or without STARTTLS facts',
    `recommendations`         Array(String) COMMENT 'stable codes of what to change (README lists each code\'s sentence)',
    `connect_ms`              Nullable(UInt32) COMMENT 'time to establish TCP',
    `tls_ms`                  Nullable(UInt32) COMMENT 'time of the TLS handshake',
    `duration_ms`             UInt32 COMMENT 'whole probe of this (host, ip)',
    `probed_at`               DateTime('UTC') COMMENT 'when the probe started',
    `probe_version`           String COMMENT 'mxsurvey version that produced the row'
)
ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(scan_started_at)
ORDER BY (`scan_id`, `hostname`, ifNull(`ip`, ''), `port`);

-- domains: one row per (scan, mail domain)
CREATE TABLE IF NOT EXISTS `mxsurvey`.`domains`
(
    `scan_id`                  String COMMENT 'the scan this row belongs to',
    `scan_started_at`          DateTime('UTC') COMMENT 'the scan\'s start; partitions a scan into one month',
    `domain`                   String COMMENT 'mail domain (lower case A-labels, no trailing dot)',
    `status`                   String COMMENT 'domain verdict from its highest-priority MX hosts (see README)',
    `mx_kind`                  String COMMENT 'mx: MX records; implicit: no MX, the domain\'s own address (RFC 5321 §5.1); null: null MX (RFC 7505); none: no such domain or nothing to deliver to; error: the lookup failed',
    `mx_hosts`                 Array(String) COMMENT 'MX host names in preference order',
    `mx_priorities`            Array(UInt16) COMMENT 'MX preferences, aligned with mx_hosts',
    `mx_primary_hosts`         Array(String) COMMENT 'the hosts with the lowest preference value: they decide the verdict',
    `mx_cname_hosts`           Array(String) COMMENT 'MX targets that are CNAMEs (RFC 5321 §5.1 says they should not be)',
    `mx_ip_literals`           Array(String) COMMENT 'MX targets that are IP address literals (not allowed; not probed)',
    `mx_truncated`             UInt8 COMMENT 'more MX records than --max-mx; the rest were not probed',
    `dns_rcode`                String COMMENT 'rcode of the MX lookup',
    `dns_failure`              Nullable(String) COMMENT 'the MX lookup\'s failure name, when mx_kind is error or none',
    `mx_ad`                    UInt8 COMMENT 'the MX answer had the AD flag (validated by a DNSSEC-validating resolver)',
    `cert_name_matches_domain` Nullable(UInt8) COMMENT 'every primary MX host that presented a certificate names the mail domain (null: no certificate seen)',
    `grade`                    Nullable(String) COMMENT 'the worst grade of the highest-priority MX hosts (LuxSci\'s rule)',
    `forced_tls_eligible`      Nullable(UInt8) COMMENT 'LuxSci\'s Forced TLS rule: every MX host supports TLS, TLS 1.0 and/or 1.2, and a NIST SP 800-52r1 suite',
    `recommendations`          Array(String) COMMENT 'domain-level codes about MTA-STS, DANE and TLS-RPT (README lists each code\'s sentence); host codes are on host rows',
    `dnssec_mx`                Nullable(String) COMMENT 'DNSSEC state of the MX answer: secure, insecure, bogus, indeterminate',
    `dane_status`              Nullable(String) COMMENT 'DANE for the domain: valid only when the MX answer is secure and every primary MX host has valid DANE',
    `dane_single_record_note`  UInt8 COMMENT 'a primary MX host has a single TLSA record (no rollover possible)',
    `dane_hosts_total`         UInt16 COMMENT 'primary MX host rows considered for DANE',
    `dane_hosts_valid`         UInt16 COMMENT 'of those, rows with valid DANE',
    `mta_sts_status`           Nullable(String) COMMENT 'MTA-STS (RFC 8461) policy itself — TXT, fetch and parse: none, valid, invalid; null: not checked',
    `mta_sts_mode`             Nullable(String) COMMENT 'the policy\'s mode: enforce, testing, none',
    `mta_sts_id`               Nullable(String) COMMENT 'the TXT record\'s id',
    `mta_sts_max_age`          Nullable(UInt32) COMMENT 'the policy\'s max_age in seconds',
    `mta_sts_mx_patterns`      Array(String) COMMENT 'the policy\'s mx patterns',
    `mta_sts_mx_mismatch`      Array(String) COMMENT 'MX hosts that match no pattern',
    `mta_sts_mx_failing`       Array(String) COMMENT 'matching MX hosts a policy-honouring sender would refuse (no STARTTLS, or a certificate not valid for the host)',
    `mta_sts_error`            Nullable(String) COMMENT 'why mta_sts_status is invalid',
    `mta_sts_warnings`         Array(String) COMMENT 'testing_mode, max_age_short, txt_without_policy, policy_without_txt',
    `mta_sts_detail`           Nullable(String) COMMENT 'what the TXT lookup, fetch or parser saw, for people',
    `tls_rpt_status`           Nullable(String) COMMENT 'TLS-RPT (RFC 8460): none, valid, invalid; null: not checked',
    `tls_rpt_rua`              Array(String) COMMENT 'the reporting URIs (mailto: or https:)',
    `tls_rpt_error`            Nullable(String) COMMENT 'why tls_rpt_status is invalid',
    `policy_list_listed`       Nullable(UInt8) COMMENT 'the domain is on the --policy-list (STARTTLS Everywhere); null: no list given',
    `policy_list_mode`         Nullable(String) COMMENT 'the listed mode',
    `policy_list_mx_ok`        Nullable(UInt8) COMMENT 'every MX host matches the listed mxs and, under enforce, passes TLS',
    `policy_list_mismatch`     Array(String) COMMENT 'MX hosts no listed mxs entry matches',
    `policy_list_failing`      Array(String) COMMENT 'matching MX hosts without valid TLS',
    `hosts_total`              UInt16 COMMENT 'host rows for this domain (one per MX host and address)',
    `hosts_ok`                 UInt16 COMMENT 'host rows that are ok for this domain (a trusted certificate naming the domain counts)',
    `duration_ms`              UInt32 COMMENT 'MX discovery and every probe of this domain',
    `checked_at`               DateTime('UTC') COMMENT 'when the check of the domain started',
    `probe_version`            String COMMENT 'mxsurvey version that produced the row'
)
ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(scan_started_at)
ORDER BY (`scan_id`, `domain`);

-- scans: one row per scan (re-written as the scan progresses; the latest wins)
CREATE TABLE IF NOT EXISTS `mxsurvey`.`scans`
(
    `scan_id`         String COMMENT 'scan identifier, YYYYMMDDTHHMMSSZ-xxxxxx',
    `scan_started_at` DateTime('UTC') COMMENT 'when the scan started',
    `finished_at`     Nullable(DateTime('UTC')) COMMENT 'when the last row was written (null while running)',
    `state`           String COMMENT 'running, complete or failed',
    `failure_reason`  Nullable(String) COMMENT 'why the scan failed (e.g. no DNS resolver answered); null unless state is failed',
    `list_source`     String COMMENT 'where the domain list came from (--list-source, e.g. tranco)',
    `list_id`         String COMMENT 'the list\'s own identifier (--list-id, e.g. a Tranco list ID)',
    `input_file`      String COMMENT 'the --domains argument',
    `params`          String COMMENT 'every option that changes what the scan measures, by its flag name, as given or defaulted (depth, timeouts, ports, resolvers, CA files, --top, ...); JSON text in ClickHouse',
    `lines_read`      UInt32 COMMENT 'input lines read',
    `domains`         UInt32 COMMENT 'valid unique domains scanned',
    `duplicates`      UInt32 COMMENT 'valid lines that repeated an earlier domain',
    `rejected`        UInt32 COMMENT 'lines rejected (see rejected_lines)',
    `rejected_lines`  Array(String) COMMENT 'every rejected line as `LINE<TAB>REASON<TAB>TEXT`',
    `unique_mx_hosts` UInt32 COMMENT 'distinct MX host names over all domains',
    `unique_ips`      UInt32 COMMENT 'distinct addresses over all MX hosts',
    `host_jobs`       UInt32 COMMENT 'probe jobs: distinct (MX host, IP) pairs',
    `probe_version`   String COMMENT 'mxsurvey version of the coordinator'
)
ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(scan_started_at)
ORDER BY (`scan_id`);
