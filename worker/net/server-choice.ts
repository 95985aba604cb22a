/**
 * The server's own choice when our OpenSSL cannot finish a STARTTLS handshake: the version and cipher suite of
 * its ServerHello and the certificates of its Certificate message, which travel in the clear up to TLS 1.2
 * (RFC 5246 §7.4.1.3, §7.4.2; TLS 1.3's are read with the key log secret, as tls-client.ts does).
 *
 * Two sources, both the server's bytes, never a guess:
 * - the bytes the server sent during the failed handshake (the tap in tls-client.ts keeps them): a server that
 *   answered with a ServerHello and then failed (a broken key, a close after ServerHelloDone);
 * - when the server refused OpenSSL's ClientHello outright (no ServerHello: a handshake_failure alert, a close),
 *   one more STARTTLS connection with our own ClientHello (raw-hello.ts), offering first the suites OpenSSL did
 *   not offer (3DES, RC4, EXPORT, DES, IDEA, SEED ... as its ClientHello showed), and then the rest of the
 *   most deployed ones. A ServerHello that picks a suite OpenSSL did not offer, or a version below OpenSSL's
 *   TLS 1.0 floor (SSLv3), is a server "this client cannot complete" (failure tls_unsupported_by_client).
 * Never throws for the server's doing.
 */

import { suiteName } from "../../shared/tls/cipher-suites.js";
import type { Deadline } from "./deadline.js";
import { candidateSuites, chunks } from "./inventory-plan.js";
import { type ConnectFn, exchangeHello, type RawHelloSettings, type RawHelloTarget } from "./raw-hello.js";
import { readServerAnswer } from "./tls-answer.js";
import { encodeClientHello, freshHelloInputs, SSL3, TLS10, TLS12, versionName } from "./tls-hello.js";
import { CONTENT_HANDSHAKE, extractServerCertificates, HandshakeReader, readRecord } from "./tls-records.js";

export interface ServerChoice {
  /** As the host row spells it: SSLv3, TLSv1 … TLSv1.3. */
  version: string;
  versionCode: number;
  /** IANA name (hex spelling for a code point we do not know). */
  cipher: string;
  cipherCode: number;
  /** The certificates as sent, DER, leaf first; null when they could not be read (TLS 1.3 without the secret). */
  certificates: Buffer[] | null;
  /** Why `certificates` is null. */
  certificatesError: string | null;
}

/** The cipher suites of a ClientHello (the first bytes our TLS client wrote), or null when they do not parse. */
export function clientHelloSuites(bytes: Buffer): number[] | null {
  const hs = new HandshakeReader();
  let offset = 0;
  for (;;) {
    const step = readRecord(bytes, offset);
    if (step.kind !== "record" || step.record.type !== CONTENT_HANDSHAKE) return null;
    offset = step.next;
    hs.push(step.record.fragment);
    const m = hs.next();
    if (m.kind === "error") return null;
    if (m.kind === "need_more") continue;
    if (m.message.type !== 1) return null;
    const body = m.message.body;
    // legacy_version(2) random(32) session_id<0..32> cipher_suites<2..2^16-2>
    let p = 34;
    if (body.length < p + 1) return null;
    p += 1 + body[p]!;
    if (body.length < p + 2) return null;
    const len = body.readUInt16BE(p);
    p += 2;
    if (len % 2 !== 0 || body.length < p + len) return null;
    const out: number[] = [];
    for (let i = 0; i < len; i += 2) out.push(body.readUInt16BE(p + i));
    return out;
  }
}

/** The server's choice from the bytes it sent during a handshake, or null when no ServerHello is among them. */
export function serverChoiceFromBytes(
  bytes: Buffer,
  serverHandshakeTrafficSecret: Buffer | null = null,
): ServerChoice | null {
  const full = extractServerCertificates(bytes, { serverHandshakeTrafficSecret });
  if (full.ok) {
    const { version, cipherSuite, certificates } = full.value;
    return choice(version, cipherSuite, certificates, null);
  }
  const a = readServerAnswer([bytes], { want: "hello" });
  if (a?.kind !== "server_hello" || a.hello.helloRetry) return null;
  return choice(a.hello.version, a.hello.cipherSuite, null, `${full.failure.kind}: ${full.failure.detail}`);
}

function choice(
  version: number,
  suite: number,
  certificates: Buffer[] | null,
  certificatesError: string | null,
): ServerChoice {
  return {
    version: versionName(version),
    versionCode: version,
    cipher: suiteName(suite),
    cipherCode: suite,
    certificates,
    certificatesError,
  };
}

/** A choice this client (Node's OpenSSL, whose ClientHello offered `offered`) cannot complete. */
export function clientCannotComplete(c: ServerChoice, offered: readonly number[] | null): boolean {
  if (c.versionCode < TLS10) return true; // SSLv3 (and SSLv2): below OpenSSL 3's floor
  return offered !== null && !offered.includes(c.cipherCode);
}

/** The suites of our own hello: those OpenSSL did not offer first, then the rest, at most one chunk. */
export function legacySuites(offered: readonly number[] | null): number[] {
  const all = candidateSuites(TLS12);
  const theirs = new Set(offered ?? []);
  const lacking = all.filter((c) => !theirs.has(c));
  const rest = all.filter((c) => theirs.has(c));
  return chunks([...lacking, ...rest])[0] ?? [];
}

export type AskOutcome =
  | { kind: "choice"; choice: ServerChoice }
  /** The server answered, but with no ServerHello (an alert, a close) or an SMTP failure on the way. */
  | { kind: "none"; detail: string };

/**
 * One STARTTLS connection with our own TLS 1.2 ClientHello (the server may answer with a lower version, SSLv3
 * included) offering `legacySuites(offered)`; the ServerHello and Certificate from its answer.
 */
export async function askServerChoice(
  target: RawHelloTarget,
  settings: RawHelloSettings,
  deadline: Deadline,
  offered: readonly number[] | null,
  connect?: ConnectFn,
): Promise<AskOutcome> {
  const inputs = freshHelloInputs();
  const hello = encodeClientHello({
    version: TLS12,
    suites: legacySuites(offered),
    random: inputs.random,
    serverName: target.hostname,
  });
  const r = await exchangeHello(target, settings, deadline, hello, {
    want: "key_exchange",
    keepBytes: true,
    ...(connect ? { connect } : {}),
  });
  if (!r.ok) return { kind: "none", detail: `${r.failure.failure}: ${r.failure.detail}` };
  const o = r.outcome;
  if (o.kind !== "server_hello" || o.hello.helloRetry || o.hello.version < SSL3) {
    return {
      kind: "none",
      detail: `our own ClientHello got ${o.kind === "server_hello" ? "a retry" : o.kind}`,
    };
  }
  const c = r.bytes ? serverChoiceFromBytes(r.bytes) : null;
  return {
    kind: "choice",
    choice: c ?? choice(o.hello.version, o.hello.cipherSuite, null, "the Certificate message was not read"),
  };
}
