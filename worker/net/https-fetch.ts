/**
 * One bounded HTTPS GET to one already-checked IP address, as an MTA-STS policy fetch needs it (RFC 8461 §3.3):
 * - TCP to the given IP (nothing re-resolves: the address policy was applied to exactly this address);
 * - TLS with SNI = the host name, Node's default protocol settings (a normal HTTPS client, unlike the SMTP
 *   probe's everything-goes client), trust store = the SMTP probe's (Node's Mozilla roots + --ca-file);
 * - the certificate must validate normally, the host name included (RFC 6125 via shared/names.ts); the
 *   verdicts are kept as facts, and no request is sent to a server that fails them;
 * - HTTP/1.1 GET with `Host`, no redirect followed (any 3xx is `policy_redirect`), only 200 accepted
 *   (`policy_http_status`), the media type must be the expected one (`policy_content_type`), the body is
 *   read up to a byte limit (`policy_too_large`, reading stops); the response heads, interim `1xx` ones
 *   included, up to HEAD_BYTE_BUDGET (`policy_headers_too_large`, reading stops: a server can send endless
 *   `100 Continue` heads, each within Node's per-head limit, all within the head timeout);
 * - a timeout per step — connect, TLS handshake, response head, body — each giving `policy_timeout`, with
 *   the step recorded.
 * Never throws for the server's doing; the outcome is plain data.
 */

import { request as httpRequest, type IncomingMessage } from "node:http";
import { isIP, connect as netConnect, type Socket } from "node:net";
import {
  createSecureContext,
  rootCertificates,
  type SecureContext,
  type TLSSocket,
  connect as tlsConnect,
} from "node:tls";
import type { Failure } from "../../shared/failures.js";
import { certNamesHost } from "../../shared/names.js";
import {
  POLICY_FETCH_FAILURES,
  type PolicyFetchFailure,
  type PolicyFetchResult,
  type PolicyFetchStep,
} from "../../shared/policy/fetch-result.js";
import { certFacts } from "./cert-facts.js";
import { classifyCertError, classifySocketError, classifyTlsError, errorText } from "./classify.js";
import type { Deadline } from "./deadline.js";

/**
 * The trust store of the SMTP probe (createProbeSecureContext: Node's bundled roots plus --ca-file) with
 * Node's default TLS versions and ciphers: what an ordinary HTTPS client accepts. Build once per process.
 */
export function createHttpsSecureContext(extraCaPem: readonly string[] = []): SecureContext {
  return createSecureContext({ ca: [...rootCertificates, ...extraCaPem] });
}

export interface HttpsGetOptions {
  ip: string;
  port: number;
  /** SNI, the Host header, and the name the certificate must carry. */
  servername: string;
  path: string;
  secureContext: SecureContext;
  connectTimeoutMs: number;
  tlsTimeoutMs: number;
  /** From the request being sent to the end of the response head. */
  headersTimeoutMs: number;
  /** For the whole body. */
  bodyTimeoutMs: number;
  /** One overall deadline (shared with earlier attempts); a step gets min(its timeout, what is left). */
  deadline?: Deadline;
  maxBodyBytes: number;
  /** Byte budget of the response heads, interim 1xx ones included (default HEAD_BYTE_BUDGET). */
  maxHeadBytes?: number;
  /** The one acceptable media type, lower case (parameters such as charset are allowed). */
  mediaType: string;
  userAgent: string;
  /** Open a TCP connection (tests may count or refuse). */
  connect?: (ip: string, port: number) => Socket;
  now?: () => Date;
}

export type HttpsGetOutcome = Pick<
  PolicyFetchResult,
  | "ok"
  | "status"
  | "contentType"
  | "location"
  | "body"
  | "body_bytes"
  | "failure"
  | "step"
  | "detail"
  | "cert_trusted"
  | "cert_error"
  | "cert_error_code"
  | "cert_name_matches"
  | "tls_version"
>;

/** The media type of a Content-Type value (`Text/Plain; charset=utf-8` → `text/plain`), or null. */
export function mediaTypeOf(contentType: string | null | undefined): string | null {
  if (!contentType) return null;
  const type = contentType.split(";")[0]!.trim().toLowerCase();
  return /^[!#$%&'*+.^_`|~0-9a-z-]+\/[!#$%&'*+.^_`|~0-9a-z-]+$/.test(type) ? type : null;
}

/** Bytes read before the final response head, interim `1xx` heads included (Node bounds each head to 16 KiB). */
export const HEAD_BYTE_BUDGET = 64 * 1024;

const FETCH_FAILURES: ReadonlySet<string> = new Set(POLICY_FETCH_FAILURES);

/** A socket or TLS failure name in the fetch's vocabulary: every timeout is policy_timeout. */
function fetchFailure(f: Failure): PolicyFetchFailure {
  if (f === "connect_timeout" || f === "tls_timeout" || f === "smtp_timeout") return "policy_timeout";
  return FETCH_FAILURES.has(f) ? (f as PolicyFetchFailure) : "unknown_failure";
}

/** A step's budget and the detail its timeout gives: the step's own timeout, or the overall deadline. */
function budget(o: HttpsGetOptions, stepMs: number, what: string): { ms: number; detail: string } {
  const b = o.deadline?.budget(stepMs) ?? { ms: stepMs, byDeadline: false };
  return {
    ms: b.ms,
    detail: b.byDeadline ? `${what}: the fetch deadline ran out` : `${what} within ${stepMs} ms`,
  };
}

function blankOutcome(): HttpsGetOutcome {
  return {
    ok: false,
    status: null,
    contentType: null,
    location: null,
    body: null,
    body_bytes: null,
    failure: null,
    step: null,
    detail: null,
    cert_trusted: null,
    cert_error: null,
    cert_error_code: null,
    cert_name_matches: null,
    tls_version: null,
  };
}

type Step<T> = { ok: true; value: T } | { ok: false; failure: PolicyFetchFailure; detail: string };

/** Wait for one event of a step, bounded by a timer; `setup` returns a cleanup. */
function waitStep<T>(
  timeoutMs: number,
  timeoutDetail: string,
  setup: (done: (r: Step<T>) => void) => () => void,
): Promise<Step<T>> {
  return new Promise((resolve) => {
    let finished = false;
    let cleanup: () => void = () => {};
    const done = (r: Step<T>): void => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      cleanup();
      resolve(r);
    };
    const timer = setTimeout(
      () => done({ ok: false, failure: "policy_timeout", detail: timeoutDetail }),
      timeoutMs,
    );
    cleanup = setup(done);
  });
}

function connectStep(o: HttpsGetOptions): Promise<Step<Socket>> {
  const socket = o.connect ? o.connect(o.ip, o.port) : netConnect({ host: o.ip, port: o.port });
  const b = budget(o, o.connectTimeoutMs, "no TCP connection");
  return waitStep<Socket>(b.ms, b.detail, (done) => {
    const onConnect = () => done({ ok: true, value: socket });
    const onError = (err: unknown) => {
      const f = classifySocketError(err, "connect");
      done({ ok: false, failure: fetchFailure(f.failure), detail: f.detail });
    };
    socket.once("connect", onConnect);
    socket.once("error", onError);
    return () => {
      socket.off("connect", onConnect);
      socket.off("error", onError);
    };
  }).then((r) => {
    if (!r.ok) socket.destroy();
    return r;
  });
}

function tlsStep(socket: Socket, o: HttpsGetOptions): Promise<Step<TLSSocket>> {
  const tlsSocket = tlsConnect({
    socket,
    ...(isIP(o.servername) ? {} : { servername: o.servername }),
    secureContext: o.secureContext,
    // Verified below, so the reason is kept (and nothing is sent before): `authorized` is path validation
    // alone, the name is checked with shared/names.ts.
    rejectUnauthorized: false,
    checkServerIdentity: () => undefined,
    ALPNProtocols: ["http/1.1"],
  });
  const tlsBudget = budget(o, o.tlsTimeoutMs, "no completed TLS handshake");
  return waitStep<TLSSocket>(tlsBudget.ms, tlsBudget.detail, (done) => {
    const onSecure = () => done({ ok: true, value: tlsSocket });
    const onError = (err: unknown) => {
      const f = classifyTlsError(err);
      done({ ok: false, failure: fetchFailure(f.failure), detail: f.detail });
    };
    const onClose = () =>
      done({ ok: false, failure: "connection_closed", detail: "closed during the TLS handshake" });
    tlsSocket.once("secureConnect", onSecure);
    tlsSocket.once("error", onError);
    tlsSocket.once("close", onClose);
    return () => {
      tlsSocket.off("secureConnect", onSecure);
      tlsSocket.off("error", onError);
      tlsSocket.off("close", onClose);
    };
  }).then((r) => {
    if (!r.ok) {
      tlsSocket.destroy();
      socket.destroy(); // the TLS socket does not always take the TCP socket down with it
    }
    // A late error after the handshake must not crash the process; the HTTP layer reports its own.
    else tlsSocket.on("error", () => {});
    return r;
  });
}

/** Classify an error of the HTTP exchange (request write, response head or body). */
function httpFailure(err: unknown): { failure: PolicyFetchFailure; detail: string } {
  const code = (err as { code?: unknown } | null)?.code;
  const detail = errorText(err);
  if (typeof code === "string" && code.startsWith("HPE_")) return { failure: "policy_http_error", detail };
  if (code === "ECONNRESET" && /socket hang up|aborted/i.test(detail)) {
    return { failure: "connection_closed", detail };
  }
  return { failure: fetchFailure(classifySocketError(err, "connect").failure), detail };
}

export async function httpsGet(o: HttpsGetOptions): Promise<HttpsGetOutcome> {
  const out = blankOutcome();
  const fail = (step: PolicyFetchStep, failure: PolicyFetchFailure, detail: string): HttpsGetOutcome => {
    out.ok = false;
    out.step = step;
    out.failure = failure;
    out.detail = detail;
    return out;
  };

  const tcp = await connectStep(o);
  if (!tcp.ok) return fail("connect", tcp.failure, tcp.detail);
  const tls = await tlsStep(tcp.value, o);
  if (!tls.ok) return fail("tls_handshake", tls.failure, tls.detail);
  const socket = tls.value;
  const tcpSocket = tcp.value;
  try {
    out.tls_version = socket.getProtocol() ?? null;
    out.cert_trusted = socket.authorized;
    const authErr = socket.authorizationError as unknown as { code?: string } | string | null | undefined;
    const code = authErr ? String(typeof authErr === "object" ? (authErr.code ?? authErr) : authErr) : null;
    out.cert_error_code = socket.authorized ? null : code;
    out.cert_error = socket.authorized ? null : classifyCertError(code ?? "");
    const raw = (socket.getPeerCertificate() as { raw?: Buffer } | null)?.raw;
    if (!raw) {
      out.cert_trusted = false;
      out.cert_error = "no_certificate";
      return fail("tls_handshake", "policy_cert_untrusted", "the server sent no certificate");
    }
    let names: { sans: string[]; cn: string | null } | null = null;
    try {
      const facts = certFacts(raw, o.now?.() ?? new Date());
      names = { sans: facts.sans, cn: facts.subject_cn };
      out.cert_name_matches = certNamesHost(o.servername, facts.sans, facts.subject_cn);
    } catch (err) {
      out.cert_name_matches = null;
      return fail("tls_handshake", "policy_cert_untrusted", `certificate not parsable: ${errorText(err)}`);
    }
    if (!socket.authorized) {
      return fail(
        "tls_handshake",
        "policy_cert_untrusted",
        `certificate not trusted: ${code ?? "unknown reason"}`,
      );
    }
    if (!out.cert_name_matches) {
      const shown = names.sans.length > 0 ? `SANs ${names.sans.join(", ")}` : `CN ${names.cn ?? "(none)"}`;
      return fail(
        "tls_handshake",
        "policy_cert_name_mismatch",
        `certificate for ${shown}, not ${o.servername}`,
      );
    }
    return await exchange(socket, o, out, fail);
  } finally {
    socket.destroy();
    tcpSocket.destroy();
  }
}

/** The HTTP/1.1 exchange over the verified TLS socket. */
function exchange(
  socket: TLSSocket,
  o: HttpsGetOptions,
  out: HttpsGetOutcome,
  fail: (step: PolicyFetchStep, failure: PolicyFetchFailure, detail: string) => HttpsGetOutcome,
): Promise<HttpsGetOutcome> {
  return new Promise<HttpsGetOutcome>((resolve) => {
    let done = false;
    let step: PolicyFetchStep = "headers";
    let timer: NodeJS.Timeout | undefined;
    // Bytes read before the final head: the byte budget of the heads (interim 1xx responses included).
    const headLimit = o.maxHeadBytes ?? HEAD_BYTE_BUDGET;
    let headBytes = 0;
    const countHead = (chunk: Buffer): void => {
      headBytes += chunk.length;
      if (headBytes > headLimit) {
        finish(
          fail(
            "headers",
            "policy_headers_too_large",
            `more than ${headLimit} bytes of response heads (interim 1xx responses included); reading stopped`,
          ),
        );
      }
    };
    const finish = (r: HttpsGetOutcome): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.off("data", countHead);
      req.destroy();
      resolve(r);
    };
    const arm = (ms: number, what: string): void => {
      clearTimeout(timer);
      const b = budget(o, ms, what);
      timer = setTimeout(() => finish(fail(step, "policy_timeout", b.detail)), b.ms);
    };
    const hostHeader = o.port === 443 ? o.servername : `${o.servername}:${o.port}`;
    const req = httpRequest({
      createConnection: () => socket,
      method: "GET",
      path: o.path,
      setHost: false,
      headers: { Host: hostHeader, "User-Agent": o.userAgent, Accept: "text/plain", Connection: "close" },
    });
    // Counted from when the HTTP client has attached its parser (a listener added earlier would start the flow).
    req.once("socket", () => {
      if (!done) socket.on("data", countHead);
    });
    arm(o.headersTimeoutMs, "no response head");
    req.on("error", (err) => {
      const f = httpFailure(err);
      finish(fail(step, f.failure, f.detail));
    });
    req.on("response", (res: IncomingMessage) => {
      socket.off("data", countHead);
      step = "body";
      clearTimeout(timer);
      const status = res.statusCode ?? 0;
      out.status = status;
      out.contentType = res.headers["content-type"] ?? null;
      if (status >= 300 && status < 400) {
        out.location = res.headers.location ?? null;
        return finish(
          fail(
            "headers",
            "policy_redirect",
            `${status} to ${out.location ?? "(no Location)"}: redirects are not followed`,
          ),
        );
      }
      if (status !== 200)
        return finish(
          fail("headers", "policy_http_status", `HTTP ${status} ${res.statusMessage ?? ""}`.trim()),
        );
      const type = mediaTypeOf(out.contentType);
      if (type !== o.mediaType) {
        return finish(
          fail(
            "headers",
            "policy_content_type",
            `Content-Type ${out.contentType === null ? "missing" : `"${out.contentType}"`}, expected ${o.mediaType}`,
          ),
        );
      }
      const declared = Number(res.headers["content-length"]);
      if (Number.isFinite(declared) && declared > o.maxBodyBytes) {
        return finish(
          fail("headers", "policy_too_large", `Content-Length ${declared} is above ${o.maxBodyBytes} bytes`),
        );
      }
      arm(o.bodyTimeoutMs, "body not complete");
      const chunks: Buffer[] = [];
      let bytes = 0;
      out.body_bytes = 0;
      res.on("data", (chunk: Buffer) => {
        if (done) return;
        bytes += chunk.length;
        out.body_bytes = bytes;
        if (bytes > o.maxBodyBytes) {
          finish(fail("body", "policy_too_large", `body exceeds ${o.maxBodyBytes} bytes; reading stopped`));
          return;
        }
        chunks.push(chunk);
      });
      res.on("end", () => {
        if (done) return;
        out.ok = true;
        out.body = Buffer.concat(chunks).toString("utf8");
        finish(out);
      });
      res.on("aborted", () =>
        finish(fail("body", "connection_closed", "the connection closed before the body was complete")),
      );
      res.on("error", (err) => {
        const f = httpFailure(err);
        finish(fail("body", f.failure, f.detail));
      });
    });
    req.end();
  });
}
