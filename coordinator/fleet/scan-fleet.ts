/**
 * What `scan` adds when it runs as a service (--metrics-listen, --log-format): its logger, its progress
 * reporting, and its metrics wired around the sinks, the DNS client and (embedded) the pool and queue. Kept
 * out of commands/scan.ts, which only calls these.
 */

import { createLogger, type Logger } from "../../shared/log.js";
import { Metrics } from "../../shared/metrics.js";
import { ClickHouseStore } from "../../shared/store/clickhouse.js";
import { JsonlSink } from "../../shared/store/jsonl.js";
import type { RowSink } from "../../shared/store/types.js";
import { logSecrets } from "../commands/nats-options.js";
import type { ScanArgs } from "../commands/scan-options.js";
import { Progress } from "../scan/progress.js";
import { type MetricsServer, parseListen, startMetricsServer } from "./metrics-server.js";

export interface ScanFleet {
  log: Logger;
  progress: Progress;
  metrics: Metrics | null;
  /** Count the rows written to these sinks (and the ClickHouse store's retries); the same sinks otherwise. */
  countSinks(sinks: RowSink[]): RowSink[];
  /** Start the metrics listener (when asked); ready until close(). */
  listen(): Promise<void>;
  close(): Promise<void>;
}

export function scanFleet(args: ScanArgs): ScanFleet {
  // A bad ADDR:PORT is refused now, before the scan creates anything.
  if (args["metrics-listen"] !== undefined) parseListen("metrics-listen", args["metrics-listen"]);
  const json = args["log-format"] === "json";
  const log = createLogger({
    format: json ? "json" : "text",
    component: "scan",
    secrets: logSecrets(args),
    quiet: args.quiet,
  });
  const metrics = args["metrics-listen"] ? new Metrics("scan") : null;
  let server: MetricsServer | null = null;
  return {
    log,
    progress: json ? Progress.events(log, args.quiet) : Progress.auto(args.quiet),
    metrics,
    countSinks(sinks) {
      if (!metrics) return sinks;
      return sinks.map((s) => {
        if (s instanceof ClickHouseStore) {
          metrics.watchWriteRetries(() => s.failedFlushes);
          return metrics.instrumentSink(s, "clickhouse");
        }
        return metrics.instrumentSink(s, s instanceof JsonlSink ? "jsonl" : "clickhouse");
      });
    },
    async listen() {
      if (!metrics || server) return;
      server = await startMetricsServer(args["metrics-listen"]!, metrics);
      log.event(
        "metrics_listening",
        { address: server.address },
        `metrics on http://${server.address}/metrics`,
      );
      server.setReady(true);
    },
    async close() {
      server?.setReady(false);
      await server?.close();
      server = null;
    },
  };
}
