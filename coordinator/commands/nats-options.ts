/** NATS connection options shared by scan, worker and status: URL, user/password, token, credentials, TLS. */

import type { Argv } from "yargs";

export function natsOptions<T>(y: Argv<T>) {
  return y
    .option("nats", {
      type: "string",
      description: "NATS server URL (nats://host:4222); enables the distributed mode",
    })
    .option("nats-user", { type: "string", description: "NATS user" })
    .option("nats-password", { type: "string", description: "NATS password (or env MXSURVEY_NATS_PASSWORD)" })
    .option("nats-token", { type: "string", description: "NATS token (or env MXSURVEY_NATS_TOKEN)" })
    .option("nats-creds", { type: "string", description: "NATS credentials file (JWT + nkey seed)" })
    .option("nats-tls-ca", {
      type: "string",
      description: "CA file to verify the NATS server's TLS certificate",
    })
    .option("nats-tls-cert", { type: "string", description: "client certificate for NATS TLS" })
    .option("nats-tls-key", { type: "string", description: "client key for NATS TLS" });
}

export interface NatsArgs {
  nats?: string | undefined;
  "nats-user"?: string | undefined;
  "nats-password"?: string | undefined;
  "nats-token"?: string | undefined;
  "nats-creds"?: string | undefined;
  "nats-tls-ca"?: string | undefined;
  "nats-tls-cert"?: string | undefined;
  "nats-tls-key"?: string | undefined;
}

export function natsConnectOptions(a: NatsArgs, name: string) {
  const password = a["nats-password"] ?? process.env["MXSURVEY_NATS_PASSWORD"];
  const token = a["nats-token"] ?? process.env["MXSURVEY_NATS_TOKEN"];
  const tls =
    a["nats-tls-ca"] || a["nats-tls-cert"] || a["nats-tls-key"]
      ? {
          ...(a["nats-tls-ca"] ? { caFile: a["nats-tls-ca"] } : {}),
          ...(a["nats-tls-cert"] ? { certFile: a["nats-tls-cert"] } : {}),
          ...(a["nats-tls-key"] ? { keyFile: a["nats-tls-key"] } : {}),
        }
      : undefined;
  return {
    url: a.nats ?? "nats://127.0.0.1:4222",
    name,
    ...(a["nats-user"] ? { user: a["nats-user"] } : {}),
    ...(password ? { password } : {}),
    ...(token ? { token } : {}),
    ...(a["nats-creds"] ? { credsFile: a["nats-creds"] } : {}),
    ...(tls ? { tls } : {}),
  };
}

/** The secrets among the NATS and ClickHouse options (and their environment variables), for the logger. */
export function logSecrets(
  a: NatsArgs & { "clickhouse-password"?: string | undefined },
): (string | undefined)[] {
  return [
    a["nats-password"],
    process.env["MXSURVEY_NATS_PASSWORD"],
    a["nats-token"],
    process.env["MXSURVEY_NATS_TOKEN"],
    a["clickhouse-password"],
    process.env["MXSURVEY_CLICKHOUSE_PASSWORD"],
  ];
}
