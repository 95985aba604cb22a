/**
 * Child process of the DNS benchmark: `node dns-lab-child.js DOMAINS HOSTS` starts a generated lab's DNS server
 * only (no SMTP servers) and prints one JSON line — its address and the domain list file — then serves until
 * its stdin closes. In a process of its own, the server's CPU is not counted as the clients'.
 */

import { startGeneratedLab } from "../../lab/generate.js";

async function main() {
  const [domains, hosts] = process.argv.slice(2).map(Number);
  if (!domains || !hosts) throw new Error("usage: dns-lab-child DOMAINS HOSTS");
  const lab = await startGeneratedLab({ domains, hosts, seed: 42, smtp: false });
  process.stdout.write(
    `${JSON.stringify({ host: lab.dns.host, port: lab.dns.port, listFile: lab.listFile, domains: lab.domains.length })}\n`,
  );
  const stop = async () => {
    await lab.close();
    process.exit(0);
  };
  process.stdin.on("end", stop);
  process.stdin.on("close", stop);
  process.stdin.resume();
  process.on("SIGTERM", stop);
}

main().catch((err) => {
  process.stderr.write(`dns-lab-child: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
