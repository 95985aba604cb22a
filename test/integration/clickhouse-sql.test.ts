/**
 * Property test of shared/store/sql.ts against a real ClickHouse server: many random strings, full of what
 * breaks naive escaping, go through quoteString into `SELECT`, and the server must hand back exactly the
 * original — compared as UTF-8 bytes (hex()), byte length (length()) and the decoded JSON value.
 */

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ClickHouseStore } from "../../shared/store/clickhouse.js";
import {
  quoteArray,
  quoteDateTime,
  quoteIdentifier,
  quoteNumber,
  quoteString,
  quoteValue,
  wellFormed,
} from "../../shared/store/sql.js";
import { type ClickHouseInstance, startClickHouse } from "../helpers/clickhouse.js";

/** mulberry32: a small seeded PRNG, so a failure can be replayed. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const NASTY = [
  "\0",
  "\r",
  "\n",
  "\r\n",
  "\t",
  "\\",
  "'",
  '"',
  "`",
  "?",
  "{x:String}",
  "{x:UInt8}",
  "\\'",
  "''",
  "\\x00",
  "\\n",
  "\\",
  "\\\\",
  "';",
  "' OR 1=1 --",
  "/*",
  "*/",
  "--",
  ";",
  "\nFORMAT TabSeparated",
  "$1",
  ":x",
  "%s",
  "\x7f",
  "\x1b[31m",
  "\x08\x0c\x0b\x07",
  "😀",
  "👩‍👩‍👧",
  "𝄞",
  "é",
  "ÿ",
  "\u0080",
  "\u00a0",
  "\u2028",
  "\u2029",
  "\ufeff",
  "\uffff",
  "\ufffd",
  "日本語",
];

function randomChar(r: () => number): string {
  const k = r();
  if (k < 0.35) return String.fromCharCode(32 + Math.floor(r() * 95)); // printable ASCII
  if (k < 0.5) return String.fromCharCode(Math.floor(r() * 32)); // C0 controls, NUL included
  if (k < 0.65) return String.fromCharCode(0x80 + Math.floor(r() * 0x80)); // "lone high bytes" as latin1
  if (k < 0.85) {
    const c = Math.floor(r() * 0xffff);
    return c >= 0xd800 && c <= 0xdfff ? "x" : String.fromCharCode(c); // BMP, no surrogates
  }
  return String.fromCodePoint(0x10000 + Math.floor(r() * 0xfffff)); // astral: a surrogate pair
}

function randomString(r: () => number, maxPieces: number): string {
  const n = Math.floor(r() * maxPieces);
  let s = "";
  for (let i = 0; i < n; i++) s += r() < 0.4 ? NASTY[Math.floor(r() * NASTY.length)]! : randomChar(r);
  return s;
}

function utf8Hex(s: string): string {
  return Buffer.from(s, "utf8").toString("hex").toUpperCase();
}

let ch: ClickHouseInstance;
let store: ClickHouseStore;

beforeAll(async () => {
  ch = await startClickHouse();
  store = new ClickHouseStore({ url: ch.url });
}, 20 * 60_000);

afterAll(async () => {
  await store?.close();
  await ch?.stop();
}, 120_000);

/**
 * SELECT every string back, in as few queries as the server's max_query_size (256 KiB of query text by
 * default; it bounds a SELECT's literals, not INSERT data) allows. Each literal appears once; hex() and
 * length() map over the array of literals.
 */
async function roundTrip(strings: string[]): Promise<void> {
  const budget = 250_000;
  let i = 0;
  while (i < strings.length) {
    const batch: number[] = [];
    let size = 0;
    while (i < strings.length) {
      const bytes = Buffer.byteLength(quoteString(strings[i]!), "utf8") + 60;
      if (batch.length > 0 && size + bytes > budget) break;
      size += bytes;
      batch.push(i++);
    }
    const literals = batch.map((j) => quoteString(strings[j]!));
    const [row] = await store.query<{ s: string[]; h: string[]; l: (string | number)[] }>(
      `SELECT [${literals.join(", ")}] AS s, arrayMap(x -> hex(x), s) AS h, arrayMap(x -> length(x), s) AS l`,
    );
    expect(row).toBeDefined();
    batch.forEach((j, k) => {
      const s = strings[j]!;
      const expected = { hex: utf8Hex(s), length: Buffer.byteLength(s, "utf8"), value: s };
      const got = { hex: row!.h[k], length: Number(row!.l[k]), value: row!.s[k] };
      if (got.hex !== expected.hex || got.length !== expected.length || got.value !== expected.value) {
        throw new Error(
          `round trip failed for string #${j} ${JSON.stringify(s)}: got ${JSON.stringify(got)}`,
        );
      }
    });
  }
}

describe("quoteString round-trips through ClickHouse", () => {
  it("the nasty pieces, one by one and all together", async () => {
    await roundTrip([...NASTY, NASTY.join(""), "", " ", "a'b\\c\0d\ne"]);
  });

  it("every code unit 0x00-0xFF and a sample of the BMP and astral planes", async () => {
    const all: string[] = [];
    for (let c = 0; c < 256; c++) all.push(String.fromCharCode(c), `x${String.fromCharCode(c)}y`);
    for (let c = 0x100; c < 0xd800; c += 97) all.push(String.fromCharCode(c));
    for (let c = 0xe000; c <= 0xffff; c += 89) all.push(String.fromCharCode(c));
    for (let c = 0x10000; c <= 0x10ffff; c += 4099) all.push(String.fromCodePoint(c));
    await roundTrip(all);
  });

  it("10000 random strings (seeded)", async () => {
    const seed = Number(process.env["MXSURVEY_SQL_SEED"] ?? 20251124);
    const r = rng(seed);
    const strings = Array.from({ length: 10_000 }, () => randomString(r, 60));
    await roundTrip(strings);
  });

  it("long strings (20k to 50k code units)", async () => {
    const r = rng(7);
    const strings = Array.from({ length: 6 }, (_, i) => {
      let s = "";
      const n = 20_000 + i * 6_000;
      while (s.length < n) s += randomString(r, 50);
      return s;
    });
    strings.push("'".repeat(30_000), "\\".repeat(30_000), "\0".repeat(20_000), "😀".repeat(15_000));
    await roundTrip(strings);
  });

  it("lone surrogates (no UTF-8 form) come back as U+FFFD, like Node's UTF-8 encoding", async () => {
    const odd = ["\ud800", "a\udc00b", "\udbff\udbff", "😀\ud83d", "\ude00😀"];
    const [row] = await store.query<Record<string, string>>(
      `SELECT ${odd.map((s, i) => `hex(${quoteString(s)}) AS h${i}, ${quoteString(s)} AS s${i}`).join(", ")}`,
    );
    odd.forEach((s, i) => {
      expect(row![`h${i}`]).toBe(utf8Hex(s)); // Buffer.from(s) also encodes a lone surrogate as EF BF BD
      expect(row![`s${i}`]).toBe(wellFormed(s));
      expect(wellFormed(s)).toContain("\ufffd");
    });
  });
});

describe("other literals", () => {
  it("quoteIdentifier accepts our names and refuses anything else", async () => {
    expect(quoteIdentifier("hosts")).toBe("`hosts`");
    for (const bad of ["", "1a", "a-b", "a`b", "a b", "hosts; DROP", "é", "a.b"]) {
      expect(() => quoteIdentifier(bad)).toThrow(/not a valid identifier/);
    }
    const [row] = await store.query<Record<string, number>>(`SELECT 1 AS ${quoteIdentifier("_x9")}`);
    expect(row).toEqual({ _x9: 1 });
  });

  it("quoteDateTime is UTC, second precision, clamped to DateTime's range", async () => {
    const cases: [string, string][] = [
      ["2026-01-02T03:04:05.678Z", "2026-01-02 03:04:05"],
      ["2026-01-02T05:04:05+02:00", "2026-01-02 03:04:05"],
      ["1970-01-01T00:00:01Z", "1970-01-01 00:00:01"],
      ["2105-12-31T23:59:59Z", "2105-12-31 23:59:59"],
      ["9999-12-31T23:59:59Z", "2105-12-31 23:59:59"],
    ];
    const [row] = await store.query<Record<string, string>>(
      `SELECT ${cases.map(([iso], i) => `toString(${quoteDateTime(iso)}) AS d${i}`).join(", ")}`,
    );
    cases.forEach(([, want], i) => {
      expect(row![`d${i}`]).toBe(want);
    });
    expect(() => quoteDateTime("not a date")).toThrow();
  });

  it("quoteNumber and quoteArray", async () => {
    const [row] = await store.query<Record<string, unknown>>(
      `SELECT ${quoteNumber(42)} AS a, ${quoteNumber(-7)} AS b, ${quoteNumber(1.5)} AS c, toString(${quoteNumber(2n ** 63n)}) AS d, ` +
        `isNaN(${quoteNumber(Number.NaN)}) AS e, isInfinite(${quoteNumber(Number.NEGATIVE_INFINITY)}) AS f, ` +
        `${quoteArray(["a'b", "\0", "😀"])} AS g, ${quoteArray([1, 2, 3])} AS h, ${quoteArray([] as string[])} AS i, ` +
        `${quoteValue(true)} AS j, ${quoteValue(null)} AS k, ${quoteArray([["x"], ["y", "z"]])} AS l`,
    );
    expect(row).toEqual({
      a: 42,
      b: -7,
      c: 1.5,
      d: "9223372036854775808",
      e: 1,
      f: 1,
      g: ["a'b", "\0", "😀"],
      h: [1, 2, 3],
      i: [],
      j: 1,
      k: null,
      l: [["x"], ["y", "z"]],
    });
  });
});
