/**
 * SMTP STARTTLS probe of one (MX host, IP).
 *
 * Measures: whether the address accepts TCP on the SMTP port, the greeting (RFC 5321 §4.2, §3.1), EHLO and its
 * extensions (falling back to HELO when EHLO is refused, §4.1.1.1), whether STARTTLS is offered and works
 * (RFC 3207), the negotiated TLS version, cipher and key-exchange group, and the certificate chain with its
 * path validation and name match (RFC 6125).
 * Steps: address policy → connect → greeting → EHLO (→ HELO) → STARTTLS → TLS handshake (SNI = MX host) →
 * EHLO inside TLS → QUIT. Never MAIL, RCPT or DATA.
 * Phases that can fail: connect, banner, ehlo, starttls, tls_handshake, ehlo_tls (see shared/failures.ts).
 * Returns a host row in every case (partial data kept); throws only on our own bugs.
 */

import { createHash } from "node:crypto";
import type { Socket } from "node:net";
import type { SecureContext } from "node:tls";
import type { DaneLookup } from "../../shared/dane/lookup.js";
import type { ProbeFailure } from "../../shared/failures.js";
import { certNamesHost } from "../../shared/names.js";
import { emptyHostRow } from "../../shared/rows.js";
import type { HostRow } from "../../shared/schema/host-row.js";
import type { ProbeDepth, ProbeSettings } from "../../shared/settings.js";
import { rowGrade } from "../../shared/tls/grade-input.js";
import { inventoryRowFields } from "../../shared/tls/inventory.js";
import { hostStatus, worthRetrying } from "../../shared/verdict.js";
import { checkTargetAddress } from "../net/address-policy.js";
import { type CertFacts, certFacts } from "../net/cert-facts.js";
import { classifyCertError } from "../net/classify.js";
import { verifyDane } from "../net/dane-verify.js";
import { Deadline } from "../net/deadline.js";
import { parseEhlo } from "../net/ehlo.js";
import {
  askServerChoice,
  clientCannotComplete,
  clientHelloSuites,
  serverChoiceFromBytes,
} from "../net/server-choice.js";
import { SmtpChannel } from "../net/smtp-channel.js";
import { connectTcp } from "../net/tcp-connect.js";
import { startTls, type TlsFacts, type TlsResult } from "../net/tls-client.js";
import { runTlsInventory } from "./tls-inventory.js";

export interface SmtpProbeJob {
  hostname: string;
  ip: string;
  port: number;
  /** The host's TLSA records and DNSSEC states (RFC 7672), looked up by the coordinator; data, not a target. */
  dane?: DaneLookup | null;
  /** The scan's --depth (a measurement parameter, not a target); the worker's setting when absent. */
  depth?: ProbeDepth;
}

export interface ProbeContext {
  settings: ProbeSettings;
  secureContext: SecureContext;
  /** Open a TCP connection (tests may count or refuse). */
  connect?: (ip: string, port: number) => Socket;
  now?: () => Date;
  /** Bound on the server's handshake bytes kept to read its certificates (default 256 KiB; tests lower it). */
  tlsRecordLimit?: number;
  /** Pause before the one retry of a rate-limited or reset attempt (default RETRY_DELAY_MS; tests lower it). */
  retryDelayMs?: number;
}

/**
 * Pause before retrying an attempt the server answered with "not now" (a 4xx greeting, a reset after connect or
 * the greeting): rate limits such as "421 too many connections" lift within seconds. Taken only when the host
 * deadline leaves room for the pause, a connection and a reply.
 */
export const RETRY_DELAY_MS = 5_000;

/** How long to wait for the reply to QUIT: politeness, not measurement. */
const QUIT_WAIT_MS = 2_000;

function setFailure(row: HostRow, f: ProbeFailure): void {
  row.failure = f.failure;
  row.failure_phase = f.phase;
  row.failure_detail = f.detail;
}

async function quit(channel: SmtpChannel, socket: Socket): Promise<void> {
  if (channel.write("QUIT")) await channel.readReply("ehlo", QUIT_WAIT_MS, "smtp_timeout");
  channel.detach();
  socket.destroy();
}

export async function probeSmtpStarttls(job: SmtpProbeJob, ctx: ProbeContext): Promise<HostRow> {
  const now = ctx.now ?? (() => new Date());
  const startedAt = now();
  const t0 = Date.now();
  const row = emptyHostRow(job.hostname, job.ip, job.port, startedAt);
  const seen: { presented: Uint8Array[] | null } = { presented: null };
  // One deadline for the whole (host, IP): the first probe and the TLS inventory share it.
  const deadline = Deadline.after(ctx.settings.hostDeadlineMs);
  try {
    await runSteps(job, ctx, row, now, seen, deadline);
    await retryOnce(job, ctx, row, now, seen, deadline);
    const depth = job.depth ?? ctx.settings.depth;
    if (depth !== "basic") {
      row.inventory_depth = depth;
      if (row.starttls_offered === true) await runInventory(job, ctx, row, depth, deadline);
    }
  } finally {
    row.duration_ms = Date.now() - t0;
    row.status = hostStatus(row);
    if (job.dane) {
      Object.assign(
        row,
        verifyDane({
          lookup: job.dane,
          presented: seen.presented,
          starttlsOffered: row.starttls_offered,
          now: now(),
        }),
      );
    }
    const g = rowGrade(row, now());
    row.grade = g.grade;
    row.recommendations = g.recommendations;
  }
  return row;
}

/**
 * The TLS inventory (--depth versions | full): our own ClientHellos over fresh STARTTLS connections, one at a
 * time with --per-host-delay between them, within what is left of the host deadline (the same Deadline the
 * first probe ran under). Its facts join the row.
 */
async function runInventory(
  job: SmtpProbeJob,
  ctx: ProbeContext,
  row: HostRow,
  depth: "versions" | "full",
  deadline: Deadline,
): Promise<void> {
  const s = ctx.settings;
  const inv = await runTlsInventory(
    { hostname: job.hostname, ip: job.ip, port: job.port },
    {
      settings: {
        ehloName: s.ehloName,
        connectTimeoutMs: s.connectTimeoutMs,
        smtpTimeoutMs: s.smtpTimeoutMs,
        tlsTimeoutMs: s.tlsTimeoutMs,
        deadlineMs: s.hostDeadlineMs,
        perHostDelayMs: s.perHostDelayMs,
        depth,
        allowPrivateTargets: s.allowPrivateTargets,
      },
      deadline,
      ...(ctx.connect ? { connect: ctx.connect } : {}),
    },
  );
  Object.assign(row, inventoryRowFields(inv, depth));
  row.connections_used += inv.connections_used;
}

/**
 * A rate limit or a reset before EHLO (shared/verdict.ts worthRetrying) gets one more attempt after a pause,
 * within the host deadline; the row then holds the second attempt, with the first one named in failure_detail.
 * A tarpit is not retried: it would only spend the deadline again.
 */
async function retryOnce(
  job: SmtpProbeJob,
  ctx: ProbeContext,
  row: HostRow,
  now: () => Date,
  seen: { presented: Uint8Array[] | null },
  deadline: Deadline,
): Promise<void> {
  const s = ctx.settings;
  const pause = ctx.retryDelayMs ?? RETRY_DELAY_MS;
  if (!worthRetrying(row)) return;
  if (deadline.remaining() <= pause + s.connectTimeoutMs + s.smtpTimeoutMs) return;
  const first = `${row.failure} at ${row.failure_phase}${row.failure_detail ? ` (${row.failure_detail})` : ""}`;
  await new Promise<void>((resolve) => setTimeout(resolve, pause));
  const again = emptyHostRow(job.hostname, job.ip, job.port, row.probed_at ? new Date(row.probed_at) : now());
  again.connections_used = row.connections_used;
  await runSteps(job, ctx, again, now, seen, deadline);
  const note = `retried once after ${pause} ms; the first attempt: ${first}`;
  again.failure_detail = again.failure_detail ? `${again.failure_detail}; ${note}` : note;
  Object.assign(row, again);
}

async function runSteps(
  job: SmtpProbeJob,
  ctx: ProbeContext,
  row: HostRow,
  now: () => Date,
  seen: { presented: Uint8Array[] | null },
  deadline: Deadline,
): Promise<void> {
  const s = ctx.settings;
  const policy = checkTargetAddress(job.ip, s.allowPrivateTargets);
  if (!policy.allowed) {
    setFailure(row, {
      failure: "blocked_address",
      phase: "connect",
      detail: `${job.ip} is in ${policy.cidr || "no valid range"} (${policy.range}); not contacted`,
    });
    return;
  }
  const conn = await connectTcp(job, s.connectTimeoutMs, deadline, ctx.connect);
  if (!conn.ok) return setFailure(row, conn.failure);
  row.connect_ms = conn.ms;
  row.connections_used += 1;
  let socket: Socket = conn.socket;
  const channel = new SmtpChannel(socket, deadline);
  try {
    // Greeting
    const greet = await channel.readReply("banner", s.smtpTimeoutMs, "banner_timeout");
    if (!greet.ok) return setFailure(row, greet.failure);
    row.smtp_banner_code = greet.reply.code;
    row.smtp_banner = greet.reply.raw;
    if (greet.reply.code !== 220) {
      setFailure(row, { failure: "banner_rejected", phase: "banner", detail: greet.reply.raw });
      await quit(channel, socket);
      return;
    }
    // EHLO, then HELO when EHLO is refused
    channel.write(`EHLO ${s.ehloName}`);
    let hello = await channel.readReply("ehlo", s.smtpTimeoutMs, "smtp_timeout");
    if (!hello.ok) return setFailure(row, hello.failure);
    row.ehlo_reply_code = hello.reply.code;
    row.ehlo_raw = hello.reply.raw;
    if (hello.reply.code === 250) {
      row.ehlo_command = "EHLO";
      const info = parseEhlo(hello.reply);
      row.ehlo_extensions = info.extensions;
      row.starttls_offered = info.keywords.has("STARTTLS");
    } else {
      channel.write(`HELO ${s.ehloName}`);
      hello = await channel.readReply("ehlo", s.smtpTimeoutMs, "smtp_timeout");
      if (!hello.ok) return setFailure(row, hello.failure);
      row.ehlo_reply_code = hello.reply.code;
      if (hello.reply.code !== 250) {
        setFailure(row, {
          failure: "ehlo_rejected",
          phase: "ehlo",
          detail: `${row.ehlo_raw}\n${hello.reply.raw}`,
        });
        await quit(channel, socket);
        return;
      }
      row.ehlo_command = "HELO";
      row.starttls_offered = false; // HELO has no extensions (RFC 5321 §4.1.1.1)
    }
    if (!row.starttls_offered) {
      await quit(channel, socket);
      return;
    }
    // STARTTLS
    channel.write("STARTTLS");
    const st = await channel.readReply("starttls", s.smtpTimeoutMs, "smtp_timeout");
    if (!st.ok) return setFailure(row, st.failure);
    row.starttls_reply_code = st.reply.code;
    if (st.reply.code !== 220) {
      row.starttls_ok = false;
      setFailure(row, { failure: "starttls_rejected", phase: "starttls", detail: st.reply.raw });
      await quit(channel, socket);
      return;
    }
    channel.detach(); // plaintext the server sent ahead of the handshake is discarded (RFC 3207 §4.2)
    const tls = await startTls(socket, {
      servername: job.hostname,
      secureContext: ctx.secureContext,
      timeoutMs: s.tlsTimeoutMs,
      deadline,
      ...(ctx.tlsRecordLimit !== undefined ? { recordLimit: ctx.tlsRecordLimit } : {}),
    });
    row.tls_ms = tls.ms;
    if (!tls.ok) {
      row.starttls_ok = false;
      row.tls_alert = tls.failure.alert;
      setFailure(row, tls.failure);
      socket.destroy();
      await learnServerChoice(job, ctx, row, tls, deadline, now());
      return;
    }
    row.starttls_ok = true;
    socket = tls.socket;
    const f = tls.facts;
    row.tls_version = f.version;
    row.tls_cipher = f.cipher;
    row.tls_kx_group = f.kxGroup;
    fillCertificate(row, f, job.hostname, now());
    // For DANE: the certificates as sent; when they could not be read, the leaf alone (Node's chain may hold
    // trust-store roots the server never sent).
    seen.presented = f.presented ?? (f.chain[0] ? [f.chain[0]] : []);
    // EHLO inside TLS (RFC 3207 §4.2: the client must forget what it learned before)
    channel.attach(socket);
    channel.write(`EHLO ${s.ehloName}`);
    const again = await channel.readReply("ehlo_tls", s.smtpTimeoutMs, "smtp_timeout");
    if (!again.ok) return setFailure(row, again.failure);
    if (again.reply.code === 250) row.ehlo_tls_extensions = parseEhlo(again.reply).extensions;
    else setFailure(row, { failure: "ehlo_rejected", phase: "ehlo_tls", detail: again.reply.raw });
    await quit(channel, socket);
  } finally {
    channel.detach();
    socket.destroy();
    conn.socket.destroy();
  }
}

/** Failures after which the server's own answer can tell more (not a timer, not a flood). */
const NO_CHOICE_AFTER: ReadonlySet<string> = new Set(["tls_timeout", "deadline_exceeded", "tls_too_large"]);

/**
 * OpenSSL did not finish the handshake: the version, suite and certificates the server chose, from its own
 * answer (worker/net/server-choice.ts) — the bytes it sent OpenSSL, or else one more connection with our own
 * ClientHello offering what OpenSSL lacks. A choice this client cannot complete (3DES, RC4, EXPORT, SSLv3 ...)
 * becomes failure tls_unsupported_by_client; the facts are recorded either way, the certificates unverified.
 */
async function learnServerChoice(
  job: SmtpProbeJob,
  ctx: ProbeContext,
  row: HostRow,
  tls: Extract<TlsResult, { ok: false }>,
  deadline: Deadline,
  now: Date,
): Promise<void> {
  if (NO_CHOICE_AFTER.has(tls.failure.failure)) return;
  const offered = clientHelloSuites(tls.clientBytes);
  let choice = serverChoiceFromBytes(tls.serverBytes, tls.serverHandshakeTrafficSecret);
  const source = choice ? "its answer to OpenSSL's ClientHello" : "its answer to our own ClientHello";
  if (!choice) {
    const s = ctx.settings;
    // One more connection: --per-host-delay first, as between the inventory's connections.
    if (deadline.remaining() <= s.perHostDelayMs + s.connectTimeoutMs) return;
    if (s.perHostDelayMs > 0) await new Promise<void>((resolve) => setTimeout(resolve, s.perHostDelayMs));
    row.connections_used += 1;
    const asked = await askServerChoice(
      job,
      {
        ehloName: s.ehloName,
        connectTimeoutMs: s.connectTimeoutMs,
        smtpTimeoutMs: s.smtpTimeoutMs,
        tlsTimeoutMs: s.tlsTimeoutMs,
      },
      deadline,
      offered,
      ctx.connect,
    );
    if (asked.kind !== "choice") return;
    choice = asked.choice;
    // A suite OpenSSL offered too: the server refused OpenSSL's hello for another reason; its facts would
    // contradict that refusal, so the row keeps the failure alone.
    if (!clientCannotComplete(choice, offered)) {
      row.failure_detail = `${row.failure_detail}; our own ClientHello got ${choice.version} ${choice.cipher}, which OpenSSL offered too`;
      return;
    }
  }
  const unsupported = clientCannotComplete(choice, offered);
  const was = `${row.failure}: ${row.failure_detail}`;
  row.tls_version = choice.version;
  row.tls_cipher = choice.cipher;
  const certs = choice.certificates
    ? `its certificates as sent (not verified: no handshake completed)`
    : `no certificates (${choice.certificatesError})`;
  if (unsupported) {
    row.failure = "tls_unsupported_by_client";
    row.failure_phase = "tls_handshake";
    row.failure_detail = `the server chose ${choice.version} ${choice.cipher}, which this client (OpenSSL ${process.versions.openssl}) cannot complete; from ${source}: ${certs}; OpenSSL's attempt: ${was}`;
  } else {
    row.failure_detail = `${row.failure_detail}; the server had chosen ${choice.version} ${choice.cipher} (${source}): ${certs}`;
  }
  const leaf = choice.certificates?.[0];
  if (!choice.certificates || !leaf) return;
  row.cert_chain_sha256 = choice.certificates.map((c) => createHash("sha256").update(c).digest("hex"));
  fillLeafFacts(row, leaf, job.hostname, now);
}

function fillCertificate(row: HostRow, f: TlsFacts, hostname: string, now: Date): void {
  const { authorized, authorizationError } = f;
  const leaf = f.chain[0];
  if (!leaf) {
    row.cert_trusted = false;
    row.cert_error = "no_certificate";
    return;
  }
  // The certificates as the server sent them; Node's linked chain (which may hold trust-store roots the server
  // never sent) only when the server's Certificate message could not be read, and then the row says so.
  row.cert_chain_sha256 = (f.presented ?? f.chain).map((c) => createHash("sha256").update(c).digest("hex"));
  if (f.presented === null) {
    row.failure_detail = `cert_chain_sha256 is OpenSSL's linked chain, not the certificates as sent (${f.presentedError ?? "not read"})`;
  }
  row.cert_trusted = authorized;
  row.cert_error_code = authorized ? null : authorizationError;
  row.cert_error = authorized ? null : classifyCertError(authorizationError ?? "");
  fillLeafFacts(row, leaf, hostname, now);
}

/** The leaf's own facts (dates, names, key, signature); `cert_error` other when it does not parse. */
function fillLeafFacts(row: HostRow, leaf: Uint8Array, hostname: string, now: Date): void {
  let facts: CertFacts;
  try {
    facts = certFacts(leaf, now);
  } catch (err) {
    // The server sent bytes OpenSSL accepted but our parser cannot read: keep what we know.
    row.cert_error ??= "other";
    const note = `certificate not parsable: ${err instanceof Error ? err.message : String(err)}`;
    row.failure_detail = row.failure_detail ? `${row.failure_detail}; ${note}` : note;
    return;
  }
  row.cert_expired = facts.expired;
  row.cert_not_yet_valid = facts.not_yet_valid;
  row.cert_self_signed = facts.self_signed;
  row.cert_subject_cn = facts.subject_cn;
  row.cert_sans = facts.sans;
  row.cert_name_matches_mx = certNamesHost(hostname, facts.sans, facts.subject_cn);
  row.cert_issuer = facts.issuer;
  row.cert_not_before = facts.not_before;
  row.cert_not_after = facts.not_after;
  row.cert_key_type = facts.key_type;
  row.cert_key_bits = facts.key_bits;
  row.cert_key_curve = facts.key_curve;
  row.cert_sig_alg = facts.sig_alg;
  row.cert_sha256 = facts.sha256;
  row.cert_spki_sha256 = facts.spki_sha256;
}
