/**
 * `mxsurvey worker --nats URL [--threads N] [--concurrency M]`: pull probe jobs from the shared JetStream
 * consumer, probe on a piscina pool (N threads × M probes each), publish results, ack. The target-address
 * policy and trust roots are this worker's settings; what to measure with (depth, EHLO name, timeouts) comes
 * from the scan in each job. SIGTERM/SIGINT: stop pulling, finish what is in
 * flight (bounded by the probe deadline), then exit; a second signal gives the remaining jobs back at once.
 */

import { NatsWorkerTransport } from "../../shared/transport/nats.js";
import { createProbePool, runWorkerLoop, WORKER_NAME } from "../../worker/api.js";
import { positiveInt, workerSettings } from "../options.js";
import { connectNatsService } from "./nats-connect.js";
import type { WorkerArgs } from "./worker-options.js";

export async function runWorkerCommand(args: WorkerArgs): Promise<void> {
  const settings = workerSettings(args);
  const threads = positiveInt("threads", args.threads, 256);
  const concurrency = positiveInt("concurrency", args.concurrency, 10_000);
  const log = (m: string) => {
    if (!args.quiet) process.stderr.write(`[worker ${WORKER_NAME}] ${m}\n`);
  };
  const nc = await connectNatsService(args, `mxsurvey-worker-${WORKER_NAME}`);
  const transport = new NatsWorkerTransport(nc);
  const pool = createProbePool(settings, { threads, concurrency });
  let done = 0;
  let signals = 0;
  const onSignal = (sig: string) => {
    signals++;
    log(signals === 1 ? `${sig}: no new jobs; finishing those in flight` : `${sig} again: exiting now`);
    void transport.stop();
    if (signals > 1) process.exit(130);
  };
  process.on("SIGTERM", () => onSignal("SIGTERM"));
  process.on("SIGINT", () => onSignal("SIGINT"));
  log(`connected to ${args.nats}; ${threads} threads x ${concurrency} probes`);
  const ticker = setInterval(() => log(`${done} jobs done`), 10_000);
  try {
    await runWorkerLoop(transport, pool, {
      maxInFlight: pool.capacity,
      heartbeatMs: 10_000,
      onResult: () => {
        done++;
      },
      onError: (job, err) =>
        log(`job ${job.hostname} ${job.ip}: ${err instanceof Error ? err.message : String(err)}`),
    });
  } finally {
    clearInterval(ticker);
    log(`stopping after ${done} jobs`);
    await pool.destroy();
    await transport.close();
    await nc.close();
  }
}
