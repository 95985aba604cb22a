/**
 * `mxsurvey worker --nats URL [--threads N] [--concurrency M]`: pull probe jobs from the shared JetStream
 * consumer, probe on a piscina pool (N threads × M probes each), publish results, ack. The target-address
 * policy and trust roots are this worker's settings; what to measure with (depth, EHLO name, timeouts) comes
 * from the scan in each job. SIGTERM/SIGINT: stop pulling, finish what is in
 * flight (bounded by the probe deadline), then exit; a second signal gives the remaining jobs back at once.
 * `--egress-check HOST:PORT` refuses to start (exit 4) when the canary cannot be reached; `--metrics-listen`
 * serves Prometheus metrics and /livez, /readyz (ready while pulling jobs).
 */

import { createLogger } from "../../shared/log.js";
import { Metrics } from "../../shared/metrics.js";
import { redactUrl } from "../../shared/service-error.js";
import { NatsWorkerTransport } from "../../shared/transport/nats.js";
import { createProbePool, runWorkerLoop, WORKER_NAME } from "../../worker/api.js";
import { checkEgress } from "../fleet/egress-check.js";
import { type MetricsServer, parseListen, startMetricsServer } from "../fleet/metrics-server.js";
import { positiveInt, workerSettings } from "../options.js";
import { connectNatsService } from "./nats-connect.js";
import { logSecrets } from "./nats-options.js";
import type { WorkerArgs } from "./worker-options.js";

export async function runWorkerCommand(args: WorkerArgs): Promise<void> {
  const settings = workerSettings(args);
  const threads = positiveInt("threads", args.threads, 256);
  const concurrency = positiveInt("concurrency", args.concurrency, 10_000);
  const log = createLogger({
    format: args["log-format"] ?? "text",
    component: `worker ${WORKER_NAME}`,
    secrets: logSecrets(args),
    quiet: args.quiet,
  });
  if (args["metrics-listen"] !== undefined) parseListen("metrics-listen", args["metrics-listen"]);
  if (args["egress-check"]) {
    await checkEgress(args["egress-check"]);
    log.event(
      "egress_checked",
      { canary: args["egress-check"] },
      `egress check: ${args["egress-check"]} answered`,
    );
  }
  const metrics = args["metrics-listen"] ? new Metrics("worker") : null;
  let server: MetricsServer | null = null;
  if (metrics) {
    server = await startMetricsServer(args["metrics-listen"]!, metrics);
    log.event(
      "metrics_listening",
      { address: server.address },
      `metrics on http://${server.address}/metrics`,
    );
  }
  try {
    const nc = await connectNatsService(args, `mxsurvey-worker-${WORKER_NAME}`);
    const natsTransport = new NatsWorkerTransport(nc, {
      onError: (err) => log.event("transport_error", { error: err.message }, err.message, "warn"),
    });
    metrics?.setQueueDepth(() => natsTransport.queuePending());
    const transport = metrics ? metrics.instrumentTransport(natsTransport, "nats") : natsTransport;
    const rawPool = createProbePool(settings, { threads, concurrency });
    const pool = metrics ? metrics.instrumentPool(rawPool) : rawPool;
    let done = 0;
    let signals = 0;
    const onSignal = (sig: string) => {
      signals++;
      server?.setReady(false);
      log.event(
        "worker_stopping",
        { signal: sig, now: signals > 1 },
        signals === 1 ? `${sig}: no new jobs; finishing those in flight` : `${sig} again: exiting now`,
      );
      void transport.stop();
      if (signals > 1) process.exit(130);
    };
    process.on("SIGTERM", () => onSignal("SIGTERM"));
    process.on("SIGINT", () => onSignal("SIGINT"));
    log.event(
      "worker_started",
      { nats: redactUrl(args.nats ?? ""), threads, concurrency },
      `connected to ${redactUrl(args.nats ?? "")}; ${threads} threads x ${concurrency} probes`,
    );
    server?.setReady(true);
    const ticker = setInterval(
      () => log.event("worker_progress", { jobs_done: done }, `${done} jobs done`),
      10_000,
    );
    try {
      await runWorkerLoop(transport, pool, {
        maxInFlight: pool.capacity,
        heartbeatMs: 10_000,
        onResult: () => {
          done++;
        },
        onError: (job, err) =>
          log.event(
            "job_error",
            { error: err instanceof Error ? err.message : String(err) },
            `job ${job.hostname} ${job.ip}: ${err instanceof Error ? err.message : String(err)}`,
            "warn",
          ),
      });
    } finally {
      clearInterval(ticker);
      server?.setReady(false);
      log.event("worker_stopped", { jobs_done: done }, `stopping after ${done} jobs`);
      await pool.destroy();
      await transport.close();
      await nc.close();
    }
  } finally {
    await server?.close();
  }
}
