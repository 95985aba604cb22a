/** queries/schema.sql is current, and the DDL generator and row conversions follow their rules (no server). */

import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { t } from "../../shared/schema/columns.js";
import { SCAN_HOST_COLUMNS, TABLES } from "../../shared/schema/tables.js";
import { asStoredInClickHouse, rowsFromClickHouse, rowToClickHouse } from "../../shared/store/clickhouse.js";
import {
  clickHouseType,
  columnDrift,
  comparableType,
  createTableSql,
  expectedColumns,
  generateSchemaSql,
  SCHEMA_SQL_HEADER,
} from "../../shared/store/ddl.js";
import { quoteString, toClickHouseDateTime } from "../../shared/store/sql.js";
import { hostRow, unresolvedHostRow } from "../helpers/rows.js";
import { SCHEMA_SQL } from "../tools/schema-sql.js";

describe("queries/schema.sql", () => {
  it("schema-sql - the committed file is current (run npm run docs)", () => {
    expect(readFileSync(SCHEMA_SQL, "utf8")).toBe(generateSchemaSql());
  });

  it("schema-sql - starts with the generated-file header and creates every table", () => {
    const sql = generateSchemaSql();
    expect(sql.split("\n")[0]).toBe(SCHEMA_SQL_HEADER);
    expect(sql).toContain("CREATE DATABASE IF NOT EXISTS `mxsurvey`;");
    for (const def of TABLES)
      expect(sql).toContain(`CREATE TABLE IF NOT EXISTS \`mxsurvey\`.\`${def.name}\``);
  });
});

describe("ddl", () => {
  it("ddl - type mapping", () => {
    expect(clickHouseType(t.string())).toBe("String");
    expect(clickHouseType(t.bool())).toBe("UInt8");
    expect(clickHouseType(t.uint16())).toBe("UInt16");
    expect(clickHouseType(t.datetime())).toBe("DateTime('UTC')");
    expect(clickHouseType(t.enum(["a"]))).toBe("String");
    expect(clickHouseType(t.enum(["a"]), { lowCardinality: true })).toBe("LowCardinality(String)");
    expect(clickHouseType(t.nullable(t.enum(["a"])), { lowCardinality: true })).toBe(
      "LowCardinality(Nullable(String))",
    );
    expect(clickHouseType(t.array(t.uint16()))).toBe("Array(UInt16)");
    expect(clickHouseType(t.nullable(t.datetime()))).toBe("Nullable(DateTime('UTC'))");
    expect(() => clickHouseType(t.nullable(t.array(t.string())))).toThrow(/Nullable/);
  });

  it("ddl - a nullable sorting-key column is keyed as ifNull(column, '')", () => {
    const hosts = TABLES.find((d) => d.name === "hosts")!;
    const sql = createTableSql(hosts, "mxsurvey");
    expect(sql).toContain("ORDER BY (`scan_id`, `hostname`, ifNull(`ip`, ''), `port`)");
    expect(sql).toContain("`ip`");
    expect(sql).toMatch(/`ip`\s+Nullable\(String\)/);
    expect(sql).toContain("ENGINE = ReplacingMergeTree\nPARTITION BY toYYYYMM(scan_started_at)");
  });

  it("ddl - drift names missing, retyped and unknown columns; LowCardinality is not drift", () => {
    const expected = [
      { name: "a", type: "String" },
      { name: "b", type: "UInt8" },
      { name: "c", type: "Nullable(String)" },
    ];
    expect(columnDrift(expected, expected)).toEqual([]);
    expect(
      columnDrift(expected, [
        { name: "a", type: "LowCardinality(String)" },
        { name: "b", type: "UInt8" },
        { name: "c", type: "LowCardinality(Nullable(String))" },
      ]),
    ).toEqual([]);
    expect(
      columnDrift(expected, [
        { name: "a", type: "String" },
        { name: "b", type: "UInt16" },
        { name: "z", type: "String" },
      ]),
    ).toEqual([
      "column b is UInt16, want UInt8",
      "column c is missing (want Nullable(String))",
      "column z (String) is not in the schema",
    ]);
    expect(comparableType("Array(LowCardinality(String))")).toBe("Array(String)");
  });

  it("ddl - column docs go in as escaped COMMENTs", () => {
    const hosts = TABLES.find((d) => d.name === "hosts")!;
    const sql = createTableSql(hosts, "mxsurvey");
    for (const [, c] of Object.entries(hosts.columns)) expect(sql).toContain(`COMMENT ${quoteString(c.doc)}`);
    expect(expectedColumns(hosts).map((c) => c.name)).toEqual(Object.keys(SCAN_HOST_COLUMNS));
  });
});

describe("row conversion", () => {
  it("rows - datetimes to UTC seconds, bools to 0/1, nulls stay null", () => {
    const r = rowToClickHouse(SCAN_HOST_COLUMNS, hostRow());
    expect(r["scan_started_at"]).toBe("2026-01-02 03:04:05");
    expect(r["cert_not_after"]).toBe("2026-11-30 23:59:59");
    expect(r["starttls_ok"]).toBe(1);
    expect(r["cert_expired"]).toBe(0);
    expect(r["tls_alert"]).toBeNull();
    expect(Object.keys(r)).toEqual(Object.keys(SCAN_HOST_COLUMNS));
  });

  it("rows - back from ClickHouse equal the JSON row truncated to seconds", () => {
    for (const row of [hostRow(), unresolvedHostRow()]) {
      const back = rowsFromClickHouse(SCAN_HOST_COLUMNS, [rowToClickHouse(SCAN_HOST_COLUMNS, row)])[0];
      expect(back).toEqual({
        ...row,
        scan_started_at: "2026-01-02T03:04:05.000Z",
        probed_at: "2026-01-02T03:04:06.000Z",
        ...(row.cert_not_before
          ? { cert_not_before: "2025-11-01T00:00:00.000Z", cert_not_after: "2026-11-30T23:59:59.000Z" }
          : {}),
      });
      expect(asStoredInClickHouse(SCAN_HOST_COLUMNS, row)).toEqual(back);
    }
  });

  it("rows - a row that does not fit is refused, naming the column", () => {
    expect(() => rowToClickHouse(SCAN_HOST_COLUMNS, hostRow({ port: 70000 }))).toThrow(/column port/);
    expect(() => rowToClickHouse(SCAN_HOST_COLUMNS, { ...hostRow(), status: "bogus" } as never)).toThrow(
      /column status/,
    );
    const { ip: _ip, ...noIp } = hostRow();
    expect(() => rowToClickHouse(SCAN_HOST_COLUMNS, noIp)).toThrow(/column ip/);
  });

  it("rows - DateTime range: clamped, epoch round-trips through 0000-00-00", () => {
    expect(toClickHouseDateTime("9999-12-31T23:59:59Z")).toBe("2105-12-31 23:59:59");
    expect(toClickHouseDateTime("1950-01-01T00:00:00Z")).toBe("1970-01-01 00:00:00");
    expect(
      rowsFromClickHouse({ d: { type: t.datetime(), doc: "" } }, [{ d: "0000-00-00 00:00:00" }]),
    ).toEqual([{ d: "1970-01-01T00:00:00.000Z" }]);
  });

  it("rows - lone surrogates become U+FFFD (ClickHouse's JSON input refuses them)", () => {
    const r = rowToClickHouse(SCAN_HOST_COLUMNS, hostRow({ smtp_banner: "a\ud800b", cert_sans: ["\udc00"] }));
    expect(r["smtp_banner"]).toBe("a\ufffdb");
    expect(r["cert_sans"]).toEqual(["\ufffd"]);
  });
});
