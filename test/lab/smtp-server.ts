/**
 * The lab's SMTP server factory: a minimal, hand-written SMTP responder (node:net + node:tls) that misbehaves on
 * demand — slow, dripping or absent greetings, 4xx/5xx greetings, refused EHLO, refused STARTTLS, broken or
 * old-protocol TLS. One server per simulated host, each bound to its own 127.x.y.z address. It only ever answers
 * the dialogue our scanner speaks (EHLO/HELO, STARTTLS, NOOP, RSET, QUIT); mail transactions are refused.
 */
import * as net from "node:net";
import * as tls from "node:tls";
import { type FakeTlsConfig, fakeTlsAnswer, helloRequestFloodRecord, parseClientHello } from "./fake-tls.js";

export interface SmtpBehaviour {
  greeting?: {
    /** Default 220. */
    code?: number;
    /** Text lines; more than one gives a multi-line greeting. Default: "<hostname> ESMTP mxsurvey-lab". */
    lines?: string[];
    /** Wait this long after accepting before greeting. */
    delayMs?: number;
    /** Send the greeting one byte every dripMs. */
    dripMs?: number;
    /** Accept and never send anything. */
    never?: boolean;
  };
  /** Name used in the greeting and the EHLO/HELO reply, default "mx.lab". */
  hostname?: string;
  /** "refuse": EHLO → 502 5.5.2, HELO → 250. Default "ok". */
  ehlo?: "ok" | "refuse";
  /** Extra EHLO keywords, default ["PIPELINING", "SIZE 10240000", "8BITMIME"]. */
  extensions?: string[];
  /** "reject": advertise STARTTLS but answer it with 454 4.7.0. Default "offer". */
  starttls?: "offer" | "none" | "reject";
  tls?: {
    key: string;
    /** PEM chain, leaf first. */
    cert: string;
    minVersion?: tls.SecureVersion;
    maxVersion?: tls.SecureVersion;
    ciphers?: string;
    secureContextOptions?: tls.SecureContextOptions;
  };
  /**
   * Why: a rate limit that lifts — the first `refuseFirst` connections get "421 4.7.0 Too many connections" and a
   * close, later ones the normal dialogue. A probe that retries once finds the server (status ok); one that
   * does not reports inconclusive, banner_rejected at banner.
   */
  refuseFirst?: number;
  /**
   * Why: servers and middleboxes that reset instead of refusing. "on_connect": accept, then RST 20 ms later (must give
   * inconclusive, connection_reset at banner); "after_greeting": greet, then RST on the first command (must give
   * inconclusive, connection_reset at ehlo).
   */
  reset?: "on_connect" | "after_greeting";
  /** "close_during_handshake": reply 220 to STARTTLS, read the ClientHello, then close the socket. */
  tlsFailure?: "close_during_handshake";
  /**
   * Instead of a real TLS server: after 220 to STARTTLS, answer the ClientHello the way a server with these
   * versions and suites would (test/lab/fake-tls.ts) — SSLv2, SSLv3, EXPORT, RC4… included — then close.
   */
  tlsResponder?: FakeTlsConfig;
}

export interface LabSmtpServer {
  host: string;
  port: number;
  /** TCP connections accepted so far. */
  readonly connections: number;
  /** Bytes a `tlsResponder.flood` handed to its sockets, all connections together (bounds what clients read). */
  readonly flooded: number;
  close(): Promise<void>;
}

const DEFAULT_EXTENSIONS = ["PIPELINING", "SIZE 10240000", "8BITMIME"];
/** Longest command line we buffer before calling it abuse and hanging up. */
const MAX_LINE_BYTES = 4096;
/** Commands per connection before we hang up (our client sends a handful). */
const MAX_COMMANDS = 1000;
/** Connections idle this long are dropped, so forgotten clients cannot pin the server. */
const IDLE_TIMEOUT_MS = 120_000;

/** A (possibly multi-line) SMTP reply: `250-a`, `250-b`, `250 c` (RFC 5321 §4.2). */
function reply(code: number, lines: string[]): string {
  const text = lines.length > 0 ? lines : [""];
  return text.map((line, i) => `${code}${i === text.length - 1 ? " " : "-"}${line}\r\n`).join("");
}

/**
 * The server's TLS context. OpenSSL 3 refuses TLS 1.0/1.1, RSA-1024 keys and SHA-1 signatures at the default
 * security level 1+, so the lab always runs at @SECLEVEL=0 unless the caller picked a level explicitly.
 */
function buildSecureContext(opts: NonNullable<SmtpBehaviour["tls"]>): tls.SecureContext {
  const extra = opts.secureContextOptions ?? {};
  const baseCiphers = opts.ciphers ?? extra.ciphers ?? "DEFAULT";
  const ciphers = /@SECLEVEL=/i.test(baseCiphers) ? baseCiphers : `${baseCiphers}:@SECLEVEL=0`;
  const options: tls.SecureContextOptions = { ...extra, key: opts.key, cert: opts.cert, ciphers };
  const minVersion = opts.minVersion ?? extra.minVersion;
  const maxVersion = opts.maxVersion ?? extra.maxVersion;
  if (minVersion) options.minVersion = minVersion;
  if (maxVersion) options.maxVersion = maxVersion;
  return tls.createSecureContext(options);
}

export async function startSmtpServer(opts: {
  host: string;
  /** 0 = ephemeral. */
  port: number;
  behaviour: SmtpBehaviour;
}): Promise<LabSmtpServer> {
  const b = opts.behaviour;
  const hostname = b.hostname ?? "mx.lab";
  const starttlsMode = b.starttls ?? "offer";
  const extensions = b.extensions ?? DEFAULT_EXTENSIONS;
  const greetingCode = b.greeting?.code ?? 220;
  const greetingLines =
    b.greeting?.lines && b.greeting.lines.length > 0
      ? b.greeting.lines
      : [greetingCode < 400 ? `${hostname} ESMTP mxsurvey-lab` : `${hostname} Service unavailable`];
  const greeting = reply(greetingCode, greetingLines);
  const greetingRefused = greetingCode >= 400;
  if (starttlsMode === "offer" && !b.tls && !b.tlsFailure && !b.tlsResponder) {
    throw new Error("lab smtp: starttls 'offer' needs behaviour.tls (or a tlsFailure)");
  }
  const secureContext = b.tls ? buildSecureContext(b.tls) : undefined;

  const sockets = new Set<net.Socket>();
  let connections = 0;
  let flooded = 0;

  const server = net.createServer((socket) => {
    connections++;
    sockets.add(socket);
    try {
      serveConnection(socket, connections);
    } catch {
      socket.destroy();
    }
  });

  function serveConnection(raw: net.Socket, connection: number): void {
    const timers = new Set<NodeJS.Timeout>();
    let closed = false;
    let current: net.Socket = raw; // the raw socket, then the TLSSocket after STARTTLS
    let inTls = false;
    let ready = false; // greeting fully sent: commands are processed only then
    let upgrading = false;
    let buffer = "";
    let commands = 0;

    const later = (ms: number, fn: () => void): void => {
      const t = setTimeout(() => {
        timers.delete(t);
        if (!closed) fn();
      }, ms);
      timers.add(t);
    };
    const cleanup = (): void => {
      closed = true;
      for (const t of timers) clearTimeout(t);
      timers.clear();
      sockets.delete(raw);
    };
    raw.on("error", () => {});
    raw.on("close", cleanup);
    raw.setTimeout(IDLE_TIMEOUT_MS, () => raw.destroy());

    const send = (text: string): void => {
      if (!closed && current.writable) current.write(text, "latin1");
    };
    const hangUp = (text?: string): void => {
      if (closed) return;
      if (text !== undefined) send(text);
      current.end();
      // Don't wait forever for the peer's FIN.
      later(2000, () => current.destroy());
    };

    const onData = (chunk: Buffer): void => {
      if (closed || upgrading) return;
      buffer += chunk.toString("latin1");
      // Before the greeting is out, commands only accumulate: bound that too.
      if (!ready && buffer.length > 4 * MAX_LINE_BYTES) hangUp();
      else drain();
    };
    const drain = (): void => {
      while (ready && !upgrading && !closed) {
        const nl = buffer.indexOf("\n");
        if (nl < 0) break;
        const line = buffer.slice(0, nl).replace(/\r$/, "");
        buffer = buffer.slice(nl + 1);
        if (line.length > MAX_LINE_BYTES) {
          hangUp(reply(500, ["5.5.2 Line too long"]));
          return;
        }
        if (++commands > MAX_COMMANDS) {
          hangUp(reply(421, [`4.7.0 ${hostname} Too many commands`]));
          return;
        }
        try {
          handle(line);
        } catch {
          current.destroy();
          return;
        }
      }
      if (!closed && !upgrading && buffer.length > MAX_LINE_BYTES && buffer.indexOf("\n") < 0) {
        hangUp(reply(500, ["5.5.2 Line too long"]));
      }
    };

    /** The reply to an ordinary command (everything but QUIT and an accepted STARTTLS). */
    const answer = (verb: string, arg: string): string => {
      if (greetingRefused) return reply(503, ["5.5.1 Error: service unavailable, only QUIT"]);
      switch (verb) {
        case "EHLO": {
          if (b.ehlo === "refuse") return reply(502, ["5.5.2 Error: command not recognized"]);
          if (!arg) return reply(501, ["5.5.4 Syntax: EHLO hostname"]);
          const keywords = [...extensions];
          if (!inTls && starttlsMode !== "none") keywords.push("STARTTLS");
          return reply(250, [hostname, ...keywords]);
        }
        case "HELO":
          return arg ? reply(250, [hostname]) : reply(501, ["5.5.4 Syntax: HELO hostname"]);
        case "STARTTLS":
          if (inTls) return reply(503, ["5.5.1 Error: TLS already active"]);
          if (starttlsMode === "none") return reply(502, ["5.5.1 Error: command not implemented"]);
          if (starttlsMode === "reject") return reply(454, ["4.7.0 TLS not available due to local problem"]);
          return reply(501, ["5.5.4 Syntax: STARTTLS"]);
        case "NOOP":
        case "RSET":
          return reply(250, ["2.0.0 Ok"]);
        case "MAIL":
        case "RCPT":
        case "DATA":
          return reply(502, ["5.5.1 Error: command not implemented in the lab"]);
        default:
          return reply(500, ["5.5.2 Error: command not recognized"]);
      }
    };

    const handle = (line: string): void => {
      if (b.reset === "after_greeting") {
        raw.resetAndDestroy();
        return;
      }
      const space = line.indexOf(" ");
      const verb = (space < 0 ? line : line.slice(0, space)).toUpperCase();
      const arg = space < 0 ? "" : line.slice(space + 1).trim();
      if (verb === "QUIT") hangUp(reply(221, ["2.0.0 Bye"]));
      else if (verb === "STARTTLS" && !greetingRefused && !inTls && starttlsMode === "offer" && !arg)
        startTls();
      else send(answer(verb, arg));
    };

    const startTls = (): void => {
      // Whatever the client pipelined after STARTTLS is plaintext we must not carry into TLS (RFC 3207 §5).
      upgrading = true;
      buffer = "";
      raw.removeListener("data", onData);
      raw.pause();
      raw.write(reply(220, ["2.0.0 Ready to start TLS"]), "latin1", () => {
        if (closed) return;
        if (b.tlsResponder) {
          const cfg = b.tlsResponder;
          let got = Buffer.alloc(0);
          const onHello = (chunk: Buffer): void => {
            got = Buffer.concat([got, chunk]);
            const parsed = parseClientHello(got);
            if (!parsed.ok && "need" in parsed && got.length < 64 * 1024) return;
            raw.removeListener("data", onHello);
            if (cfg.flood) {
              const rec = helloRequestFloodRecord();
              const pump = (): void => {
                while (!closed && !raw.destroyed && raw.writable) {
                  const more = raw.write(rec, (err) => {
                    if (!err) flooded += rec.length;
                  });
                  if (!more) {
                    raw.once("drain", pump);
                    return;
                  }
                }
              };
              raw.resume(); // read (and drop) whatever the client sends, so its close is seen
              pump();
              return;
            }
            const answer = parsed.ok ? fakeTlsAnswer(parsed.hello, cfg) : null;
            if (answer) raw.write(answer);
            if (cfg.stallAfterHello) return; // the connection stays open until the client or close() ends it
            raw.end();
            later(500, () => raw.destroy());
          };
          raw.on("data", onHello);
          raw.resume();
          return;
        }
        if (b.tlsFailure === "close_during_handshake") {
          raw.once("data", () => {
            raw.end();
            later(500, () => raw.destroy());
          });
          raw.resume();
          return;
        }
        let secure: tls.TLSSocket;
        try {
          secure = new tls.TLSSocket(raw, { isServer: true, secureContext: secureContext! });
        } catch {
          raw.destroy();
          return;
        }
        // From here on the TLSSocket stands for the connection; the raw socket goes only after it has closed.
        // (Destroying a raw socket and then its TLS wrapper in the same tick segfaults Node 20 in
        // TLSWrap::ClearOut when bytes are arriving: seen with client-side wrappers, avoided here too.)
        sockets.delete(raw);
        sockets.add(secure);
        raw.setTimeout(0);
        secure.setTimeout(IDLE_TIMEOUT_MS, () => secure.destroy());
        secure.on("error", () => secure.destroy());
        secure.on("close", () => {
          sockets.delete(secure);
          cleanup();
          raw.destroy();
        });
        secure.once("secure", () => {
          if (closed) return;
          current = secure;
          inTls = true;
          upgrading = false;
          secure.on("data", onData);
          drain();
        });
      });
    };

    if (b.reset === "on_connect") {
      // A moment after the accept, so the client has seen its connection established (as over a real network).
      later(20, () => raw.resetAndDestroy());
      return;
    }
    if (b.refuseFirst !== undefined && connection <= b.refuseFirst) {
      hangUp(reply(421, [`4.7.0 ${hostname} Too many connections, try again later`]));
      return;
    }
    const g = b.greeting ?? {};
    if (g.never) {
      raw.resume(); // read and ignore everything
      return;
    }
    raw.on("data", onData);
    const sendGreeting = (): void => {
      if (g.dripMs && g.dripMs > 0) {
        const bytes = Buffer.from(greeting, "latin1");
        let i = 0;
        const step = (): void => {
          raw.write(bytes.subarray(i, i + 1));
          i++;
          if (i < bytes.length) later(g.dripMs!, step);
          else {
            ready = true;
            drain();
          }
        };
        step();
      } else {
        send(greeting);
        ready = true;
        drain();
      }
    };
    if (g.delayMs && g.delayMs > 0) later(g.delayMs, sendGreeting);
    else sendGreeting();
  }

  server.on("error", () => {});
  await new Promise<void>((resolve, reject) => {
    const onError = (err: Error): void => reject(err);
    server.once("error", onError);
    server.listen({ host: opts.host, port: opts.port, exclusive: true }, () => {
      server.removeListener("error", onError);
      resolve();
    });
  });
  const address = server.address() as net.AddressInfo;

  let closing: Promise<void> | undefined;
  return {
    host: address.address,
    port: address.port,
    get connections() {
      return connections;
    },
    get flooded() {
      return flooded;
    },
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
        sockets.clear();
      });
      return closing;
    },
  };
}
