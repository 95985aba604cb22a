/**
 * The reference tools the real-servers test compares mxsurvey with: dig, openssl (s_client, x509, ciphers,
 * pkey, dgst) and a plain SMTP conversation over a socket. Each returns what the tool printed, parsed into the
 * terms of mxsurvey's host row, plus the raw text for failure messages.
 */

import * as net from "node:net";
import { describeRun, run } from "./servers.js";

/** `dig @SERVER -p PORT NAME TYPE +short` → its answer lines. Throws when dig fails. */
export async function dig(server: string, port: number, name: string, type: string): Promise<string[]> {
  const args = [`@${server}`, "-p", String(port), name, type, "+short", "+time=2", "+tries=2"];
  const r = await run("dig", args, { timeoutMs: 20_000 });
  if (r.code !== 0) throw new Error(describeRun(`dig ${args.join(" ")}`, r));
  return r.stdout
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "");
}

export interface SClientFacts {
  raw: string;
  /** "Protocol  : TLSv1.3" (and "New, TLSv1.3, Cipher is ..."). */
  protocol: string | null;
  /** OpenSSL's cipher name. */
  cipher: string | null;
  /** "Server Temp Key: X25519, 253 bits" → X25519; "ECDH, prime256v1, 256 bits" → prime256v1; "DH, 2048 bits" → DH-2048. */
  tempKey: string | null;
  verifyCode: number | null;
  verifyText: string | null;
  /** The certificates the server sent (-showcerts), leaf first, PEM. */
  certs: string[];
  /** "Didn't find STARTTLS in server response". */
  starttlsMissing: boolean;
  /** The EHLO reply inside TLS (we send EHLO after the handshake), lines without CRLF; [] when none. */
  ehloInTls: string[];
}

/**
 * `openssl s_client -starttls smtp -connect IP:PORT -servername HOST -CAfile CA -showcerts -name EHLO_NAME -crlf
 * -ign_eof`, sending "EHLO EHLO_NAME" and "QUIT" once TLS is up, under `timeout 20`.
 */
export async function sClient(opts: {
  ip: string;
  port: number;
  servername: string;
  caFile: string;
  ehloName: string;
}): Promise<SClientFacts & { args: string[]; code: number | null }> {
  const args = [
    "20",
    "openssl",
    "s_client",
    "-starttls",
    "smtp",
    "-connect",
    `${opts.ip}:${opts.port}`,
    "-servername",
    opts.servername,
    "-CAfile",
    opts.caFile,
    "-showcerts",
    "-name",
    opts.ehloName,
    "-crlf",
    "-ign_eof",
  ];
  const r = await run("timeout", args, { timeoutMs: 30_000, input: `EHLO ${opts.ehloName}\nQUIT\n` });
  return { ...parseSClient(r.stdout + r.stderr), args: args.slice(1), code: r.code };
}

export function parseSClient(raw: string): SClientFacts {
  const lines = raw.split(/\r?\n/);
  const find = (re: RegExp): RegExpMatchArray | null => {
    for (const l of lines) {
      const m = re.exec(l);
      if (m) return m;
    }
    return null;
  };
  const protocol = find(/^\s*Protocol\s*:\s*(\S+)/)?.[1] ?? find(/^New, (\S+), Cipher is (\S+)/)?.[1] ?? null;
  const cipher = find(/^\s*Cipher\s*:\s*(\S+)/)?.[1] ?? find(/^New, \S+, Cipher is (\S+)/)?.[1] ?? null;
  let tempKey: string | null = null;
  const tk = find(/^Server Temp Key: (.+)$/)?.[1];
  if (tk) {
    const parts = tk.split(",").map((p) => p.trim());
    if (parts[0] === "ECDH" && parts[1]) tempKey = parts[1];
    else if (parts[0] === "DH") tempKey = `DH-${(parts[1] ?? "").replace(/ bits$/, "")}`;
    else tempKey = parts[0] ?? null;
  }
  const v = find(/^\s*Verify return code: (\d+) \((.*)\)/);
  const certs = raw.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [];
  // The EHLO reply we sent inside TLS: "250-<host>" (or "250 <host>") up to the "250 " line.
  const ehloInTls: string[] = [];
  const start = lines.findIndex((l) => /^250[- ][a-z0-9-]+(\.[a-z0-9-]+)+$/i.test(l));
  if (start >= 0) {
    for (let i = start; i < lines.length; i++) {
      const l = lines[i] ?? "";
      if (!/^250[- ]/.test(l)) break;
      ehloInTls.push(l);
      if (l.startsWith("250 ")) break;
    }
  }
  return {
    raw,
    protocol,
    cipher,
    tempKey,
    verifyCode: v ? Number(v[1]) : null,
    verifyText: v?.[2] ?? null,
    certs: certs.map((c) => `${c}\n`),
    starttlsMissing: raw.includes("Didn't find STARTTLS in server response"),
    ehloInTls,
  };
}

/** The EHLO keywords of a reply ("250-HOST", "250-PIPELINING", "250 CHUNKING") as mxsurvey writes them. */
export function ehloExtensions(reply: string[]): string[] {
  return reply.slice(1).map((l) => {
    const text = l.slice(4);
    const sp = text.indexOf(" ");
    return sp < 0 ? text.toUpperCase() : `${text.slice(0, sp).toUpperCase()}${text.slice(sp)}`;
  });
}

/** OpenSSL cipher names → IANA names, from `openssl ciphers -stdname ALL:COMPLEMENTOFALL`. */
export async function opensslToIanaCiphers(): Promise<Map<string, string>> {
  const r = await run("openssl", ["ciphers", "-stdname", "ALL:COMPLEMENTOFALL"], { timeoutMs: 20_000 });
  if (r.code !== 0) throw new Error(describeRun("openssl ciphers -stdname", r));
  const map = new Map<string, string>();
  for (const line of r.stdout.split("\n")) {
    const m = /^(\S+)\s+-\s+(\S+)\s/.exec(line.trim());
    if (m?.[1] && m[2]) map.set(m[2], m[1]);
  }
  return map;
}

/** OpenSSL's group names → the names mxsurvey reports (RFC 8446 / RFC 8422 names, lower case). */
export const OPENSSL_GROUP_TO_MXSURVEY: Record<string, string> = {
  X25519: "x25519",
  X448: "x448",
  prime256v1: "secp256r1",
  secp384r1: "secp384r1",
  secp521r1: "secp521r1",
};

export interface X509Facts {
  sha256: string;
  subjectCn: string | null;
  /** RFC 2253 form. */
  issuer: string;
  notBefore: Date;
  notAfter: Date;
  sans: string[];
  keyAlgorithm: string | null;
  keyBits: number | null;
  sigAlg: string | null;
  spkiSha256: string;
  /** `openssl x509 -checkhost NAME` for each name asked. */
  matches: Record<string, boolean>;
}

async function openssl(args: string[], input: string | Buffer): Promise<{ text: string; bytes: Buffer }> {
  const r = await run("openssl", args, { timeoutMs: 20_000, input });
  if (r.code !== 0) throw new Error(describeRun(`openssl ${args.join(" ")}`, r));
  return { text: r.stdout, bytes: r.stdoutBytes };
}

/** What openssl says of one PEM certificate. */
export async function x509Facts(pem: string, checkHosts: string[] = []): Promise<X509Facts> {
  const fp = (await openssl(["x509", "-noout", "-fingerprint", "-sha256"], pem)).text;
  const sha256 = (/Fingerprint=([0-9A-F:]+)/i.exec(fp)?.[1] ?? "").replaceAll(":", "").toLowerCase();
  const subject = (await openssl(["x509", "-noout", "-subject", "-nameopt", "RFC2253"], pem)).text;
  const issuer = (await openssl(["x509", "-noout", "-issuer", "-nameopt", "RFC2253"], pem)).text;
  const dates = (await openssl(["x509", "-noout", "-dates"], pem)).text;
  const text = (await openssl(["x509", "-noout", "-text"], pem)).text;
  const sanOut = (await openssl(["x509", "-noout", "-ext", "subjectAltName"], pem)).text;
  const pubPem = (await openssl(["x509", "-noout", "-pubkey"], pem)).text;
  const spkiDer = (await openssl(["pkey", "-pubin", "-outform", "DER"], pubPem)).bytes;
  const spkiDigest = (await openssl(["dgst", "-sha256", "-r"], spkiDer)).text;
  const matches: Record<string, boolean> = {};
  for (const h of checkHosts) {
    const out = (await openssl(["x509", "-noout", "-checkhost", h], pem)).text;
    matches[h] = / does match certificate/.test(out);
  }
  const date = (key: string) => new Date(new RegExp(`${key}=(.+)`).exec(dates)?.[1] ?? "invalid");
  return {
    sha256,
    subjectCn: /(?:^|,)CN=([^,\n]+)/.exec(subject.replace(/^subject=/, ""))?.[1] ?? null,
    issuer: issuer.replace(/^issuer=/, "").trim(),
    notBefore: date("notBefore"),
    notAfter: date("notAfter"),
    sans: [...sanOut.matchAll(/DNS:([^,\s]+)/g)].map((m) => m[1] ?? ""),
    keyAlgorithm: /Public Key Algorithm: (\S+)/.exec(text)?.[1] ?? null,
    keyBits: Number(/Public-Key: \((\d+) bit\)/.exec(text)?.[1] ?? Number.NaN) || null,
    sigAlg: /Signature Algorithm: (\S+)/.exec(text)?.[1] ?? null,
    spkiSha256: (/^([0-9a-f]{64})/.exec(spkiDigest.trim())?.[1] ?? "").toLowerCase(),
    matches,
  };
}

export interface SmtpHello {
  /** The greeting's lines. */
  banner: string[];
  /** The EHLO reply's lines. */
  ehlo: string[];
}

/** Greeting, "EHLO name", reply, "QUIT": a plain SMTP conversation of our own, within timeoutMs. */
export function plainEhlo(
  ip: string,
  port: number,
  ehloName: string,
  timeoutMs = 15_000,
): Promise<SmtpHello> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: ip, port });
    let buffer = "";
    const replies: string[][] = [];
    let sentEhlo = false;
    const timer = setTimeout(() => {
      socket.destroy();
      reject(
        new Error(
          `plain EHLO to ${ip}:${port}: no complete reply within ${timeoutMs} ms; got ${JSON.stringify(buffer)}`,
        ),
      );
    }, timeoutMs);
    const finish = (err?: Error) => {
      clearTimeout(timer);
      socket.destroy();
      if (err) reject(err);
      else resolve({ banner: replies[0] ?? [], ehlo: replies[1] ?? [] });
    };
    socket.on("error", (e) => finish(new Error(`plain EHLO to ${ip}:${port}: ${e.message}`)));
    socket.on("data", (chunk: Buffer) => {
      buffer += chunk.toString("latin1");
      for (;;) {
        const lines = buffer.split("\r\n");
        const end = lines.findIndex((l) => /^\d{3}( |$)/.test(l));
        if (end < 0 || end === lines.length - 1) break;
        replies.push(lines.slice(0, end + 1));
        buffer = lines.slice(end + 1).join("\r\n");
      }
      if (replies.length >= 1 && !sentEhlo) {
        sentEhlo = true;
        socket.write(`EHLO ${ehloName}\r\n`);
      }
      if (replies.length >= 2) {
        socket.write("QUIT\r\n");
        finish();
      }
    });
  });
}
