/**
 * Column types for the one schema definition. A table is a const object of columns; the TypeScript row type,
 * the JSON/JSONL fields, the README schema table and (later) the ClickHouse DDL are all derived from it.
 * Keep the set of kinds small and portable (ClickHouse 18.16 has all of them).
 */

export type ColumnType =
  | { kind: "string" }
  | { kind: "uint8" }
  | { kind: "uint16" }
  | { kind: "uint32" }
  | { kind: "bool" }
  /** ISO-8601 UTC timestamp with milliseconds in JSON. */
  | { kind: "datetime" }
  /** A JSON object: an object in JSON and JSONL, its JSON text in a ClickHouse String column. */
  | { kind: "json" }
  | { kind: "enum"; values: readonly string[] }
  | { kind: "array"; of: ColumnType }
  | { kind: "nullable"; of: ColumnType };

export interface Column<T extends ColumnType = ColumnType> {
  type: T;
  doc: string;
}

export const t = {
  string: () => ({ kind: "string" }) as const,
  uint8: () => ({ kind: "uint8" }) as const,
  uint16: () => ({ kind: "uint16" }) as const,
  uint32: () => ({ kind: "uint32" }) as const,
  bool: () => ({ kind: "bool" }) as const,
  datetime: () => ({ kind: "datetime" }) as const,
  json: () => ({ kind: "json" }) as const,
  enum: <const V extends readonly string[]>(values: V) => ({ kind: "enum", values }) as const,
  array: <const C extends ColumnType>(of: C) => ({ kind: "array", of }) as const,
  nullable: <const C extends ColumnType>(of: C) => ({ kind: "nullable", of }) as const,
};

export function col<const T extends ColumnType>(type: T, doc: string): Column<T> {
  return { type, doc };
}

/** A JSON object value (a `json` column). */
export type JsonObject = { [key: string]: unknown };

/** The TypeScript value type of a column type. */
export type ValueOf<C> = C extends { kind: "string" | "datetime" }
  ? string
  : C extends { kind: "json" }
    ? JsonObject
    : C extends { kind: "uint8" | "uint16" | "uint32" }
      ? number
      : C extends { kind: "bool" }
        ? boolean
        : C extends { kind: "enum"; values: readonly (infer V)[] }
          ? V
          : C extends { kind: "array"; of: infer I }
            ? ValueOf<I>[]
            : C extends { kind: "nullable"; of: infer I }
              ? ValueOf<I> | null
              : never;

export type TableSpec = Record<string, Column>;

/** The row type of a table spec. */
export type RowOf<S extends TableSpec> = { -readonly [K in keyof S]: ValueOf<S[K]["type"]> };

/** A short human spelling of a column type, for docs (`string?`, `string[]`, `enum`). */
export function describeType(c: ColumnType): string {
  switch (c.kind) {
    case "nullable":
      return `${describeType(c.of)} | null`;
    case "array":
      return `${describeType(c.of)}[]`;
    case "enum":
      return c.values.length <= 4 ? c.values.map((v) => JSON.stringify(v)).join(" \\| ") : "enum";
    case "datetime":
      return "datetime (ISO-8601 UTC)";
    case "json":
      return "JSON object";
    default:
      return c.kind;
  }
}

/** Does a JSON value fit a column type? Used by tests that hold output against the schema. */
export function valueFits(c: ColumnType, v: unknown): boolean {
  switch (c.kind) {
    case "nullable":
      return v === null || valueFits(c.of, v);
    case "array":
      return Array.isArray(v) && v.every((x) => valueFits(c.of, x));
    case "string":
      return typeof v === "string";
    case "datetime":
      return typeof v === "string" && !Number.isNaN(Date.parse(v)) && v.endsWith("Z");
    case "bool":
      return typeof v === "boolean";
    case "json":
      return typeof v === "object" && v !== null && !Array.isArray(v);
    case "uint8":
      return Number.isInteger(v) && (v as number) >= 0 && (v as number) < 256;
    case "uint16":
      return Number.isInteger(v) && (v as number) >= 0 && (v as number) < 65536;
    case "uint32":
      return Number.isInteger(v) && (v as number) >= 0 && (v as number) < 2 ** 32;
    case "enum":
      return typeof v === "string" && c.values.includes(v);
  }
}
