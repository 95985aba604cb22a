/**
 * The SMTP side of one connection: write command lines, read complete replies with a timeout per read and a
 * byte bound per line, reply and connection. The channel can move from the plain socket to the TLS socket after
 * STARTTLS (RFC 3207), keeping its byte budget. Every read ends in a reply or a typed failure:
 * nothing at all before the timeout → the phase's "no data" failure (`banner_timeout` / `smtp_timeout`);
 * some bytes but no complete reply → `partial_reply_timeout` (a drip); EOF → `connection_closed`;
 * a socket error → its classified name (a socket error wins over a timeout firing at the same moment).
 */

import type { Socket } from "node:net";
import type { Failure, Phase, ProbeFailure } from "../../shared/failures.js";
import { classifySocketError } from "./classify.js";
import type { Deadline } from "./deadline.js";
import { type ReplyLimits, ReplyParser, type SmtpReply } from "./smtp-reply.js";

export type ReadResult = { ok: true; reply: SmtpReply } | { ok: false; failure: ProbeFailure };

export class SmtpChannel {
  private socket: Socket | null = null;
  private readonly parser: ReplyParser;
  private ended = false;
  private error: unknown = null;
  private wake: (() => void) | null = null;
  private readonly onData = (chunk: Buffer) => {
    this.parser.push(chunk);
    this.notify();
  };
  private readonly onEnd = () => {
    this.ended = true;
    this.notify();
  };
  private readonly onError = (err: unknown) => {
    if (this.error === null) this.error = err;
    this.notify();
  };

  constructor(
    socket: Socket,
    private readonly deadline: Deadline,
    limits?: ReplyLimits,
  ) {
    this.parser = new ReplyParser(limits);
    this.attach(socket);
  }

  attach(socket: Socket): void {
    this.detach();
    this.socket = socket;
    this.ended = false;
    this.error = null;
    socket.on("data", this.onData);
    socket.on("end", this.onEnd);
    socket.on("close", this.onEnd);
    socket.on("error", this.onError);
  }

  /** Stop listening (before handing the raw socket to TLS). Returns bytes the server sent ahead, discarded. */
  detach(): number {
    const s = this.socket;
    if (s) {
      s.off("data", this.onData);
      s.off("end", this.onEnd);
      s.off("close", this.onEnd);
      s.off("error", this.onError);
      this.socket = null;
    }
    return this.parser.discardPending();
  }

  get bytesReceived(): number {
    return this.parser.bytesSeen;
  }

  write(line: string): boolean {
    const s = this.socket;
    if (!s || s.destroyed) return false;
    s.write(`${line}\r\n`);
    return true;
  }

  private notify(): void {
    const w = this.wake;
    this.wake = null;
    w?.();
  }

  /**
   * Read one complete reply within `phaseMs` (bounded by the job deadline). `noData` names the failure when not
   * one byte arrived: `banner_timeout` for the greeting, `smtp_timeout` otherwise.
   */
  async readReply(phase: Phase, phaseMs: number, noData: Failure): Promise<ReadResult> {
    const { ms, byDeadline } = this.deadline.budget(phaseMs);
    const startBytes = this.parser.bytesSeen;
    const startPartial = this.parser.partialBytes;
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      this.notify();
    }, ms);
    try {
      for (;;) {
        const r = this.parser.next();
        if (r.kind === "reply") return { ok: true, reply: r.reply };
        if (r.kind === "error") {
          return { ok: false, failure: { failure: r.error.kind, phase, detail: r.error.detail } };
        }
        if (this.error !== null) return { ok: false, failure: classifySocketError(this.error, phase) };
        if (this.ended) {
          const got = this.parser.partialBytes;
          return {
            ok: false,
            failure: {
              failure: "connection_closed",
              phase,
              detail: got > 0 ? `closed after ${got} bytes of an incomplete reply` : "closed by the server",
            },
          };
        }
        if (timedOut) {
          const got = this.parser.bytesSeen - startBytes + startPartial;
          const limit = byDeadline ? "the job deadline" : `${phaseMs} ms`;
          if (byDeadline) {
            return {
              ok: false,
              failure: { failure: "deadline_exceeded", phase, detail: `${limit} ran out` },
            };
          }
          if (got > 0) {
            return {
              ok: false,
              failure: {
                failure: "partial_reply_timeout",
                phase,
                detail: `only ${got} bytes of a reply within ${limit}`,
              },
            };
          }
          return { ok: false, failure: { failure: noData, phase, detail: `no reply within ${limit}` } };
        }
        await new Promise<void>((resolve) => {
          this.wake = resolve;
        });
      }
    } finally {
      clearTimeout(timer);
      this.wake = null;
    }
  }
}
