/** `mxsurvey status`'s options (kept apart from the command so that parsing them loads no NATS code). */

import type { Argv } from "yargs";
import { type NatsArgs, natsOptions } from "./nats-options.js";

export function statusOptions<T>(y: Argv<T>) {
  return natsOptions(y)
    .positional("scan_id", { type: "string", describe: "the scan (default: list every scan)" })
    .option("json", { type: "boolean", default: false, description: "print JSON" });
}

export interface StatusArgs extends NatsArgs {
  scan_id?: string | undefined;
  json: boolean;
}
