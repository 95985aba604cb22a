/**
 * Literal escaping for ClickHouse SQL. Every value that goes into a query string passes through one of these
 * functions: ClickHouse 18.16 has no query parameters (`{x:String}` came later), so the only safe way to put a
 * value into SQL is a correctly escaped literal. Identifiers are only ever our own names (validated, never
 * escaped into something else).
 *
 * String literals follow ClickHouse's lexer: single quotes; inside them a backslash starts an escape — `\\`,
 * `\'`, `\n`, `\r`, `\t`, `\xHH` (and a backslash before any other character stands for that character).
 * quoteString escapes the backslash, the quote and every control byte (U+0000–U+001F, U+007F); everything else,
 * non-ASCII included, goes as UTF-8 in the query text, which ClickHouse keeps byte for byte. The result is
 * plain ASCII-safe SQL: no raw NUL, CR or LF in the query, nothing that ends the literal early.
 *
 * Lone surrogates (a JS string that is not well-formed UTF-16) have no UTF-8 encoding: they become U+FFFD, as
 * when Node encodes the query text for HTTP, and as `wellFormed` does for the values of inserted rows
 * (ClickHouse's JSON parser refuses a lone `\ud800` escape).
 */

/** Replace lone surrogates by U+FFFD (String.prototype.toWellFormed, which ES2023's lib does not declare). */
export function wellFormed(s: string): string {
  return s.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, "\uFFFD");
}

const NAMED_ESCAPES: Record<string, string> = {
  "\\": "\\\\",
  "'": "\\'",
  "\n": "\\n",
  "\r": "\\r",
  "\t": "\\t",
};

/** A ClickHouse string literal holding exactly the UTF-8 bytes of `s` (lone surrogates → U+FFFD). */
export function quoteString(s: string): string {
  if (typeof s !== "string") throw new TypeError(`quoteString: not a string: ${typeof s}`);
  const body = wellFormed(s).replace(
    /[\\'\u0000-\u001f\u007f]/g,
    (c) => NAMED_ESCAPES[c] ?? `\\x${c.charCodeAt(0).toString(16).padStart(2, "0").toUpperCase()}`,
  );
  return `'${body}'`;
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** A backquoted identifier. Only for our own names (tables, columns, databases): anything else throws. */
export function quoteIdentifier(name: string): string {
  if (typeof name !== "string" || !IDENTIFIER.test(name)) {
    throw new Error(`not a valid identifier (want ${IDENTIFIER.source}): ${JSON.stringify(name)}`);
  }
  return `\`${name}\``;
}

/** Is this a name quoteIdentifier accepts? (For validating user input, e.g. --database, up front.) */
export function isIdentifier(name: string): boolean {
  return IDENTIFIER.test(name);
}

/**
 * DateTime range of ClickHouse: seconds since the epoch as UInt32, and 18.16's date tables end with 2105 (it
 * parses '2106-01-01 00:00:00' as 0). Values outside are clamped into this range; the epoch itself prints as
 * '0000-00-00 00:00:00' on old servers (see fromClickHouseDateTime).
 */
export const CLICKHOUSE_DATETIME_MIN_MS = 0;
export const CLICKHOUSE_DATETIME_MAX_MS = Date.UTC(2105, 11, 31, 23, 59, 59);

/**
 * `YYYY-MM-DD hh:mm:ss` in UTC, as ClickHouse's DateTime('UTC') reads and prints it. Second precision:
 * milliseconds are truncated (ClickHouse 18.16 has no DateTime64). Out-of-range instants are clamped.
 */
export function toClickHouseDateTime(value: string | Date): string {
  const ms = typeof value === "string" ? Date.parse(value) : value.getTime();
  if (Number.isNaN(ms)) throw new Error(`not a date-time: ${JSON.stringify(String(value))}`);
  const clamped = Math.min(Math.max(ms, CLICKHOUSE_DATETIME_MIN_MS), CLICKHOUSE_DATETIME_MAX_MS);
  const iso = new Date(Math.floor(clamped / 1000) * 1000).toISOString(); // 2026-01-02T03:04:05.000Z
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}`;
}

/** The inverse of toClickHouseDateTime: ISO-8601 UTC with `.000Z`. `0000-00-00 00:00:00` is the epoch. */
export function fromClickHouseDateTime(text: string): string {
  if (text === "0000-00-00 00:00:00") return new Date(0).toISOString();
  const m = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})(?:\.\d+)?Z?$/.exec(text);
  if (!m) throw new Error(`not a ClickHouse DateTime: ${JSON.stringify(text)}`);
  return `${m[1]}T${m[2]}.000Z`;
}

/** A DateTime literal independent of the server's time zone: `toDateTime('YYYY-MM-DD hh:mm:ss', 'UTC')`. */
export function quoteDateTime(value: string | Date): string {
  return `toDateTime(${quoteString(toClickHouseDateTime(value))}, 'UTC')`;
}

/** A numeric literal. NaN and ±Infinity are spelled as ClickHouse does (nan, inf, -inf). */
export function quoteNumber(n: number | bigint): string {
  if (typeof n === "bigint") return n.toString();
  if (typeof n !== "number") throw new TypeError(`quoteNumber: not a number: ${typeof n}`);
  if (Number.isNaN(n)) return "nan";
  if (n === Number.POSITIVE_INFINITY) return "inf";
  if (n === Number.NEGATIVE_INFINITY) return "-inf";
  // String(n) is a decimal or an exponent form (1e+21), both valid ClickHouse literals; -0 prints as 0.
  return String(n);
}

export type SqlValue = string | number | bigint | boolean | Date | null | readonly SqlValue[];

/** Any supported value as a literal: strings, numbers, booleans (1/0), Date (DateTime), null, arrays. */
export function quoteValue(v: SqlValue): string {
  if (v === null) return "NULL";
  if (typeof v === "string") return quoteString(v);
  if (typeof v === "number" || typeof v === "bigint") return quoteNumber(v);
  if (typeof v === "boolean") return v ? "1" : "0";
  if (v instanceof Date) return quoteDateTime(v);
  if (Array.isArray(v)) return quoteArray(v);
  throw new TypeError(`cannot quote a value of type ${typeof v}`);
}

/** An array literal `[a, b, c]`; elements are quoted with quoteValue unless a quoting function is given. */
export function quoteArray<T>(
  values: readonly T[],
  quote: (v: T) => string = quoteValue as (v: T) => string,
): string {
  return `[${values.map((v) => quote(v)).join(", ")}]`;
}
