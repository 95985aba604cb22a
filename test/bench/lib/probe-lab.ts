/**
 * The probe benchmark's lab in a process of its own (test/bench/probe.ts forks it), so the lab's CPU time is
 * counted apart from the probing clients': a generated lab of HOSTS hosts (argv[2]), every one 'valid' (its own
 * SMTP server and its own leaf certificate from the lab CA, RSA 2048). Over IPC it sends
 * { kind: "ready", hosts, port, caPem } once started, answers "cpu" with its process.cpuUsage(), and closes on
 * "close".
 */

import { startGeneratedLab } from "../../lab/generate.js";

export type LabMessage =
  | { kind: "ready"; hosts: { hostname: string; ip: string }[]; port: number; caPem: string }
  | { kind: "cpu"; userUs: number; systemUs: number };

const hosts = Number(process.argv[2] ?? 2000);
const lab = await startGeneratedLab({ domains: 1, hosts, seed: 7, behaviour: "valid" });
const send = (m: LabMessage) => process.send?.(m);
process.on("message", (m: unknown) => {
  if (m === "cpu") {
    const u = process.cpuUsage();
    send({ kind: "cpu", userUs: u.user, systemUs: u.system });
  } else if (m === "close") {
    void lab.close().then(() => process.exit(0));
  }
});
process.on("disconnect", () => void lab.close().then(() => process.exit(0)));
send({
  kind: "ready",
  hosts: lab.hosts.map((h) => ({ hostname: h.hostname, ip: h.ip })),
  port: lab.smtpPort,
  caPem: lab.ca.certPem,
});
