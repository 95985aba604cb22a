#!/usr/bin/env node
/**
 * The mxsurvey command line: one verb per file in coordinator/commands/. Data goes to stdout; messages to
 * stderr. Exit codes: 0 the command ran (whatever it found), 2 bad usage, 3 no DNS resolver answered (a scan
 * whose resolvers never answered is marked failed), 4 NATS or ClickHouse cannot be used (ServiceUnavailableError,
 * one line naming the service and URL), 1 anything else (a bug in mxsurvey). Each command's code is imported when
 * it runs: parsing the command line loads only yargs, the option definitions and the error classes (start-up
 * time counts when a survey runs `probe` per host).
 */

import yargs, { type CommandModule } from "yargs";
import { hideBin } from "yargs/helpers";
import { ServiceUnavailableError } from "../shared/service-error.js";
import { dbCommand } from "./commands/db-options.js";
import { reportCommand } from "./commands/report-options.js";
import { type ScanArgs, scanOptions } from "./commands/scan-options.js";
import { type StatusArgs, statusOptions } from "./commands/status-options.js";
import { type WorkerArgs, workerOptions } from "./commands/worker-options.js";
import {
  type CheckArgs,
  checkOptions,
  NoResolverError,
  type PolicyArgs,
  probeOptions,
  UsageError,
} from "./options.js";

async function main(argv: string[]): Promise<number> {
  let exit = 0;
  const fail = (err: unknown) => {
    if (err instanceof UsageError) {
      process.stderr.write(`mxsurvey: ${err.message}\n`);
      exit = 2;
    } else if (err instanceof NoResolverError) {
      process.stderr.write(`mxsurvey: ${err.message}\n`);
      exit = 3;
    } else if (err instanceof ServiceUnavailableError) {
      process.stderr.write(`mxsurvey: ${err.message}\n`);
      exit = 4;
    } else {
      process.stderr.write(
        `mxsurvey: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
      );
      exit = 1;
    }
  };
  try {
    await build(argv, fail).parseAsync();
  } catch (err) {
    fail(err);
  }
  return exit;
}

/** Route a command module's errors through the CLI's exit-code mapping. */
function wrapCommand<T>(
  cmd: CommandModule<object, T>,
  fail: (err: unknown) => void,
): CommandModule<object, T> {
  return {
    ...cmd,
    handler: async (a) => {
      try {
        await cmd.handler(a);
      } catch (err) {
        fail(err);
      }
    },
  };
}

/**
 * Whether the user typed an option (rather than leaving it to its default): yargs records the options it
 * filled with their defaults in its parse result.
 */
function givenOptions(y: object, args: Record<string, unknown>): (flag: string) => boolean {
  const defaulted = (y as { parsed?: { defaulted?: Record<string, boolean> } }).parsed?.defaulted ?? {};
  return (flag) => args[flag] !== undefined && !defaulted[flag];
}

function build(argv: string[], fail: (err: unknown) => void) {
  const y = yargs(argv);
  return y
    .scriptName("mxsurvey")
    .usage(
      "$0 <command> [options]\n\nMeasure how well mail domains' inbound servers protect mail in transit.",
    )
    .command(
      "check [domains..]",
      "check mail domains: MX hosts, STARTTLS, TLS, certificates, verdict",
      (y) => checkOptions(y).positional("domains", { type: "string", array: true, describe: "mail domains" }),
      async (a) => {
        try {
          const { runCheck } = await import("./commands/check.js");
          await runCheck(
            (a.domains as string[]) ?? [],
            a as unknown as CheckArgs & PolicyArgs & { json: boolean; color?: boolean; verbose?: boolean },
            process.stdout,
          );
        } catch (err) {
          fail(err);
        }
      },
    )
    .command(
      "probe [targets..]",
      "probe SMTP servers directly (host, ip, host:port, [ipv6]:port), without MX discovery",
      (y) =>
        probeOptions(y).positional("targets", { type: "string", array: true, describe: "servers to probe" }),
      async (a) => {
        try {
          const { runProbe } = await import("./commands/probe.js");
          await runProbe(
            (a.targets as string[]) ?? [],
            a as unknown as CheckArgs & { json: boolean; color?: boolean; verbose?: boolean },
            process.stdout,
          );
        } catch (err) {
          fail(err);
        }
      },
    )
    .command(
      "scan",
      "survey a domain list: MX hosts deduplicated, probed once each, rows into JSONL files and/or ClickHouse",
      (y) => scanOptions(y),
      async (a) => {
        try {
          const { runScanCommand } = await import("./commands/scan.js");
          await runScanCommand(a as unknown as ScanArgs, process.stdout, givenOptions(y, a));
        } catch (err) {
          fail(err);
        }
      },
    )
    .command(
      "worker",
      "probe jobs from NATS JetStream on a thread pool (any number of workers share a scan)",
      (y) => workerOptions(y),
      async (a) => {
        try {
          const { runWorkerCommand } = await import("./commands/worker.js");
          await runWorkerCommand(a as unknown as WorkerArgs);
        } catch (err) {
          fail(err);
        }
      },
    )
    .command(
      "status [scan_id]",
      "show a scan's progress from NATS JetStream",
      (y) => statusOptions(y),
      async (a) => {
        try {
          const { runStatusCommand } = await import("./commands/status.js");
          await runStatusCommand(a as unknown as StatusArgs, process.stdout);
        } catch (err) {
          fail(err);
        }
      },
    )
    .command(wrapCommand(dbCommand, fail))
    .command(reportCommand(fail))
    .example("$0 check example.org", "check one mail domain")
    .example("$0 check example.org --json", "machine-readable rows")
    .example("$0 probe mx.example.org:2525", "probe one server directly")
    .example(
      "$0 scan --domains top-1m.csv --top 1000",
      "survey the top 1000 domains of a Tranco list (embedded)",
    )
    .example(
      "$0 report --scan-dir scans/20261124T130000Z-1a2b3c --out report",
      "the scan's findings as HTML, CSV and JSON",
    )
    .demandCommand(1, "give a command")
    .strict()
    .fail((msg, err) => {
      if (err) throw err;
      const text = /Not enough non-option arguments/.test(msg ?? "")
        ? "give at least one domain or target"
        : msg;
      throw new UsageError(`${text}\nRun 'mxsurvey --help' for usage.`);
    })
    .help()
    .wrap(Math.min(110, process.stdout.columns ?? 100));
}

main(hideBin(process.argv)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(
      `mxsurvey: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    process.exitCode = 1;
  },
);
