/**
 * `worker --egress-check HOST:PORT`: before pulling any job, open one TCP connection to a canary (a mail server
 * on port 25 that the operator knows answers) and close it at once. Clouds block outbound port 25 by default;
 * a worker there would turn every job into `unreachable` rows. When the connection cannot be made the worker
 * refuses to start: a ServiceUnavailableError (exit 4, one line naming the canary and why).
 */

import { connect } from "node:net";
import { ServiceUnavailableError } from "../../shared/service-error.js";
import { parseListen } from "./metrics-server.js";

export async function checkEgress(target: string, timeoutMs = 10_000): Promise<void> {
  const { host, port } = parseListen("egress-check", target);
  if (port === 0)
    throw new ServiceUnavailableError("egress canary", target, `--egress-check ${target}: port 0`);
  const why = await new Promise<string | null>((resolve) => {
    const socket = connect({ host, port });
    const timer = setTimeout(() => {
      socket.destroy();
      resolve(`no connection within ${timeoutMs / 1000} s`);
    }, timeoutMs);
    socket.once("connect", () => {
      clearTimeout(timer);
      socket.destroy();
      resolve(null);
    });
    socket.once("error", (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(err.code ?? err.message);
    });
  });
  if (why !== null) {
    throw new ServiceUnavailableError(
      "egress canary",
      target,
      `egress check failed: cannot open a TCP connection to ${target} (${why}); outbound connections to mail servers look blocked, so no jobs are pulled`,
    );
  }
}
