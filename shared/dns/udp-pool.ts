/**
 * Long-lived UDP sockets to one resolver, shared by many queries in flight (RFC 5452: a random 16-bit id per
 * query, unique among the socket's queries in flight; the caller also checks the question section). A few
 * sockets per resolver, each connected (the kernel drops datagrams from any other source) and replaced after
 * `maxQueriesPerSocket` queries or on a socket error, so the source port still varies over a survey. Sockets
 * are unref'd: only the queries' own timers keep the process alive.
 */

import { randomInt } from "node:crypto";
import dgram from "node:dgram";
import net from "node:net";
import type { DnsResolverAddress } from "./types.js";

export interface UdpExchange {
  /** A datagram carrying this exchange's id arrived; the exchange decides whether it is the answer. */
  onMessage(msg: Buffer): void;
  /** The socket failed (e.g. ECONNREFUSED from an ICMP port unreachable): no answer will come on it. */
  onError(detail: string): void;
}

/** A registered exchange: `end()` forgets it (late datagrams with its id are then dropped). */
export interface UdpTicket {
  end(): void;
}

const RANDOM_IDS = 4096;
const RECV_BUFFER_BYTES = 1 << 20;

/** Random ids from crypto, drawn in batches (one randomInt call per id costs more than the query). */
class IdSource {
  private buf = new Uint16Array(RANDOM_IDS);
  private i = RANDOM_IDS;
  next(): number {
    if (this.i >= RANDOM_IDS) {
      // getRandomValues: the CSPRNG, as randomInt is.
      globalThis.crypto.getRandomValues(this.buf);
      this.i = 0;
    }
    return this.buf[this.i++]!;
  }
}

class Channel {
  readonly pending = new Map<number, UdpExchange>();
  sent = 0;
  retired = false;
  private closed = false;
  private connected = false;
  private readonly backlog: Buffer[] = [];
  private readonly socket: dgram.Socket;

  constructor(
    resolver: DnsResolverAddress,
    private readonly label: string,
    private readonly onRetired: (c: Channel) => void,
    private readonly onClosed: (c: Channel) => void,
  ) {
    this.socket = dgram.createSocket({
      type: net.isIP(resolver.host) === 6 ? "udp6" : "udp4",
      // Many answers in flight per socket: room for bursts (the kernel caps it at net.core.rmem_max).
      recvBufferSize: RECV_BUFFER_BYTES,
    });
    this.socket.unref();
    this.socket.on("message", (msg) => {
      if (msg.length < 12) return;
      const ex = this.pending.get(msg.readUInt16BE(0));
      if (ex) ex.onMessage(msg);
    });
    this.socket.on("error", (err: NodeJS.ErrnoException) =>
      this.fail(`UDP ${this.label}: ${err.code ?? err.message}`),
    );
    this.socket.connect(resolver.port, resolver.host, () => {
      if (this.closed) return;
      this.connected = true;
      for (const m of this.backlog.splice(0)) this.write(m);
    });
  }

  send(message: Buffer): void {
    this.sent++;
    if (this.connected) this.write(message);
    else this.backlog.push(message);
  }

  private write(message: Buffer): void {
    try {
      this.socket.send(message);
    } catch (err) {
      this.fail(`UDP ${this.label}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
  }

  /** The socket is no good: every exchange on it fails now, and the socket goes. */
  private fail(detail: string): void {
    this.retire();
    const all = [...this.pending.values()];
    this.pending.clear();
    for (const ex of all) ex.onError(detail);
    this.close();
  }

  retire(): void {
    if (this.retired) return;
    this.retired = true;
    this.onRetired(this);
    if (this.pending.size === 0) this.close();
  }

  release(id: number, ex: UdpExchange): void {
    if (this.pending.get(id) === ex) this.pending.delete(id);
    if (this.retired && this.pending.size === 0) this.close();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.onClosed(this);
    try {
      this.socket.close();
    } catch {
      // already closed
    }
  }
}

export class UdpPool {
  private readonly channels: (Channel | null)[];
  private readonly draining = new Set<Channel>();
  private readonly ids = new IdSource();
  private turn = 0;
  private readonly maxQueriesPerSocket: number;

  constructor(
    private readonly resolver: DnsResolverAddress,
    private readonly label: string,
    opts: { sockets: number; maxQueriesPerSocket: number },
  ) {
    this.maxQueriesPerSocket = opts.maxQueriesPerSocket;
    this.channels = Array.from({ length: Math.max(1, opts.sockets) }, () => null);
  }

  /**
   * Send the message `build(id)` makes, with an id free on the chosen socket; datagrams carrying that id reach
   * `ex` until `end()`.
   */
  send(build: (id: number) => Buffer, ex: UdpExchange): UdpTicket {
    const slot = this.turn++ % this.channels.length;
    let ch = this.channels[slot];
    if (!ch || ch.retired) {
      ch = new Channel(
        this.resolver,
        this.label,
        (c) => this.retired(c),
        (c) => this.draining.delete(c),
      );
      // A random head start, so the sockets are not all replaced at the same moment.
      ch.sent = randomInt(0, Math.max(1, Math.floor(this.maxQueriesPerSocket / 4)));
      this.channels[slot] = ch;
    }
    let id = this.ids.next();
    while (ch.pending.has(id)) id = this.ids.next();
    ch.pending.set(id, ex);
    const channel = ch;
    channel.send(build(id));
    if (channel.sent >= this.maxQueriesPerSocket) channel.retire();
    return { end: () => channel.release(id, ex) };
  }

  private retired(c: Channel): void {
    const i = this.channels.indexOf(c);
    if (i >= 0) this.channels[i] = null;
    if (c.pending.size > 0) this.draining.add(c);
  }

  /** Close every socket (the exchanges still registered are the caller's to end). */
  close(): void {
    for (const c of [...this.channels, ...this.draining]) c?.close();
    this.channels.fill(null);
  }
}
