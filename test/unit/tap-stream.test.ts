/**
 * Tests of worker/net/tap-stream.ts and the handshake over it (worker/net/tls-client.ts startTls), on loopback
 * servers at 127.0.203.x: bytes pass unchanged both ways with back-pressure, the recording is exact and bounded,
 * end / reset / close reach the TLS layer as before (so the failure names stay: connection_closed,
 * connection_reset, tls_alert, tls_protocol_version, tls_timeout), and the certificates come out as sent even
 * when the server's bytes arrive a few at a time.
 */

import { randomBytes, X509Certificate } from "node:crypto";
import * as net from "node:net";
import * as tls from "node:tls";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { Deadline } from "../../worker/net/deadline.js";
import { TapStream } from "../../worker/net/tap-stream.js";
import {
  createProbeSecureContext,
  linkedChain,
  startTls,
  type TlsResult,
} from "../../worker/net/tls-client.js";
import { createIntermediateCa, createLabCa, issueLeaf, type LabCa, type LabLeaf } from "../lab/pki.js";

const HOST = "127.0.203.1";

const servers: net.Server[] = [];
const sockets = new Set<net.Socket>();

afterEach(() => {
  for (const s of sockets) s.destroy();
  sockets.clear();
});

afterAll(async () => {
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
});

/** A TCP server on HOST; `onConnection` gets each accepted socket. */
async function listen(onConnection: (s: net.Socket) => void): Promise<number> {
  const server = net.createServer((s) => {
    sockets.add(s);
    s.on("error", () => {});
    onConnection(s);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, HOST, resolve));
  return (server.address() as net.AddressInfo).port;
}

function connect(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host: HOST, port });
    sockets.add(s);
    s.once("connect", () => resolve(s));
    s.once("error", reject);
  });
}

function collect(stream: NodeJS.ReadableStream): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    stream.on("data", (b: Buffer) => parts.push(b));
    stream.on("end", () => resolve(Buffer.concat(parts)));
    stream.on("error", reject);
  });
}

describe("tap stream", () => {
  it("tap - byte budget: past it the bytes stop, onExceeded is called once with the count; stopRecording ends counting", async () => {
    const port = await listen((s) => {
      s.write(Buffer.alloc(64 * 1024, 1));
      setTimeout(() => s.write(Buffer.alloc(64 * 1024, 2)), 30);
    });
    const raw = await connect(port);
    const calls: number[] = [];
    const tap = new TapStream(raw, 1024, { bytes: 100_000, onExceeded: (n) => calls.push(n) });
    let passed = 0;
    tap.on("data", (b: Buffer) => {
      passed += b.length;
    });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(calls).toHaveLength(1);
    expect(calls[0]).toBeGreaterThan(100_000);
    expect(passed).toBeLessThanOrEqual(100_000);
    expect(tap.capped).toBe(true);
    tap.destroy();
    // After the handshake (stopRecording) nothing is counted: the budget is the handshake's.
    const port2 = await listen((s) => {
      setTimeout(() => s.write(Buffer.alloc(200_000, 3)), 30);
    });
    const raw2 = await connect(port2);
    const over: number[] = [];
    const tap2 = new TapStream(raw2, 1024, { bytes: 100_000, onExceeded: (n) => over.push(n) });
    tap2.stopRecording();
    let passed2 = 0;
    tap2.on("data", (b: Buffer) => {
      passed2 += b.length;
    });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(over).toEqual([]);
    expect(passed2).toBe(200_000);
    tap2.destroy();
  });

  it("tap - 4 MiB each way pass unchanged; the copy is the first bytes, capped at the limit", async () => {
    const fromServer = randomBytes(4 * 1024 * 1024);
    const fromClient = randomBytes(4 * 1024 * 1024);
    let serverGot: Promise<Buffer> = Promise.resolve(Buffer.alloc(0));
    const port = await listen((s) => {
      serverGot = collect(s);
      s.end(fromServer);
    });
    const raw = await connect(port);
    const tap = new TapStream(raw, 100_000);
    const clientGot = collect(tap);
    tap.end(fromClient);
    expect((await clientGot).equals(fromServer)).toBe(true);
    expect((await serverGot).equals(fromClient)).toBe(true);
    expect(tap.capped).toBe(true);
    expect(tap.stopRecording().equals(fromServer.subarray(0, 100_000))).toBe(true);
  });

  it("tap - a slow reader holds the socket back (back-pressure) and still gets every byte", async () => {
    const fromServer = randomBytes(2 * 1024 * 1024);
    const port = await listen((s) => s.end(fromServer));
    const raw = await connect(port);
    const tap = new TapStream(raw);
    const parts: Buffer[] = [];
    let maxBuffered = 0;
    await new Promise<void>((resolve) => {
      const step = () => {
        maxBuffered = Math.max(maxBuffered, tap.readableLength);
        let chunk: Buffer | null = tap.read(16 * 1024);
        while (chunk !== null) {
          parts.push(chunk);
          chunk = tap.read(16 * 1024);
        }
        if (tap.readableEnded) resolve();
        else setTimeout(step, 2);
      };
      tap.once("end", resolve);
      step();
    });
    expect(Buffer.concat(parts).equals(fromServer)).toBe(true);
    // Never far above the high-water mark: the socket was paused rather than buffered into us.
    expect(maxBuffered).toBeLessThan(512 * 1024);
    expect(tap.capped).toBe(true); // 2 MiB > the 256 KiB default limit
    expect(tap.stopRecording().length).toBe(256 * 1024);
  });

  it("tap - stopRecording hands over what came so far, and nothing after", async () => {
    let server!: net.Socket;
    const port = await listen((s) => {
      server = s;
      s.write("first");
    });
    const raw = await connect(port);
    const tap = new TapStream(raw);
    const got: Buffer[] = [];
    tap.on("data", (b: Buffer) => got.push(b));
    await new Promise((r) => tap.once("data", r));
    expect(tap.stopRecording().toString()).toBe("first");
    server.end("second");
    await new Promise((r) => tap.once("end", r));
    expect(Buffer.concat(got).toString()).toBe("firstsecond");
    expect(tap.stopRecording().length).toBe(0);
    expect(tap.capped).toBe(false);
  });

  it("tap - the server's FIN is our end, then close", async () => {
    const port = await listen((s) => s.end("bye"));
    const raw = await connect(port);
    const tap = new TapStream(raw);
    const events: string[] = [];
    tap.on("data", () => events.push("data"));
    tap.on("end", () => events.push("end"));
    await new Promise<void>((resolve) => tap.on("close", resolve));
    expect(events).toEqual(["data", "end"]);
    expect(raw.destroyed).toBe(true);
  });

  it("tap - the server's RST is our error, with the socket's ECONNRESET", async () => {
    const port = await listen((s) => s.once("data", () => s.resetAndDestroy()));
    const raw = await connect(port);
    const tap = new TapStream(raw);
    tap.resume();
    tap.write("hello");
    const err = await new Promise<NodeJS.ErrnoException>((resolve) => tap.once("error", resolve));
    expect(err.code).toBe("ECONNRESET");
    expect(tap.destroyed).toBe(true);
  });

  it("tap - a socket that had already ended or closed: end (then close) at once", async () => {
    const port = await listen((s) => s.end());
    const ended = await connect(port);
    ended.resume();
    await new Promise((r) => ended.once("end", r));
    const tap = new TapStream(ended);
    tap.resume();
    await new Promise((r) => tap.once("end", r));

    const closed = await connect(port);
    closed.destroy();
    await new Promise((r) => closed.once("close", r));
    const tap2 = new TapStream(closed);
    await new Promise((r) => tap2.once("close", r));
    expect(tap2.destroyed).toBe(true);
  });

  it("tap - destroying the tap destroys the socket; ending it ends the socket's writing side", async () => {
    let serverSaw: Promise<Buffer> = Promise.resolve(Buffer.alloc(0));
    const port = await listen((s) => {
      serverSaw = collect(s);
    });
    const raw = await connect(port);
    const tap = new TapStream(raw);
    tap.resume();
    tap.end("last words");
    expect((await serverSaw).toString()).toBe("last words");
    tap.destroy();
    await new Promise((r) => raw.once("close", r));
    expect(raw.destroyed).toBe(true);
  });
});

// ------------------------------------------------------------------------------------------------------------
// The handshake over the tap

let root: LabCa;
let inter: LabCa;
let leaf: LabLeaf;

beforeAll(async () => {
  root = await createLabCa();
  inter = await createIntermediateCa(root);
  leaf = await issueLeaf(inter, { names: ["tap.test"] });
});

const secureContext = () => createProbeSecureContext([root.certPem]);

async function handshake(port: number, timeoutMs = 3000): Promise<TlsResult> {
  const raw = await connect(port);
  return startTls(raw, {
    servername: "tap.test",
    secureContext: secureContext(),
    timeoutMs,
    deadline: Deadline.after(20_000),
  });
}

/** A TLS server (no SMTP) on a plain TCP server, optionally dribbling its bytes out `slice` at a time. */
async function tlsServer(opts: {
  certs: string;
  minVersion?: tls.SecureVersion;
  maxVersion?: tls.SecureVersion;
  ciphers?: string;
  ecdhCurve?: string;
  slice?: number;
  /** Bytes sent to the client ahead of the server's first byte (through the proxy). */
  inject?: Buffer;
}): Promise<number> {
  const context = tls.createSecureContext({
    key: leaf.keyPem,
    cert: opts.certs,
    ciphers: opts.ciphers ?? "DEFAULT:@SECLEVEL=0",
    ...(opts.minVersion ? { minVersion: opts.minVersion } : {}),
    ...(opts.maxVersion ? { maxVersion: opts.maxVersion } : {}),
    ...(opts.ecdhCurve ? { ecdhCurve: opts.ecdhCurve } : {}),
  });
  const inner = await listen((s) => {
    const t = new tls.TLSSocket(s, { isServer: true, secureContext: context });
    t.on("error", () => {});
    t.on("data", (b: Buffer) => t.write(b)); // echo
  });
  if (!opts.slice && !opts.inject) return inner;
  const slice = opts.slice ?? 1 << 20;
  const inject = opts.inject;
  return listen(async (client) => {
    const upstream = await connect(inner);
    client.pipe(upstream);
    upstream.on("close", () => client.destroy());
    client.on("close", () => upstream.destroy());
    // Server → client in slices of 1..slice bytes, one per timer tick.
    const queue: Buffer[] = [];
    let pumping = false;
    let injected = !inject;
    const pump = () => {
      const head = queue[0];
      if (!head) {
        pumping = false;
        return;
      }
      const n = 1 + Math.floor(Math.random() * slice);
      client.write(head.subarray(0, n));
      if (n >= head.length) queue.shift();
      else queue[0] = head.subarray(n);
      setImmediate(pump);
    };
    upstream.on("data", (b: Buffer) => {
      if (!injected && inject) queue.push(inject);
      injected = true;
      queue.push(b);
      if (!pumping) {
        pumping = true;
        pump();
      }
    });
  });
}

function ders(...pems: string[]): string[] {
  return pems.map((p) => new X509Certificate(p).raw.toString("hex"));
}

describe("startTls over the tap", () => {
  const sent = () => [leaf.certPem, inter.certPem];

  it.each(["TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"] as const)(
    "handshake - %s: presented is exactly what the server sent; OpenSSL's verdict as before",
    async (version) => {
      const port = await tlsServer({ certs: sent().join(""), minVersion: version, maxVersion: version });
      const r = await handshake(port);
      if (!r.ok) throw new Error(`${r.failure.failure}: ${r.failure.detail}`);
      expect(r.facts.version).toBe(version);
      expect(r.facts.presentedError).toBeNull();
      expect(r.facts.presented?.map((c) => c.toString("hex"))).toEqual(ders(...sent()));
      // Node's own chain adds the root from our trust store: that is what `presented` is for.
      expect(linkedChain(r.socket).map((c) => c.toString("hex"))).toEqual(ders(...sent(), root.certPem));
      // ... which is read only when the certificates as sent could not be: here they could.
      expect(r.facts.chain).toBeNull();
      expect(r.facts.leaf?.toString("hex")).toBe(ders(leaf.certPem)[0]);
      expect(r.facts.authorized).toBe(true);
      expect(r.facts.authorizationError).toBeNull();
      // The TLS socket works after the handshake.
      r.socket.write("ping");
      const echo = await new Promise<Buffer>((resolve) => r.socket.once("data", resolve));
      expect(echo.toString()).toBe("ping");
      r.socket.destroy();
    },
  );

  it.each([
    ["TLS 1.3", "TLSv1.3" as const, 7],
    ["TLS 1.3", "TLSv1.3" as const, 1],
    ["TLS 1.2", "TLSv1.2" as const, 7],
    ["TLS 1.2", "TLSv1.2" as const, 1],
  ])("handshake - %s with the server's bytes arriving 1..%i at a time", async (_n, version, slice) => {
    const port = await tlsServer({ certs: sent().join(""), minVersion: version, maxVersion: version, slice });
    const r = await handshake(port, 10_000);
    if (!r.ok) throw new Error(`${r.failure.failure}: ${r.failure.detail}`);
    expect(r.facts.presented?.map((c) => c.toString("hex"))).toEqual(ders(...sent()));
    r.socket.destroy();
  });

  it("handshake - TLS 1.2 with an empty HelloRequest ahead of the ServerHello: OpenSSL skips it, and so do we", async () => {
    const port = await tlsServer({
      certs: sent().join(""),
      minVersion: "TLSv1.2",
      maxVersion: "TLSv1.2",
      inject: Buffer.from("160303000400000000", "hex"),
    });
    const r = await handshake(port);
    if (!r.ok) throw new Error(`${r.failure.failure}: ${r.failure.detail}`);
    expect(r.facts.presentedError).toBeNull();
    expect(r.facts.presented?.map((c) => c.toString("hex"))).toEqual(ders(...sent()));
    r.socket.destroy();
  });

  it("handshake - TLS 1.3 after a HelloRetryRequest (server wants P-384, client guessed X25519)", async () => {
    const port = await tlsServer({
      certs: sent().join(""),
      minVersion: "TLSv1.3",
      maxVersion: "TLSv1.3",
      ecdhCurve: "secp384r1",
    });
    const r = await handshake(port);
    if (!r.ok) throw new Error(`${r.failure.failure}: ${r.failure.detail}`);
    expect(r.facts.kxGroup).toBe("secp384r1");
    expect(r.facts.presentedError).toBeNull();
    expect(r.facts.presented?.map((c) => c.toString("hex"))).toEqual(ders(...sent()));
    r.socket.destroy();
  });

  it.each([
    "TLS_AES_128_GCM_SHA256",
    "TLS_AES_256_GCM_SHA384",
    "TLS_CHACHA20_POLY1305_SHA256",
    "TLS_AES_128_CCM_SHA256",
    "TLS_AES_128_CCM_8_SHA256",
  ])("handshake - TLS 1.3 with %s", async (suite) => {
    const port = await tlsServer({
      certs: sent().join(""),
      minVersion: "TLSv1.3",
      maxVersion: "TLSv1.3",
      ciphers: `${suite}:DEFAULT:@SECLEVEL=0`,
    });
    const r = await handshake(port);
    if (!r.ok) throw new Error(`${r.failure.failure}: ${r.failure.detail}`);
    expect(r.facts.cipher).toBe(suite);
    expect(r.facts.presentedError).toBeNull();
    expect(r.facts.presented?.map((c) => c.toString("hex"))).toEqual(ders(...sent()));
    r.socket.destroy();
  });

  // The failure names of a broken handshake, as they were before the tap (same names as test/lab's
  // handshake-close case and the classify.ts table).
  it.each([
    [
      "the server closes after the ClientHello",
      (s: net.Socket) => s.once("data", () => s.end()),
      { failure: "connection_closed", alert: null },
    ],
    [
      "the server resets after the ClientHello",
      (s: net.Socket) => s.once("data", () => s.resetAndDestroy()),
      { failure: "connection_reset", alert: null },
    ],
    [
      "the server answers with a fatal handshake_failure alert",
      (s: net.Socket) => s.once("data", () => s.end(Buffer.from("15030300020228", "hex"))),
      { failure: "tls_alert", alert: "handshake_failure" },
    ],
    [
      "the server answers with a fatal protocol_version alert",
      (s: net.Socket) => s.once("data", () => s.end(Buffer.from("15030300020246", "hex"))),
      { failure: "tls_protocol_version", alert: "protocol_version" },
    ],
    [
      "the server answers in plain text",
      (s: net.Socket) => s.once("data", () => s.end("HTTP/1.1 400 Bad Request\r\n\r\n")),
      { failure: "tls_handshake_failed", alert: null },
    ],
    [
      "the server closes halfway through its flight",
      (s: net.Socket) =>
        s.once("data", () => s.end(Buffer.from("160303004a02000046030300000000000000000000000000", "hex"))),
      { failure: "connection_closed", alert: null },
    ],
  ] as const)("failure - %s", async (_name, behave, want) => {
    const port = await listen(behave);
    const r = await handshake(port);
    expect(r.ok).toBe(false);
    if (!r.ok) expect({ failure: r.failure.failure, alert: r.failure.alert }).toEqual(want);
  });

  it("failure - the server hung up before the handshake began: connection_closed, at once", async () => {
    const port = await listen((s) => s.end());
    const raw = await connect(port);
    raw.resume();
    await new Promise((r) => raw.once("end", r));
    const t0 = Date.now();
    const r = await startTls(raw, {
      servername: "tap.test",
      secureContext: secureContext(),
      timeoutMs: 3000,
      deadline: Deadline.after(20_000),
    });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.failure.failure).toBe("connection_closed");
    expect(Date.now() - t0).toBeLessThan(1000);
  });

  it("failure - the server never answers: tls_timeout at the TLS timeout", async () => {
    const port = await listen(() => {});
    const t0 = Date.now();
    const r = await handshake(port, 300);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.failure.failure).toBe("tls_timeout");
    expect(Date.now() - t0).toBeLessThan(2000);
  });
});
