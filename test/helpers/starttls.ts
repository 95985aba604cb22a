/**
 * A bare SMTP STARTTLS dialogue for tests that need the certificates a server presents (probeSmtpStarttls
 * keeps only their hashes): connect, greeting, EHLO, STARTTLS, then the probe's own TLS client
 * (worker/net/tls-client.ts startTls), and QUIT. Returns TlsFacts (facts.presented: DER, leaf first, as sent)
 * or throws with what went wrong — a test helper, not a probe.
 */

import { connect } from "node:net";
import type { SecureContext } from "node:tls";
import { Deadline } from "../../worker/net/deadline.js";
import { SmtpChannel } from "../../worker/net/smtp-channel.js";
import { startTls, type TlsFacts } from "../../worker/net/tls-client.js";

export interface StarttlsResult {
  starttlsOffered: boolean;
  /** Null when STARTTLS was not offered. */
  facts: TlsFacts | null;
}

export async function starttlsFacts(opts: {
  ip: string;
  port: number;
  /** SNI (the MX host name). */
  servername: string;
  secureContext: SecureContext;
  ehloName?: string;
  timeoutMs?: number;
}): Promise<StarttlsResult> {
  const timeoutMs = opts.timeoutMs ?? 5_000;
  const deadline = Deadline.after(4 * timeoutMs);
  const socket = connect({ host: opts.ip, port: opts.port });
  await new Promise<void>((resolve, reject) => {
    socket.once("connect", resolve);
    socket.once("error", reject);
  });
  const channel = new SmtpChannel(socket, deadline);
  const expectCode = async (code: number, what: string): Promise<string> => {
    const r = await channel.readReply("ehlo", timeoutMs, "smtp_timeout");
    if (!r.ok) throw new Error(`${what}: ${r.failure.failure} ${r.failure.detail}`);
    if (r.reply.code !== code) throw new Error(`${what}: ${r.reply.raw}`);
    return r.reply.raw;
  };
  try {
    await expectCode(220, "greeting");
    channel.write(`EHLO ${opts.ehloName ?? "dane.mxsurvey.test"}`);
    const ehlo = await expectCode(250, "EHLO");
    if (!/^250[- ]STARTTLS\b/im.test(ehlo)) {
      channel.write("QUIT");
      return { starttlsOffered: false, facts: null };
    }
    channel.write("STARTTLS");
    await expectCode(220, "STARTTLS");
    channel.detach();
    const tls = await startTls(socket, {
      servername: opts.servername,
      secureContext: opts.secureContext,
      timeoutMs,
      deadline,
    });
    if (!tls.ok) throw new Error(`TLS: ${tls.failure.failure} ${tls.failure.detail}`);
    tls.socket.end("QUIT\r\n");
    tls.socket.destroy();
    return { starttlsOffered: true, facts: tls.facts };
  } finally {
    channel.detach();
    socket.destroy();
  }
}
