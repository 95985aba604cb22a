/**
 * The metrics listener of `worker` and `scan` (`--metrics-listen ADDR:PORT`), plain node:http:
 * - `GET /metrics`: Prometheus text exposition of the process's registry (shared/metrics.ts);
 * - `GET /livez`: 200 while the process runs its event loop (liveness: restart me only when this fails);
 * - `GET /readyz`: 200 while the process does its work (a worker pulls jobs), 503 before that and once it
 *   drains after a signal (readiness).
 */

import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Metrics } from "../../shared/metrics.js";
import { UsageError } from "../options.js";

/** `ADDR:PORT` or `[IPv6]:PORT` → host and port; port 0 asks for a free one. */
export function parseListen(flag: string, value: string): { host: string; port: number } {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:\s[\]]+)):(\d{1,5})$/.exec(value);
  const port = m ? Number(m[3]) : Number.NaN;
  if (!m || port > 65_535)
    throw new UsageError(`--${flag}: want ADDR:PORT (e.g. 0.0.0.0:9464), not ${JSON.stringify(value)}`);
  return { host: (m[1] ?? m[2])!, port };
}

export interface MetricsServer {
  /** The address actually bound (the port when 0 was asked). */
  readonly address: string;
  /** Ready from now on (or not): the /readyz answer. */
  setReady(ready: boolean): void;
  close(): Promise<void>;
}

export async function startMetricsServer(listen: string, metrics: Metrics): Promise<MetricsServer> {
  const { host, port } = parseListen("metrics-listen", listen);
  let ready = false;
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405, { allow: "GET, HEAD" }).end();
      return;
    }
    if (path === "/metrics") {
      metrics.registry.metrics().then(
        (text) => res.writeHead(200, { "content-type": metrics.registry.contentType }).end(text),
        (err: unknown) =>
          res.writeHead(500, { "content-type": "text/plain" }).end(`metrics: ${(err as Error).message}\n`),
      );
    } else if (path === "/livez") {
      res.writeHead(200, { "content-type": "text/plain" }).end("ok\n");
    } else if (path === "/readyz") {
      res
        .writeHead(ready ? 200 : 503, { "content-type": "text/plain" })
        .end(ready ? "ready\n" : "not ready\n");
    } else {
      res.writeHead(404, { "content-type": "text/plain" }).end("try /metrics, /livez or /readyz\n");
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", (err: NodeJS.ErrnoException) =>
      reject(new UsageError(`--metrics-listen ${listen}: cannot listen: ${err.code ?? err.message}`)),
    );
    server.listen(port, host, () => resolve());
  });
  server.unref();
  const a = server.address() as AddressInfo;
  return {
    address: a.family === "IPv6" ? `[${a.address}]:${a.port}` : `${a.address}:${a.port}`,
    setReady: (r) => {
      ready = r;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
