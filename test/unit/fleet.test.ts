/** The fleet modules without servers: the logger's formats and scrubbing, metric labels, option parsing. */

import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { parseListen } from "../../coordinator/fleet/metrics-server.js";
import { createLogger, type LogFormat } from "../../shared/log.js";
import { Metrics } from "../../shared/metrics.js";
import type { ProbeTaskResult } from "../../shared/probe-task.js";
import type { HostRow } from "../../shared/schema/host-row.js";

function capture(format: LogFormat, secrets: string[]) {
  let text = "";
  const stream = new Writable({
    write(chunk, _enc, cb) {
      text += chunk.toString();
      cb();
    },
  });
  const log = createLogger({ format, component: "worker w1", secrets, stream });
  return { log, lines: () => text.split("\n").filter((l) => l !== "") };
}

describe("log", () => {
  const cases: { name: string; fields: Record<string, unknown>; message?: string }[] = [
    { name: "secret in the message", fields: {}, message: "auth with hunter2-pw failed" },
    { name: "secret in a field", fields: { error: "password hunter2-pw refused" } },
    { name: "secret in a nested field", fields: { a: { b: ["x", "tok-SECRET-9"] } } },
    { name: "secret in an Error field", fields: { error: new Error("bad token tok-SECRET-9") } },
    { name: "credentials in a URL", fields: { url: "http://default:other-pw@127.0.0.1:8123" } },
  ];
  for (const format of ["text", "json"] as const) {
    for (const c of cases) {
      it(`log - ${format}: ${c.name}`, () => {
        const { log, lines } = capture(format, ["hunter2-pw", "tok-SECRET-9"]);
        log.event("job_error", c.fields, c.message, "warn");
        expect(lines()).toHaveLength(1);
        const line = lines()[0]!;
        expect(line).not.toMatch(/hunter2-pw|tok-SECRET-9|other-pw/);
        if (format === "json") {
          const o = JSON.parse(line) as Record<string, unknown>;
          expect(o["event"]).toBe("job_error");
          expect(o["level"]).toBe("warn");
          expect(o["component"]).toBe("worker w1");
        } else expect(line).toMatch(/^\[worker w1\] warn: job_error: /);
      });
    }
  }

  it("log - quiet writes nothing", () => {
    let wrote = false;
    const stream = new Writable({
      write(_c, _e, cb) {
        wrote = true;
        cb();
      },
    });
    createLogger({ format: "json", component: "scan", quiet: true, stream }).event("scan_note", {}, "x");
    expect(wrote).toBe(false);
  });
});

const row = (over: Partial<HostRow>) =>
  ({ status: "ok", failure: null, duration_ms: 120, connections_used: 1, ...over }) as HostRow;

describe("metrics", () => {
  it("metrics - every metric the fleet's scope names is registered (rate-limit waits: no scheduler yet)", async () => {
    const names = (await new Metrics("worker").registry.getMetricsAsJSON()).map((m) => m.name);
    const scope: [string, string][] = [
      ["probes in flight", "mxsurvey_probes_in_flight"],
      ["finished by status and failure", "mxsurvey_probes_finished_total"],
      ["duration per phase", "mxsurvey_probe_phase_duration_seconds"],
      ["duration", "mxsurvey_probe_duration_seconds"],
      ["connections opened", "mxsurvey_connections_opened_total"],
      ["bytes read", "mxsurvey_probe_bytes_read_total"],
      ["jobs pulled", "mxsurvey_jobs_pulled_total"],
      ["jobs acked", "mxsurvey_jobs_acked_total"],
      ["jobs redelivered", "mxsurvey_jobs_redelivered_total"],
      ["jobs exhausted", "mxsurvey_jobs_exhausted_total"],
      ["results written", "mxsurvey_results_written_total"],
      ["write retries", "mxsurvey_result_write_retries_total"],
      ["queue depth", "mxsurvey_queue_pending_jobs"],
      ["DNS queries by rcode", "mxsurvey_dns_queries_total"],
    ];
    for (const [what, name] of scope) expect(names, what).toContain(name);
    expect(names.filter((n) => /rate_limit/.test(n))).toEqual([]);
  });

  it("metrics - statuses and failures outside the vocabularies become `other`", async () => {
    const m = new Metrics("worker");
    m.observeHostRow(row({}));
    m.observeHostRow(row({ status: "made_up" as never, failure: "host.example.org" as never }));
    m.observeHostRow(row({ status: "unreachable", failure: "connection_refused", connections_used: 2 }));
    const finished = (await m.probesFinished.get()).values.map((v) => [
      v.labels["status"],
      v.labels["failure"],
      v.value,
    ]);
    expect(finished).toEqual([
      ["ok", "none", 1],
      ["other", "other", 1],
      ["unreachable", "connection_refused", 1],
    ]);
    expect((await m.connectionsOpened.get()).values[0]?.value).toBe(4);
    const text = await m.registry.metrics();
    expect(text).not.toContain("host.example.org");
    expect(text).toMatch(/^mxsurvey_probe_duration_seconds_count\{role="worker",status="ok"\} 1$/m);
  });

  it("metrics - a pool's in-flight gauge returns to 0, and a task that throws is counted, not observed", async () => {
    const m = new Metrics("worker");
    let release: () => void = () => {};
    const pool = {
      capacity: 2,
      run: (job: string) =>
        job === "bad"
          ? Promise.reject(new Error("thread died"))
          : new Promise<ProbeTaskResult>((r) => {
              release = () => r({ row: row({}), bytes_read: 1234 });
            }),
    };
    const counted = m.instrumentPool(pool);
    expect(counted.capacity).toBe(2);
    const p = counted.run("good");
    expect((await m.probesInFlight.get()).values[0]?.value).toBe(1);
    release();
    await p;
    await expect(counted.run("bad")).rejects.toThrow("thread died");
    expect((await m.probesInFlight.get()).values[0]?.value).toBe(0);
    expect((await m.jobsFailed.get()).values[0]?.value).toBe(1);
    expect((await m.probesFinished.get()).values.map((v) => v.value)).toEqual([1]);
    expect((await m.probeBytesRead.get()).values[0]?.value).toBe(1234);
    expect(await m.registry.metrics()).toMatch(/^mxsurvey_probe_bytes_read_total\{role="worker"\} 1234$/m);
  });
});

describe("listen", () => {
  const good: [string, { host: string; port: number }][] = [
    ["127.0.0.1:9464", { host: "127.0.0.1", port: 9464 }],
    ["0.0.0.0:0", { host: "0.0.0.0", port: 0 }],
    ["[::1]:25", { host: "::1", port: 25 }],
    ["mx.example.org:25", { host: "mx.example.org", port: 25 }],
  ];
  for (const [v, want] of good)
    it(`listen - ${v}`, () => expect(parseListen("metrics-listen", v)).toEqual(want));
  for (const v of ["9464", "127.0.0.1", "127.0.0.1:65536", "::1:25", "host:port", ""])
    it(`listen - ${JSON.stringify(v)} is refused`, () =>
      expect(() => parseListen("metrics-listen", v)).toThrow(/ADDR:PORT/));
});
