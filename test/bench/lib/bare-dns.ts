/**
 * A bare DNS client, the yardstick of the DNS benchmarks: a fixed list of (name, type) questions asked of one
 * resolver with `concurrency` queries in flight over one long-lived connected UDP socket (or `sockets` of
 * them), encoded and decoded with dns-packet, matched by id. No retries, no TCP fallback, no caching, no
 * CNAME chasing: the least work a client can do per query, so "x× the bare client" is a cost figure.
 * The message is the one mxsurvey sends (RD, EDNS0 with the DO bit, payload 1232), so both put the same bytes
 * on the wire and get the same answers back.
 */

import dgram from "node:dgram";
import net from "node:net";
import dnsPacket, { type RecordType } from "dns-packet";

export interface BareDnsResult {
  /** Questions sent. */
  queries: number;
  /** Of which a matching answer arrived (any rcode) before the per-query timeout. */
  answered: number;
  wallMs: number;
  /** CPU time of this process (user + system) over the run. */
  cpuMs: number;
}

export async function runBareDns(
  resolver: { host: string; port: number },
  questions: { name: string; type: string }[],
  opts: { concurrency: number; sockets?: number; timeoutMs?: number },
): Promise<BareDnsResult> {
  const concurrency = Math.max(1, Math.floor(opts.concurrency));
  const timeoutMs = opts.timeoutMs ?? 3000;
  const family = net.isIP(resolver.host) === 6 ? "udp6" : "udp4";
  const socketCount = Math.max(1, opts.sockets ?? 1);

  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const sockets = await Promise.all(
    Array.from(
      { length: socketCount },
      () =>
        new Promise<dgram.Socket>((resolve, reject) => {
          const s = dgram.createSocket(family);
          s.once("error", reject);
          s.connect(resolver.port, resolver.host, () => {
            s.off("error", reject);
            resolve(s);
          });
        }),
    ),
  );

  /** In flight per socket: id -> (question index, deadline). */
  const pending = sockets.map(() => new Map<number, { index: number; deadline: number }>());
  let next = 0;
  let inFlight = 0;
  let answered = 0;
  let sent = 0;
  let finish: () => void = () => {};
  const done = new Promise<void>((resolve) => {
    finish = resolve;
  });

  const send = (): void => {
    while (inFlight < concurrency && next < questions.length) {
      const index = next++;
      const q = questions[index]!;
      const s = index % sockets.length;
      const map = pending[s]!;
      let id = (Math.random() * 65536) | 0;
      while (map.has(id)) id = (id + 1) & 0xffff;
      const msg = dnsPacket.encode({
        type: "query",
        id,
        flags: dnsPacket.RECURSION_DESIRED,
        questions: [{ type: q.type as RecordType, name: q.name, class: "IN" }],
        additionals: [
          {
            type: "OPT",
            name: ".",
            udpPayloadSize: 1232,
            extendedRcode: 0,
            ednsVersion: 0,
            flags: dnsPacket.DNSSEC_OK,
            flag_do: true,
            options: [],
          },
        ],
      });
      map.set(id, { index, deadline: performance.now() + timeoutMs });
      inFlight++;
      sent++;
      sockets[s]!.send(msg);
    }
    if (inFlight === 0 && next >= questions.length) finish();
  };

  sockets.forEach((sock, s) => {
    const map = pending[s]!;
    sock.on("message", (msg) => {
      let packet: ReturnType<typeof dnsPacket.decode>;
      try {
        packet = dnsPacket.decode(msg);
      } catch {
        return;
      }
      const p = packet.id === undefined ? undefined : map.get(packet.id);
      if (!p) return;
      const q = packet.questions?.[0];
      const want = questions[p.index]!;
      if (!q || q.type !== want.type || q.name.toLowerCase() !== want.name.toLowerCase()) return;
      map.delete(packet.id!);
      inFlight--;
      answered++;
      send();
    });
    sock.on("error", () => {
      // ICMP errors on a connected socket: the sweep times the queries out
    });
  });

  // One sweep timer instead of a timer per query.
  const sweep = setInterval(() => {
    const now = performance.now();
    for (const map of pending) {
      for (const [id, p] of map) {
        if (p.deadline <= now) {
          map.delete(id);
          inFlight--;
        }
      }
    }
    send();
  }, 50);

  send();
  await done;
  clearInterval(sweep);
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  await Promise.all(sockets.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  return { queries: sent, answered, wallMs, cpuMs: (cpu.user + cpu.system) / 1000 };
}
