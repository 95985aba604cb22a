/** `mxsurvey worker`'s options (kept apart from the command so that parsing them loads no probe code). */

import { cpus } from "node:os";
import type { Argv } from "yargs";
import { type WorkerSettingsArgs, workerSettingsOptions } from "../options.js";
import { type FleetArgs, fleetOptions } from "./fleet-options.js";
import { type NatsArgs, natsOptions } from "./nats-options.js";

export function workerOptions<T>(y: Argv<T>) {
  return fleetOptions(natsOptions(workerSettingsOptions(y)))
    .option("threads", { type: "number", default: cpus().length, description: "probe threads" })
    .option("concurrency", { type: "number", default: 64, description: "probes in flight per thread" })
    .option("egress-check", {
      type: "string",
      description:
        "before pulling jobs, open a TCP connection to HOST:PORT (a mail server's port 25); exit 4 if it fails",
    })
    .option("quiet", { type: "boolean", default: false, description: "no log lines" });
}

/**
 * A worker's own settings are its trust roots and its target-address policy; everything a probe measures with
 * (depth, EHLO name, timeouts, per-host delay) comes from the scan, in each job.
 */
export interface WorkerArgs extends WorkerSettingsArgs, NatsArgs, FleetArgs {
  "egress-check"?: string | undefined;
  threads: number;
  concurrency: number;
  quiet: boolean;
}
