/**
 * A service mxsurvey depends on — NATS or ClickHouse — cannot be used: nothing listens at its URL, it does not
 * answer in time, it refuses our credentials, or (NATS) it has no JetStream. The worker's egress canary
 * (`--egress-check HOST:PORT`, an outside mail server it must be able to reach) counts as one too. One error class for both, with a
 * stable `code`, so that every command (scan, worker, status, db) reports it the same way: exit status 4 and one
 * line naming the service and its URL (coordinator/cli.ts). Thrown where the first contact fails; once a
 * service has answered, outages are retried where the data is (results wait in JetStream, rows in the buffer).
 */

export const SERVICES = ["NATS", "ClickHouse", "egress canary"] as const;
export type Service = (typeof SERVICES)[number];

export class ServiceUnavailableError extends Error {
  override readonly name = "ServiceUnavailableError";
  readonly code = "service_unavailable";

  /** `message` is one line that names the service and `url` (credentials removed). */
  constructor(
    readonly service: Service,
    readonly url: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message.replace(/\s*\n\s*/g, " "), options);
  }
}

/** A URL without its user:password@ part, fit for a message. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/[^@/]*@/, "//***@");
}

/** Socket errors that mean "the service is not there" (as opposed to a bad query or a bad row). */
const UNREACHABLE_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENOTFOUND",
  "EAI_AGAIN",
  "ETIMEDOUT",
  "EPIPE",
]);

/** ClickHouse's own refusals of our credentials (error type names of the server's exceptions). */
const CLICKHOUSE_AUTH_TYPES = new Set([
  "AUTHENTICATION_FAILED",
  "REQUIRED_PASSWORD",
  "UNKNOWN_USER",
  "WRONG_PASSWORD",
]);

/**
 * Why an error of the ClickHouse client means the server cannot be used, or null when it is another error.
 * Looks at `err.code` and the server's error type before the message (the client's own timeout has only a
 * message, "Timeout error.").
 */
export function clickHouseUnavailability(err: unknown): string | null {
  const e = err as { code?: unknown; type?: unknown; message?: unknown } | null;
  if (typeof e?.code === "string" && UNREACHABLE_CODES.has(e.code)) return e.code;
  if (typeof e?.type === "string" && CLICKHOUSE_AUTH_TYPES.has(e.type))
    return `${e.type}: refused the credentials`;
  if (typeof e?.message === "string" && /^Timeout error\.?$/.test(e.message)) return "no answer in time";
  return null;
}

/** The ClickHouse client's error `err` as a ServiceUnavailableError for the server at `url`, or null. */
export function clickHouseUnavailable(url: string, err: unknown): ServiceUnavailableError | null {
  const why = clickHouseUnavailability(err);
  if (why === null) return null;
  const where = redactUrl(url);
  return new ServiceUnavailableError("ClickHouse", where, `cannot reach ClickHouse at ${where}: ${why}`, {
    cause: err,
  });
}
