/** Options for running `scan` and `worker` as services: metrics listener and log format. */

import type { Argv } from "yargs";

export const LOG_FORMATS = ["text", "json"] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

export function fleetOptions<T>(y: Argv<T>) {
  return y
    .option("metrics-listen", {
      type: "string",
      description: "serve Prometheus /metrics and /livez, /readyz on ADDR:PORT (e.g. 0.0.0.0:9464)",
    })
    .option("log-format", {
      choices: LOG_FORMATS,
      default: "text" as LogFormat,
      description: "log lines on stderr: text for people, json for one JSON object per event",
    });
}

export interface FleetArgs {
  "metrics-listen"?: string | undefined;
  "log-format": LogFormat;
}
