/**
 * A pass-through Duplex between the TLS client and its TCP socket that keeps a copy of what the server sends,
 * so the certificates can be read exactly as sent (tls-records.ts). Node's own view of the peer chain
 * (getPeerCertificate) appends issuers from our trust store; the bytes do not.
 *
 * Bytes flow unchanged both ways, with back-pressure both ways. Recording is bounded (`limit` bytes, then it
 * stops and `capped` says so) and ends with `stopRecording()` once the handshake is done. Reading is bounded
 * too: with a `budget`, the server bytes until `stopRecording()` are counted and, past `budget.bytes`, the
 * tap stops passing them on and calls `budget.onExceeded` once (OpenSSL skips some records, such as empty
 * HelloRequests, forever: without a count, only a timer would end such a flood).
 *
 * End, close and errors carry over so the TLS layer sees what it would see on the socket itself:
 *   socket 'end'   → end of our readable side (the TLS client reports "disconnected before secure connection");
 *   socket 'error' → destroy(err) with the same error object (ECONNRESET stays ECONNRESET);
 *   socket 'close' → destroy(), after our 'end' has been delivered when one is pending;
 *   our end()      → socket.end();  our destroy() → socket.destroy().
 */

import type { Socket } from "node:net";
import { Duplex } from "node:stream";

export const DEFAULT_TAP_LIMIT = 256 * 1024;

/** Server bytes one handshake may take: far above any real flight (a long chain, OCSP, TLS 1.3 tickets). */
export const DEFAULT_HANDSHAKE_BYTE_BUDGET = 1024 * 1024;

/** Client bytes kept: enough for any ClientHello OpenSSL writes (its suites say what this client can complete). */
const CLIENT_BYTES_KEPT = 16 * 1024;

export interface TapBudget {
  bytes: number;
  /** Called once, with the bytes counted, when they pass `bytes` before `stopRecording()`. */
  onExceeded: (received: number) => void;
}

export class TapStream extends Duplex {
  private chunks: Buffer[] = [];
  private recorded = 0;
  private recording = true;
  private cappedAt: number | null = null;
  private endPushed = false;
  /** Server bytes counted against the budget; counting ends with stopRecording(). */
  private received = 0;
  private sent: Buffer[] = [];
  private sentKept = 0;
  private counting = true;
  private exceeded = false;

  private readonly onData = (chunk: Buffer): void => {
    if (this.exceeded) return;
    if (this.counting && this.budget) {
      this.received += chunk.length;
      if (this.received > this.budget.bytes) {
        this.exceeded = true;
        this.recording = false;
        this.socket.pause();
        this.budget.onExceeded(this.received);
        return;
      }
    }
    if (this.recording) this.record(chunk);
    if (!this.push(chunk)) this.socket.pause();
  };
  private readonly onEnd = (): void => {
    this.endPushed = true;
    this.push(null);
  };
  private readonly onError = (err: Error): void => {
    this.destroy(err);
  };
  private readonly onClose = (): void => {
    if (this.destroyed) return;
    // Let a pending 'end' reach the TLS layer first: it tells "closed" from "gone".
    if (this.endPushed && !this.readableEnded) this.once("end", () => this.destroy());
    else this.destroy();
  };

  constructor(
    private readonly socket: Socket,
    private readonly limit = DEFAULT_TAP_LIMIT,
    private readonly budget: TapBudget | null = null,
  ) {
    // Mirror the socket: no half-open connection (net.Socket's default).
    super({ allowHalfOpen: false });
    socket.on("data", this.onData);
    socket.on("end", this.onEnd);
    socket.on("error", this.onError);
    socket.on("close", this.onClose);
    // A socket that ended or closed before we came (the server hung up right after its 220) says so at once.
    if (socket.destroyed) process.nextTick(this.onClose);
    else if (socket.readableEnded) process.nextTick(this.onEnd);
  }

  private record(chunk: Buffer): void {
    const room = this.limit - this.recorded;
    if (chunk.length > room) {
      if (room > 0) this.chunks.push(Buffer.from(chunk.subarray(0, room)));
      this.recorded = this.limit;
      this.cappedAt = this.limit;
      this.recording = false;
      return;
    }
    this.chunks.push(chunk);
    this.recorded += chunk.length;
  }

  /** Recording stopped at the limit: the copy is the first `limit` bytes only. */
  get capped(): boolean {
    return this.cappedAt !== null;
  }

  /** Stop recording and hand over the copy (server → client bytes since the tap was attached). */
  stopRecording(): Buffer {
    this.recording = false;
    this.counting = false;
    const out = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks);
    this.chunks = [];
    return out;
  }

  override _read(): void {
    if (!this.socket.destroyed && !this.exceeded) this.socket.resume();
  }

  /** The first bytes the client wrote (its ClientHello), up to CLIENT_BYTES_KEPT. */
  get clientBytes(): Buffer {
    return Buffer.concat(this.sent);
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    if (this.sentKept < CLIENT_BYTES_KEPT) {
      const part = chunk.subarray(0, CLIENT_BYTES_KEPT - this.sentKept);
      this.sent.push(Buffer.from(part));
      this.sentKept += part.length;
    }
    // A write to a gone socket is dropped: its 'close' (or 'error') is already on the way to us.
    if (this.socket.destroyed || !this.socket.writable) callback();
    else if (this.socket.write(chunk)) callback();
    else this.socket.once("drain", () => callback());
  }

  override _final(callback: (error?: Error | null) => void): void {
    if (!this.socket.destroyed) this.socket.end();
    callback();
  }

  override _destroy(err: Error | null, callback: (error?: Error | null) => void): void {
    const s = this.socket;
    s.off("data", this.onData);
    s.off("end", this.onEnd);
    s.off("error", this.onError);
    s.off("close", this.onClose);
    s.on("error", () => {}); // a late socket error must not crash the process
    this.recording = false; // what was recorded stays until stopRecording()
    if (!s.destroyed) s.destroy();
    callback(err);
  }
}
