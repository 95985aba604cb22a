/**
 * The ClickHouse options (shared with `scan`) and the `db` command's definition; the work itself is in db.ts,
 * loaded only when a db command runs.
 */

import type { Argv, CommandModule } from "yargs";
import { UsageError } from "../options.js";

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

type DbCommandArgs = DbArgs & { action?: string; dir?: string };

export const dbCommand: CommandModule<object, DbCommandArgs> = {
  command: "db [action]",
  describe: "ClickHouse: create and check the tables (migrate), import a scan directory (load DIR)",
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
      .example("$0 db migrate --clickhouse http://127.0.0.1:8123", "create the tables")
      .example(
        "$0 db load scans/20260101T000000Z-abc123 --clickhouse http://127.0.0.1:8123",
        "import a scan",
      ) as Argv<DbCommandArgs>,
  handler: async (a) => {
    // Reached only when no subcommand matched.
    throw new UsageError(
      a.action === undefined
        ? "give a db action: migrate or load DIR"
        : `unknown db action ${JSON.stringify(a.action)}: use migrate or load DIR`,
    );
  },
};
