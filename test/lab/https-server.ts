/**
 * The lab's HTTPS policy server factory (node:https): one server per simulated `mta-sts.<domain>` host, each on
 * its own 127.x.y.z address and a shared port, with a certificate from the lab PKI (test/lab/pki.ts). It serves
 * `/.well-known/mta-sts.txt` with one behaviour — a policy, a wrong media type, a redirect, an error status, an
 * oversized body, endless interim `100 Continue` heads, or no answer at all — and 404 for every other path. It records what each client asked
 * (SNI, Host, path), so tests can check that the fetch pinned the right name.
 */

import { createServer, type Server } from "node:https";
import type { Socket } from "node:net";
import type { TLSSocket } from "node:tls";

export const POLICY_PATH = "/.well-known/mta-sts.txt";

export interface PolicyHttpsBehaviour {
  /** Default 200. */
  status?: number;
  /** Default "text/plain; charset=utf-8"; null sends no Content-Type. */
  contentType?: string | null;
  /** Default "". */
  body?: string;
  /** Extra response headers (e.g. Location). */
  headers?: Record<string, string>;
  /** Stream the body in 8 KiB chunks without Content-Length (the client must stop reading by itself). */
  chunked?: boolean;
  /** Accept the request and never send a response head (a slow server). */
  hang?: boolean;
  /**
   * Why: endless interim heads (`HTTP/1.1 100 Continue`, each within Node's per-head limit) are bounded only by
   * the head timeout unless the client counts bytes. Must give policy_headers_too_large at step headers.
   */
  interimFlood?: boolean;
}

export interface PolicyRequest {
  servername: string | null;
  host: string | null;
  path: string;
}

export interface LabHttpsServer {
  host: string;
  port: number;
  hostname: string;
  /** Requests received, in order. */
  readonly requests: PolicyRequest[];
  /** TCP connections accepted so far. */
  readonly connections: number;
  /** Bytes of interim heads the flood handed to the socket (an upper bound on what the client read). */
  readonly flooded: number;
  close(): Promise<void>;
}

const CHUNK = 8192;

export async function startPolicyHttpsServer(opts: {
  host: string;
  /** 0 = ephemeral. */
  port: number;
  hostname: string;
  key: string;
  /** PEM chain, leaf first. */
  cert: string;
  behaviour: PolicyHttpsBehaviour;
}): Promise<LabHttpsServer> {
  const b = opts.behaviour;
  const requests: PolicyRequest[] = [];
  const sockets = new Set<Socket>();
  let connections = 0;
  let flooded = 0;
  const server: Server = createServer({ key: opts.key, cert: opts.cert }, (req, res) => {
    requests.push({
      servername: ((req.socket as TLSSocket).servername as string | false | undefined) || null,
      host: req.headers.host ?? null,
      path: req.url ?? "",
    });
    if (req.method !== "GET" || req.url !== POLICY_PATH) {
      res.writeHead(404, { "Content-Type": "text/plain" }).end("not found\n");
      return;
    }
    if (b.hang) return; // never answer; close() ends the connection
    if (b.interimFlood) {
      const s = req.socket;
      const head = Buffer.from("HTTP/1.1 100 Continue\r\n\r\n".repeat(512), "latin1");
      const flood = (): void => {
        while (!s.destroyed && s.writable) {
          const ok = s.write(head, (err) => {
            if (!err) flooded += head.length;
          });
          if (!ok) {
            s.once("drain", flood);
            return;
          }
        }
      };
      s.on("error", () => {});
      flood();
      return;
    }
    const body = Buffer.from(b.body ?? "", "utf8");
    const headers: Record<string, string> = { ...(b.headers ?? {}) };
    const contentType = b.contentType === undefined ? "text/plain; charset=utf-8" : b.contentType;
    if (contentType !== null) headers["Content-Type"] = contentType;
    if (!b.chunked) headers["Content-Length"] = String(body.length);
    res.writeHead(b.status ?? 200, headers);
    if (!b.chunked) {
      res.end(body);
      return;
    }
    let offset = 0;
    const pump = (): void => {
      while (offset < body.length) {
        const piece = body.subarray(offset, offset + CHUNK);
        offset += piece.length;
        if (!res.write(piece)) {
          res.once("drain", pump);
          return;
        }
      }
      res.end();
    };
    pump();
  });
  server.on("connection", (s: Socket) => {
    connections++;
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  server.on("tlsClientError", () => {
    // a client that gives up on our certificate: nothing to do
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen({ host: opts.host, port: opts.port, exclusive: true }, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : opts.port;
  let closed: Promise<void> | null = null;
  return {
    host: opts.host,
    port,
    hostname: opts.hostname,
    requests,
    get connections() {
      return connections;
    },
    get flooded() {
      return flooded;
    },
    close() {
      closed ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      });
      return closed;
    },
  };
}
