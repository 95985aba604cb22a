/**
 * Log events of `scan` and `worker` on stderr, one per line: `--log-format json` writes one JSON object per
 * event (pino: `level`, `time`, `component`, `event`, the event's fields, `msg`), `text` writes a line for
 * people. Both formats carry the same event names (LOG_EVENTS), so a JSON pipeline and a person grepping text
 * see the same vocabulary.
 *
 * No secret is ever written: every string (message and fields) has the secrets the process was given (NATS
 * password and token, ClickHouse password) replaced by `***`, and any `user:password@` in a URL removed.
 */

import { pino } from "pino";
import { redactUrl } from "./service-error.js";

export const LOG_EVENTS = [
  "worker_started", // connected to NATS, about to pull jobs
  "worker_progress", // every few seconds: jobs done so far
  "worker_stopping", // a signal: no new jobs, finishing those in flight
  "worker_stopped", // pool and connections closed
  "job_error", // a probe task threw, or a result could not be stored (the job is given back)
  "transport_error", // the queue transport reported trouble it is retrying
  "egress_checked", // --egress-check: the canary answered
  "metrics_listening", // --metrics-listen: the listener is up
  "scan_stage", // a stage (resolve, probe) began, with its total
  "scan_progress", // every few seconds: done / total in the stage, by outcome
  "scan_note", // something the scan reports to the operator (rejected lines, resolver trouble)
] as const;
export type LogEvent = (typeof LOG_EVENTS)[number];

export type LogFormat = "text" | "json";
export type LogLevel = "info" | "warn" | "error";

export interface Logger {
  event(name: LogEvent, fields?: Record<string, unknown>, message?: string, level?: LogLevel): void;
}

export interface LoggerOptions {
  format: LogFormat;
  /** `scan` or `worker`, plus the worker's name. */
  component: string;
  /** Strings that must never appear in a log line (passwords, tokens); empty ones are ignored. */
  secrets?: readonly (string | undefined)[];
  /** Nothing at all (--quiet). */
  quiet?: boolean;
  /** For tests; default stderr. */
  stream?: NodeJS.WritableStream;
}

/** `s` with every secret and every URL's user:password@ replaced. */
function scrubString(s: string, secrets: readonly string[]): string {
  let out = redactUrl(s);
  for (const secret of secrets) out = out.split(secret).join("***");
  return out;
}

function scrub(value: unknown, secrets: readonly string[], depth = 0): unknown {
  if (typeof value === "string") return scrubString(value, secrets);
  if (value instanceof Error) return scrubString(value.message, secrets);
  if (depth > 4 || value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map((v) => scrub(v, secrets, depth + 1));
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, scrub(v, secrets, depth + 1)]));
}

function textValue(v: unknown): string {
  if (typeof v === "string") return /[\s"=]/.test(v) || v === "" ? JSON.stringify(v) : v;
  return typeof v === "object" && v !== null ? JSON.stringify(v) : String(v);
}

export function createLogger(opts: LoggerOptions): Logger {
  // Longest first, so a secret containing another is replaced whole.
  const secrets = (opts.secrets ?? [])
    .filter((s): s is string => typeof s === "string" && s.length > 0)
    .sort((a, b) => b.length - a.length);
  if (opts.quiet) return { event: () => {} };
  const stream = opts.stream ?? process.stderr;
  if (opts.format === "json") {
    const log = pino(
      {
        base: { component: opts.component },
        timestamp: pino.stdTimeFunctions.isoTime,
        formatters: { level: (label) => ({ level: label }) },
      },
      opts.stream ? (opts.stream as pino.DestinationStream) : pino.destination({ fd: 2, sync: true }),
    );
    return {
      event(name, fields = {}, message, level = "info") {
        const clean = scrub(fields, secrets) as Record<string, unknown>;
        log[level]({ ...clean, event: name }, scrubString(message ?? name, secrets));
      },
    };
  }
  return {
    event(name, fields = {}, message, level = "info") {
      const clean = scrub(fields, secrets) as Record<string, unknown>;
      const text =
        message !== undefined
          ? scrubString(message, secrets)
          : Object.entries(clean)
              .map(([k, v]) => `${k}=${textValue(v)}`)
              .join(" ");
      const tag = level === "info" ? "" : `${level}: `;
      stream.write(`[${opts.component}] ${tag}${name}: ${text}\n`);
    },
  };
}
