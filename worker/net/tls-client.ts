/**
 * The probe's TLS client (RFC 3207 upgrade of an SMTP connection). It measures the server, not our client:
 * every protocol version Node's OpenSSL still has (TLS 1.0–1.3), every cipher it still compiles, security
 * level 0 (so a 1024-bit key or a SHA-1 signature never stops the handshake), certificate verification on
 * but not enforced. OpenSSL's path validation result is kept as data (`authorizationError`), with the host
 * name check switched off: name matching is a separate fact (shared/names.ts).
 *
 * Trust store: Node's bundled Mozilla roots plus `--ca-file`. The SecureContext is built once per process.
 *
 * The certificates as the server sent them: Node's getPeerCertificate(true) follows issuers into our trust
 * store (so a leaf-only server looks like leaf + root), so the handshake runs over a TapStream that keeps a
 * copy of the server's bytes, and tls-records.ts reads the Certificate message from them — in the clear up to
 * TLS 1.2, decrypted with the server handshake traffic secret from Node's `keylog` event in TLS 1.3. Same
 * connection, same handshake, OpenSSL's verdict untouched. When that reading fails, `presented` is null
 * and `presentedError` says why, and `chain` holds Node's view instead (read only then: it is costly).
 */

import { isIP, type Socket } from "node:net";
import {
  createSecureContext,
  rootCertificates,
  type SecureContext,
  type TLSSocket,
  connect as tlsConnect,
} from "node:tls";
import { classifyTlsError, type TlsFailure } from "./classify.js";
import type { Deadline } from "./deadline.js";
import { DEFAULT_HANDSHAKE_BYTE_BUDGET, DEFAULT_TAP_LIMIT, TapStream } from "./tap-stream.js";
import { extractServerCertificates, TLS13_SUITES } from "./tls-records.js";

/** Every cipher OpenSSL offers, anonymous and NULL ones last so a server honouring our order picks a real one. */
export const PROBE_CIPHERS =
  "TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256:TLS_AES_128_CCM_SHA256:TLS_AES_128_CCM_8_SHA256:" +
  "ALL:COMPLEMENTOFALL:+aNULL:+eNULL:@SECLEVEL=0";

export function createProbeSecureContext(extraCaPem: readonly string[] = []): SecureContext {
  return createSecureContext({
    ca: [...rootCertificates, ...extraCaPem],
    minVersion: "TLSv1",
    maxVersion: "TLSv1.3",
    ciphers: PROBE_CIPHERS,
  });
}

export interface TlsFacts {
  version: string | null;
  cipher: string | null;
  kxGroup: string | null;
  /** The server's leaf certificate as OpenSSL holds it, DER; null when the server sent none. */
  leaf: Buffer | null;
  /**
   * Only when `presented` is null (else null): the certificates as Node's getPeerCertificate(true) links them,
   * leaf first, DER — the server's certificates ordered by issuer, plus issuers OpenSSL found in our trust store
   * (which the server may never have sent). Reading it builds an object of every field of every certificate,
   * so it is read only when it is what a row records (see linkedChain).
   */
  chain: Buffer[] | null;
  /** Exactly the certificates the server sent, in its order, DER; null when its bytes could not be read. */
  presented: Buffer[] | null;
  /** Why `presented` is null (a tls-records.ts failure or a disagreement with OpenSSL); null otherwise. */
  presentedError: string | null;
  /** OpenSSL's path validation verdict (host name not checked). */
  authorized: boolean;
  authorizationError: string | null;
}

/** What a failed handshake leaves: the server's bytes (for its own choice, server-choice.ts) and ours. */
export interface TlsFailureEvidence {
  /** Server → client bytes recorded during the handshake (bounded by the recording limit). */
  serverBytes: Buffer;
  /** Our first bytes (the ClientHello OpenSSL wrote): its suites are what this client can complete. */
  clientBytes: Buffer;
  /** TLS 1.3 server handshake traffic secret from the key log, when the handshake got that far. */
  serverHandshakeTrafficSecret: Buffer | null;
}

export type TlsResult =
  | { ok: true; socket: TLSSocket; facts: TlsFacts; ms: number }
  | ({ ok: false; failure: TlsFailure; ms: number } & TlsFailureEvidence);

type TlsOutcome =
  | { ok: true; socket: TLSSocket; facts: TlsFacts; ms: number }
  | { ok: false; failure: TlsFailure; ms: number };

const GROUP_NAMES: Record<string, string> = {
  X25519: "x25519",
  X448: "x448",
  prime256v1: "secp256r1",
  secp384r1: "secp384r1",
  secp521r1: "secp521r1",
};

function kxGroup(s: TLSSocket): string | null {
  const info = s.getEphemeralKeyInfo() as { type?: string; name?: string; size?: number } | null;
  if (!info?.type) return null;
  if (info.type === "ECDH") return info.name ? (GROUP_NAMES[info.name] ?? info.name.toLowerCase()) : "ecdh";
  if (info.type === "DH") return info.name ? info.name.toLowerCase() : `dh-${info.size ?? 0}`;
  return info.type.toLowerCase();
}

/** Node's linked peer chain (getPeerCertificate(true)), leaf first, DER; [] without a peer certificate. */
export function linkedChain(s: TLSSocket): Buffer[] {
  const out: Buffer[] = [];
  const seen = new Set<string>();
  let c = s.getPeerCertificate(true) as {
    raw?: Buffer;
    fingerprint256?: string;
    issuerCertificate?: unknown;
  } | null;
  while (c?.raw && out.length < 16) {
    const fp = c.fingerprint256 ?? c.raw.toString("hex");
    if (seen.has(fp)) break;
    seen.add(fp);
    out.push(c.raw);
    c = c.issuerCertificate as typeof c;
  }
  return out;
}

const KEYLOG_SERVER_HS = "SERVER_HANDSHAKE_TRAFFIC_SECRET ";

/** The secret of a `SERVER_HANDSHAKE_TRAFFIC_SECRET <client_random> <secret>` key log line, else null. */
export function serverHandshakeSecret(line: Buffer | string): Buffer | null {
  const text = typeof line === "string" ? line : line.toString("latin1");
  if (!text.startsWith(KEYLOG_SERVER_HS)) return null;
  const hex = text.trim().split(/\s+/)[2] ?? "";
  return /^(?:[0-9a-f]{2}){32,64}$/i.test(hex) ? Buffer.from(hex, "hex") : null;
}

/**
 * The certificates as sent, from the recorded server bytes, checked against what OpenSSL saw on the same
 * handshake (protocol, TLS 1.3 cipher suite, leaf). Never throws.
 */
export function presentedCertificates(input: {
  serverBytes: Buffer;
  capped: boolean;
  serverHandshakeTrafficSecret: Buffer | null;
  protocol: string | null;
  cipherStandardName: string | null;
  nodeChain: Buffer[];
}): { presented: Buffer[] | null; error: string | null } {
  const r = extractServerCertificates(input.serverBytes, {
    serverHandshakeTrafficSecret: input.serverHandshakeTrafficSecret,
  });
  if (!r.ok) {
    const capped = input.capped && r.failure.kind === "truncated" ? " (recording limit reached)" : "";
    return { presented: null, error: `${r.failure.kind}: ${r.failure.detail}${capped}` };
  }
  const { version, cipherSuite, certificates } = r.value;
  const tls13 = version === 0x0304;
  if (tls13 !== (input.protocol === "TLSv1.3")) {
    return {
      presented: null,
      error: `mismatch: ServerHello version 0x${version.toString(16)}, Node ${input.protocol}`,
    };
  }
  if (tls13 && TLS13_SUITES.get(cipherSuite)?.name !== input.cipherStandardName) {
    return {
      presented: null,
      error: `mismatch: ServerHello suite 0x${cipherSuite.toString(16)}, Node ${input.cipherStandardName}`,
    };
  }
  const leaf = input.nodeChain[0];
  if ((leaf === undefined) !== (certificates.length === 0) || (leaf && !leaf.equals(certificates[0]!))) {
    return {
      presented: null,
      error: "mismatch: the first certificate sent is not OpenSSL's peer certificate",
    };
  }
  return { presented: certificates, error: null };
}

/** Run the TLS handshake over an SMTP socket after `220` to STARTTLS. Never throws for the server's doing. */
export function startTls(
  socket: Socket,
  opts: {
    servername: string;
    secureContext: SecureContext;
    timeoutMs: number;
    deadline: Deadline;
    /** Bound on the server bytes recorded for `presented`, default 256 KiB (tests lower it). */
    recordLimit?: number;
    /** Server bytes the handshake may take before `tls_too_large`, default 1 MiB. */
    byteBudget?: number;
  },
): Promise<TlsResult> {
  const started = Date.now();
  const { ms: budget, byDeadline } = opts.deadline.budget(opts.timeoutMs);
  return new Promise<TlsResult>((resolve) => {
    let done = false;
    const servername = isIP(opts.servername) ? undefined : opts.servername;
    // The handshake runs over the tap, which records what the server sends (see the module comment).
    // The byte budget ends a flood of records OpenSSL skips (empty HelloRequests) before the timer would.
    const byteBudget = opts.byteBudget ?? DEFAULT_HANDSHAKE_BYTE_BUDGET;
    const tap = new TapStream(socket, opts.recordLimit ?? DEFAULT_TAP_LIMIT, {
      bytes: byteBudget,
      onExceeded: () =>
        finish({
          ok: false,
          failure: {
            failure: "tls_too_large",
            phase: "tls_handshake",
            detail: `more than ${byteBudget} bytes from the server without a completed handshake`,
            alert: null,
          },
          ms: Date.now() - started,
        }),
    });
    const tlsSocket = tlsConnect({
      socket: tap,
      ...(servername ? { servername } : {}),
      secureContext: opts.secureContext,
      rejectUnauthorized: false,
      checkServerIdentity: () => undefined,
      session: undefined,
    });
    // Node's own host name check (onConnectSecure, when OpenSSL's path validation passed) reads
    // getPeerCertificate(true) — an object of every field of every certificate, the costliest call of the
    // handshake — only to hand it to checkServerIdentity, which here checks nothing. Until 'secureConnect' (or
    // the end), this socket answers that call with an empty object; then the prototype's method is back.
    const socketMethods = tlsSocket as unknown as { getPeerCertificate?: (detailed?: boolean) => object };
    socketMethods.getPeerCertificate = () => ({});
    const restoreGetPeerCertificate = () => {
      delete socketMethods.getPeerCertificate;
    };
    // TLS 1.3 keys for the server's protected flight. Node enables OpenSSL's key log callback when this
    // listener is added; no data has been read yet (tlsConnect only wrote the ClientHello).
    let serverHsSecret: Buffer | null = null;
    const onKeylog = (line: Buffer) => {
      serverHsSecret = serverHandshakeSecret(line) ?? serverHsSecret;
    };
    tlsSocket.on("keylog", onKeylog);
    const finish = (r: TlsOutcome) => {
      if (done) return;
      done = true;
      restoreGetPeerCertificate();
      clearTimeout(timer);
      tlsSocket.off("error", onError);
      tlsSocket.off("close", onClose);
      tlsSocket.off("keylog", onKeylog);
      if (!r.ok) {
        const evidence: TlsFailureEvidence = {
          serverBytes: tap.stopRecording(),
          clientBytes: tap.clientBytes,
          serverHandshakeTrafficSecret: serverHsSecret,
        };
        tlsSocket.destroy();
        resolve({ ...r, ...evidence });
        return;
      }
      resolve(r);
    };
    const onError = (err: unknown) =>
      finish({ ok: false, failure: classifyTlsError(err), ms: Date.now() - started });
    const onClose = () =>
      finish({
        ok: false,
        failure: {
          failure: "connection_closed",
          phase: "tls_handshake",
          detail: "closed during the handshake",
          alert: null,
        },
        ms: Date.now() - started,
      });
    const timer = setTimeout(
      () =>
        finish({
          ok: false,
          failure: {
            failure: byDeadline ? "deadline_exceeded" : "tls_timeout",
            phase: "tls_handshake",
            detail: byDeadline
              ? "the job deadline ran out"
              : `no completed handshake within ${opts.timeoutMs} ms`,
            alert: null,
          },
          ms: Date.now() - started,
        }),
      budget,
    );
    tlsSocket.once("error", onError);
    tlsSocket.once("close", onClose);
    tlsSocket.once("secureConnect", () => {
      restoreGetPeerCertificate();
      const cipher = tlsSocket.getCipher() as { name?: string; standardName?: string } | null;
      const authErr = tlsSocket.authorizationError;
      // Keep a listener so a late socket error after the handshake cannot crash the process.
      tlsSocket.on("error", () => {});
      const protocol = tlsSocket.getProtocol() ?? null;
      // The leaf as OpenSSL holds it. The certificates come once: from the server's bytes, and from Node's
      // linked chain (getPeerCertificate(true): some 15 times the cost of the leaf alone) only when those could
      // not be read. Not getPeerX509Certificate(): in Node 20 it takes the leaf out of OpenSSL's peer chain on
      // the client side, after which getPeerCertificate(true) answers {}.
      const leaf = (tlsSocket.getPeerCertificate(false) as { raw?: Buffer } | null)?.raw ?? null;
      const capped = tap.capped;
      const sent = presentedCertificates({
        serverBytes: tap.stopRecording(),
        capped,
        serverHandshakeTrafficSecret: serverHsSecret,
        protocol,
        cipherStandardName: cipher?.standardName ?? null,
        nodeChain: leaf ? [leaf] : [],
      });
      serverHsSecret = null;
      finish({
        ok: true,
        socket: tlsSocket,
        facts: {
          version: protocol,
          cipher: cipher?.standardName ?? cipher?.name ?? null,
          kxGroup: kxGroup(tlsSocket),
          leaf,
          chain: sent.presented === null ? linkedChain(tlsSocket) : null,
          presented: sent.presented,
          presentedError: sent.error,
          authorized: tlsSocket.authorized,
          authorizationError: authErr
            ? String((authErr as unknown as { code?: string }).code ?? authErr)
            : null,
        },
        ms: Date.now() - started,
      });
    });
  });
}
