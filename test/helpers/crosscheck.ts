/**
 * Cross-checking mxsurvey's TLS inventory against two independent scanners on lab servers (loopback only):
 * nmap's `ssl-enum-ciphers` script and testssl.sh, both from Debian's packages (`nmap`, `testssl.sh` — the
 * latter installs its script as /usr/bin/testssl). Used by test/integration/tls-crosscheck.test.ts and
 * test/bench/inventory.ts.
 *
 * Every tool's answer is turned into the same shape — per protocol version (mxsurvey's spelling: SSLv2, SSLv3,
 * TLSv1, TLSv1.1, TLSv1.2, TLSv1.3), offered or not, and the IANA names of the accepted suites — so they can be
 * compared as sets:
 * - nmap prints IANA names, except that it calls the TLS 1.3 suites TLS_AKE_WITH_<aead>_<hash> (tls.lua: "AKE"
 *   for authenticated key exchange); those become IANA's TLS_<aead>_<hash>;
 * - testssl.sh's JSON gives, per suite, its hex code, the OpenSSL name and the IANA name: the code is looked up in
 *   shared/tls/cipher-suites.ts, and the OpenSSL name is checked to be the one that registry has for that code;
 * - mxsurvey's row has "<version>:<IANA name>" entries already.
 *
 * Nothing here resolves a name: every target is an IP address (nmap -n, testssl.sh --ip IP --nodns none).
 */

import { execFileSync, spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { suiteByCode, suiteByName, suiteByOpenSslName } from "../../shared/tls/cipher-suites.js";

export const VERSIONS = ["SSLv2", "SSLv3", "TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"] as const;
export type Version = (typeof VERSIONS)[number];

/** One tool's view of one (IP, port): each version offered or not (absent: the tool did not say). */
export interface ToolView {
  versions: Partial<Record<Version, boolean>>;
  /** Accepted suites per version, IANA names, sorted. */
  suites: Partial<Record<Version, string[]>>;
  /** Names the tool printed that we could not map to a registry entry (should stay empty). */
  unmapped: string[];
}

function emptyView(): ToolView {
  return { versions: {}, suites: {}, unmapped: [] };
}

function addSuite(view: ToolView, version: Version, name: string): void {
  view.suites[version] ??= [];
  const list = view.suites[version];
  if (!list.includes(name)) list.push(name);
  list.sort();
}

export interface CrosscheckTools {
  nmap: string;
  testssl: string;
  /** What this call installed (empty when both were there already). */
  installed: string[];
}

function which(cmd: string): string | null {
  for (const dir of (process.env.PATH ?? "/usr/local/bin:/usr/bin:/bin").split(":")) {
    const p = `${dir}/${cmd}`;
    if (dir && existsSync(p)) return p;
  }
  return null;
}

function findTools(): { nmap: string | null; testssl: string | null } {
  return { nmap: which("nmap"), testssl: which("testssl") ?? which("testssl.sh") };
}

/**
 * nmap and testssl.sh, installed from Debian's packages when missing (idempotent: nothing runs when both are on
 * PATH). Throws with the apt-get output's tail when the install fails.
 */
export function ensureCrosscheckTools(): CrosscheckTools {
  let found = findTools();
  const missing = [found.nmap ? null : "nmap", found.testssl ? null : "testssl.sh"].filter(
    (p): p is string => p !== null,
  );
  if (missing.length > 0) {
    const apt = (args: string[]) =>
      execFileSync("apt-get", args, {
        encoding: "utf8",
        stdio: ["ignore", "pipe", "pipe"],
        env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
        timeout: 600_000,
      });
    try {
      try {
        apt(["install", "-y", "--no-install-recommends", ...missing]);
      } catch {
        apt(["update"]); // a fresh machine has no package lists yet
        apt(["install", "-y", "--no-install-recommends", ...missing]);
      }
    } catch (err) {
      const e = err as { stderr?: string; stdout?: string; message: string };
      const tail = `${e.stdout ?? ""}${e.stderr ?? ""}`.trim().split("\n").slice(-8).join("\n");
      throw new Error(
        `could not install ${missing.join(" and ")} with apt-get (needs root and Debian's mirror): ${e.message}\n${tail}`,
      );
    }
    found = findTools();
  }
  if (!found.nmap || !found.testssl) {
    throw new Error(
      `after apt-get install: nmap at ${found.nmap ?? "(missing)"}, testssl at ${found.testssl ?? "(missing)"}`,
    );
  }
  return { nmap: found.nmap, testssl: found.testssl, installed: missing };
}

/** CPU seconds (user + sys) of this process's waited-for children, from /proc/self/stat (cutime, cstime). */
export function childCpuSeconds(): number {
  const stat = readFileSync("/proc/self/stat", "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // After "pid (comm) ", field 3 (state) is index 0: cutime is field 16 → index 13, cstime field 17 → index 14.
  const ticks = Number(fields[13]) + Number(fields[14]);
  return ticks / 100; // USER_HZ is 100 on Linux
}

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
  wallMs: number;
  /** User + sys CPU seconds of the child and everything it waited for. */
  cpuS: number;
}

/** Run a command to completion; CPU from the children counters around it (callers run one at a time). */
export function runTool(cmd: string, args: string[], timeoutMs = 600_000): Promise<RunResult> {
  const cpu0 = childCpuSeconds();
  const t0 = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (b: Buffer) => {
      stdout += b.toString();
    });
    child.stderr.on("data", (b: Buffer) => {
      stderr += b.toString();
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, wallMs: Date.now() - t0, cpuS: childCpuSeconds() - cpu0 });
    });
  });
}

// ---------------------------------------------------------------------------------------------------------
// nmap ssl-enum-ciphers

const NMAP_VERSION: Record<string, Version> = {
  SSLv3: "SSLv3",
  "TLSv1.0": "TLSv1",
  "TLSv1.1": "TLSv1.1",
  "TLSv1.2": "TLSv1.2",
  "TLSv1.3": "TLSv1.3",
};

/** nmap's suite name → IANA's (TLS 1.3: TLS_AKE_WITH_X → TLS_X), checked against the registry. */
export function nmapSuiteToIana(name: string): string | null {
  const iana = name.replace(/^TLS_AKE_WITH_/, "TLS_");
  return suiteByName(iana) ? iana : null;
}

export function nmapArgs(ips: string[], port: number, serverName: string): string[] {
  return [
    "-Pn",
    "-n",
    "-p",
    String(port),
    "--script",
    "ssl-enum-ciphers",
    "--script-args",
    `tls.servername=${serverName}`,
    "-oX",
    "-",
    ...ips,
  ];
}

const unescapeXml = (s: string) =>
  s
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&");

/**
 * nmap's XML (-oX) → a view per "ip:port". The script's structured output is nested <table key="TLSv1.2"> →
 * <table key="ciphers"> → <table> → <elem key="name">; a version nmap lists is offered, one it omits is not
 * (ssl-enum-ciphers only lists versions that completed a handshake). A port without the script's output (closed,
 * STARTTLS failed) gets no entry.
 */
export function parseNmapXml(xml: string): Map<string, ToolView> {
  const out = new Map<string, ToolView>();
  for (const hostXml of xml.split(/<host[\s>]/).slice(1)) {
    const ip = /<address addr="([^"]+)" addrtype="ipv[46]"/.exec(hostXml)?.[1];
    if (!ip) continue;
    for (const portXml of hostXml.split(/<port protocol="tcp" /).slice(1)) {
      const port = /^portid="(\d+)"/.exec(portXml)?.[1];
      const scriptStart = portXml.indexOf('<script id="ssl-enum-ciphers"');
      if (!port || scriptStart < 0) continue;
      const script = portXml.slice(scriptStart, portXml.indexOf("</script>", scriptStart));
      const view = emptyView();
      for (const v of VERSIONS) if (v !== "SSLv2") view.versions[v] = false;
      let current: Version | null = null;
      for (const m of script.matchAll(/<table key="([^"]+)">|<elem key="name">([^<]*)<\/elem>/g)) {
        if (m[1] !== undefined) {
          const v = NMAP_VERSION[m[1]];
          if (v) {
            current = v;
            view.versions[v] = true;
            view.suites[v] ??= [];
          }
        } else if (current && m[2] !== undefined) {
          const raw = unescapeXml(m[2]);
          const iana = nmapSuiteToIana(raw);
          if (iana) addSuite(view, current, iana);
          else view.unmapped.push(`${current}:${raw}`);
        }
      }
      out.set(`${ip}:${port}`, view);
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// testssl.sh

export function testsslArgs(ip: string, port: number, jsonFile: string): string[] {
  return [
    "--starttls",
    "smtp",
    "-p",
    "-E",
    "--ip",
    ip,
    "--nodns",
    "none",
    "--warnings",
    "off",
    "--color",
    "0",
    "--jsonfile",
    jsonFile,
    `${ip}:${port}`,
  ];
}

const TESTSSL_VERSION: Record<string, Version> = {
  SSLv2: "SSLv2",
  SSLv3: "SSLv3",
  TLS1: "TLSv1",
  TLS1_1: "TLSv1.1",
  TLS1_2: "TLSv1.2",
  TLS1_3: "TLSv1.3",
};
const TESTSSL_CIPHER_ID: Record<string, Version> = {
  ssl2: "SSLv2",
  ssl3: "SSLv3",
  tls1: "TLSv1",
  tls1_1: "TLSv1.1",
  tls1_2: "TLSv1.2",
  tls1_3: "TLSv1.3",
};

/**
 * testssl.sh's flat JSON (--jsonfile) → a view. Protocols: ids SSLv2 … TLS1_3 whose finding starts "offered" or
 * "not offered". Suites: ids "cipher-<proto>_x<hex>" whose finding is "<proto> x<hex> <OpenSSL name> <kx>
 * <enc> <bits> <IANA name>"; the hex code is the key, the OpenSSL name is checked against the registry.
 */
export function parseTestsslJson(text: string): ToolView {
  const view = emptyView();
  const items = JSON.parse(text) as { id: string; finding: string; severity?: string }[];
  for (const item of items) {
    const proto = TESTSSL_VERSION[item.id];
    if (proto) {
      if (/^not offered/.test(item.finding)) view.versions[proto] = false;
      else if (/^offered/.test(item.finding)) view.versions[proto] = true;
      continue;
    }
    const m = /^cipher-(ssl2|ssl3|tls1|tls1_1|tls1_2|tls1_3)_x([0-9a-f]+)$/i.exec(item.id);
    if (!m) continue;
    const version = TESTSSL_CIPHER_ID[m[1]!]!;
    const code = Number.parseInt(m[2]!, 16);
    const words = item.finding.trim().split(/\s+/);
    const opensslName = words.find((w, i) => i >= 2 && /^[A-Z0-9-]+$/.test(w) && w.includes("-"));
    const suite = suiteByCode(code);
    if (!suite) {
      view.unmapped.push(`${version}:0x${m[2]}`);
      continue;
    }
    if (opensslName && suite.openssl && suiteByOpenSslName(opensslName)?.code !== code) {
      view.unmapped.push(`${version}:${opensslName} is not 0x${m[2]} (${suite.iana}) in our registry`);
    }
    addSuite(view, version, suite.iana);
  }
  return view;
}

// ---------------------------------------------------------------------------------------------------------
// mxsurvey

/** The inventory fields of one mxsurvey host row (JSON) → a view. */
export function mxsurveyView(row: Record<string, unknown>): ToolView {
  const view = emptyView();
  const field: Record<Version, string> = {
    SSLv2: "ssl2",
    SSLv3: "ssl3",
    TLSv1: "tls10",
    "TLSv1.1": "tls11",
    "TLSv1.2": "tls12",
    "TLSv1.3": "tls13",
  };
  for (const v of VERSIONS) {
    const value = row[field[v]];
    if (typeof value === "boolean") view.versions[v] = value;
  }
  for (const entry of (row.ciphers as string[] | undefined) ?? []) {
    const colon = entry.indexOf(":");
    const v = entry.slice(0, colon) as Version;
    const name = entry.slice(colon + 1);
    if (!VERSIONS.includes(v) || (v !== "SSLv2" && !suiteByName(name))) view.unmapped.push(entry);
    else addSuite(view, v, name);
  }
  return view;
}

/** Differences between two views, as lines ("TLSv1.2: only in nmap: X"); empty when they agree. */
export function diffViews(
  a: ToolView,
  aName: string,
  b: ToolView,
  bName: string,
  versions: readonly Version[] = VERSIONS,
): string[] {
  const out: string[] = [];
  for (const v of versions) {
    const va = a.versions[v];
    const vb = b.versions[v];
    if (va !== undefined && vb !== undefined && va !== vb) out.push(`${v}: ${aName} ${va}, ${bName} ${vb}`);
    const sa = a.suites[v] ?? [];
    const sb = b.suites[v] ?? [];
    const onlyA = sa.filter((s) => !sb.includes(s));
    const onlyB = sb.filter((s) => !sa.includes(s));
    if (onlyA.length) out.push(`${v}: only in ${aName}: ${onlyA.join(", ")}`);
    if (onlyB.length) out.push(`${v}: only in ${bName}: ${onlyB.join(", ")}`);
  }
  return out;
}

/** Total suites of a view (all versions). */
export function suiteCount(view: ToolView): number {
  return Object.values(view.suites).reduce((n, l) => n + (l?.length ?? 0), 0);
}
