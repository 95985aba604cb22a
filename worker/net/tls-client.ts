/**
 * The probe's TLS client (RFC 3207 upgrade of an SMTP connection). It measures the server, not our client:
 * every protocol version Node's OpenSSL still has (TLS 1.0–1.3), every cipher it still compiles, security
 * level 0 (so a 1024-bit key or a SHA-1 signature never stops the handshake), certificate verification on
 * but not enforced. OpenSSL's path validation result is kept as data (`authorizationError`), with the host
 * name check switched off: name matching is a separate fact (shared/names.ts).
 *
 * Trust store: Node's bundled Mozilla roots plus `--ca-file`. The SecureContext is built once per process.
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
  /** Certificates as OpenSSL assembled them from what the server presented, leaf first, DER. */
  chain: Buffer[];
  /** OpenSSL's path validation verdict (host name not checked). */
  authorized: boolean;
  authorizationError: string | null;
}

export type TlsResult =
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

function chainOf(s: TLSSocket): Buffer[] {
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

/** Run the TLS handshake over an SMTP socket after `220` to STARTTLS. Never throws for the server's doing. */
export function startTls(
  socket: Socket,
  opts: { servername: string; secureContext: SecureContext; timeoutMs: number; deadline: Deadline },
): Promise<TlsResult> {
  const started = Date.now();
  const { ms: budget, byDeadline } = opts.deadline.budget(opts.timeoutMs);
  return new Promise<TlsResult>((resolve) => {
    let done = false;
    const servername = isIP(opts.servername) ? undefined : opts.servername;
    const tlsSocket = tlsConnect({
      socket,
      ...(servername ? { servername } : {}),
      secureContext: opts.secureContext,
      rejectUnauthorized: false,
      checkServerIdentity: () => undefined,
      session: undefined,
    });
    const finish = (r: TlsResult) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      tlsSocket.off("error", onError);
      tlsSocket.off("close", onClose);
      if (!r.ok) tlsSocket.destroy();
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
      const cipher = tlsSocket.getCipher() as { name?: string; standardName?: string } | null;
      const authErr = tlsSocket.authorizationError;
      // Keep a listener so a late socket error after the handshake cannot crash the process.
      tlsSocket.on("error", () => {});
      finish({
        ok: true,
        socket: tlsSocket,
        facts: {
          version: tlsSocket.getProtocol() ?? null,
          cipher: cipher?.standardName ?? cipher?.name ?? null,
          kxGroup: kxGroup(tlsSocket),
          chain: chainOf(tlsSocket),
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
