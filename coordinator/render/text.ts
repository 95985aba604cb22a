/**
 * Human output of `check` and `probe`, after LuxSci's results page and the EFF checker: per domain a verdict in
 * words, a compact table with one line per (MX host, IP) — priority, host, TLS, certificate name and whether it
 * can be verified, SSLv3 off, TLS 1.0 / 1.2, weak suites off, NIST SP 800-52r1 / r2, DANE, grade — then what
 * needs attention per host, the domain's policies, the grade and what set it, and what to change in plain
 * words. `--verbose` adds every check of every host (✓ pass, ✗ fail, ! warn, · not tested) and the full suite
 * names. Statuses and failures are shown in words (./words.ts); raw OpenSSL strings never reach the text (they
 * stay in the JSON rows' failure_detail), and text a server sent passes through `serverText` on its way to the
 * terminal. Colour only when asked (the CLI turns it on for a TTY).
 */

import { domainGradeReasonOfRow } from "../../shared/domain-result.js";
import { DOMAIN_RECOMMENDATIONS } from "../../shared/policy/recommendations.js";
import type { DomainRow } from "../../shared/schema/domain-row.js";
import type { HostRow } from "../../shared/schema/host-row.js";
import { safeText } from "../../shared/text-safe.js";
import { RECOMMENDATIONS, type Severity } from "../../shared/tls/grade.js";
import { rowAdvice } from "../../shared/tls/grade-input.js";
import { certNamesDomain, hostStatusForDomain } from "../../shared/verdict.js";
import { groupSuites } from "./suites.js";
import { CERT_ERROR_WORDS, DOMAIN_STATUS_WORDS, FAILURE_WORDS, HOST_STATUS_WORDS, words } from "./words.js";

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

function oneLine(s: string, max = 100): string {
  const flat = s.replace(/\s*\n\s*/g, " | ");
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/**
 * Text a server sent — its greeting and replies, certificate names — on one line, at most `max` characters. The
 * one place such text passes on its way to a terminal: whatever makes it safe to print belongs here.
 */
export function serverText(s: string | null, max = 100): string {
  return s === null ? "" : safeText(oneLine(s, max));
}

/** Failures whose failure_detail is the server's own reply (shown); any other detail is ours or OpenSSL's. */
const REPLY_FAILURES: ReadonlySet<string> = new Set([
  "banner_rejected",
  "ehlo_rejected",
  "starttls_rejected",
]);

/** A row's failure in words, with the server's reply when the failure is a refusal. */
export function failureWords(r: HostRow): string {
  const what = words(FAILURE_WORDS, r.failure);
  const reply =
    r.failure && REPLY_FAILURES.has(r.failure) && r.failure_detail
      ? `: ${serverText(r.failure_detail, 80)}`
      : "";
  const alert = r.tls_alert ? ` (alert ${r.tls_alert})` : "";
  return `${what}${reply}${alert}`;
}

const date = (iso: string | null) => (iso ? iso.slice(0, 10) : "?");

export function hostChecks(r: HostRow, domain: string | null): Line[] {
  const out: Line[] = [];
  const failedAt = r.failure_phase;
  if (failedAt === "resolve") {
    out.push({ mark: "fail", check: "DNS", reason: failureWords(r) });
    return out;
  }
  if (r.failure === "blocked_address") {
    out.push({ mark: "skip", check: "Connect", reason: failureWords(r) });
    return out;
  }
  if (failedAt === "connect" || failedAt === "job") {
    out.push({ mark: "fail", check: "Connect", reason: failureWords(r) });
    return out;
  }
  out.push({ mark: "pass", check: "Connect", reason: `TCP port ${r.port} open (${r.connect_ms ?? "?"} ms)` });
  if (r.smtp_banner_code === null) {
    out.push({ mark: "fail", check: "Greeting", reason: failureWords(r) });
    return out;
  }
  out.push({
    mark: r.smtp_banner_code === 220 ? "pass" : "fail",
    check: "Greeting",
    reason: serverText(r.smtp_banner ?? String(r.smtp_banner_code)),
  });
  if (r.smtp_banner_code !== 220) return out;
  if (r.ehlo_command === null) {
    out.push({ mark: "fail", check: "EHLO", reason: failureWords(r) });
    return out;
  }
  out.push(
    r.ehlo_command === "EHLO"
      ? {
          mark: "pass",
          check: "EHLO",
          reason: `${r.ehlo_extensions.length} extensions: ${serverText(r.ehlo_extensions.join(", "))}`,
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
    out.push({ mark: "fail", check: "STARTTLS", reason: failureWords(r) });
    return out;
  }
  if (r.starttls_reply_code !== 220) {
    out.push({
      mark: "fail",
      check: "STARTTLS",
      reason: `offered, but refused: ${serverText(r.failure_detail ?? "", 80)}`,
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
          : `${chose ? `${chose}, then the ` : ""}handshake failed: ${failureWords(r)}${alert}`,
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
    out.push({ mark: "fail", check: "Certificate", reason: "none presented" });
    return out;
  }
  const issuer = serverText(r.cert_issuer ?? "?", 80);
  if (r.cert_trusted) {
    out.push({ mark: "pass", check: "Certificate", reason: `trusted; issued by ${issuer}` });
  } else {
    out.push({
      mark: "fail",
      check: "Certificate",
      reason: `not trusted: ${words(CERT_ERROR_WORDS, r.cert_error) || "the chain does not validate"}; issued by ${issuer}`,
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
  const names = serverText(
    r.cert_sans.length > 0 ? r.cert_sans.join(", ") : `CN=${r.cert_subject_cn ?? ""}`,
    60,
  );
  if (r.cert_name_matches_mx) {
    out.push({ mark: "pass", check: "Name", reason: `matches ${r.hostname} (${names})` });
  } else if (domain && certNamesDomain(r, domain)) {
    // Valid for the domain (the EFF checker's rule), but LuxSci's "verifiable" and senders that check the MX
    // host name (DANE-TA, MTA-STS) want the host's name.
    out.push({
      mark: "warn",
      check: "Name",
      reason: `names the mail domain ${domain}, not ${r.hostname} (${names})`,
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
    out.push({ mark: "warn", check: "EHLO in TLS", reason: failureWords(r) });
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

/** `Suites 1.2` for TLSv1.2's suites (`Suites 1.0` for OpenSSL's "TLSv1", `Suites SSLv3`). */
function suitesLabel(version: string): string {
  return `Suites ${version === "TLSv1" ? "1.0" : version.replace(/^TLSv/, "")}`;
}

/**
 * The TLS inventory (--depth versions | full): versions, then the accepted suites per version — grouped and
 * abbreviated, or by their full names with `verbose` — with weak ones marked.
 */
export function inventoryLines(r: HostRow, verbose = true): Line[] {
  // No inventory runs without STARTTLS: nothing to show.
  if (r.inventory_depth === "basic" || r.starttls_offered !== true) return [];
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
  if (r.inventory_depth === "full" && r.ciphers.length > 0) {
    if (verbose) {
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
        out.push({ mark: anyWeak ? "warn" : "pass", check: suitesLabel(ver), reason: names.join(", ") });
      }
    } else {
      for (const g of groupSuites(r.ciphers, r.weak_ciphers)) {
        out.push({
          mark: g.weak > 0 ? "warn" : "pass",
          check: suitesLabel(g.version),
          reason: `${g.count} suite${g.count === 1 ? "" : "s"}: ${g.text}`,
        });
      }
    }
  }
  if (r.inventory_depth === "full") {
    const more = verbose
      ? `; forward secrecy only ${v("forward_secrecy_only")}; server order ${v("server_cipher_order")}; groups ${r.kx_groups.join(" ") || "-"}`
      : "";
    out.push({
      mark: r.weak_ciphers.length > 0 || helloOnly ? "warn" : r.ciphers.length === 0 ? "skip" : "pass",
      check: "Ciphers",
      reason: `${helloOnly ? "chosen in ServerHellos only: " : ""}${r.ciphers.length} suites${r.ciphers_complete ? "" : " (incomplete)"}, ${r.weak_ciphers.length} weak; NIST SP 800-52r1 ${v("nist_r1_ok")}, r2 ${v("nist_r2_ok")}${more}`,
    });
  }
  if (r.inventory_failure)
    out.push({
      mark: "warn",
      check: "Inventory",
      reason: `stopped early: ${words(FAILURE_WORDS, r.inventory_failure)}`,
    });
  if (verbose) out.push({ mark: "skip", check: "Connections", reason: `${r.connections_used} to this host` });
  return out;
}

const SEVERITY_MARK: Record<Severity, Mark> = { major: "fail", minor: "warn", info: "skip" };

/** The grade and what to change, one sentence each (probe's per-host report). */
export function gradeLines(r: HostRow, now: Date = new Date()): Line[] {
  const advice = rowAdvice(r, now).map((code) => ({
    mark: SEVERITY_MARK[RECOMMENDATIONS[code]?.severity ?? "minor"],
    check: "  fix",
    reason: `${RECOMMENDATIONS[code]?.text ?? code} [${code}]`,
  }));
  if (r.grade === null) return advice;
  const mark: Mark = r.grade.startsWith("A") ? "pass" : r.grade === "B" || r.grade === "C" ? "warn" : "fail";
  return [{ mark, check: "Grade", reason: r.grade }, ...advice];
}

/** The DANE line of a host (RFC 7672), or none when DANE was not looked up for it. */
export function daneLine(r: HostRow): Line | null {
  const matched = r.dane_matched ? ` by ${r.dane_matched.slice(0, 24)}…` : "";
  switch (r.dane_status) {
    case null:
      return r.dane_tlsa.length > 0
        ? { mark: "skip", check: "DANE", reason: `not tested: ${serverText(r.dane_detail ?? "")}` }
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
        reason: `invalid: ${r.dane_failure ?? "?"}${r.dane_detail ? ` — ${serverText(r.dane_detail, 80)}` : ""}`,
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
    case "invalid": {
      // A fetch failure's detail is the HTTPS client's (OpenSSL's codes): its name in words says it. A TXT or
      // policy error's detail quotes what the domain published.
      const fetch = (FAILURE_WORDS as Record<string, string | undefined>)[d.mta_sts_error ?? ""];
      out.push({
        mark: "fail",
        check: "MTA-STS",
        reason: fetch
          ? `invalid: ${fetch}`
          : `invalid: ${d.mta_sts_error}${d.mta_sts_detail ? ` — ${serverText(d.mta_sts_detail, 80)}` : ""}`,
      });
      break;
    }
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
  /** Every check of every host and every suite by its full name, instead of what needs attention. */
  verbose?: boolean;
  /** The clock for "expires within 30 days" in the advice (tests pin it). */
  now?: Date;
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

const HOST_MARK: Record<string, Mark> = { ok: "pass", cert_invalid: "warn", inconclusive: "warn" };

/** A table cell: its text, and the mark that colours it (none: plain). */
interface Cell {
  text: string;
  mark?: Mark;
}

const NOT_TESTED: Cell = { text: "·", mark: "skip" };

/** yes/no/· for a fact where `good` is the reassuring value. */
function yesNo(v: boolean | null, good: boolean | null): Cell {
  if (v === null) return NOT_TESTED;
  return { text: v ? "yes" : "no", ...(good === null ? {} : { mark: v === good ? "pass" : "fail" }) };
}

const TABLE_HEADER = [
  "pri",
  "MX host",
  "address",
  "TLS",
  "cert name",
  "verifiable",
  "SSLv3 off",
  "TLS1.0",
  "TLS1.2",
  "weak off",
  "NIST r1",
  "r2",
  "DANE",
  "grade",
];

/** One table line per (MX host, IP): LuxSci's columns, plus DANE. · means not tested at this --depth. */
function tableRow(d: DomainRow, r: HostRow): Cell[] {
  const pref = d.mx_priorities[d.mx_hosts.indexOf(r.hostname)];
  const status = hostStatusForDomain(r, d.domain);
  const tls: Cell =
    r.tls_version !== null
      ? { text: r.tls_version.replace(/^TLSv/, "TLS ").replace(/^TLS 1$/, "TLS 1.0"), mark: "pass" }
      : r.starttls_offered === false
        ? { text: "no STARTTLS", mark: "fail" }
        : r.starttls_offered === true
          ? { text: "fails", mark: "fail" }
          : { text: status.replace(/_/g, " "), mark: "fail" };
  const got = r.tls_version !== null && r.cert_sha256 !== null;
  const cn = r.cert_subject_cn ?? r.cert_sans[0] ?? null;
  const inv = r.inventory_depth !== "basic";
  const full = r.inventory_depth === "full";
  const weakOff: Cell =
    !full || (r.weak_ciphers.length === 0 && !r.ciphers_complete)
      ? NOT_TESTED
      : yesNo(r.weak_ciphers.length === 0, true);
  const dane: Cell =
    r.dane_status === null
      ? NOT_TESTED
      : {
          text: r.dane_status,
          mark: r.dane_status === "valid" ? "pass" : r.dane_status === "none" ? "skip" : "fail",
        };
  const grade: Cell =
    r.grade === null
      ? NOT_TESTED
      : {
          text: r.grade,
          mark: r.grade.startsWith("A") ? "pass" : r.grade === "B" || r.grade === "C" ? "warn" : "fail",
        };
  return [
    { text: pref === undefined ? "-" : String(pref) },
    { text: r.hostname },
    { text: r.ip ?? "no address" },
    tls,
    got ? { text: cn === null ? "(no name)" : serverText(cn, 40) } : { text: "-" },
    got ? yesNo(status === "ok", true) : { text: "-" },
    inv && r.tls_version !== null ? yesNo(r.ssl3 === null ? null : !r.ssl3, true) : NOT_TESTED,
    inv && r.tls_version !== null ? yesNo(r.tls10, null) : NOT_TESTED,
    inv && r.tls_version !== null ? yesNo(r.tls12, true) : NOT_TESTED,
    weakOff,
    full ? yesNo(r.nist_r1_ok, true) : NOT_TESTED,
    full ? yesNo(r.nist_r2_ok, true) : NOT_TESTED,
    dane,
    grade,
  ];
}

/** The per-MX table, columns padded to their widest cell. */
export function mxTable(d: DomainRow, hosts: readonly HostRow[], o: RenderOptions): string[] {
  const rows = hosts.map((r) => tableRow(d, r));
  const header: Cell[] = TABLE_HEADER.map((text) => ({ text }));
  const widths = header.map((h, i) => Math.max(h.text.length, ...rows.map((r) => r[i]?.text.length ?? 0)));
  const line = (cells: Cell[], bold: boolean) =>
    `  ${cells
      .map((c, i) => {
        const pad = " ".repeat(Math.max(0, (widths[i] ?? 0) - c.text.length));
        const text = i === 0 ? pad + c.text : c.text + (i === cells.length - 1 ? "" : pad);
        if (bold) return paint(o, BOLD, text);
        return c.mark ? paint(o, COLOR[c.mark], text) : text;
      })
      .join("  ")}`.trimEnd();
  const untested = rows.some((r) => r.some((c) => c === NOT_TESTED));
  const basic = hosts.some((r) => r.inventory_depth === "basic" && r.starttls_offered !== null);
  const legend = !untested
    ? []
    : basic
      ? ["  · not tested at --depth basic (--depth full tests every column)"]
      : ["  · not tested: the probe did not get that far"];
  return [line(header, true), ...rows.map((r) => line(r, false)), ...legend];
}

/** What needs attention on one host (every check with `verbose`). */
function hostNotes(r: HostRow, domain: string, verbose: boolean): Line[] {
  const checks = hostChecks(r, domain);
  const dane = daneLine(r);
  const inv = inventoryLines(r, verbose);
  if (verbose) return [...checks, ...inv, ...(dane ? [dane] : [])];
  return [
    ...checks.filter((l) => l.mark !== "pass"),
    ...inv.filter((l) => l.mark === "fail" || l.mark === "warn" || l.check.startsWith("Suites")),
    ...(dane && (dane.mark === "fail" || dane.mark === "warn") ? [dane] : []),
  ];
}

/** DNSSEC and DANE for the domain, in words. */
function dnssecLine(d: DomainRow): Line | null {
  if (d.dane_status === null && d.dnssec_mx === null) return null;
  const signed =
    d.dnssec_mx === "secure"
      ? "the MX records are DNSSEC-signed"
      : d.dnssec_mx === "insecure"
        ? "the MX records are not DNSSEC-signed"
        : d.dnssec_mx === "bogus"
          ? "DNSSEC validation of the MX records failed"
          : "the DNSSEC state of the MX records is unknown";
  const of = `${d.dane_hosts_valid} of ${d.dane_hosts_total} primary MX address${d.dane_hosts_total === 1 ? "" : "es"}`;
  switch (d.dane_status) {
    case "valid":
      return {
        mark: "pass",
        check: "DANE",
        reason: `${signed}; every primary MX host is authenticated by TLSA records`,
      };
    case "none":
      return { mark: "skip", check: "DANE", reason: `${signed}; no TLSA records` };
    case "invalid":
      return {
        mark: "fail",
        check: "DANE",
        reason: `${signed}; TLSA records that fail: ${of} authenticated`,
      };
    case "insecure":
      return { mark: "warn", check: "DANE", reason: `${signed}; TLSA records without DNSSEC do not count` };
    case "bogus":
      return {
        mark: "fail",
        check: "DANE",
        reason: `${signed}; DNSSEC validation of the TLSA records failed`,
      };
    default:
      return { mark: "skip", check: "DANE", reason: `${signed}; not tested` };
  }
}

/** The domain grade and what set it: the worst primary MX host(s), or the domain-level finding by its code. */
export function gradeReasonText(d: DomainRow, hosts: readonly HostRow[]): string {
  if (d.grade === null) return "-";
  const why = domainGradeReasonOfRow(d, hosts);
  const worst = why.worst_hosts.join(", ");
  if (why.lowered_by.length > 0 && why.host_grade !== null && why.host_grade !== d.grade)
    return `${d.grade}: its primary MX hosts grade ${why.host_grade} (worst: ${worst}), lowered two letters by ${why.lowered_by.join(", ")}`;
  return `${d.grade}: the grade of its worst primary MX host${why.worst_hosts.length > 1 ? "s" : ""}, ${worst}`;
}

/** The grade, LuxSci's Forced TLS, and the hint when a deeper --depth would add what is missing. */
function gradeSection(d: DomainRow, hosts: readonly HostRow[]): Line[] {
  const probed = hosts.some((r) => r.starttls_offered !== null);
  if (!probed && d.grade === null && d.forced_tls_eligible === null) return [];
  const basic = hosts.some((r) => r.inventory_depth === "basic" && r.starttls_offered !== null);
  const out: Line[] = [];
  if (d.grade !== null) {
    const mark: Mark = d.grade.startsWith("A")
      ? "pass"
      : d.grade === "B" || d.grade === "C"
        ? "warn"
        : "fail";
    out.push({ mark, check: "Grade", reason: gradeReasonText(d, hosts) });
  } else if (basic) {
    out.push({
      mark: "skip",
      check: "Grade",
      reason:
        "none at --depth basic: add --depth full for the grade, the protocol versions, the cipher suites and NIST's lists",
    });
  }
  const fe = d.forced_tls_eligible;
  out.push({
    mark: fe === null ? "skip" : fe ? "pass" : "fail",
    check: "Forced TLS",
    reason:
      fe === null
        ? `LuxSci eligibility not known${basic ? " (needs --depth full)" : ""}`
        : fe
          ? "LuxSci eligible: every MX host has TLS, TLS 1.0 or 1.2, and a NIST SP 800-52r1 suite"
          : "LuxSci not eligible: an MX host lacks working TLS, both TLS 1.0 and 1.2, or a NIST SP 800-52r1 suite",
  });
  return out;
}

/** What to change, in plain words: host findings (with the hosts they concern), then the domain's. */
export function adviceLines(d: DomainRow, hosts: readonly HostRow[], now: Date = new Date()): Line[] {
  const byCode = new Map<string, string[]>();
  for (const r of hosts) {
    for (const code of rowAdvice(r, now)) {
      const list = byCode.get(code) ?? [];
      if (!list.includes(r.hostname)) list.push(r.hostname);
      byCode.set(code, list);
    }
  }
  const order: Record<Severity, number> = { major: 0, minor: 1, info: 2 };
  const host = [...byCode].map(([code, names]) => {
    const rec = RECOMMENDATIONS[code];
    return {
      severity: rec?.severity ?? "minor",
      line: {
        mark: SEVERITY_MARK[rec?.severity ?? "minor"],
        check: names.join(", "),
        reason: `${rec?.text ?? code} [${code}]`,
      },
    };
  });
  const domain = d.recommendations.map((code) => {
    const rec = DOMAIN_RECOMMENDATIONS[code];
    return {
      severity: rec?.severity ?? "minor",
      line: {
        mark: SEVERITY_MARK[rec?.severity ?? "minor"],
        check: "domain",
        reason: `${rec?.text ?? code} [${code}]`,
      },
    };
  });
  return [...host, ...domain].sort((x, y) => order[x.severity] - order[y.severity]).map((x) => x.line);
}

export function renderDomain(d: DomainRow, hosts: HostRow[], o: RenderOptions): string {
  const out: string[] = [];
  const mark = DOMAIN_MARK[d.status] ?? "fail";
  out.push(
    `${paint(o, BOLD, d.domain)}  ${paint(o, COLOR[mark], `${SYMBOL[mark]} ${d.status}`)} — ${words(DOMAIN_STATUS_WORDS, d.status)}`,
  );
  if (d.mx_kind === "none")
    out.push(`  no MX: ${words(FAILURE_WORDS, d.dns_failure) || "no MX and no address records"}`);
  else if (d.mx_kind === "error") out.push(`  MX lookup failed: ${words(FAILURE_WORDS, d.dns_failure)}`);
  else if (d.mx_kind === "implicit")
    out.push("  no MX records: mail goes to the domain's own address (the implicit MX, RFC 5321 §5.1)");
  const notes = [
    ...d.mx_cname_hosts.map((h) => `${h} is a CNAME`),
    ...d.mx_ip_literals.map((h) => `${h} is an IP address, not a host name (not probed)`),
    ...(d.mx_truncated ? ["more MX records than --max-mx: the rest were not probed"] : []),
  ];
  for (const n of notes) out.push(`  note: ${n}`);
  if (hosts.length > 0) {
    out.push("", ...mxTable(d, hosts, o));
    const backups = d.mx_hosts.filter((h) => !d.mx_primary_hosts.includes(h));
    if (backups.length > 0)
      out.push(`  backup MX hosts (reported, not counted in the verdict): ${backups.join(", ")}`);
  }
  for (const r of hosts) {
    const lines = hostNotes(r, d.domain, o.verbose === true);
    if (lines.length === 0) continue;
    const s = hostStatusForDomain(r, d.domain);
    const where = r.ip ? `${r.ip}:${r.port}` : "no address";
    out.push(
      "",
      `  ${paint(o, BOLD, `${r.hostname} ${where}`)}  ${paint(o, COLOR[HOST_MARK[s] ?? "fail"], `${s} — ${words(HOST_STATUS_WORDS, s)}`)}`,
      ...renderLines(lines, o, "    "),
    );
  }
  const dnssec = dnssecLine(d);
  const domainLines = [...policyLines(d), ...(dnssec ? [dnssec] : []), ...gradeSection(d, hosts)];
  if (domainLines.length > 0) out.push("", ...renderLines(domainLines, o, "  "));
  const advice = adviceLines(d, hosts, o.now);
  if (advice.length > 0) {
    out.push("", "  What to change:");
    for (const l of advice)
      out.push(`    ${paint(o, COLOR[l.mark], SYMBOL[l.mark])} ${l.check}: ${l.reason}`);
  }
  return out.join("\n");
}

export function renderHost(r: HostRow, o: RenderOptions): string {
  const s = r.status;
  const where = r.ip ? `${r.ip}:${r.port}` : "no address";
  return [
    `${paint(o, BOLD, safeText(r.hostname))} ${where}  ${paint(o, COLOR[HOST_MARK[s] ?? "fail"], `${s} — ${words(HOST_STATUS_WORDS, s)}`)}`,
    ...renderLines(
      [
        ...hostChecks(r, null),
        ...inventoryLines(r, o.verbose === true),
        ...((l) => (l ? [l] : []))(daneLine(r)),
        ...gradeLines(r, o.now),
      ],
      o,
      "    ",
    ),
  ].join("\n");
}
