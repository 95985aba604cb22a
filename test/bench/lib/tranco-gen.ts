/**
 * A synthetic Tranco-style list (`rank,domain`, LF) for the ingest benchmark: deterministic, with name lengths
 * and shapes like a real top-1M list — mostly second-level names under com/net/org and country codes, some
 * subdomains, some IDNs (Unicode and A-label), ~3% repeated names (some in another case or with a root dot) and
 * a few invalid lines.
 */

import { once } from "node:events";
import { createWriteStream } from "node:fs";
import { toASCII } from "tr46";
import { UTS46_STRICT } from "../../../coordinator/ingest/normalize.js";

export interface GenOptions {
  lines: number;
  seed?: number;
  /** Quote both fields and end lines with CRLF (`"1","example.com"\r\n`). */
  quoted?: boolean;
}

export interface GenStats {
  lines: number;
  bytes: number;
  repeats: number;
  idn: number;
  invalid: number;
}

const SYLLABLES = (
  "an ar at ba be bi bo bu ca ce ci co cu da de di do du el en er es fa fe fi fo ga ge go gu ha he hi ho " +
  "in is it ja jo ka ke ki ko la le li lo lu ma me mi mo mu na ne ni no nu on or pa pe pi po pu ra re ri ro ru " +
  "sa se si so su ta te ti to tu un ur va ve vi vo wa we wi xa yo za ze zi zo shop news web net tech data " +
  "cloud mail blog media online store bank game play book home info star smart city live world group"
).split(" ");

const TLDS: [string, number][] = [
  ["com", 48],
  ["net", 6],
  ["org", 6],
  ["de", 4],
  ["ru", 4],
  ["co.uk", 2],
  ["jp", 2],
  ["com.br", 2],
  ["fr", 2],
  ["it", 1.5],
  ["pl", 1.5],
  ["in", 1.5],
  ["io", 1.5],
  ["nl", 1],
  ["cn", 1],
  ["com.au", 1],
  ["co", 1],
  ["edu", 1],
  ["gov", 0.5],
  ["info", 1],
  ["xyz", 1],
  ["me", 1],
  ["tv", 0.5],
  ["es", 1],
  ["cz", 0.5],
  ["ir", 0.5],
  ["ca", 1],
  ["eu", 0.5],
  ["ch", 0.5],
  ["se", 0.5],
];

const IDN_UNICODE = [
  "bücher",
  "münchen",
  "пример",
  "россия",
  "例子",
  "テスト",
  "قطر",
  "δοκιμή",
  "straße",
  "café",
];
const IDN_TLDS = ["de", "com", "xn--p1ai", "рф", "中国", "jp", "net"];

const INVALID = [
  "under_score.example",
  "192.0.2.44",
  "-leading.example",
  "double..dot.example",
  "http://www.example.com/",
  `${"x".repeat(70)}.example`,
  "*.example.com",
  "",
];

export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export async function generateTranco(path: string, opts: GenOptions): Promise<GenStats> {
  const rand = rng(opts.seed ?? 1);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const tldTotal = TLDS.reduce((s, [, w]) => s + w, 0);
  const tld = () => {
    let x = rand() * tldTotal;
    for (const [t, w] of TLDS) {
      x -= w;
      if (x < 0) return t;
    }
    return "com";
  };
  const label = () => {
    const n = 2 + Math.floor(rand() * rand() * 4);
    let s = "";
    for (let i = 0; i < n; i++) s += pick(SYLLABLES);
    const r = rand();
    if (r < 0.1) s += Math.floor(rand() * 1000);
    else if (r < 0.16) s += `-${pick(SYLLABLES)}`;
    return s;
  };
  // Names are drawn until new, so repeats are only the deliberate ~3%.
  const used = new Set<string>();
  const fresh = (make: () => string) => {
    let d = make();
    for (let i = 0; used.has(d); i++) d = i < 3 ? make() : `${pick(SYLLABLES)}${i}${d}`;
    used.add(d);
    return d;
  };
  const recent: string[] = [];
  const stats: GenStats = { lines: opts.lines, bytes: 0, repeats: 0, idn: 0, invalid: 0 };
  const out = createWriteStream(path);
  let batch = "";
  for (let rank = 1; rank <= opts.lines; rank++) {
    const r = rand();
    let d: string;
    if (r < 0.03 && recent.length > 0) {
      d = pick(recent);
      const v = rand();
      if (v < 0.2) d = d.toUpperCase();
      else if (v < 0.3) d = `${d}.`;
      stats.repeats++;
    } else if (r < 0.035) {
      // An IDN, as Unicode or (40%) as its A-labels; unique by its A-label form.
      let u: string;
      let a: string | null;
      do {
        u = `${pick(IDN_UNICODE)}${pick(SYLLABLES)}${Math.floor(rand() * 100)}.${pick(IDN_TLDS)}`;
        a = toASCII(u, UTS46_STRICT);
      } while (a === null || used.has(a));
      used.add(a);
      d = rand() < 0.4 ? a : u;
      stats.idn++;
    } else if (r < 0.0355) {
      d = pick(INVALID);
      stats.invalid++;
    } else {
      const sub = rand();
      const host = sub < 0.06 ? `${pick(["www", "m", "mail", "api", "cdn", "app", "static", "login"])}.` : "";
      d = fresh(() => `${host}${label()}.${tld()}`);
      if (recent.length < 50_000) recent.push(d);
      else recent[Math.floor(rand() * recent.length)] = d;
    }
    batch += opts.quoted ? `"${rank}","${d.replace(/"/g, '""')}"\r\n` : `${rank},${d}\n`;
    if (batch.length > 1 << 16) {
      stats.bytes += Buffer.byteLength(batch);
      if (!out.write(batch)) await once(out, "drain");
      batch = "";
    }
  }
  stats.bytes += Buffer.byteLength(batch);
  out.end(batch);
  await once(out, "finish");
  return stats;
}
