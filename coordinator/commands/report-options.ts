/**
 * `mxsurvey report`'s options; the work is in report.ts (and coordinator/report/), loaded only when it runs.
 */

import type { Argv, CommandModule } from "yargs";
import { clickhouseOptions, type DbArgs } from "./db-options.js";

export interface ReportArgs extends DbArgs {
  out?: string | undefined;
  "scan-dir"?: string[] | undefined;
  scan?: string | undefined;
  diff?: string[] | undefined;
}

export function reportOptions<T>(y: Argv<T>) {
  return clickhouseOptions(y)
    .option("out", {
      type: "string",
      description:
        "write REPORT_DIR/index.html (one self-contained page) and each table as NAME.csv and NAME.json",
    })
    .option("scan-dir", {
      type: "string",
      array: true,
      description:
        "report embedded (chDB, no server) on this embedded scan directory; repeatable (the trend reads them all)",
    })
    .option("scan", {
      type: "string",
      description: "report on this scan (its id) instead of the newest complete one",
    })
    .option("diff", {
      type: "string",
      array: true,
      nargs: 2,
      description:
        "what changed from scan A to scan B (two scan directories, or two scan ids among --scan-dir or on --clickhouse)",
    });
}

export function reportCommand(fail: (err: unknown) => void): CommandModule<object, ReportArgs> {
  return {
    command: "report",
    describe:
      "findings as one static HTML page with charts and tables (plus CSV and JSON): embedded on scan directories (--scan-dir, through chDB) or on ClickHouse (--clickhouse URL); --diff A B for the changes between two scans",
    builder: (y) => reportOptions(y) as unknown as Argv<ReportArgs>,
    handler: async (a) => {
      try {
        const { runReport } = await import("./report.js");
        await runReport(a);
      } catch (err) {
        fail(err);
      }
    },
  };
}
