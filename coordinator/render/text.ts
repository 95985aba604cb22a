/**
 * Human output of `check` and `probe`: per domain and per MX host (priority, host name, IP), one line per check
 * with a mark — pass ✓, fail ✗, warn !, not tested · — and a one-line reason, like the seed checkers' pages.
 * Colour only when asked (the CLI turns it on for a TTY).
 */

import { DOMAIN_RECOMMENDATIONS } from "../../shared/policy/recommendations.js";
import type { DomainRow } from "../../shared/schema/domain-row.js";
import type { HostRow } from "../../shared/schema/host-row.js";
import { safeText } from "../../shared/text-safe.js";
import { RECOMMENDATIONS } from "../../shared/tls/grade.js";
import { certNamesDomain, certTrustedInDate, hostStatusForDomain } from "../../shared/verdict.js";

type Mark = "pass" | "fail" | "warn" | "skip";
interface Line {
  mark: Mark;
  check: string;
  reason: string;
}

const SYMBOL: Record<Mark, string> = { pass: "✓", fail: "✗", warn: "!", skip: "·" };
const COLOR: Record<Mark, string> = { pass: "\x1b[32m", fail: "\x1b[31m", warn: "\x1b[33m", skip: "\x1b[2m" };
const RESET = "\x1b[0m";
const BOLD = "\x1b[1m";

function failureText(r: HostRow): string {
  return `${r.failure}${r.failure_detail ? `: ${oneLine(r.failure_detail)}` : ""}`;
}

function oneLine(s: string, max = 100): string {
  const flat = s.replace(/\s*\n\s*/g, " | ");
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

const date = (iso: string | null) => (iso ? iso.slice(0, 10) : "?");

export function hostChecks(r: HostRow, domain: string | null): Line[] {
  const out: Line[] = [];
  const failedAt = r.failure_phase;
  if (failedAt === "resolve") {
    out.push({ mark: "fail", check: "DNS", reason: failureText(r) });
    return out;
  }
  if (r.failure === "blocked_address") {
    out.push({ mark: "skip", check: "Connect", reason: `not contacted: ${oneLine(r.failure_detail ?? "")}` });
    return out;
  }
  if (failedAt === "connect" || failedAt === "job") {
    out.push({ mark: "fail", check: "Connect", reason: failureText(r) });
    return out;
  }
  out.push({ mark: "pass", check: "Connect", reason: `TCP port ${r.port} open (${r.connect_ms ?? "?"} ms)` });
  if (r.smtp_banner_code === null) {
    out.push({ mark: "fail", check: "Greeting", reason: failureText(r) });
    return out;
  }
  out.push({
    mark: r.smtp_banner_code === 220 ? "pass" : "fail",
    check: "Greeting",
    reason: oneLine(r.smtp_banner ?? String(r.smtp_banner_code)),
  });
  if (r.smtp_banner_code !== 220) return out;
  if (r.ehlo_command === null) {
    out.push({ mark: "fail", check: "EHLO", reason: failureText(r) });
    return out;
  }
  out.push(
    r.ehlo_command === "EHLO"
      ? {
          mark: "pass",
          check: "EHLO",
          reason: `${r.ehlo_extensions.length} extensions: ${r.ehlo_extensions.join(", ")}`,
        }
      : { mark: "warn", check: "EHLO", reason: "EHLO refused; HELO accepted (no ESMTP extensions)" },
  );
  if (r.starttls_offered === false) {
    out.push({
      mark: "fail",
      check: "STARTTLS",
      reason: "not offered: mail to this host travels in clear text",
    });
    return out;
  }
  if (r.starttls_reply_code === null) {
    out.push({ mark: "fail", check: "STARTTLS", reason: failureText(r) });
    return out;
  }
  if (r.starttls_reply_code !== 220) {
    out.push({
      mark: "fail",
      check: "STARTTLS",
      reason: `offered, but refused: ${oneLine(r.failure_detail ?? "")}`,
    });
    return out;
  }
  out.push({ mark: "pass", check: "STARTTLS", reason: "offered and accepted (220)" });
  if (r.starttls_ok !== true) {
    // No handshake completed; tls_version/tls_cipher, when set, are the server's own choice (its ServerHello).
    const alert = r.tls_alert ? ` (alert ${r.tls_alert})` : "";
    const chose = r.tls_version !== null ? `the server chose ${r.tls_version} ${r.tls_cipher ?? "?"}` : "";
    out.push({
      mark: "fail",
      check: "TLS",
      reason:
        r.failure === "tls_unsupported_by_client"
          ? `${chose}, which this client cannot complete`
          : `${chose ? `${chose}, then the ` : ""}handshake failed: ${failureText(r)}${alert}`,
    });
    if (r.cert_sha256 !== null) {
      const sent = r.cert_sans.length > 0 ? r.cert_sans.join(", ") : `CN=${r.cert_subject_cn ?? ""}`;
      out.push({
        mark: "skip",
        check: "Certificate",
        reason: `sent in the clear, not verified: ${oneLine(sent, 60)}; issuer ${r.cert_issuer ?? "?"}; ${date(r.cert_not_before)} to ${date(r.cert_not_after)}`,
      });
    }
    return out;
  }
  const oldTls = r.tls_version === "TLSv1" || r.tls_version === "TLSv1.1";
  out.push({
    mark: oldTls ? "warn" : "pass",
    check: "TLS",
    reason: `${r.tls_version} ${r.tls_cipher ?? "?"}${r.tls_kx_group ? ` (${r.tls_kx_group})` : ""}${oldTls ? " — an outdated version" : ""}`,
  });
  if (r.cert_sha256 === null) {
    out.push({ mark: "fail", check: "Certificate", reason: `none presented (${r.cert_error ?? "?"})` });
    return out;
  }
  const issuer = r.cert_issuer ?? "?";
  if (r.cert_trusted) {
    out.push({ mark: "pass", check: "Certificate", reason: `trusted; issued by ${issuer}` });
  } else {
    out.push({
      mark: "fail",
      check: "Certificate",
      reason: `not trusted: ${r.cert_error} (${r.cert_error_code}); issuer ${issuer}`,
    });
  }
  if (r.cert_expired)
    out.push({ mark: "fail", check: "Validity", reason: `expired on ${date(r.cert_not_after)}` });
  else if (r.cert_not_yet_valid)
    out.push({ mark: "fail", check: "Validity", reason: `not valid before ${date(r.cert_not_before)}` });
  else
    out.push({
      mark: "pass",
      check: "Validity",
      reason: `${date(r.cert_not_before)} to ${date(r.cert_not_after)}`,
    });
  const names = r.cert_sans.length > 0 ? r.cert_sans.join(", ") : `CN=${r.cert_subject_cn ?? ""}`;
  if (r.cert_name_matches_mx) {
    out.push({ mark: "pass", check: "Name", reason: `matches ${r.hostname} (${oneLine(names, 60)})` });
  } else if (domain && certNamesDomain(r, domain)) {
    out.push({
      mark: "pass",
      check: "Name",
      reason: `names the mail domain ${domain}, not ${r.hostname} (${oneLine(names, 60)})`,
    });
  } else {
    out.push({
      mark: "fail",
      check: "Name",
      reason: `${names} does not match ${r.hostname}${domain ? ` or ${domain}` : ""}`,
    });
  }
  const key = `${r.cert_key_type ?? "?"} ${r.cert_key_bits ?? "?"} bits${r.cert_key_curve ? ` (${r.cert_key_curve})` : ""}`;
  const weakKey = (r.cert_key_type === "rsa" || r.cert_key_type === "dsa") && (r.cert_key_bits ?? 0) < 2048;
  out.push({
    mark: weakKey ? "warn" : "pass",
    check: "Key",
    reason: weakKey ? `${key}: under 2048 bits` : key,
  });
  const weakSig = /sha1|md5|md2/i.test(r.cert_sig_alg ?? "");
  out.push({
    mark: weakSig ? "warn" : "pass",
    check: "Signature",
    reason: `${r.cert_sig_alg}${weakSig ? ": a weak hash" : ""}`,
  });
  if (r.failure_phase === "ehlo_tls")
    out.push({ mark: "warn", check: "EHLO in TLS", reason: failureText(r) });
  return out;
}

const VERSIONS: [keyof HostRow, string][] = [
  ["ssl2", "SSLv2"],
  ["ssl3", "SSLv3"],
  ["tls10", "TLS1.0"],
  ["tls11", "TLS1.1"],
  ["tls12", "TLS1.2"],
  ["tls13", "TLS1.3"],
];

/** The TLS inventory (--depth versions | full): versions, suites per version with weak ones marked, grade. */
export function inventoryLines(r: HostRow): Line[] {
  if (r.inventory_depth === "basic") return [];
  const out: Line[] = [];
  // "Accepted" is the server's ServerHello choosing it (README: TLS inventory). When no handshake completed
  // and this client could have completed one, that choice is all there is: "hello", never ✓.
  const helloOnly = r.starttls_ok !== true && r.failure !== "tls_unsupported_by_client";
  const yes = helloOnly ? "hello" : "yes";
  const v = (k: keyof HostRow) => (r[k] === true ? "yes" : r[k] === false ? "no" : "?");
  const version = (k: keyof HostRow) => (r[k] === true ? yes : v(k));
  const only = helloOnly ? " (ServerHello only: no handshake completed)" : "";
  const oldOn = r.ssl2 === true || r.ssl3 === true;
  const versionsMark: Mark = oldOn
    ? "fail"
    : r.tls12 === false && r.tls13 !== true
      ? "fail"
      : r.tls12 === null
        ? "skip"
        : "pass";
  out.push({
    mark: helloOnly && versionsMark === "pass" ? "warn" : versionsMark,
    check: "Versions",
    reason: VERSIONS.map(([k, name]) => `${name} ${version(k)}`).join("  ") + only,
  });
  if (r.inventory_depth === "full") {
    const weak = new Set(r.weak_ciphers);
    const byVersion = new Map<string, string[]>();
    for (const c of r.ciphers) {
      const [ver = "", name = ""] = c.split(":");
      const list = byVersion.get(ver) ?? [];
      list.push(weak.has(c) ? `${name} (weak)` : name);
      byVersion.set(ver, list);
    }
    for (const [ver, names] of byVersion) {
      const anyWeak = names.some((n) => n.endsWith("(weak)"));
      out.push({ mark: anyWeak || helloOnly ? "warn" : "pass", check: `  ${ver}`, reason: names.join(", ") });
    }
    out.push({
      mark: r.weak_ciphers.length > 0 || helloOnly ? "warn" : "pass",
      check: "Ciphers",
      reason: `${helloOnly ? "chosen in ServerHellos only: " : ""}${r.ciphers.length} suites${r.ciphers_complete ? "" : " (incomplete)"}, ${r.weak_ciphers.length} weak; NIST 800-52r1 ${v("nist_r1_ok")}, r2 ${v("nist_r2_ok")}; forward secrecy only ${v("forward_secrecy_only")}; server order ${v("server_cipher_order")}; groups ${r.kx_groups.join(" ") || "-"}`,
    });
  }
  if (r.inventory_failure)
    out.push({ mark: "warn", check: "Inventory", reason: `stopped early: ${r.inventory_failure}` });
  out.push({ mark: "skip", check: "Connections", reason: `${r.connections_used} to this host` });
  return out;
}

/** The grade and what to change, one sentence each. */
export function gradeLines(r: HostRow): Line[] {
  if (r.grade === null) return [];
  const mark: Mark = r.grade.startsWith("A") ? "pass" : r.grade === "B" || r.grade === "C" ? "warn" : "fail";
  return [
    { mark, check: "Grade", reason: r.grade },
    ...r.recommendations.map((code) => ({
      mark: "warn" as Mark,
      check: "  fix",
      reason: `${code}: ${RECOMMENDATIONS[code]?.text ?? ""}`,
    })),
  ];
}

/** The DANE line of a host (RFC 7672), or none when DANE was not looked up for it. */
export function daneLine(r: HostRow): Line | null {
  const matched = r.dane_matched ? ` by ${r.dane_matched.slice(0, 24)}…` : "";
  switch (r.dane_status) {
    case null:
      return r.dane_tlsa.length > 0
        ? { mark: "skip", check: "DANE", reason: `not tested: ${oneLine(r.dane_detail ?? "")}` }
        : null;
    case "none":
      return { mark: "skip", check: "DANE", reason: "no TLSA records" };
    case "valid":
      return {
        mark: r.dane_single_record_note ? "warn" : "pass",
        check: "DANE",
        reason: `valid: authenticated${matched}${r.dane_single_record_note ? " (a single TLSA record: no rollover possible)" : ""}`,
      };
    case "insecure":
      return {
        mark: "warn",
        check: "DANE",
        reason: "TLSA records without DNSSEC (insecure): they do not count",
      };
    case "bogus":
      return { mark: "fail", check: "DANE", reason: "DNSSEC validation failed for the TLSA records (bogus)" };
    case "invalid":
      return {
        mark: "fail",
        check: "DANE",
        reason: `invalid: ${r.dane_failure ?? "?"}${r.dane_detail ? ` — ${oneLine(r.dane_detail, 80)}` : ""}`,
      };
  }
}

/** The domain-policy lines (MTA-STS, TLS-RPT, the STARTTLS policy list), like the seed checkers' sections. */
export function policyLines(d: DomainRow): Line[] {
  const out: Line[] = [];
  const warn = d.mta_sts_warnings.length > 0 ? `; warnings: ${d.mta_sts_warnings.join(", ")}` : "";
  switch (d.mta_sts_status) {
    case null:
      break;
    case "none":
      out.push({ mark: "skip", check: "MTA-STS", reason: `no policy${warn}` });
      break;
    case "invalid":
      out.push({
        mark: "fail",
        check: "MTA-STS",
        reason: `invalid: ${d.mta_sts_error}${d.mta_sts_detail ? ` — ${oneLine(d.mta_sts_detail, 80)}` : ""}`,
      });
      break;
    case "valid": {
      const what = `${d.mta_sts_mode}, max_age ${d.mta_sts_max_age}, mx ${d.mta_sts_mx_patterns.join(" ")}`;
      if (d.mta_sts_mx_failing.length > 0 || d.mta_sts_mx_mismatch.length > 0) {
        const bad = [
          ...d.mta_sts_mx_mismatch.map((h) => `${h} (no pattern)`),
          ...d.mta_sts_mx_failing.map((h) => `${h} (TLS)`),
        ];
        out.push({
          mark: d.mta_sts_mode === "enforce" ? "fail" : "warn",
          check: "MTA-STS",
          reason: `${what}: senders honouring it would refuse ${bad.join(", ")}${warn}`,
        });
      } else {
        out.push({
          mark: d.mta_sts_mode === "enforce" && !warn ? "pass" : "warn",
          check: "MTA-STS",
          reason: `${what}${warn}`,
        });
      }
    }
  }
  switch (d.tls_rpt_status) {
    case null:
      break;
    case "none":
      out.push({ mark: "skip", check: "TLS-RPT", reason: "no reporting address" });
      break;
    case "invalid":
      out.push({ mark: "fail", check: "TLS-RPT", reason: `invalid: ${d.tls_rpt_error}` });
      break;
    case "valid":
      out.push({ mark: "pass", check: "TLS-RPT", reason: `reports to ${d.tls_rpt_rua.join(", ")}` });
  }
  if (d.policy_list_listed === false) out.push({ mark: "skip", check: "Policy list", reason: "not listed" });
  if (d.policy_list_listed === true) {
    const ok = d.policy_list_mx_ok !== false;
    const bad = [...d.policy_list_mismatch, ...d.policy_list_failing];
    out.push({
      mark: ok ? "pass" : "warn",
      check: "Policy list",
      reason: `listed (${d.policy_list_mode})${ok ? "" : `; not satisfied by ${bad.join(", ")}`}`,
    });
  }
  return out;
}

export interface RenderOptions {
  color: boolean;
}

function paint(o: RenderOptions, code: string, s: string): string {
  return o.color ? `${code}${s}${RESET}` : s;
}

function renderLines(lines: Line[], o: RenderOptions, indent: string): string[] {
  return lines.map(
    // Reasons carry server text (greetings, replies, certificate names): escaped for the terminal.
    (l) => `${indent}${paint(o, COLOR[l.mark], SYMBOL[l.mark])} ${l.check.padEnd(12)} ${safeText(l.reason)}`,
  );
}

const DOMAIN_MARK: Record<string, Mark> = {
  valid: "pass",
  cert_invalid: "warn",
  inconclusive: "warn",
  no_mail: "skip",
};

export function renderDomain(d: DomainRow, hosts: HostRow[], o: RenderOptions): string {
  const out: string[] = [];
  const mark = DOMAIN_MARK[d.status] ?? "fail";
  out.push(`${paint(o, BOLD, d.domain)}  ${paint(o, COLOR[mark], `${SYMBOL[mark]} ${d.status}`)}`);
  if (d.mx_kind === "null") out.push("  null MX (RFC 7505): this domain accepts no mail");
  else if (d.mx_kind === "none")
    out.push(`  no MX: ${d.dns_failure ?? "no MX and no address records"} (${d.dns_rcode})`);
  else if (d.mx_kind === "error") out.push(`  MX lookup failed: ${d.dns_failure} (${d.dns_rcode})`);
  else if (d.mx_kind === "implicit")
    out.push("  no MX records: implicit MX, the domain's own address (RFC 5321 §5.1)");
  const primaries = new Set(d.mx_primary_hosts);
  d.mx_hosts.forEach((h, i) => {
    const notes = [
      primaries.has(h) ? "primary" : "backup",
      d.mx_cname_hosts.includes(h) ? "CNAME" : "",
      d.mx_ip_literals.includes(h) ? "IP literal" : "",
    ].filter(Boolean);
    if (d.mx_kind === "mx")
      out.push(`  MX ${String(d.mx_priorities[i]).padStart(3)} ${safeText(h)}  (${notes.join(", ")})`);
  });
  if (d.mx_truncated) out.push("  more MX records than --max-mx; the rest were not probed");
  for (const r of hosts) {
    const pref = d.mx_priorities[d.mx_hosts.indexOf(r.hostname)];
    const s = hostStatusForDomain(r, d.domain);
    const hm: Mark = s === "ok" ? "pass" : s === "cert_invalid" ? "warn" : "fail";
    const where = r.ip ? `${r.ip}:${r.port}` : "no address";
    out.push(
      `  ${paint(o, BOLD, `[${pref ?? "-"}] ${safeText(r.hostname)}`)} ${where}  ${paint(o, COLOR[hm], s)}`,
    );
    const dane = daneLine(r);
    out.push(
      ...renderLines(
        [...hostChecks(r, d.domain), ...inventoryLines(r), ...(dane ? [dane] : []), ...gradeLines(r)],
        o,
        "      ",
      ),
    );
  }
  out.push(...renderLines(policyLines(d), o, "  "));
  if (d.grade !== null || d.forced_tls_eligible !== null) {
    const fe = d.forced_tls_eligible === null ? "not known" : d.forced_tls_eligible ? "yes" : "no";
    out.push(`  Grade: ${d.grade ?? "-"} (the worst primary MX host); LuxSci Forced TLS eligible: ${fe}`);
  }
  for (const code of d.recommendations) {
    const r = DOMAIN_RECOMMENDATIONS[code];
    const mark: Mark = r?.severity === "major" ? "fail" : "warn";
    out.push(...renderLines([{ mark, check: "fix", reason: `${code}: ${r?.text ?? ""}` }], o, "  "));
  }
  if (d.dane_status !== null || d.dnssec_mx !== null) {
    out.push(
      `  DNSSEC: MX answer ${d.dnssec_mx ?? "not tested"}; DANE: ${d.dane_status ?? "not tested"} (${d.dane_hosts_valid} of ${d.dane_hosts_total} primary MX rows valid)`,
    );
  }
  if (d.cert_name_matches_domain !== null && hosts.some((h) => certTrustedInDate(h))) {
    out.push(`  certificates name the domain: ${d.cert_name_matches_domain ? "yes" : "no"}`);
  }
  return out.join("\n");
}

export function renderHost(r: HostRow, o: RenderOptions): string {
  const s = r.status;
  const hm: Mark = s === "ok" ? "pass" : s === "cert_invalid" ? "warn" : "fail";
  const where = r.ip ? `${r.ip}:${r.port}` : "no address";
  return [
    `${paint(o, BOLD, safeText(r.hostname))} ${where}  ${paint(o, COLOR[hm], s)}`,
    ...renderLines(
      [
        ...hostChecks(r, null),
        ...inventoryLines(r),
        ...((l) => (l ? [l] : []))(daneLine(r)),
        ...gradeLines(r),
      ],
      o,
      "    ",
    ),
  ].join("\n");
}
