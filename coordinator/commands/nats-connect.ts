/**
 * The first contact with NATS for scan, worker and status: a server that cannot be used (nothing listens, no
 * answer in time, credentials refused, no JetStream) is a ServiceUnavailableError (exit 4, one line naming the
 * URL); a bad option (token and user together, an unreadable credentials or TLS file) is a UsageError (exit 2).
 * Kept apart from nats-options.ts so that parsing the command line loads no NATS client.
 */

import { redactUrl, ServiceUnavailableError } from "../../shared/service-error.js";
import { connectNats, type NatsClient, NatsConnectError } from "../../shared/transport/nats.js";
import { UsageError } from "../options.js";
import { type NatsArgs, natsConnectOptions } from "./nats-options.js";

/** NatsConnectError codes that are the user's options, found before any connection is tried. */
const OPTION_CODES = new Set(["BAD_OPTIONS", "CREDS_FILE", "TLS_FILE"]);

export async function connectNatsService(args: NatsArgs, clientName: string): Promise<NatsClient> {
  const opts = natsConnectOptions(args, clientName);
  try {
    return await connectNats(opts);
  } catch (err) {
    if (!(err instanceof NatsConnectError)) throw err;
    if (OPTION_CODES.has(err.code)) throw new UsageError(err.message);
    throw new ServiceUnavailableError("NATS", redactUrl(opts.url), err.message, { cause: err });
  }
}
