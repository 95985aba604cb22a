/**
 * Probe settings: worker-side configuration (never job fields — whoever can publish a job must not be able to
 * widen the target policy or the trust store). Defaults are generous enough for greeting delays such as
 * Postfix postscreen's (6 s by default) and RFC 5321 §4.5.3.2's patient timeouts.
 */

export interface ProbeSettings {
  ehloName: string;
  smtpPort: number;
  connectTimeoutMs: number;
  /** Per SMTP reply: the greeting and every command's reply. */
  smtpTimeoutMs: number;
  tlsTimeoutMs: number;
  /** One overall deadline per (host, ip) probe. */
  hostDeadlineMs: number;
  allowPrivateTargets: boolean;
  /** Extra trust roots (PEM), on top of Node's bundled Mozilla roots. */
  caPem: string[];
  /** basic: the STARTTLS handshake; versions: + one connection per protocol version; full: + cipher suites. */
  depth: ProbeDepth;
  /** Pause between two connections to one host during the TLS inventory (mail servers rate-limit). */
  perHostDelayMs: number;
}

export const PROBE_DEPTHS = ["basic", "versions", "full"] as const;
export type ProbeDepth = (typeof PROBE_DEPTHS)[number];

export const DEFAULT_PROBE_SETTINGS: Omit<ProbeSettings, "ehloName" | "caPem"> = {
  smtpPort: 25,
  connectTimeoutMs: 10_000,
  smtpTimeoutMs: 30_000,
  tlsTimeoutMs: 20_000,
  hostDeadlineMs: 120_000,
  allowPrivateTargets: false,
  depth: "basic",
  perHostDelayMs: 250,
};
