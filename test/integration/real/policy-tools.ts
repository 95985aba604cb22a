/**
 * The reference tools the real-policies test compares mxsurvey with: `dig +dnssec` (header flags, rcode and
 * answer records), `curl` (the MTA-STS policy over HTTPS, headers and body) and `openssl s_client -dane_tlsa_*`
 * (DANE authentication by OpenSSL's own implementation). Each returns what the tool printed, parsed, plus the
 * command and raw text for failure messages.
 */

import { describeRun, run } from "./servers.js";

export interface DigRecord {
  name: string;
  type: string;
  /** The RDATA as dig prints it. */
  data: string;
}

export interface DigAnswer {
  args: string[];
  raw: string;
  /** "NOERROR", "SERVFAIL", ... */
  status: string;
  /** The header flags: qr rd ra ad cd ... */
  flags: string[];
  ad: boolean;
  /** The answer section without RRSIGs. */
  answers: DigRecord[];
  /** The RRSIG records of the answer section. */
  rrsigs: DigRecord[];
}

/** `dig +dnssec @SERVER -p PORT NAME TYPE` (and +cd when asked), parsed. Throws when dig fails to run. */
export async function digDnssec(
  server: string,
  port: number,
  name: string,
  type: string,
  opts: { cd?: boolean } = {},
): Promise<DigAnswer> {
  const args = [
    "+dnssec",
    `@${server}`,
    "-p",
    String(port),
    name,
    type,
    "+time=3",
    "+tries=2",
    "+nocookie",
    ...(opts.cd ? ["+cd"] : []),
  ];
  const r = await run("dig", args, { timeoutMs: 30_000 });
  if (r.code !== 0) throw new Error(describeRun(`dig ${args.join(" ")}`, r));
  const raw = r.stdout;
  const status = /status: ([A-Z]+)/.exec(raw)?.[1] ?? "";
  const flags = (/;; flags: ([a-z ]+);/.exec(raw)?.[1] ?? "").trim().split(/\s+/);
  const section = /;; ANSWER SECTION:\n([\s\S]*?)(?:\n\n|$)/.exec(raw)?.[1] ?? "";
  const records: DigRecord[] = section
    .split("\n")
    .filter((l) => l.trim() !== "" && !l.startsWith(";"))
    .map((l) => {
      const m = /^(\S+)\s+\d+\s+IN\s+(\S+)\s+(.*)$/.exec(l.trim());
      return m ? { name: m[1]!.replace(/\.$/, "").toLowerCase(), type: m[2]!, data: m[3]!.trim() } : null;
    })
    .filter((x): x is DigRecord => x !== null);
  return {
    args,
    raw,
    status,
    flags,
    ad: flags.includes("ad"),
    answers: records.filter((x) => x.type !== "RRSIG"),
    rrsigs: records.filter((x) => x.type === "RRSIG"),
  };
}

/** A TXT record's character-strings as dig prints them (`"a" "b"`), joined. */
export function digTxt(data: string): string {
  const parts = [...data.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((m) => m[1]!.replace(/\\(.)/g, "$1"));
  return parts.join("");
}

/** dig's TLSA presentation (`3 1 1 ABCD EF01...`, hex split by spaces) → mxsurvey's `3 1 1 abcdef01...`. */
export function digTlsa(data: string): string {
  const [u, s, m, ...hex] = data.trim().split(/\s+/);
  return `${u} ${s} ${m} ${hex.join("").toLowerCase()}`;
}

export interface CurlFetch {
  args: string[];
  raw: string;
  code: number | null;
  /** The status code of the (last) response. */
  status: number | null;
  /** Header names in lower case → value. */
  headers: Record<string, string>;
  body: string;
}

/**
 * `curl --resolve HOST:PORT:IP --cacert CA -sS -D - https://HOST:PORT/PATH`: curl's own DNS is bypassed (the
 * address is what our resolver gave), the certificate is verified against the lab CA with curl's rules.
 */
export async function curlGet(opts: {
  host: string;
  port: number;
  ip: string;
  caFile: string;
  path: string;
}): Promise<CurlFetch> {
  const url = `https://${opts.host}:${opts.port}${opts.path}`;
  const args = [
    "--noproxy",
    "*",
    "--resolve",
    `${opts.host}:${opts.port}:${opts.ip}`,
    "--cacert",
    opts.caFile,
    "--max-time",
    "15",
    "-sS",
    "-D",
    "-",
    url,
  ];
  const r = await run("curl", args, { timeoutMs: 30_000 });
  const raw = r.stdout + r.stderr;
  const split = r.stdout.indexOf("\r\n\r\n");
  const head = split < 0 ? r.stdout : r.stdout.slice(0, split);
  const body = split < 0 ? "" : r.stdout.slice(split + 4);
  const lines = head.split("\r\n");
  const status = Number(/^HTTP\/\S+ (\d{3})/.exec(lines[0] ?? "")?.[1] ?? Number.NaN);
  const headers: Record<string, string> = {};
  for (const l of lines.slice(1)) {
    const i = l.indexOf(":");
    if (i > 0) headers[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).trim();
  }
  return { args, raw, code: r.code, status: Number.isNaN(status) ? null : status, headers, body };
}

/** An MTA-STS policy body read the plain way (RFC 8461 §3.2: `key: value` lines), independent of mxsurvey. */
export function readPolicyBody(body: string): {
  version: string;
  mode: string;
  maxAge: number;
  mx: string[];
} {
  const out = { version: "", mode: "", maxAge: Number.NaN, mx: [] as string[] };
  for (const line of body.split(/\r?\n/)) {
    const m = /^([a-z_]+):\s*(.*?)\s*$/.exec(line);
    if (!m) continue;
    if (m[1] === "version") out.version = m[2]!;
    else if (m[1] === "mode") out.mode = m[2]!;
    else if (m[1] === "max_age") out.maxAge = Number(m[2]);
    else if (m[1] === "mx") out.mx.push(m[2]!.toLowerCase());
  }
  return out;
}

export interface DaneSClient {
  args: string[];
  raw: string;
  code: number | null;
  /** "Verification: OK" */
  verified: boolean;
  /** "Verification error: ..." */
  verificationError: string | null;
  verifyCode: number | null;
  verifyText: string | null;
  /** "DANE TLSA 3 1 1 ...hex matched EE certificate at depth 0": the record part, as OpenSSL shows it. */
  daneMatched: string | null;
  daneMatchedWhat: string | null;
}

/**
 * `openssl s_client -starttls smtp -connect IP:PORT -servername HOST -dane_tlsa_domain HOST
 * -dane_tlsa_rrdata RR...`: OpenSSL's DANE verification of the server with the given TLSA records (the ones
 * dig found; OpenSSL itself does no DNS).
 */
export async function sClientDane(opts: {
  ip: string;
  port: number;
  host: string;
  rrdata: string[];
  ehloName: string;
}): Promise<DaneSClient> {
  const args = [
    "20",
    "openssl",
    "s_client",
    "-starttls",
    "smtp",
    "-connect",
    `${opts.ip}:${opts.port}`,
    "-servername",
    opts.host,
    "-name",
    opts.ehloName,
    "-dane_tlsa_domain",
    opts.host,
    ...opts.rrdata.flatMap((r) => ["-dane_tlsa_rrdata", r]),
    "-crlf",
  ];
  const r = await run("timeout", args, { timeoutMs: 30_000, input: "QUIT\n" });
  const raw = r.stdout + r.stderr;
  const v = /^\s*Verify return code: (\d+) \((.*)\)/m.exec(raw);
  const dane = /^DANE TLSA (\d+ \d+ \d+ \S+) matched (.*)$/m.exec(raw);
  return {
    args: args.slice(1),
    raw,
    code: r.code,
    verified: /^Verification: OK$/m.test(raw),
    verificationError: /^Verification error: (.*)$/m.exec(raw)?.[1] ?? null,
    verifyCode: v ? Number(v[1]) : null,
    verifyText: v?.[2] ?? null,
    daneMatched: dane?.[1] ?? null,
    daneMatchedWhat: dane?.[2] ?? null,
  };
}
