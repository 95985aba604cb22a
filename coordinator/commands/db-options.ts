/**
 * The ClickHouse options (shared with `scan`) and the `db` command's definition; the work itself is in db.ts,
 * loaded only when a db command runs.
 */

import type { Argv, CommandModule } from "yargs";
import { UsageError } from "../options.js";
import { RESULT_FORMATS, type ResultFormat } from "../render/result-table.js";

export function clickhouseOptions<T>(y: Argv<T>) {
  return y
    .option("clickhouse", {
      type: "string",
      description: "ClickHouse HTTP URL (http://host:8123); rows go to its tables",
    })
    .option("database", {
      type: "string",
      default: "mxsurvey",
      description: "ClickHouse database",
    })
    .option("clickhouse-user", { type: "string", description: "ClickHouse user (default: default)" })
    .option("clickhouse-password", {
      type: "string",
      description: "ClickHouse password (or env MXSURVEY_CLICKHOUSE_PASSWORD)",
    });
}

export interface DbArgs {
  clickhouse?: string | undefined;
  database: string;
  "clickhouse-user"?: string | undefined;
  "clickhouse-password"?: string | undefined;
}

type DbCommandArgs = DbArgs & {
  action?: string;
  dir?: string;
  name?: string;
  scan?: string;
  "scan-dir"?: string[];
  format?: ResultFormat;
  list?: boolean;
  keep?: number;
  label?: string;
  "dry-run"?: boolean;
};

export const dbCommand: CommandModule<object, DbCommandArgs> = {
  command: "db [action]",
  describe:
    "ClickHouse: create and check the tables (migrate), import a scan directory (load DIR), run an analysis query (query NAME), keep the N newest scans of a series (prune)",
  builder: (y) =>
    clickhouseOptions(y)
      .command<DbCommandArgs>(
        "migrate",
        "create the database and tables when missing; check existing tables against the schema",
        (yy) => yy as Argv<DbCommandArgs>,
        async (a) => {
          const { runDbMigrate } = await import("./db.js");
          await runDbMigrate(a);
        },
      )
      .command<DbCommandArgs>(
        "load [dir]",
        "import a scan directory (hosts.jsonl, domains.jsonl, scan.json) into ClickHouse",
        (yy) => yy.positional("dir", { type: "string", describe: "scan directory" }) as Argv<DbCommandArgs>,
        async (a) => {
          if (!a.dir) throw new UsageError("give the scan directory to load: mxsurvey db load DIR");
          const { runDbLoad } = await import("./db.js");
          await runDbLoad(a.dir, a);
        },
      )
      .command<DbCommandArgs>(
        "query [name]",
        "run an analysis query of queries/ (or a FILE of SQL) on the newest complete scan, or on --scan ID: on ClickHouse (--clickhouse URL), or embedded on scan directories (--scan-dir DIR, through chDB)",
        (yy) =>
          yy
            .positional("name", {
              type: "string",
              describe: "a query's name (db query --list shows them) or a path to an SQL file",
            })
            .option("scan", {
              type: "string",
              description: "read this scan (its id) instead of the newest complete one",
            })
            .option("scan-dir", {
              type: "string",
              array: true,
              description:
                "run the query embedded (chDB, no server) on this embedded scan directory; repeatable (a trend reads them all)",
            })
            .option("format", {
              choices: RESULT_FORMATS,
              default: "table" as ResultFormat,
              description: "table (aligned, for people), json (one object per line), csv or tsv",
            })
            .option("list", {
              type: "boolean",
              description: "list the queries with what each answers",
            }) as Argv<DbCommandArgs>,
        async (a) => {
          const { runDbQuery } = await import("./db-query.js");
          await runDbQuery({ ...a, format: a.format ?? "table" });
        },
      )
      .command<DbCommandArgs>(
        "prune",
        "retention: keep the N newest scans of a --label series, delete the older ones' rows",
        (yy) =>
          yy
            .option("keep", {
              type: "number",
              demandOption: true,
              description: "scans of the label to keep (>= 1)",
            })
            .option("label", { type: "string", demandOption: true, description: "the series (scan --label)" })
            .option("dry-run", {
              type: "boolean",
              default: false,
              description: "list what would be kept and dropped; delete nothing",
            }) as Argv<DbCommandArgs>,
        async (a) => {
          const { runDbPrune } = await import("./db-prune.js");
          await runDbPrune(a);
        },
      )
      .example("$0 db migrate --clickhouse http://127.0.0.1:8123", "create the tables")
      .example("$0 db load scans/20260101T000000Z-abc123 --clickhouse http://127.0.0.1:8123", "import a scan")
      .example(
        "$0 db query domain-verdicts --scan 20260101T000000Z-abc123 --clickhouse http://127.0.0.1:8123",
        "domain verdicts of that scan",
      )
      .example(
        "$0 db query starttls-trend --scan-dir scans/20260101T000000Z-abc123 --scan-dir scans/20260201T000000Z-def456",
        "the trend over two embedded scans, without a server",
      ) as Argv<DbCommandArgs>,
  handler: async (a) => {
    // Reached only when no subcommand matched.
    throw new UsageError(
      a.action === undefined
        ? "give a db action: migrate, load DIR, query NAME or prune"
        : `unknown db action ${JSON.stringify(a.action)}: use migrate, load DIR, query NAME or prune`,
    );
  },
};
