/**
 * Streaming reader of a domain list: Tranco / Alexa / Umbrella (`rank,domain`, no header), plain (one domain per
 * line), or CSV with a header line (`--column NAME`). It returns the valid unique domains in input order, the
 * counts a scan row records, and every rejected line with its physical line number and a reason.
 *
 * Decisions:
 *
 *  - **Records are physical lines.** Lines end at LF; one CR before the LF is dropped (CRLF files). Line numbers
 *    are 1-based physical line numbers — what an editor or `sed -n Np` shows — the header and comments
 *    included. A bare CR (old Mac files) is not a line end: such a line is rejected, not split by guesswork.
 *  - **Fields follow CSV (RFC 4180) within a line**, for every format: `,` separates fields, a field may be
 *    quoted (`"1","example.com"`) with `""` for a quote. A line without a `"` is split by hand on commas (the fast
 *    path: csv-parse gives exactly that); a line with one goes through a small quoted-field splitter, and any line
 *    that splitter does not find plainly well formed is handed to csv-parse itself (strict options, one line at
 *    a time), so quoting semantics are csv-parse's; a line csv-parse refuses is rejected `bad_quoting`. A quoted
 *    field never spans lines: a quote left open is that line's error, and the next line is read afresh — one
 *    stray quote cannot swallow the rest of a million-line file.
 *  - **Blank lines** (empty or white space only) and **comment lines** (first non-blank character `#`) are
 *    skipped and counted, never rejected; they do not count towards `--top`.
 *  - A UTF-8 **BOM** at the start is dropped. Input that is not text is refused up front (UsageError): gzip,
 *    zip, bzip2, xz, zstd (Tranco ships a zip: unpack it first), and UTF-16 (BOM FF FE / FE FF). Bytes that are not
 *    valid UTF-8 decode to U+FFFD, and that line is rejected `invalid_utf8`.
 *  - A line containing a **NUL** is rejected `nul_byte`, whichever field holds it.
 *  - **Field counts**: a Tranco line has exactly two fields and a plain line one (a plain line with a comma is
 *    rejected rather than guessed at); a CSV data line has exactly as many fields as the header. Otherwise
 *    `wrong_field_count`. A Tranco rank must be digits (surrounding blanks allowed), else `bad_rank`.
 *  - **Format detection** (`auto`): `column` given → CSV with a header; otherwise the first data line (the first
 *    line neither blank nor a comment) decides: two fields, the first an integer → Tranco; one field → plain;
 *    more fields → it is a CSV header, and its column named `domain` (any case) is used; without one the format
 *    cannot be told and a UsageError asks for `--format` / `--column`. `--format csv` without `--column` takes
 *    the header's only column, or its `domain` column.
 *  - **`--top N` counts data lines**, the first N lines that are neither blank, comments nor the header —
 *    rejected and duplicate lines included. That is the top N of a ranked list (Tranco's top N is its first N
 *    lines), so a scan's `--top 1000` means the same list everywhere, whatever our validation keeps. Reading
 *    stops there: `lines_read` is the physical lines read up to and including the N-th data line.
 *  - **Duplicates** are counted after normalization (`Example.COM.` repeats `example.com`); the first occurrence
 *    is kept.
 *  - **Bounded memory**: the input is streamed in chunks; a line longer than `maxLineBytes` (64 KiB) is not
 *    buffered past that, and is rejected `line_too_long`. The O(n) structures are the dedupe set (16-byte
 *    fingerprints, fingerprint-set.ts), the domain list when the caller wants it whole (`streamDomainList`
 *    hands it over in batches instead) and the rejected lines — every one of them is kept, its text cut to 200
 *    characters.
 *
 * Counts add up: `lines_read = blank + comments + header + domains + duplicates + rejected`.
 *
 * Ranks: a Tranco line's rank (digits, at most 4294967295, else `bad_rank`) is kept for its domain, aligned with
 * the domain list; for a duplicate, the first line's rank (the best one in a ranked list) stays.
 */

import type { Readable } from "node:stream";
import { parse as parseCsv } from "csv-parse/sync";
import { UsageError } from "../options.js";
import { FingerprintSet } from "./fingerprint-set.js";
import { normalizeDomain, type RejectReason } from "./normalize.js";

export const LIST_FORMATS = ["tranco", "plain", "csv"] as const;
export type ListFormat = (typeof LIST_FORMATS)[number];

export const LINE_REJECT_REASONS = ["line_too_long", "bad_quoting", "wrong_field_count", "bad_rank"] as const;
export type LineRejectReason = (typeof LINE_REJECT_REASONS)[number];

/** Why a data line was rejected: a line-level reason, or the domain's own (normalize.ts). */
export type IngestRejectReason = LineRejectReason | RejectReason;

export interface ReadListOptions {
  format?: "auto" | ListFormat | undefined;
  /** CSV column holding the domains; implies a header line. */
  column?: string | undefined;
  /** Read only the first N data lines. */
  top?: number | undefined;
  /** Lines longer than this (bytes, without the line end) are rejected `line_too_long`. Default 64 KiB. */
  maxLineBytes?: number | undefined;
}

export interface RejectedLine {
  /** 1-based physical line number. */
  line: number;
  reason: IngestRejectReason;
  /** The line as read (without its line end), cut to 200 characters. */
  text: string;
}

export interface IngestCounts {
  /** Physical lines read. */
  lines_read: number;
  blank: number;
  comments: number;
  /** 1 when a CSV header line was read, else 0. */
  header: number;
  /** Valid unique domains. */
  domains: number;
  /** Valid lines whose domain (after normalization) repeated an earlier one. */
  duplicates: number;
  rejected: number;
}

export interface IngestResult {
  /** The format used: given, or detected from the first data line (null: auto, and no data line). */
  format: ListFormat | null;
  /** The CSV column used (csv only). */
  column: string | null;
  top: number | null;
  /** Valid unique domains, normalized (lower-case A-labels, no trailing dot), in input order. */
  domains: string[];
  /**
   * Each domain's rank, aligned with `domains`: a Tranco list's first field, of the domain's first line (a
   * duplicate's later lines do not change it). Null when the list has no ranks (plain, CSV, or no data line).
   */
  ranks: number[] | null;
  counts: IngestCounts;
  rejected: RejectedLine[];
}

export const MAX_REJECTED_TEXT = 200;
/** The greatest rank a Tranco line may give (the domain row's rank is a UInt32); above it: `bad_rank`. */
export const MAX_RANK = 4_294_967_295;
const DEFAULT_MAX_LINE_BYTES = 64 * 1024;
/** Bytes kept of an over-long line, for its report: enough for MAX_REJECTED_TEXT characters of any UTF-8. */
const OVERLONG_KEEP = 4 * MAX_REJECTED_TEXT;

interface LineFault {
  reason: LineRejectReason;
}
const FAULT: Record<LineRejectReason, LineFault> = {
  line_too_long: { reason: "line_too_long" },
  bad_quoting: { reason: "bad_quoting" },
  wrong_field_count: { reason: "wrong_field_count" },
  bad_rank: { reason: "bad_rank" },
};

/** csv-parse options for one line: strict quoting, any field count (we count), `\n` only ends a record. */
const CSV_LINE_OPTIONS = { relax_column_count: true, record_delimiter: "\n", bom: false } as const;

/** Leading bytes of input that is not text; `-1` matches any ASCII digit. */
const MAGIC: [number[], string][] = [
  [[0x1f, 0x8b], "gzip-compressed"],
  [[0x50, 0x4b, 0x03, 0x04], "a zip archive"],
  [[0x42, 0x5a, 0x68, -1], "bzip2-compressed"],
  [[0xfd, 0x37, 0x7a, 0x58], "xz-compressed"],
  [[0x28, 0xb5, 0x2f, 0xfd], "zstd-compressed"],
  [[0xff, 0xfe], "UTF-16 text"],
  [[0xfe, 0xff], "UTF-16 text"],
];

/**
 * Splits one line (no line end) into CSV fields, or null when its quoting is malformed. Equivalent to
 * csv-parse with CSV_LINE_OPTIONS on that line (test/unit/read-list.test.ts checks it against csv-parse).
 */
export function splitCsvLine(line: string): string[] | null {
  if (line.indexOf('"') === -1) return line.split(",");
  const fields: string[] = [];
  const n = line.length;
  let i = 0;
  for (;;) {
    if (line.charCodeAt(i) === 0x22) {
      // Quoted field: up to the closing quote, `""` standing for one quote.
      let value = "";
      let j = i + 1;
      for (;;) {
        const k = line.indexOf('"', j);
        if (k === -1) return csvParseLine(line);
        if (line.charCodeAt(k + 1) === 0x22) {
          value += line.slice(j, k + 1);
          j = k + 2;
          continue;
        }
        value += line.slice(j, k);
        i = k + 1;
        break;
      }
      fields.push(value);
      if (i === n) return fields;
      if (line.charCodeAt(i) !== 0x2c) return csvParseLine(line);
      i++;
    } else {
      const k = line.indexOf(",", i);
      const end = k === -1 ? n : k;
      const value = line.slice(i, end);
      if (value.indexOf('"') !== -1) return csvParseLine(line);
      fields.push(value);
      if (k === -1) return fields;
      i = k + 1;
    }
    if (i === n) {
      fields.push("");
      return fields;
    }
  }
}

/** The slow path: csv-parse decides (anything not plainly well-formed quoting). */
function csvParseLine(line: string): string[] | null {
  try {
    const records = parseCsv(line, CSV_LINE_OPTIONS) as string[][];
    return records.length === 1 ? records[0]! : null;
  } catch {
    return null;
  }
}

function isRank(s: string): boolean {
  const t = s.length > 0 && s.charCodeAt(0) > 0x20 && s.charCodeAt(s.length - 1) > 0x20 ? s : s.trim();
  if (t.length === 0 || t.length > 15) return false;
  for (let i = 0; i < t.length; i++) {
    const c = t.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return false;
  }
  return true;
}

/** A copy of `s` that does not keep a longer parent string alive (V8 slices share their parent). */
function flat(s: string): string {
  return Buffer.from(s, "utf8").toString("utf8");
}

function cut(text: string): string {
  if (text.length <= MAX_REJECTED_TEXT) return text;
  let end = MAX_REJECTED_TEXT;
  const c = text.charCodeAt(end - 1);
  if (c >= 0xd800 && c <= 0xdbff) end--; // do not split a surrogate pair
  return flat(text.slice(0, end));
}

/**
 * Push-style reader: `push()` chunks of bytes, then `end()`. `push()` returns false once `--top` data lines have
 * been read (the caller stops reading). readDomainList() drives it from a stream.
 */
export class DomainListReader {
  private readonly maxLineBytes: number;
  private readonly top: number | null;
  private format: ListFormat | null;
  private column: string | null;
  private colIndex = -1;
  private headerFields = 0;
  private lineNo = 0;
  private dataLines = 0;
  private done = false;
  private sniffed = false;
  private head: Buffer | null = null;
  private parts: Buffer[] = [];
  private partLen = 0;
  private overlong = false;
  private readonly seen = new FingerprintSet();
  private domains: string[] = [];
  private ranks: number[] = [];
  /** The rank field of the Tranco line being read. */
  private rank = 0;
  private readonly rejected: RejectedLine[] = [];
  private readonly counts: IngestCounts = {
    lines_read: 0,
    blank: 0,
    comments: 0,
    header: 0,
    domains: 0,
    duplicates: 0,
    rejected: 0,
  };

  constructor(opts: ReadListOptions = {}) {
    const format = opts.format ?? "auto";
    if (format !== "auto" && !(LIST_FORMATS as readonly string[]).includes(format))
      throw new UsageError(`--format must be one of auto, ${LIST_FORMATS.join(", ")}`);
    if (opts.column !== undefined) {
      if (opts.column.trim() === "") throw new UsageError("--column must name a column");
      if (format === "tranco" || format === "plain")
        throw new UsageError(`--column applies to a CSV file with a header line, not to --format ${format}`);
    }
    if (opts.top !== undefined && (!Number.isInteger(opts.top) || opts.top < 1))
      throw new UsageError("--top must be a positive integer");
    this.format = format === "auto" ? (opts.column !== undefined ? "csv" : null) : format;
    this.column = opts.column?.trim() ?? null;
    this.top = opts.top ?? null;
    this.maxLineBytes = opts.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
  }

  /** Feeds bytes. Returns false when no more input is wanted (`--top` reached). */
  push(chunk: Buffer): boolean {
    if (this.done) return false;
    if (!this.sniffed) {
      this.head = this.head === null ? chunk : Buffer.concat([this.head, chunk]);
      if (this.head.length < 4) return true;
      chunk = this.sniff();
    }
    this.scan(chunk);
    return !this.done;
  }

  /**
   * The domains (and ranks) read since the last take, handed over and forgotten: a reader that is drained as
   * it goes holds no list, only the fingerprints that find duplicates.
   */
  take(): { domains: string[]; ranks: number[] | null } {
    const out = { domains: this.domains, ranks: this.format === "tranco" ? this.ranks : null };
    this.domains = [];
    this.ranks = [];
    return out;
  }

  end(): IngestResult {
    if (!this.sniffed && !this.done) this.scan(this.sniff());
    if (!this.done && (this.partLen > 0 || this.overlong)) this.flushPart();
    this.counts.lines_read = this.lineNo;
    return {
      format: this.format,
      column: this.format === "csv" ? this.column : null,
      top: this.top,
      domains: this.domains,
      ranks: this.format === "tranco" ? this.ranks : null,
      counts: { ...this.counts },
      rejected: this.rejected,
    };
  }

  /** Refuses binary input; drops a UTF-8 BOM. Returns the head bytes to scan. */
  private sniff(): Buffer {
    this.sniffed = true;
    const head = this.head ?? Buffer.alloc(0);
    this.head = null;
    for (const [magic, what] of MAGIC) {
      const match = (b: number, i: number) =>
        b === -1 ? head[i]! >= 0x30 && head[i]! <= 0x39 : head[i] === b;
      if (head.length >= magic.length && magic.every(match))
        throw new UsageError(`the domain list is ${what}, not UTF-8 text; convert it first`);
    }
    if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return head.subarray(3);
    return head;
  }

  private scan(chunk: Buffer): void {
    const len = chunk.length;
    let start = 0;
    while (start < len) {
      const nl = chunk.indexOf(0x0a, start);
      if (nl === -1) {
        this.keep(chunk, start, len);
        return;
      }
      if (this.partLen > 0 || this.overlong) {
        this.keep(chunk, start, nl);
        this.flushPart();
      } else {
        this.line(chunk, start, nl);
      }
      start = nl + 1;
      if (this.done) return;
    }
  }

  /** Holds the start of a line that continues in the next chunk (bounded by maxLineBytes). */
  private keep(chunk: Buffer, start: number, end: number): void {
    if (start === end) return;
    if (this.overlong) return;
    if (this.partLen + (end - start) > this.maxLineBytes + 1) {
      // +1: a CR before the LF does not count. Keep only what the report needs.
      this.overlong = true;
      const have = Buffer.concat(this.parts);
      const more = chunk.subarray(start, Math.min(end, start + OVERLONG_KEEP));
      this.parts = [Buffer.concat([have, more]).subarray(0, OVERLONG_KEEP)];
      this.partLen = this.parts[0]!.length;
      return;
    }
    this.parts.push(Buffer.from(chunk.subarray(start, end))); // a copy: the chunk itself is not retained
    this.partLen += end - start;
  }

  private flushPart(): void {
    const buf = this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts);
    const overlong = this.overlong;
    this.parts = [];
    this.partLen = 0;
    this.overlong = false;
    if (overlong) this.overlongLine(buf);
    else this.line(buf, 0, buf.length);
  }

  private line(buf: Buffer, start: number, end: number): void {
    if (end > start && buf[end - 1] === 0x0d) end--;
    if (end - start > this.maxLineBytes) {
      this.overlongLine(buf.subarray(start, start + OVERLONG_KEEP));
      return;
    }
    this.lineNo++;
    this.text(buf.toString("utf8", start, end));
  }

  private overlongLine(head: Buffer): void {
    this.lineNo++;
    const text = head.toString("utf8");
    if (this.format === "csv" && this.colIndex < 0)
      throw new UsageError(
        `line ${this.lineNo}: the CSV header line is longer than ${this.maxLineBytes} bytes`,
      );
    this.dataLine();
    this.reject("line_too_long", text);
  }

  private text(text: string): void {
    // Blank and comment lines.
    let c = text.charCodeAt(0);
    if (text.length === 0) {
      this.counts.blank++;
      return;
    }
    if (c <= 0x20 || c >= 0x80) {
      const t = text.trimStart();
      if (t.length === 0) {
        this.counts.blank++;
        return;
      }
      c = t.charCodeAt(0);
    }
    if (c === 0x23) {
      this.counts.comments++;
      return;
    }

    if (this.format === null) this.detect(text);
    if (this.format === "csv" && this.colIndex < 0) {
      this.header(text);
      return;
    }

    this.dataLine();
    if (text.indexOf("\0") !== -1) {
      this.reject("nul_byte", text);
      return;
    }
    const field = this.field(text);
    if (typeof field !== "string") {
      this.reject(field.reason, text);
      return;
    }
    const r = normalizeDomain(field);
    if (!r.ok) {
      this.reject(r.reason, text);
      return;
    }
    if (!this.seen.add(r.domain)) {
      this.counts.duplicates++;
      return;
    }
    const domain = text.length > r.domain.length + 32 ? flat(r.domain) : r.domain;
    this.domains.push(domain);
    if (this.format === "tranco") this.ranks.push(this.rank);
    this.counts.domains++;
  }

  /** The domain field of a data line, or why the line has none. */
  private field(text: string): string | LineFault {
    if (this.format === "tranco") {
      const i = text.indexOf(",");
      if (i !== -1 && text.indexOf('"') === -1) {
        // The fast path: no quotes, so the fields are what is between commas.
        if (text.indexOf(",", i + 1) !== -1) return FAULT.wrong_field_count;
        return this.takeRank(text.slice(0, i)) ? text.slice(i + 1) : FAULT.bad_rank;
      }
      const f = splitCsvLine(text);
      if (f === null) return FAULT.bad_quoting;
      if (f.length !== 2) return FAULT.wrong_field_count;
      return this.takeRank(f[0]!) ? f[1]! : FAULT.bad_rank;
    }
    if (this.format === "plain") {
      if (text.indexOf(",") === -1 && text.indexOf('"') === -1) return text;
      const f = splitCsvLine(text);
      if (f === null) return FAULT.bad_quoting;
      return f.length === 1 ? f[0]! : FAULT.wrong_field_count;
    }
    const f = splitCsvLine(text);
    if (f === null) return FAULT.bad_quoting;
    return f.length === this.headerFields ? f[this.colIndex]! : FAULT.wrong_field_count;
  }

  /** A Tranco rank: digits, at most MAX_RANK (the rank column is a UInt32). */
  private takeRank(field: string): boolean {
    if (!isRank(field)) return false;
    const rank = Number(field.trim());
    if (rank > MAX_RANK) return false;
    this.rank = rank;
    return true;
  }

  private dataLine(): void {
    this.dataLines++;
    if (this.top !== null && this.dataLines >= this.top) this.done = true;
  }

  private reject(reason: IngestRejectReason, text: string): void {
    this.counts.rejected++;
    this.rejected.push({ line: this.lineNo, reason, text: cut(text) });
  }

  /** `auto` without a column: the first data line tells the format. */
  private detect(text: string): void {
    const f = splitCsvLine(text);
    if (f === null || f.length === 1) this.format = "plain";
    else if (f.length === 2 && isRank(f[0]!)) this.format = "tranco";
    else if (f.some((name) => name.trim().toLowerCase() === "domain")) this.format = "csv";
    else
      throw new UsageError(
        `cannot tell the list format from line ${this.lineNo} (${f.length} fields, not rank,domain, and no ` +
          `"domain" column): give --format tranco|plain|csv, or --column NAME for a CSV file with a header line`,
      );
  }

  private header(text: string): void {
    const f = splitCsvLine(text);
    if (f === null) throw new UsageError(`line ${this.lineNo}: the CSV header line has malformed quoting`);
    const names = f.map((n) => n.trim());
    const list = names.map((n) => JSON.stringify(n)).join(", ");
    let want = this.column;
    if (want === null) {
      if (names.length === 1) want = names[0]!;
      else if (names.some((n) => n.toLowerCase() === "domain")) want = "domain";
      else
        throw new UsageError(
          `line ${this.lineNo}: give --column NAME to say which CSV column holds the domains (columns: ${list})`,
        );
    }
    let matches = names.flatMap((n, i) => (n === want ? [i] : []));
    if (matches.length === 0) {
      const lower = want.toLowerCase();
      matches = names.flatMap((n, i) => (n.toLowerCase() === lower ? [i] : []));
    }
    if (matches.length === 0)
      throw new UsageError(
        `--column ${want}: no such column in the header on line ${this.lineNo} (columns: ${list})`,
      );
    if (matches.length > 1)
      throw new UsageError(
        `--column ${want}: the header on line ${this.lineNo} has ${matches.length} such columns`,
      );
    this.colIndex = matches[0]!;
    this.column = names[this.colIndex]!;
    this.headerFields = names.length;
    this.counts.header = 1;
  }
}

/**
 * Reads a domain list as a stream of batches (list order, each domain once, with its rank when the list has
 * ranks), then returns what reading found — counts and rejected lines — with `domains` empty: the caller took
 * them batch by batch. Stops reading at `--top`.
 */
export async function* streamDomainList(
  input: Readable | AsyncIterable<Buffer | string>,
  opts: ReadListOptions = {},
): AsyncGenerator<{ domains: string[]; ranks: number[] | null }, IngestResult> {
  const reader = new DomainListReader(opts);
  for await (const chunk of input) {
    const more = reader.push(typeof chunk === "string" ? Buffer.from(chunk, "utf8") : chunk);
    const batch = reader.take();
    if (batch.domains.length > 0) yield batch;
    if (!more) break;
  }
  const result = reader.end();
  const last = reader.take();
  if (last.domains.length > 0) yield last;
  return result;
}

/** Reads a whole domain list from a stream (stops reading at `--top`). */
export async function readDomainList(
  input: Readable | AsyncIterable<Buffer | string>,
  opts: ReadListOptions = {},
): Promise<IngestResult> {
  const reader = new DomainListReader(opts);
  for await (const chunk of input) {
    if (!reader.push(typeof chunk === "string" ? Buffer.from(chunk, "utf8") : chunk)) break;
  }
  return reader.end();
}

/**
 * Text of a rejected line made safe to print or store: control characters, DEL, C1 controls, bidi overrides and
 * line separators become escapes (`\t`, `\r`, `\0`, `\u001b`...), and `\` becomes `\\`, so no list can inject
 * terminal escapes or break a `LINE<TAB>REASON<TAB>TEXT` entry.
 */
export function escapeText(text: string): string {
  return text.replace(/[\\\x00-\x1f\x7f-\x9f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, (ch) => {
    switch (ch) {
      case "\\":
        return "\\\\";
      case "\t":
        return "\\t";
      case "\r":
        return "\\r";
      case "\n":
        return "\\n";
      case "\0":
        return "\\0";
      default:
        return `\\u${ch.charCodeAt(0).toString(16).padStart(4, "0")}`;
    }
  });
}

/** The scan row's `rejected_lines` column: `LINE<TAB>REASON<TAB>TEXT`, TEXT escaped. */
export function rejectedLinesColumn(rejected: readonly RejectedLine[]): string[] {
  return rejected.map((r) => `${r.line}\t${r.reason}\t${escapeText(r.text)}`);
}
