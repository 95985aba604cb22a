/**
 * Tests for the lab SMTP server factory (test/lab/smtp-server.ts), driven by raw net/tls clients on 127.0.202.x
 * (away from the 127.0.1.x+ block the lab world hands out).
 */
import * as net from "node:net";
import * as tls from "node:tls";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createLabCa, issueLeaf, type LabCa } from "../lab/pki.js";
import { type LabSmtpServer, type SmtpBehaviour, startSmtpServer } from "../lab/smtp-server.js";

/** Collects bytes from a socket and hands out complete SMTP replies (last line "ddd "). */
class ReplyReader {
  private buffer = "";
  private ended = false;
  private waiter: (() => void) | undefined;
  private readonly onData = (chunk: Buffer): void => {
    this.buffer += chunk.toString("latin1");
    this.waiter?.();
  };
  private readonly onEnd = (): void => {
    this.ended = true;
    this.waiter?.();
  };

  constructor(private readonly socket: net.Socket) {
    socket.on("data", this.onData);
    socket.on("end", this.onEnd);
    socket.on("close", this.onEnd);
  }

  /** Stop reading (before handing the socket to TLS). */
  detach(): void {
    this.socket.removeListener("data", this.onData);
    this.socket.removeListener("end", this.onEnd);
    this.socket.removeListener("close", this.onEnd);
  }

  get pending(): string {
    return this.buffer;
  }

  /** The next complete reply as its lines, or null if the connection ended first. */
  async reply(timeoutMs = 3000): Promise<string[] | null> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const lines: string[] = [];
      let rest = this.buffer;
      for (;;) {
        const nl = rest.indexOf("\r\n");
        if (nl < 0) break;
        const line = rest.slice(0, nl);
        rest = rest.slice(nl + 2);
        lines.push(line);
        if (/^\d{3}( |$)/.test(line)) {
          this.buffer = rest;
          return lines;
        }
      }
      if (this.ended) return null;
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(`no complete reply within ${timeoutMs} ms; have ${JSON.stringify(this.buffer)}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiter = () => {
          clearTimeout(t);
          resolve();
        };
      });
      this.waiter = undefined;
    }
  }

  async command(line: string): Promise<string[] | null> {
    this.socket.write(`${line}\r\n`);
    return this.reply();
  }
}

function connect(server: LabSmtpServer): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: server.host, port: server.port }, () => resolve(socket));
    socket.once("error", reject);
  });
}

function tlsUpgrade(socket: net.Socket, options: tls.ConnectionOptions = {}): Promise<tls.TLSSocket> {
  return new Promise((resolve, reject) => {
    const secure = tls.connect(
      {
        socket,
        servername: "mx.lab",
        rejectUnauthorized: false,
        minVersion: "TLSv1",
        ciphers: "ALL:@SECLEVEL=0",
        ...options,
      },
      () => resolve(secure),
    );
    secure.once("error", reject);
    secure.once("close", () => reject(new Error("closed before the handshake finished")));
  });
}

/** Connect, read the greeting, EHLO, STARTTLS, and hand back the socket ready for the TLS handshake. */
async function upToStarttls(server: LabSmtpServer): Promise<{ socket: net.Socket; reader: ReplyReader }> {
  const socket = await connect(server);
  const reader = new ReplyReader(socket);
  expect((await reader.reply())?.[0]).toMatch(/^220 /);
  expect(await reader.command("EHLO client.test")).toContain("250 STARTTLS");
  expect(await reader.command("STARTTLS")).toEqual(["220 2.0.0 Ready to start TLS"]);
  reader.detach();
  return { socket, reader };
}

let ca: LabCa;
let leaf: { keyPem: string; chainPem: string };
let weakLeaf: { keyPem: string; chainPem: string };
const servers: LabSmtpServer[] = [];
const clients: net.Socket[] = [];
let nextHost = 1;

async function start(behaviour: SmtpBehaviour): Promise<LabSmtpServer> {
  const server = await startSmtpServer({ host: `127.0.202.${nextHost++}`, port: 0, behaviour });
  servers.push(server);
  return server;
}

function track<T extends net.Socket>(socket: T): T {
  socket.on("error", () => {});
  clients.push(socket);
  return socket;
}

beforeAll(async () => {
  ca = await createLabCa();
  leaf = await issueLeaf(ca, { names: ["mx.lab"] });
  weakLeaf = await issueLeaf(ca, {
    names: ["mx.lab"],
    key: { type: "rsa", bits: 1024 },
    signatureHash: "SHA-1",
  });
});

afterEach(() => {
  // Newest first: a TLS socket before the raw socket under it. Destroying the raw socket and then its TLS
  // wrapper in the same tick can segfault Node 20 (TLSWrap::ClearOut) when bytes are still arriving.
  for (const c of clients.splice(0).reverse()) c.destroy();
});

afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

describe("lab smtp server", () => {
  it("smtp server - greeting, EHLO with STARTTLS, TLS upgrade, EHLO inside TLS without STARTTLS", async () => {
    const server = await start({ tls: { key: leaf.keyPem, cert: leaf.chainPem } });
    const socket = track(await connect(server));
    const reader = new ReplyReader(socket);
    expect(await reader.reply()).toEqual(["220 mx.lab ESMTP mxsurvey-lab"]);
    expect(await reader.command("EHLO client.test")).toEqual([
      "250-mx.lab",
      "250-PIPELINING",
      "250-SIZE 10240000",
      "250-8BITMIME",
      "250 STARTTLS",
    ]);
    expect(await reader.command("NOOP")).toEqual(["250 2.0.0 Ok"]);
    expect(await reader.command("STARTTLS")).toEqual(["220 2.0.0 Ready to start TLS"]);
    reader.detach();
    const secure = track(await tlsUpgrade(socket));
    expect(secure.getPeerCertificate().subject?.CN).toBe("mx.lab");
    const inner = new ReplyReader(secure);
    const ehlo = await inner.command("EHLO client.test");
    expect(ehlo?.[0]).toBe("250-mx.lab");
    expect(ehlo?.join("\n")).not.toContain("STARTTLS");
    expect(await inner.command("STARTTLS")).toEqual(["503 5.5.1 Error: TLS already active"]);
    expect(await inner.command("QUIT")).toEqual(["221 2.0.0 Bye"]);
    expect(await inner.reply()).toBeNull();
  });

  it("smtp server - commands outside the scanner's dialogue", async () => {
    const server = await start({ starttls: "none", extensions: ["SIZE 1000"] });
    const socket = track(await connect(server));
    const reader = new ReplyReader(socket);
    await reader.reply();
    expect(await reader.command("EHLO client.test")).toEqual(["250-mx.lab", "250 SIZE 1000"]);
    expect(await reader.command("HELO client.test")).toEqual(["250 mx.lab"]);
    expect((await reader.command("STARTTLS"))?.[0]).toMatch(/^502 /);
    expect((await reader.command("MAIL FROM:<a@b.test>"))?.[0]).toMatch(/^502 /);
    expect((await reader.command("RSET"))?.[0]).toMatch(/^250 /);
    expect((await reader.command("XYZZY"))?.[0]).toMatch(/^500 /);
    // bare LF is accepted too
    socket.write("NOOP\n");
    expect((await reader.reply())?.[0]).toMatch(/^250 /);
  });

  it("smtp server - multi-line greeting with a custom hostname", async () => {
    const server = await start({
      hostname: "mail.example.test",
      starttls: "none",
      greeting: { lines: ["mail.example.test ESMTP", "welcome"] },
    });
    const reader = new ReplyReader(track(await connect(server)));
    expect(await reader.reply()).toEqual(["220-mail.example.test ESMTP", "220 welcome"]);
    expect((await reader.command("EHLO c.test"))?.[0]).toBe("250-mail.example.test");
  });

  it("smtp server - 554 greeting answers 503 until QUIT", async () => {
    const server = await start({ starttls: "none", greeting: { code: 554, lines: ["5.3.2 go away"] } });
    const reader = new ReplyReader(track(await connect(server)));
    expect(await reader.reply()).toEqual(["554 5.3.2 go away"]);
    expect((await reader.command("EHLO client.test"))?.[0]).toMatch(/^503 /);
    expect((await reader.command("HELO client.test"))?.[0]).toMatch(/^503 /);
    expect(await reader.command("QUIT")).toEqual(["221 2.0.0 Bye"]);
    expect(await reader.reply()).toBeNull();
  });

  it("smtp server - never greets", async () => {
    const server = await start({ starttls: "none", greeting: { never: true } });
    const socket = track(await connect(server));
    let received = 0;
    socket.on("data", (d: Buffer) => {
      received += d.length;
    });
    socket.write("EHLO client.test\r\n");
    await new Promise((r) => setTimeout(r, 300));
    expect(received).toBe(0);
    expect(socket.destroyed).toBe(false);
  });

  it("smtp server - delayed greeting", async () => {
    const server = await start({ starttls: "none", greeting: { delayMs: 200 } });
    const t0 = performance.now();
    const reader = new ReplyReader(track(await connect(server)));
    expect((await reader.reply())?.[0]).toMatch(/^220 /);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(190);
  });

  it("smtp server - drips the greeting one byte at a time", async () => {
    const dripMs = 30;
    const server = await start({ starttls: "none", greeting: { lines: ["x"], dripMs } });
    const greeting = "220 x\r\n";
    const socket = track(await connect(server));
    const t0 = performance.now();
    let firstAt = -1;
    let all = "";
    const chunks: string[] = [];
    await new Promise<void>((resolve) => {
      socket.on("data", (d: Buffer) => {
        if (firstAt < 0) firstAt = performance.now() - t0;
        chunks.push(d.toString("latin1"));
        all += d.toString("latin1");
        if (all === greeting) resolve();
      });
    });
    const total = performance.now() - t0;
    expect(firstAt).toBeLessThan(dripMs * 3);
    expect(chunks.length).toBe(greeting.length);
    // first byte at once, then one more every dripMs (timers may fire ~1 ms early)
    expect(total).toBeGreaterThanOrEqual((greeting.length - 1) * dripMs - 5);
  });

  it("smtp server - STARTTLS rejected with 454", async () => {
    const server = await start({ starttls: "reject" });
    const reader = new ReplyReader(track(await connect(server)));
    await reader.reply();
    expect(await reader.command("EHLO client.test")).toContain("250 STARTTLS");
    expect(await reader.command("STARTTLS")).toEqual(["454 4.7.0 TLS not available due to local problem"]);
    expect((await reader.command("NOOP"))?.[0]).toMatch(/^250 /);
  });

  it("smtp server - EHLO refused, HELO works", async () => {
    const server = await start({ ehlo: "refuse", starttls: "none" });
    const reader = new ReplyReader(track(await connect(server)));
    await reader.reply();
    expect(await reader.command("EHLO client.test")).toEqual(["502 5.5.2 Error: command not recognized"]);
    expect(await reader.command("HELO client.test")).toEqual(["250 mx.lab"]);
  });

  it("smtp server - close_during_handshake makes the client's handshake fail", async () => {
    const server = await start({ tlsFailure: "close_during_handshake" });
    const { socket } = await upToStarttls(server);
    track(socket);
    await expect(tlsUpgrade(socket)).rejects.toThrow();
  });

  it("smtp server - TLS 1.0/1.1-only server negotiates TLSv1.1 and refuses a TLS 1.2-minimum client", async () => {
    const server = await start({
      tls: { key: leaf.keyPem, cert: leaf.chainPem, minVersion: "TLSv1", maxVersion: "TLSv1.1" },
    });
    const first = await upToStarttls(server);
    const secure = track(await tlsUpgrade(track(first.socket)));
    expect(secure.getProtocol()).toBe("TLSv1.1");
    const inner = new ReplyReader(secure);
    expect((await inner.command("EHLO client.test"))?.[0]).toBe("250-mx.lab");

    const second = await upToStarttls(server);
    track(second.socket);
    await expect(tlsUpgrade(second.socket, { minVersion: "TLSv1.2", ciphers: "DEFAULT" })).rejects.toThrow();
  });

  it("smtp server - TLS 1.3-only server", async () => {
    const server = await start({ tls: { key: leaf.keyPem, cert: leaf.chainPem, minVersion: "TLSv1.3" } });
    const first = await upToStarttls(server);
    const secure = track(await tlsUpgrade(track(first.socket)));
    expect(secure.getProtocol()).toBe("TLSv1.3");

    const second = await upToStarttls(server);
    track(second.socket);
    await expect(tlsUpgrade(second.socket, { maxVersion: "TLSv1.2" })).rejects.toThrow();
  });

  it("smtp server - RSA-1024 SHA-1 certificate loads and handshakes", async () => {
    const server = await start({ tls: { key: weakLeaf.keyPem, cert: weakLeaf.chainPem } });
    const { socket } = await upToStarttls(server);
    const secure = track(await tlsUpgrade(track(socket)));
    const peer = secure.getPeerCertificate();
    expect(peer.bits).toBe(1024);
  });

  it("smtp server - plaintext pipelined after STARTTLS is discarded", async () => {
    const server = await start({ tls: { key: leaf.keyPem, cert: leaf.chainPem } });
    const socket = track(await connect(server));
    const reader = new ReplyReader(socket);
    await reader.reply();
    socket.write("STARTTLS\r\nNOOP\r\n");
    expect(await reader.reply()).toEqual(["220 2.0.0 Ready to start TLS"]);
    await new Promise((r) => setTimeout(r, 50));
    expect(reader.pending).toBe("");
    reader.detach();
    const secure = track(await tlsUpgrade(socket));
    const inner = new ReplyReader(secure);
    expect((await inner.command("NOOP"))?.[0]).toMatch(/^250 /);
  });

  it("smtp server - an over-long line is refused and the connection closed", async () => {
    const server = await start({ starttls: "none" });
    const socket = track(await connect(server));
    const reader = new ReplyReader(socket);
    await reader.reply();
    socket.write("X".repeat(10_000));
    expect((await reader.reply())?.[0]).toMatch(/^500 /);
    expect(await reader.reply()).toBeNull();
  });

  it("smtp server - connections counts accepted TCP connections", async () => {
    const server = await start({ starttls: "none" });
    expect(server.connections).toBe(0);
    for (let i = 0; i < 3; i++) {
      const reader = new ReplyReader(track(await connect(server)));
      await reader.reply();
    }
    expect(server.connections).toBe(3);
  });

  it("smtp server - close destroys open connections and resolves", async () => {
    const server = await startSmtpServer({
      host: "127.0.202.250",
      port: 0,
      behaviour: { tls: { key: leaf.keyPem, cert: leaf.chainPem } },
    });
    const plain = track(await connect(server));
    const { socket } = await upToStarttls(server);
    const secure = track(await tlsUpgrade(track(socket)));
    const closed = [plain, secure].map((s) => new Promise((r) => s.once("close", r)));
    plain.resume(); // a socket nobody reads never notices the FIN
    await server.close();
    await Promise.all(closed);
    await expect(connect(server)).rejects.toThrow();
  });
});
