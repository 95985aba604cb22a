/**
 * Unit tests of the domain-list reader (coordinator/ingest/read-list.ts) and the scan dry run: a nasty Tranco
 * list (BOM, CRLF and LF, blank and comment lines, quoted fields, IPs, invalid and over-long names, NUL bytes,
 * duplicates, bad field counts and ranks), plain and header-CSV lists, format detection, --top, chunk boundaries,
 * over-long lines, binary input — every valid domain in order, every rejected line with its exact number and
 * reason, exact counts. And the quoted-field splitter against csv-parse itself.
 */

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough, Readable } from "node:stream";
import { parse as csvParse } from "csv-parse/sync";
import { afterAll, describe, expect, it } from "vitest";
import { runScanDryRun } from "../../coordinator/commands/scan-dry-run.js";
import { ingestDomains } from "../../coordinator/ingest/index.js";
import {
  DomainListReader,
  escapeText,
  type IngestRejectReason,
  type IngestResult,
  type ReadListOptions,
  readDomainList,
  rejectedLinesColumn,
  splitCsvLine,
} from "../../coordinator/ingest/read-list.js";
import { UsageError } from "../../coordinator/options.js";

const L63 = "a".repeat(63);
const NAME_254 = `${L63}.${L63}.${L63}.${"b".repeat(62)}`;

/** What the reader must make of one physical line. */
type Want =
  | { blank: true }
  | { comment: true }
  | { header: true }
  | { domain: string; rank?: number }
  | { dup: string }
  | { reject: IngestRejectReason };

const blank: Want = { blank: true };
const comment: Want = { comment: true };
const header: Want = { header: true };
const domain = (d: string, rank?: number): Want => ({ domain: d, ...(rank === undefined ? {} : { rank }) });
const dup = (d: string): Want => ({ dup: d });
const reject = (r: IngestRejectReason): Want => ({ reject: r });

/** Joins lines with alternating CRLF and LF (the last line unterminated unless `final`). */
function join2(lines: string[], final = false): string {
  let s = "";
  lines.forEach((l, i) => {
    s += l;
    if (i < lines.length - 1 || final) s += i % 2 === 0 ? "\r\n" : "\n";
  });
  return s;
}

/** The result the annotations demand; line numbers are positions in the table. */
function expected(table: [string, Want][], format: IngestResult["format"], column: string | null = null) {
  const domains: string[] = [];
  const ranks: number[] = [];
  const rejected: { line: number; reason: IngestRejectReason; text: string }[] = [];
  const counts = {
    lines_read: table.length,
    blank: 0,
    comments: 0,
    header: 0,
    domains: 0,
    duplicates: 0,
    rejected: 0,
  };
  table.forEach(([text, w], i) => {
    if ("blank" in w) counts.blank++;
    else if ("comment" in w) counts.comments++;
    else if ("header" in w) counts.header++;
    else if ("domain" in w) {
      domains.push(w.domain);
      if (w.rank !== undefined) ranks.push(w.rank);
      counts.domains++;
    } else if ("dup" in w) {
      expect(domains).toContain(w.dup);
      counts.duplicates++;
    } else {
      rejected.push({ line: i + 1, reason: w.reject, text: text.replace(/^\ufeff/, "").slice(0, 200) });
      counts.rejected++;
    }
  });
  if (format === "tranco") expect(ranks).toHaveLength(domains.length); // every Tranco case names its rank
  return { format, column, top: null, domains, ranks: format === "tranco" ? ranks : null, counts, rejected };
}

function read(input: string | Buffer, opts: ReadListOptions = {}): IngestResult {
  const r = new DomainListReader(opts);
  r.push(typeof input === "string" ? Buffer.from(input, "utf8") : input);
  return r.end();
}

function readChunked(input: Buffer, size: number, opts: ReadListOptions = {}): IngestResult {
  const r = new DomainListReader(opts);
  for (let i = 0; i < input.length; i += size) if (!r.push(input.subarray(i, i + size))) break;
  return r.end();
}

function sumsUp(r: IngestResult) {
  const c = r.counts;
  expect(c.blank + c.comments + c.header + c.domains + c.duplicates + c.rejected).toBe(c.lines_read);
  expect(r.domains.length).toBe(c.domains);
  expect(r.rejected.length).toBe(c.rejected);
}

const TRANCO: [string, Want][] = [
  ["\ufeff1,google.com", domain("google.com", 1)],
  ["2,Facebook.COM.", domain("facebook.com", 2)],
  ["", blank],
  ['# Tranco list, with a "stray quote', comment],
  ["   \t", blank],
  ["3,bücher.example", domain("xn--bcher-kva.example", 3)],
  ['"4","quoted.example"', domain("quoted.example", 4)],
  ["5,192.0.2.1", reject("ip_address")],
  ["6,[2001:db8::1]", reject("ip_address")],
  ["7,under_score.example", reject("invalid_characters")],
  [`8,${"a".repeat(64)}.example`, reject("label_too_long")],
  [`9,${NAME_254}`, reject("too_long")],
  ["10,nul\0byte.example", reject("nul_byte")],
  ["11,google.com", dup("google.com")],
  ["12,GOOGLE.com.", dup("google.com")],
  ["13,xn--bcher-kva.example", dup("xn--bcher-kva.example")],
  ["14,example.org,extra", reject("wrong_field_count")],
  ["15", reject("wrong_field_count")],
  ["x16,example.net", reject("bad_rank")],
  ['17,"unterminated.example', reject("bad_quoting")],
  ['18,"a""b.example"', reject("invalid_characters")],
  ["19,http://example.com/", reject("not_a_domain")],
  ["20,localhost", reject("single_label")],
  ["21,   spaced.example   ", domain("spaced.example", 21)],
  ["  # indented comment", comment],
  ['22,""', reject("empty")],
  ["23,💩.la", domain("xn--ls8h.la", 23)],
  ["24,xn--zz.example", reject("invalid_idn")],
  ["25,-bad.example", reject("bad_hyphen")],
  ["26,*.example.com", reject("invalid_characters")],
  ["27,exa mple.com", reject("invalid_characters")],
  ["\0", reject("nul_byte")],
  [" 28 , padded-rank.example", domain("padded-rank.example", 28)],
  ["29,last.example", domain("last.example", 29)],
  ["4294967295,max-rank.example", domain("max-rank.example", 4294967295)],
  ["4294967296,over-max-rank.example", reject("bad_rank")],
];

describe("Tranco list", () => {
  const text = join2(TRANCO.map(([t]) => t));

  it("auto-detected: every domain in order, every rejected line with its number and reason, exact counts", () => {
    const r = read(text);
    expect(r).toEqual(expected(TRANCO, "tranco"));
    expect(r.counts).toEqual({
      lines_read: 36,
      blank: 2,
      comments: 2,
      header: 0,
      domains: 9,
      duplicates: 3,
      rejected: 20,
    });
    sumsUp(r);
  });

  it("same result with --format tranco, with a final line end, and from a stream", async () => {
    expect(read(text, { format: "tranco" })).toEqual(read(text));
    const withEnd = read(
      join2(
        TRANCO.map(([t]) => t),
        true,
      ),
    );
    expect(withEnd).toEqual(read(text));
    expect(await readDomainList(Readable.from([Buffer.from(text)]))).toEqual(read(text));
  });

  it("same result whatever the chunk boundaries (BOM, CRLF and UTF-8 split across chunks)", () => {
    const bytes = Buffer.from(text, "utf8");
    const whole = read(bytes);
    for (const size of [1, 2, 3, 5, 7, 64, 4096]) expect(readChunked(bytes, size)).toEqual(whole);
  });

  it("--top N reads the first N data lines (rejected and duplicates included) and stops", () => {
    const r = read(text, { top: 5 });
    expect(r.domains).toEqual(["google.com", "facebook.com", "xn--bcher-kva.example", "quoted.example"]);
    expect(r.rejected).toEqual([{ line: 8, reason: "ip_address", text: "5,192.0.2.1" }]);
    expect(r.counts).toEqual({
      lines_read: 8,
      blank: 2,
      comments: 1,
      header: 0,
      domains: 4,
      duplicates: 0,
      rejected: 1,
    });
    expect(r.top).toBe(5);
    const r11 = read(text, { top: 11 });
    expect(r11.counts.duplicates).toBe(1);
    expect(r11.counts.lines_read).toBe(14);
    expect(read(text, { top: 1000 })).toEqual({ ...read(text), top: 1000 });
  });

  it("--top stops reading an endless stream", async () => {
    async function* endless() {
      for (let i = 1; ; i++) yield Buffer.from(`${i},d${i}.example\n`);
    }
    const r = await readDomainList(endless(), { top: 1000 });
    expect(r.domains.length).toBe(1000);
    expect(r.domains[999]).toBe("d1000.example");
  });

  it("a line that is not valid UTF-8 is rejected invalid_utf8", () => {
    const bytes = Buffer.concat([
      Buffer.from("1,ok.example\n2,b"),
      Buffer.from([0xfc, 0x80]),
      Buffer.from("cher.de\n"),
    ]);
    const r = read(bytes);
    expect(r.domains).toEqual(["ok.example"]);
    expect(r.rejected).toEqual([{ line: 2, reason: "invalid_utf8", text: "2,b\ufffd\ufffdcher.de" }]);
  });

  it("rejected text is cut to 200 characters", () => {
    const long = `1,${"x_".repeat(200)}.example`;
    const r = read(`1,a.example\n${long}\n`);
    expect(r.rejected).toEqual([{ line: 2, reason: "invalid_characters", text: long.slice(0, 200) }]);
  });

  it("an over-long line is rejected without being buffered, and the next line is read normally", () => {
    const long = `2,${"a".repeat(5000)}.example`;
    const bytes = Buffer.from(`1,a.example\n${long}\r\n3,b.example\n${"z".repeat(3000)}`);
    for (const size of [7, 100, 1 << 16]) {
      const r = readChunked(bytes, size, { maxLineBytes: 1000 });
      expect(r.domains).toEqual(["a.example", "b.example"]);
      expect(r.rejected).toEqual([
        { line: 2, reason: "line_too_long", text: long.slice(0, 200) },
        { line: 4, reason: "line_too_long", text: "z".repeat(200) },
      ]);
      expect(r.counts.lines_read).toBe(4);
    }
    // At the limit exactly, a CRLF line is fine.
    const atLimit = `1,${"a".repeat(990)}.example`;
    expect(atLimit.length).toBe(1000);
    expect(read(`${atLimit}\r\n`, { maxLineBytes: 1000 }).rejected).toEqual([
      { line: 1, reason: "label_too_long", text: atLimit.slice(0, 200) },
    ]);
  });

  it("a bare CR does not end a line", () => {
    const r = read("1,a.example\r2,b.example\n", { format: "tranco" });
    expect(r.rejected).toEqual([{ line: 1, reason: "wrong_field_count", text: "1,a.example\r2,b.example" }]);
  });
});

const PLAIN: [string, Want][] = [
  ["\ufeffexample.com", domain("example.com")],
  ["# comment", comment],
  ["WWW.Example.ORG.", domain("www.example.org")],
  ['"quoted.example"', domain("quoted.example")],
  ["", blank],
  ["example.com", dup("example.com")],
  ["example.com,extra", reject("wrong_field_count")],
  ["10.0.0.1", reject("ip_address")],
  ["::1", reject("ip_address")],
  ["bad..example", reject("empty_label")],
  ["пример.рф", domain("xn--e1afmkfd.xn--p1ai")],
  ["mx_1.example.com", reject("invalid_characters")],
  ['"open', reject("bad_quoting")],
  ["postmaster@example.net", reject("not_a_domain")],
  ["12345", reject("ip_address")],
  ["example.123", reject("numeric_tld")],
  ["ab--cd.example", reject("bad_hyphen")],
  ["  last.example  ", domain("last.example")],
];

describe("plain list", () => {
  const text = join2(
    PLAIN.map(([t]) => t),
    true,
  );
  it("auto-detected (the first data line has one field)", () => {
    const r = read(text);
    expect(r).toEqual(expected(PLAIN, "plain"));
    sumsUp(r);
  });
  it("--format plain gives the same", () => {
    expect(read(text, { format: "plain" })).toEqual(read(text));
  });
  it("a plain list read as Tranco rejects every line", () => {
    const r = read(text, { format: "tranco" });
    expect(r.domains).toEqual([]);
    expect(r.counts.rejected).toBe(PLAIN.length - 2);
  });
});

const CSV: [string, Want][] = [
  ["# exported 2025-01-01", comment],
  ["", blank],
  ["\ufeffRank,Site,Category", header],
  ["1,example.com,news", domain("example.com")],
  ['2,"Example.ORG","shop, online"', domain("example.org")],
  ["3,example.com,dup", dup("example.com")],
  ["4,no-category.example", reject("wrong_field_count")],
  ["5,a.example,b,c", reject("wrong_field_count")],
  ["6,192.0.2.7,x", reject("ip_address")],
  ['7,"bad"quote.example,x', reject("bad_quoting")],
  ["8,,empty", reject("empty")],
  ["x,rank-ignored.example,", domain("rank-ignored.example")],
];

describe("CSV with a header", () => {
  // The BOM belongs at the start of the file; here the header is line 3, so move it there.
  const lines = CSV.map(([t]) => t.replace(/^\ufeff/, ""));
  const text = join2(lines, true);
  const table: [string, Want][] = CSV.map(([t, w]) => [t.replace(/^\ufeff/, ""), w]);

  it("--column picks the column; the header line is counted", () => {
    const r = read(text, { column: "Site" });
    expect(r).toEqual(expected(table, "csv", "Site"));
    expect(r.counts.header).toBe(1);
    sumsUp(r);
  });
  it("--column matches the header case-insensitively when there is no exact match", () => {
    expect(read(text, { column: "site" })).toEqual(read(text, { column: "Site" }));
    expect(read(text, { column: "site", format: "csv" })).toEqual(read(text, { column: "Site" }));
  });
  it("a column that is not in the header is a UsageError naming the columns", () => {
    expect(() => read(text, { column: "domain" })).toThrow(UsageError);
    expect(() => read(text, { column: "domain" })).toThrow(/no such column .*"Rank", "Site", "Category"/);
  });
  it("--format csv without --column: a header without a domain column is a UsageError", () => {
    expect(() => read(text, { format: "csv" })).toThrow(/give --column NAME/);
  });
  it("auto-detects a header with a domain column, and --format csv takes it too", () => {
    const csv = "rank,Domain\n1,a.example\n2,b.example\n";
    for (const opts of [{}, { format: "csv" as const }]) {
      const r = read(csv, opts);
      expect(r.format).toBe("csv");
      expect(r.column).toBe("Domain");
      expect(r.domains).toEqual(["a.example", "b.example"]);
    }
    expect(read("domain\nA.example\n", { format: "csv" }).domains).toEqual(["a.example"]);
  });
  it("a BOM before the header line is not part of the first column's name", () => {
    const r = read("\ufeffdomain,rank\r\nExample.com,1\r\n", { column: "domain" });
    expect(r.domains).toEqual(["example.com"]);
    expect(r.column).toBe("domain");
  });
  it("a first data line that is neither rank,domain nor a header with a domain column is a UsageError", () => {
    expect(() => read("name,site\n1,a.example\n")).toThrow(/cannot tell the list format from line 1/);
  });
  it("duplicate column names are ambiguous", () => {
    expect(() => read("d,d\n1,a.example\n", { column: "d" })).toThrow(/has 2 such columns/);
  });
  it("--top counts data lines, not the header or comments", () => {
    const r = read(text, { column: "Site", top: 2 });
    expect(r.domains).toEqual(["example.com", "example.org"]);
    expect(r.counts).toMatchObject({ lines_read: 5, header: 1, comments: 1, blank: 1 });
  });
});

describe("options and input", () => {
  it("refuses bad options", () => {
    expect(() => new DomainListReader({ top: 0 })).toThrow(UsageError);
    expect(() => new DomainListReader({ top: 1.5 })).toThrow(UsageError);
    expect(() => new DomainListReader({ column: "x", format: "tranco" })).toThrow(UsageError);
    expect(() => new DomainListReader({ format: "json" as never })).toThrow(UsageError);
  });
  it("refuses compressed and UTF-16 input", () => {
    expect(() => read(Buffer.from([0x1f, 0x8b, 8, 0, 0, 0]))).toThrow(/gzip/);
    expect(() => read(Buffer.from("PK\x03\x04rest"))).toThrow(/zip archive/);
    expect(() => read(Buffer.from("BZh91AY&SY"))).toThrow(/bzip2/);
    expect(read("BZhost.example\n").domains).toEqual(["bzhost.example"]);
    expect(() => read(Buffer.from("\ufeff1,a.example\n", "utf16le"))).toThrow(/UTF-16/);
    expect(() => readChunked(Buffer.from([0x1f, 0x8b, 8, 0, 0, 0]), 1)).toThrow(/gzip/);
  });
  it("empty input", () => {
    for (const input of ["", "\ufeff", "\n\n", "# only a comment\n"]) {
      const r = read(input);
      expect(r.format).toBeNull();
      expect(r.domains).toEqual([]);
      sumsUp(r);
    }
    expect(read("a.b").domains).toEqual(["a.b"]); // shorter than the 4 sniffed bytes
  });
  it("escapes control characters for printing and for rejected_lines", () => {
    expect(escapeText("a\tb\0c\x1b[31m\\\u202e")).toBe("a\\tb\\0c\\u001b[31m\\\\\\u202e");
    expect(rejectedLinesColumn([{ line: 7, reason: "nul_byte", text: "1,a\0\tb" }])).toEqual([
      "7\tnul_byte\t1,a\\0\\tb",
    ]);
  });
});

/** The hand splitter must agree with csv-parse (strict quoting, relax_column_count) on every line. */
describe("splitCsvLine agrees with csv-parse", () => {
  const oracle = (line: string): string[] | null => {
    try {
      const recs = csvParse(line, { relax_column_count: true, record_delimiter: "\n" }) as string[][];
      return recs.length === 1 ? recs[0]! : null;
    } catch {
      return null;
    }
  };
  it.each([
    ["a,b", ["a", "b"]],
    ['"1","example.com"', ["1", "example.com"]],
    ['1,"a""b"', ["1", 'a"b']],
    ['1,"a,b"', ["1", "a,b"]],
    ['"",""', ["", ""]],
    ["a,", ["a", ""]],
    [",", ["", ""]],
    ['1,"a', null],
    ['1,"a"b', null],
    ['1,a"b', null],
    ['1, "a"', null],
  ])("%j", (line, want) => {
    expect(splitCsvLine(line)).toEqual(want);
    expect(oracle(line)).toEqual(want);
  });
  it("on 100,000 random lines", () => {
    let x = 7;
    const rand = () => {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      return (x >>> 0) / 2 ** 32;
    };
    const alphabet = ["a", "b", ",", ",", '"', '"', '"', " ", "\r", "x.y"];
    for (let k = 0; k < 100_000; k++) {
      let line = "";
      const len = 1 + Math.floor(rand() * 12);
      for (let i = 0; i < len; i++) line += alphabet[Math.floor(rand() * alphabet.length)];
      expect({ line, f: splitCsvLine(line) }).toEqual({ line, f: oracle(line) });
    }
  });
});

describe("ingestDomains and the dry run", () => {
  const dir = mkdtempSync(join(tmpdir(), "mxsurvey-ingest-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("reads a file and stdin alike", async () => {
    const file = join(dir, "list.csv");
    const text = join2(TRANCO.map(([t]) => t));
    writeFileSync(file, text);
    const fromFile = await ingestDomains(file);
    expect(fromFile).toEqual(expected(TRANCO, "tranco"));
    const stdin = new PassThrough();
    stdin.end(text);
    expect(await ingestDomains("-", {}, { stdin })).toEqual(fromFile);
  });

  it("a missing file is a UsageError", async () => {
    await expect(ingestDomains(join(dir, "nope.txt"))).rejects.toThrow(UsageError);
    await expect(ingestDomains(dir)).rejects.toThrow(/EISDIR/);
  });

  it("prints the counts and every rejected line", async () => {
    const file = join(dir, "tranco.csv");
    writeFileSync(file, join2(TRANCO.map(([t]) => t)));
    const out = new PassThrough();
    const err = new PassThrough();
    await runScanDryRun(
      { domains: file, format: "auto", "list-source": "tranco", "list-id": "ABC12" },
      out.setEncoding("utf8"),
      err.setEncoding("utf8"),
    );
    out.end();
    err.end();
    const text = async (s: PassThrough) => (await s.toArray()).join("");
    const [outText, errText] = await Promise.all([text(out), text(err)]);
    expect(errText).toBe("");
    expect(outText).toContain("format        tranco\n");
    expect(outText).toContain('list          source "tranco", id "ABC12"\n');
    expect(outText).toContain("lines read    36\n");
    expect(outText).toContain("domains       9 (valid and unique: these would be scanned)\n");
    expect(outText).toContain("duplicates    3\n");
    expect(outText).toContain("rejected      20\n");
    const rejectedLines = outText.split("\n").filter((l) => l.startsWith("line "));
    expect(rejectedLines).toHaveLength(20);
    expect(rejectedLines[0]).toBe("line 8: ip_address: 5,192.0.2.1");
    expect(rejectedLines).toContain("line 13: nul_byte: 10,nul\\0byte.example");
    expect(rejectedLines).toContain("line 32: nul_byte: \\0");
  });

  it("the dry run refuses a missing --domains and a bad --top", async () => {
    const w = { write: () => true } as unknown as NodeJS.WritableStream;
    await expect(runScanDryRun({}, w, w)).rejects.toThrow(/give --domains/);
    await expect(runScanDryRun({ domains: "-", top: -1 }, w, w)).rejects.toThrow(/--top/);
  });
});
