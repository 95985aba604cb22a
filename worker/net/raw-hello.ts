/**
 * One inventory attempt over a fresh STARTTLS connection (RFC 3207): connect → greeting → EHLO → STARTTLS → 220
 * → our own ClientHello bytes → read the server's answer (tls-answer.ts) → close. No handshake is ever completed:
 * the first answer (ServerHello, HelloRetryRequest, alert, SSLv2 SERVER-HELLO, close) is the measurement.
 *
 * SMTP problems (no greeting, EHLO refused, STARTTLS not offered or refused) end the attempt with a typed
 * failure from the closed vocabulary (shared/failures.ts), phases connect/banner/ehlo/starttls; what happens
 * after our ClientHello is an outcome, not a failure — except the job deadline running out, and more bytes than
 * the answer reader's bound without an answer (`tls_too_large`: a flood of records it skips).
 */

import { connect as netConnect, type Socket } from "node:net";
import type { ProbeFailure } from "../../shared/failures.js";
import { classifySocketError, errorText } from "./classify.js";
import type { Deadline } from "./deadline.js";
import { parseEhlo } from "./ehlo.js";
import { SmtpChannel } from "./smtp-channel.js";
import { type ConnectFn, connectTcp } from "./tcp-connect.js";
import { type AnswerReaderOptions, type ServerAnswer, ServerAnswerReader } from "./tls-answer.js";

export interface RawHelloTarget {
  hostname: string;
  ip: string;
  port: number;
}

export interface RawHelloSettings {
  ehloName: string;
  connectTimeoutMs: number;
  smtpTimeoutMs: number;
  /** How long to wait for the answer to our ClientHello. */
  tlsTimeoutMs: number;
}

/** What followed our ClientHello: the server's answer, or silence, or a reset. */
export type HelloOutcome =
  | ServerAnswer
  | { kind: "timeout"; received: number }
  | { kind: "reset"; detail: string };

export type HelloExchange =
  | {
      ok: true;
      outcome: HelloOutcome;
      ms: number;
      /** With `keepBytes`: the server's bytes up to the answer (bounded by the reader's limit), else null. */
      bytes: Buffer | null;
    }
  | {
      ok: false;
      failure: ProbeFailure;
      /** Whether EHLO offered STARTTLS (null: EHLO was not reached). */
      starttlsOffered: boolean | null;
    };

export type { ConnectFn };

function openTcp(target: RawHelloTarget, settings: RawHelloSettings, deadline: Deadline, connect: ConnectFn) {
  return connectTcp(target, settings.connectTimeoutMs, deadline, connect);
}

/** Send `hello` after STARTTLS and read the answer. Never throws for the server's doing. */
export async function exchangeHello(
  target: RawHelloTarget,
  settings: RawHelloSettings,
  deadline: Deadline,
  hello: Buffer,
  opts: AnswerReaderOptions & { connect?: ConnectFn; keepBytes?: boolean } = {},
): Promise<HelloExchange> {
  const connect = opts.connect ?? ((ip, port) => netConnect({ host: ip, port }));
  const tcp = await openTcp(target, settings, deadline, connect);
  if (!tcp.ok) return { ok: false, failure: tcp.failure, starttlsOffered: null };
  const socket = tcp.socket;
  // A socket error after the dialogue must never become an uncaught exception.
  socket.on("error", () => {});
  const channel = new SmtpChannel(socket, deadline);
  try {
    const greet = await channel.readReply("banner", settings.smtpTimeoutMs, "banner_timeout");
    if (!greet.ok) return { ok: false, failure: greet.failure, starttlsOffered: null };
    if (greet.reply.code !== 220) {
      return {
        ok: false,
        failure: { failure: "banner_rejected", phase: "banner", detail: greet.reply.raw },
        starttlsOffered: null,
      };
    }
    channel.write(`EHLO ${settings.ehloName}`);
    const ehlo = await channel.readReply("ehlo", settings.smtpTimeoutMs, "smtp_timeout");
    if (!ehlo.ok) return { ok: false, failure: ehlo.failure, starttlsOffered: null };
    if (ehlo.reply.code !== 250) {
      // HELO carries no extensions, so there is no STARTTLS to try (RFC 5321 §4.1.1.1).
      return {
        ok: false,
        failure: { failure: "ehlo_rejected", phase: "ehlo", detail: ehlo.reply.raw },
        starttlsOffered: null,
      };
    }
    if (!parseEhlo(ehlo.reply).keywords.has("STARTTLS")) {
      return {
        ok: false,
        failure: {
          failure: "starttls_rejected",
          phase: "ehlo",
          detail: "STARTTLS is not among the EHLO extensions",
        },
        starttlsOffered: false,
      };
    }
    channel.write("STARTTLS");
    const st = await channel.readReply("starttls", settings.smtpTimeoutMs, "smtp_timeout");
    if (!st.ok) return { ok: false, failure: st.failure, starttlsOffered: true };
    if (st.reply.code !== 220) {
      return {
        ok: false,
        failure: { failure: "starttls_rejected", phase: "starttls", detail: st.reply.raw },
        starttlsOffered: true,
      };
    }
    channel.detach(); // plaintext sent ahead of the handshake is discarded (RFC 3207 §4.2)
    return await readAnswer(socket, settings, deadline, hello, opts);
  } finally {
    channel.detach();
    socket.destroy();
  }
}

function readAnswer(
  socket: Socket,
  settings: RawHelloSettings,
  deadline: Deadline,
  hello: Buffer,
  opts: AnswerReaderOptions & { keepBytes?: boolean },
): Promise<HelloExchange> {
  const started = Date.now();
  const kept: Buffer[] | null = opts.keepBytes ? [] : null;
  const { ms, byDeadline } = deadline.budget(settings.tlsTimeoutMs);
  const reader = new ServerAnswerReader(opts);
  return new Promise<HelloExchange>((resolve) => {
    let done = false;
    const finish = (r: HelloExchange) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.off("data", onData);
      socket.off("end", onEnd);
      socket.off("close", onEnd);
      socket.off("error", onError);
      resolve(r);
    };
    const ok = (outcome: HelloOutcome) =>
      finish({ ok: true, outcome, ms: Date.now() - started, bytes: kept ? Buffer.concat(kept) : null });
    const onData = (chunk: Buffer) => {
      const a = reader.push(chunk);
      if (kept && !reader.overLimit) kept.push(chunk);
      if (a && reader.overLimit) {
        finish({
          ok: false,
          failure: {
            failure: "tls_too_large",
            phase: "tls_handshake",
            detail: `more than ${reader.limit} bytes from the server without an answer to our ClientHello`,
          },
          starttlsOffered: true,
        });
      } else if (a) ok(a);
    };
    const onEnd = () => ok(reader.end());
    const onError = (err: unknown) => {
      const code = (err as { code?: unknown } | null)?.code;
      if (code === "ECONNRESET" || code === "EPIPE") {
        // A reset right after our hello is the server's way of saying no; bytes before it still count.
        const a = reader.end();
        ok(a.kind === "closed" ? { kind: "reset", detail: errorText(err) } : a);
      } else {
        finish({ ok: false, failure: classifySocketError(err, "tls_handshake"), starttlsOffered: true });
      }
    };
    const timer = setTimeout(() => {
      if (byDeadline) {
        finish({
          ok: false,
          failure: {
            failure: "deadline_exceeded",
            phase: "tls_handshake",
            detail: "the job deadline ran out",
          },
          starttlsOffered: true,
        });
      } else {
        // A ServerHello already read (reading on for the key exchange) still stands; else there is no answer.
        const a = reader.end();
        ok(a.kind === "closed" ? { kind: "timeout", received: reader.bytesReceived } : a);
      }
    }, ms);
    socket.on("data", onData);
    socket.once("end", onEnd);
    socket.once("close", onEnd);
    socket.on("error", onError);
    socket.write(hello);
  });
}
