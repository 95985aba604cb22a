/**
 * One TCP connection to a checked address, within the connect timeout and the job's deadline. The failure is
 * classified (refused, timeout, unreachable, ...) in the `connect` phase; the caller owns the socket on success.
 * The socket sends without Nagle's delay (TCP_NODELAY, as Go's net package and most scanners do): the TLS
 * handshake runs over a JavaScript stream (tap-stream.ts) that hands each chunk of a flight to the socket as a
 * write of its own, and with Nagle a small write behind an unacknowledged one waits for the server's ACK,
 * which stretched probes (and tls_ms) for nothing. The bytes sent are the same.
 */

import { connect as netConnect, type Socket } from "node:net";
import type { ProbeFailure } from "../../shared/failures.js";
import { classifySocketError } from "./classify.js";
import type { Deadline } from "./deadline.js";

export type ConnectFn = (ip: string, port: number) => Socket;

export const defaultConnect: ConnectFn = (ip, port) => netConnect({ host: ip, port });

export function connectTcp(
  target: { ip: string; port: number },
  connectTimeoutMs: number,
  deadline: Deadline,
  connect: ConnectFn = defaultConnect,
): Promise<{ ok: true; socket: Socket; ms: number } | { ok: false; failure: ProbeFailure }> {
  const started = Date.now();
  const { ms, byDeadline } = deadline.budget(connectTimeoutMs);
  return new Promise((resolve) => {
    let socket: Socket;
    try {
      socket = connect(target.ip, target.port);
    } catch (err) {
      resolve({ ok: false, failure: classifySocketError(err, "connect") });
      return;
    }
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({
        ok: false,
        failure: {
          failure: byDeadline ? "deadline_exceeded" : "connect_timeout",
          phase: "connect",
          detail: byDeadline ? "the job deadline ran out" : `no TCP connection within ${connectTimeoutMs} ms`,
        },
      });
    }, ms);
    const onError = (err: unknown) => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ ok: false, failure: classifySocketError(err, "connect") });
    };
    socket.once("error", onError);
    socket.once("connect", () => {
      clearTimeout(timer);
      socket.off("error", onError);
      socket.setNoDelay(true);
      resolve({ ok: true, socket, ms: Date.now() - started });
    });
  });
}
