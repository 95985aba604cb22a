/**
 * The scale lab's SMTP servers: one listener per IP (shared hosting: many host names per IP), a minimal SMTP
 * dialogue (greeting, EHLO/HELO, STARTTLS, NOOP, RSET, QUIT), and after STARTTLS the certificate of the host
 * name the client asked for by SNI (the IP's first host's when the client sent none). Secure contexts are made
 * per handshake from the host's PEM chain and the shared key, so the cost is the same for every client.
 */

import net from "node:net";
import tls from "node:tls";
import type { IpBehaviour } from "./scale-world.js";

export interface ScaleSmtp {
  port: number;
  /** Connections accepted so far. */
  readonly connections: number;
  close(): Promise<void>;
}

export interface ScaleSmtpSite {
  ip: string;
  behaviour: IpBehaviour;
  /** host name → certificate chain PEM. */
  certs: Map<string, string>;
  defaultName: string;
}

const MAX_LINE = 4096;

export async function startScaleSmtp(
  sites: ScaleSmtpSite[],
  keyPem: string,
  port?: number,
): Promise<ScaleSmtp> {
  let connections = 0;
  const sockets = new Set<net.Socket>();
  const contextFor = (site: ScaleSmtpSite, name: string | undefined): tls.SecureContext =>
    tls.createSecureContext({
      key: keyPem,
      cert: site.certs.get((name ?? "").toLowerCase()) ?? site.certs.get(site.defaultName)!,
    });

  const serve = (site: ScaleSmtpSite, raw: net.Socket) => {
    connections++;
    sockets.add(raw);
    raw.on("close", () => sockets.delete(raw));
    raw.on("error", () => raw.destroy());
    raw.setTimeout(60_000, () => raw.destroy());
    if (site.behaviour === "greet_554") {
      raw.end("554 5.7.1 No service here\r\n");
      return;
    }
    let cur: net.Socket = raw;
    let inTls = false;
    let buf = "";
    const offerTls = site.behaviour === "starttls";
    const onData = (chunk: Buffer) => {
      buf += chunk.toString("latin1");
      if (buf.length > MAX_LINE && !buf.includes("\n")) {
        cur.destroy();
        return;
      }
      for (let nl = buf.indexOf("\n"); nl >= 0; nl = buf.indexOf("\n")) {
        const line = buf.slice(0, nl).replace(/\r$/, "");
        buf = buf.slice(nl + 1);
        const verb = line.split(" ")[0]!.toUpperCase();
        if (verb === "EHLO") {
          cur.write(
            `250-${site.defaultName} at your service\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n${offerTls && !inTls ? "250-STARTTLS\r\n" : ""}250 8BITMIME\r\n`,
          );
        } else if (verb === "HELO") cur.write(`250 ${site.defaultName}\r\n`);
        else if (verb === "NOOP" || verb === "RSET") cur.write("250 2.0.0 OK\r\n");
        else if (verb === "QUIT") {
          cur.end("221 2.0.0 Bye\r\n");
          return;
        } else if (verb === "STARTTLS" && offerTls && !inTls) {
          cur.write("220 2.0.0 Ready to start TLS\r\n");
          buf = "";
          raw.off("data", onData);
          inTls = true;
          const secure = new tls.TLSSocket(raw, {
            isServer: true,
            secureContext: contextFor(site, undefined),
            SNICallback: (name, cb) => cb(null, contextFor(site, name)),
          });
          secure.on("error", () => raw.destroy());
          secure.on("data", onData);
          cur = secure;
          return;
        } else cur.write("502 5.5.2 Command not recognized\r\n");
      }
    };
    raw.on("data", onData);
    raw.write(`220 ${site.defaultName} ESMTP scale-lab\r\n`);
  };

  const servers: net.Server[] = [];
  const listenAll = async (p: number) => {
    for (const site of sites) {
      if (site.behaviour === "refused") continue;
      const server = net.createServer((s) => serve(site, s));
      await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen({ host: site.ip, port: p, backlog: 1024 }, () => {
          server.off("error", reject);
          resolve();
        });
      });
      servers.push(server);
    }
  };
  let chosen = port ?? 0;
  for (let attempt = 0; ; attempt++) {
    chosen = port ?? 20_000 + Math.floor(Math.random() * 40_000);
    try {
      await listenAll(chosen);
      break;
    } catch (err) {
      await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
      if (port !== undefined || attempt >= 8) throw err;
    }
  }
  return {
    port: chosen,
    get connections() {
      return connections;
    },
    close: async () => {
      for (const s of sockets) s.destroy();
      await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
    },
  };
}
