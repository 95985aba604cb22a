/** `mxsurvey worker`'s options (kept apart from the command so that parsing them loads no probe code). */

import { cpus } from "node:os";
import type { Argv } from "yargs";
import { type WorkerSettingsArgs, workerSettingsOptions } from "../options.js";
import { type NatsArgs, natsOptions } from "./nats-options.js";

export function workerOptions<T>(y: Argv<T>) {
  return natsOptions(workerSettingsOptions(y))
    .option("threads", { type: "number", default: cpus().length, description: "probe threads" })
    .option("concurrency", { type: "number", default: 64, description: "probes in flight per thread" })
    .option("quiet", { type: "boolean", default: false, description: "no log lines" });
}

/**
 * A worker's own settings are its trust roots and its target-address policy; everything a probe measures with
 * (depth, EHLO name, timeouts, per-host delay) comes from the scan, in each job.
 */
export interface WorkerArgs extends WorkerSettingsArgs, NatsArgs {
  threads: number;
  concurrency: number;
  quiet: boolean;
}
