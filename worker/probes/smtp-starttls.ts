/**
 * SMTP STARTTLS probe of one (MX host, IP).
 *
 * Measures: whether the address accepts TCP on the SMTP port, the greeting (RFC 5321 §4.2, §3.1), EHLO and its
 * extensions (falling back to HELO when EHLO is refused, §4.1.1.1), whether STARTTLS is offered and works
 * (RFC 3207), the negotiated TLS version, cipher and key-exchange group, and the certificate chain with its
 * path validation and name match (RFC 6125).
 * Steps: address policy → connect → greeting → EHLO (→ HELO) → STARTTLS → TLS handshake (SNI = MX host) →
 * EHLO inside TLS → QUIT. Never MAIL, RCPT or DATA. Then, all within one --host-deadline:
 * - a "not now" before EHLO (a 4xx greeting, a reset after connect or the greeting) is tried once more after a
 *   pause (a tarpit is not: shared/verdict.ts isInconclusive, worthRetrying);
 * - when OpenSSL could not finish the handshake, the server's own choice (version, suite, certificates sent in
 *   the clear) from its answer — the handshake's bytes, or one more connection with our own ClientHello
 *   (worker/net/server-choice.ts); a choice this client cannot complete is tls_unsupported_by_client;
 * - at --depth versions | full, the TLS inventory (tls-inventory.ts) in what is left of the deadline.
 * Phases that can fail: connect, banner, ehlo, starttls, tls_handshake, ehlo_tls (see shared/failures.ts).
 * Returns a host row in every case (partial data kept); throws only on our own bugs.
 */

import type { Socket } from "node:net";
import type { SecureContext } from "node:tls";
import type { ProbeFailure } from "../../shared/failures.js";
import type { ProbeJob } from "../../shared/jobs.js";
import { emptyHostRow } from "../../shared/rows.js";
import type { HostRow } from "../../shared/schema/host-row.js";
import type { ProbeSettings, WorkerSettings } from "../../shared/settings.js";
import { rowGrade } from "../../shared/tls/grade-input.js";
import { inventoryRowFields } from "../../shared/tls/inventory.js";
import { hostStatus, worthRetrying } from "../../shared/verdict.js";
import { checkTargetAddress } from "../net/address-policy.js";
import { fillCertificate, recordServerChoice } from "../net/cert-row.js";
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
import { startTls, type TlsResult } from "../net/tls-client.js";
import { runTlsInventory } from "./tls-inventory.js";

/** The job of this probe: the target, its DANE lookup and the scan's measurement parameters (shared/jobs.ts). */
export type SmtpProbeJob = ProbeJob;

/** What the probing process brings: its own settings (target policy, trust roots) and test hooks. */
export interface ProbeContext {
  settings: WorkerSettings;
  secureContext: SecureContext;
  /** Open a TCP connection (tests may count or refuse). */
  connect?: (ip: string, port: number) => Socket;
  now?: () => Date;
  /** Bound on the server's handshake bytes kept to read its certificates (default 256 KiB; tests lower it). */
  tlsRecordLimit?: number;
  /** Pause before the one retry of a rate-limited or reset attempt (default RETRY_DELAY_MS; tests lower it). */
  retryDelayMs?: number;
}

/** The context one probe runs in: the worker's settings with the job's measurement parameters. */
type RunContext = Omit<ProbeContext, "settings"> & { settings: ProbeSettings };

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

export async function probeSmtpStarttls(job: SmtpProbeJob, worker: ProbeContext): Promise<HostRow> {
  const ctx: RunContext = { ...worker, settings: { ...worker.settings, ...job.probe } };
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
    const depth = ctx.settings.depth;
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
  ctx: RunContext,
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
  ctx: RunContext,
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
  ctx: RunContext,
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
    seen.presented = f.presented ?? (f.leaf ? [f.leaf] : []);
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

/** Failures after which one more connection would only spend the deadline again (a timer, a flood). */
const NO_ASK_AFTER: ReadonlySet<string> = new Set(["tls_timeout", "deadline_exceeded", "tls_too_large"]);

/**
 * OpenSSL did not finish the handshake: the version, suite and certificates the server chose, from its own
 * answer (worker/net/server-choice.ts) — the bytes it sent OpenSSL, or else one more connection with our own
 * ClientHello offering what OpenSSL lacks. A choice this client cannot complete (3DES, RC4, EXPORT, SSLv3 ...)
 * becomes failure tls_unsupported_by_client; the facts are recorded either way, the certificates unverified.
 */
async function learnServerChoice(
  job: SmtpProbeJob,
  ctx: RunContext,
  row: HostRow,
  tls: Extract<TlsResult, { ok: false }>,
  deadline: Deadline,
  now: Date,
): Promise<void> {
  const offered = clientHelloSuites(tls.clientBytes);
  let choice = serverChoiceFromBytes(tls.serverBytes, tls.serverHandshakeTrafficSecret);
  const source = choice ? "its answer to OpenSSL's ClientHello" : "its answer to our own ClientHello";
  if (!choice) {
    if (NO_ASK_AFTER.has(tls.failure.failure)) return;
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
  recordServerChoice(row, choice, clientCannotComplete(choice, offered), source, job.hostname, now);
}
