/**
 * Unit tests of the bounded HTTPS GET (worker/net/https-fetch.ts) and the policy fetch's address handling
 * (worker/probes/mta-sts-fetch.ts): raw TLS servers on 127.0.0.1 that answer with exact bytes — malformed
 * heads, early closes, stalls — one case per failure mapping, plus media type parsing.
 */

import { createServer as createTcpServer, Socket, type Server as TcpServer } from "node:net";
import { createServer as createTlsServer, type TLSSocket, type Server as TlsServer } from "node:tls";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DnsQuerier } from "../../shared/dns/cache.js";
import type { DnsAnswer, DnsRecordType } from "../../shared/dns/types.js";
import { Deadline } from "../../worker/net/deadline.js";
import {
  createHttpsSecureContext,
  type HttpsGetOptions,
  httpsGet,
  mediaTypeOf,
} from "../../worker/net/https-fetch.js";
import { DEFAULT_POLICY_FETCH_SETTINGS, fetchMtaStsPolicy } from "../../worker/probes/mta-sts-fetch.js";
import { POLICY_PATH, startPolicyHttpsServer } from "../lab/https-server.js";
import { createLabCa, issueLeaf, type LabCa, type LabLeaf } from "../lab/pki.js";

const NAME = "mta-sts.example.test";
const DAY = 86_400_000;

let ca: LabCa;
let good: LabLeaf;
let expired: LabLeaf;
const servers: (TlsServer | TcpServer)[] = [];

beforeAll(async () => {
  ca = await createLabCa();
  good = await issueLeaf(ca, { names: [NAME] });
  expired = await issueLeaf(ca, {
    names: [NAME],
    notBefore: new Date(Date.now() - 30 * DAY),
    notAfter: new Date(Date.now() - DAY),
  });
});

afterAll(async () => {
  await Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
});

function listen(server: TlsServer | TcpServer, host = "127.0.0.1"): Promise<number> {
  servers.push(server);
  return new Promise((resolve) => {
    server.listen(0, host, () => {
      const a = server.address();
      resolve(typeof a === "object" && a ? a.port : 0);
    });
  });
}

/** A TLS server that reads the request head and then runs `respond`. */
async function rawServer(respond: (s: TLSSocket) => void, leaf: LabLeaf = good): Promise<number> {
  const server = createTlsServer({ key: leaf.keyPem, cert: leaf.chainPem }, (s) => {
    s.on("error", () => {});
    let head = "";
    s.on("data", (d: Buffer) => {
      if (head.includes("\r\n\r\n")) return;
      head += d.toString("latin1");
      if (head.includes("\r\n\r\n")) respond(s);
    });
  });
  server.on("tlsClientError", () => {});
  return listen(server);
}

function options(port: number, over: Partial<HttpsGetOptions> = {}): HttpsGetOptions {
  return {
    ip: "127.0.0.1",
    port,
    servername: NAME,
    path: "/.well-known/mta-sts.txt",
    secureContext: createHttpsSecureContext([ca.certPem]),
    connectTimeoutMs: 1000,
    tlsTimeoutMs: 1000,
    headersTimeoutMs: 1000,
    bodyTimeoutMs: 1000,
    maxBodyBytes: 1024,
    mediaType: "text/plain",
    userAgent: "mxsurvey-test",
    ...over,
  };
}

const head = (lines: string[]) => `${lines.join("\r\n")}\r\n\r\n`;

describe("https fetch", () => {
  it.each([
    ["text/plain", "text/plain"],
    ["Text/Plain; charset=UTF-8", "text/plain"],
    [" text/plain ;charset=utf-8", "text/plain"],
    ["text/html", "text/html"],
    ["text/plainx", "text/plainx"],
    ["text", null],
    ["", null],
    [null, null],
    ["text/plain/extra", null],
  ] as const)("https fetch - media type of %j is %j", (value, want) => {
    expect(mediaTypeOf(value)).toBe(want);
  });

  const cases: {
    name: string;
    respond: (s: TLSSocket) => void;
    want: Partial<ReturnType<typeof Object>>;
  }[] = [
    {
      name: "200 text/plain with Content-Length",
      respond: (s) =>
        s.end(head(["HTTP/1.1 200 OK", "Content-Type: text/plain", "Content-Length: 6"]) + "hello\n"),
      want: { ok: true, status: 200, body: "hello\n", body_bytes: 6, failure: null, step: null },
    },
    {
      name: "200 chunked, media type with parameters and odd case",
      respond: (s) =>
        s.end(
          head(["HTTP/1.1 200 OK", "Content-Type: TEXT/Plain; charset=utf-8", "Transfer-Encoding: chunked"]) +
            "3\r\nabc\r\n0\r\n\r\n",
        ),
      want: { ok: true, contentType: "TEXT/Plain; charset=utf-8", body: "abc" },
    },
    {
      name: "200 read until close (HTTP/1.0)",
      respond: (s) => s.end(head(["HTTP/1.0 200 OK", "Content-Type: text/plain"]) + "until close"),
      want: { ok: true, body: "until close" },
    },
    {
      name: "no Content-Type",
      respond: (s) => s.end(head(["HTTP/1.1 200 OK", "Content-Length: 2"]) + "hi"),
      want: { ok: false, failure: "policy_content_type", step: "headers", contentType: null, body: null },
    },
    {
      name: "302 keeps the Location",
      respond: (s) =>
        s.end(head(["HTTP/1.1 302 Found", "Location: https://elsewhere.test/x", "Content-Length: 0"])),
      want: {
        failure: "policy_redirect",
        step: "headers",
        status: 302,
        location: "https://elsewhere.test/x",
      },
    },
    {
      name: "304 is a redirect class status too",
      respond: (s) => s.end(head(["HTTP/1.1 304 Not Modified"])),
      want: { failure: "policy_redirect", status: 304, location: null },
    },
    {
      name: "500",
      respond: (s) => s.end(head(["HTTP/1.1 500 Internal Server Error", "Content-Length: 0"])),
      want: {
        failure: "policy_http_status",
        step: "headers",
        status: 500,
        detail: "HTTP 500 Internal Server Error",
      },
    },
    {
      name: "204 is not 200",
      respond: (s) => s.end(head(["HTTP/1.1 204 No Content"])),
      want: { failure: "policy_http_status", status: 204 },
    },
    {
      name: "declared Content-Length above the limit",
      respond: (s) => s.end(head(["HTTP/1.1 200 OK", "Content-Type: text/plain", "Content-Length: 5000"])),
      want: { failure: "policy_too_large", step: "headers", body_bytes: null },
    },
    {
      name: "body beyond the limit without Content-Length",
      respond: (s) =>
        s.end(head(["HTTP/1.1 200 OK", "Content-Type: text/plain", "Connection: close"]) + "x".repeat(4000)),
      want: { failure: "policy_too_large", step: "body" },
    },
    {
      name: "not HTTP",
      respond: (s) => s.end("SSH-2.0-OpenSSH_9.6\r\n\r\n"),
      want: { failure: "policy_http_error", step: "headers", status: null },
    },
    {
      name: "closed before a response",
      respond: (s) => s.end(),
      want: { failure: "connection_closed", step: "headers" },
    },
    {
      name: "closed in the middle of the body",
      respond: (s) =>
        s.end(head(["HTTP/1.1 200 OK", "Content-Type: text/plain", "Content-Length: 100"]) + "short"),
      want: { failure: "connection_closed", step: "body", status: 200 },
    },
    {
      name: "head never sent",
      respond: () => {},
      want: { failure: "policy_timeout", step: "headers" },
    },
    {
      name: "body never finished",
      respond: (s) =>
        s.write(head(["HTTP/1.1 200 OK", "Content-Type: text/plain", "Content-Length: 100"]) + "part"),
      want: { failure: "policy_timeout", step: "body", status: 200 },
    },
  ];
  it.each(cases)("https fetch - $name", async ({ respond, want }) => {
    const port = await rawServer(respond);
    const r = await httpsGet(options(port, { headersTimeoutMs: 400, bodyTimeoutMs: 400 }));
    expect(r).toMatchObject(want);
    expect(r.cert_trusted).toBe(true);
    expect(r.cert_name_matches).toBe(true);
  });

  it("https fetch - expired certificate: untrusted with the reason, no request sent", async () => {
    let requests = 0;
    const port = await rawServer(() => requests++, expired);
    const r = await httpsGet(options(port));
    expect(r).toMatchObject({
      ok: false,
      failure: "policy_cert_untrusted",
      step: "tls_handshake",
      cert_trusted: false,
      cert_error: "expired",
      cert_error_code: "CERT_HAS_EXPIRED",
      cert_name_matches: true,
    });
    expect(requests).toBe(0);
  });

  it("https fetch - a chain to a root we do not trust", async () => {
    const port = await rawServer(() => {});
    const r = await httpsGet(options(port, { secureContext: createHttpsSecureContext([]) }));
    expect(r).toMatchObject({ failure: "policy_cert_untrusted", cert_error: "self_signed_in_chain" });
  });

  it("https fetch - the overall deadline cuts a step short", async () => {
    const port = await rawServer(() => {});
    const r = await httpsGet(options(port, { headersTimeoutMs: 5000, deadline: Deadline.after(300) }));
    expect(r).toMatchObject({ failure: "policy_timeout", step: "headers" });
    expect(r.detail).toBe("no response head: the fetch deadline ran out");
  });

  it("https fetch - connection refused", async () => {
    const tcp = createTcpServer();
    const port = await listen(tcp);
    await new Promise<void>((r) => tcp.close(() => r()));
    servers.splice(servers.indexOf(tcp), 1);
    const r = await httpsGet(options(port));
    expect(r).toMatchObject({ failure: "connection_refused", step: "connect", cert_trusted: null });
  });

  it("https fetch - no TCP connection within the timeout", async () => {
    const r = await httpsGet(options(1, { connect: () => new Socket(), connectTimeoutMs: 200 }));
    expect(r).toMatchObject({ failure: "policy_timeout", step: "connect" });
  });

  it("https fetch - a TCP server that never speaks TLS", async () => {
    const held: Socket[] = [];
    const tcp = createTcpServer((s) => held.push(s));
    const port = await listen(tcp);
    const r = await httpsGet(options(port, { tlsTimeoutMs: 300 }));
    for (const s of held) s.destroy();
    expect(r).toMatchObject({ failure: "policy_timeout", step: "tls_handshake" });
  });

  it("https fetch - endless interim 100 Continue heads: policy_headers_too_large after the head byte budget", async () => {
    // Why: each interim head is within Node's per-head limit, so only a byte count bounds the flood before the
    // head timeout (which here is 10 s: the flood must be cut by bytes, not by time).
    const lab = await startPolicyHttpsServer({
      host: "127.0.0.1",
      port: 0,
      hostname: NAME,
      key: good.keyPem,
      cert: good.chainPem,
      behaviour: { interimFlood: true },
    });
    try {
      const t0 = Date.now();
      const r = await httpsGet(
        options(lab.port, { path: POLICY_PATH, headersTimeoutMs: 10_000, maxHeadBytes: 64 * 1024 }),
      );
      expect({ ok: r.ok, failure: r.failure, step: r.step, status: r.status, body: r.body }).toEqual({
        ok: false,
        failure: "policy_headers_too_large",
        step: "headers",
        status: null,
        body: null,
      });
      expect(r.detail).toBe(
        "more than 65536 bytes of response heads (interim 1xx responses included); reading stopped",
      );
      expect(Date.now() - t0).toBeLessThan(5000);
      // What the server managed to hand over is the budget plus what the socket buffers held, not a timer's worth.
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(lab.flooded).toBeGreaterThan(64 * 1024);
      expect(lab.flooded).toBeLessThan(16 * 1024 * 1024);
    } finally {
      await lab.close();
    }
  });

  it("https fetch - a plaintext answer to the ClientHello is a TLS failure", async () => {
    const tcp = createTcpServer((s) => {
      s.on("error", () => {});
      s.resume(); // read (and drop) the ClientHello, so the client's close is seen
      s.end("HTTP/1.1 400 Bad Request\r\n\r\n");
    });
    const port = await listen(tcp);
    const r = await httpsGet(options(port));
    expect({ failure: r.failure, step: r.step }).toEqual({
      failure: "tls_handshake_failed",
      step: "tls_handshake",
    });
  });
});

/** A DNS stub: fixed A records for one name, NXDOMAIN for everything else. */
function stubDns(name: string, addresses: string[]): DnsQuerier {
  return {
    query: async (q: string, type: DnsRecordType): Promise<DnsAnswer> => ({
      name: q,
      type,
      rcode: q === name ? "NOERROR" : "NXDOMAIN",
      ad: false,
      records:
        q === name && type === "A"
          ? addresses.map((data) => ({ name: q, ttl: 60, type: "A" as const, data }))
          : [],
      cnameChain: [],
      cnameLoop: false,
      resolver: "stub",
      tcp: false,
      attempts: 1,
      elapsedMs: 0,
      detail: null,
    }),
  };
}

describe("mta-sts fetch addresses", () => {
  it("mta-sts fetch - every address special-purpose: blocked_address, nothing contacted", async () => {
    let connects = 0;
    const r = await fetchMtaStsPolicy("example.test", {
      dns: stubDns(NAME, ["192.0.2.1", "10.1.2.3"]),
      secureContext: createHttpsSecureContext([ca.certPem]),
      settings: { ...DEFAULT_POLICY_FETCH_SETTINGS, allowPrivateTargets: false, ipv6: false },
      connect: () => {
        connects++;
        return new Socket();
      },
    });
    expect(r).toMatchObject({
      ok: false,
      failure: "blocked_address",
      step: "connect",
      ip: null,
      phase: "policy_fetch",
    });
    expect(r.detail).toContain("192.0.2.1 (documentation");
    expect(r.detail).toContain("10.1.2.3 (private");
    expect(connects).toBe(0);
  });

  it("mta-sts fetch - a refused address moves on to the next one", async () => {
    const port = await rawServer((s) =>
      s.end(head(["HTTP/1.1 200 OK", "Content-Type: text/plain", "Content-Length: 3"]) + "ok\n"),
    );
    const tried: string[] = [];
    const r = await fetchMtaStsPolicy("example.test", {
      dns: stubDns(NAME, ["127.0.0.2", "127.0.0.1"]),
      secureContext: createHttpsSecureContext([ca.certPem]),
      settings: { ...DEFAULT_POLICY_FETCH_SETTINGS, allowPrivateTargets: true, ipv6: false, httpsPort: port },
      connect: (ip, p) => {
        tried.push(ip);
        const s = new Socket();
        return s.connect(p, ip);
      },
    });
    expect(tried).toEqual(["127.0.0.2", "127.0.0.1"]);
    expect(r).toMatchObject({
      ok: true,
      ip: "127.0.0.1",
      body: "ok\n",
      addresses: ["127.0.0.2", "127.0.0.1"],
    });
    expect(r.url).toBe(`https://${NAME}:${port}/.well-known/mta-sts.txt`);
  });

  it("mta-sts fetch - the name does not resolve", async () => {
    const r = await fetchMtaStsPolicy("other.test", {
      dns: stubDns(NAME, []),
      secureContext: createHttpsSecureContext([]),
      settings: { ...DEFAULT_POLICY_FETCH_SETTINGS, allowPrivateTargets: true, ipv6: false },
    });
    expect(r).toMatchObject({ failure: "dns_nxdomain", step: "resolve", dns_rcode: "NXDOMAIN", ip: null });
    expect(r.url).toBe("https://mta-sts.other.test/.well-known/mta-sts.txt");
  });
});
