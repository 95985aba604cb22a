/**
 * What the domain verdict pass needs of each probed (MX host, IP): its host row without the heavy evidence
 * (banner, EHLO text, chain digests, failure detail), kept as one JSON string of values per (host, IP) — a compact
 * constant per unique target however many domains share it — and parsed again on demand through a small LRU,
 * so the popular providers' rows that most domains name stay parsed.
 */

import { HOST_COLUMNS, type HostRow } from "../../shared/schema/host-row.js";

/** Rows are kept as a JSON array of values in the schema's column order: the names are not repeated. */
const NAMES = Object.keys(HOST_COLUMNS) as (keyof HostRow)[];

function pack(r: HostRow): string {
  return JSON.stringify(NAMES.map((n) => r[n]));
}

function unpack(text: string): HostRow {
  const values = JSON.parse(text) as unknown[];
  const row: Record<string, unknown> = {};
  for (let i = 0; i < NAMES.length; i++) row[NAMES[i]!] = values[i];
  return row as unknown as HostRow;
}

/** The fields of a host row the domain verdict needs; the heavy evidence stays in the sinks only. */
export function verdictSubset(r: HostRow): HostRow {
  return {
    ...r,
    smtp_banner: null,
    ehlo_raw: null,
    ehlo_extensions: [],
    ehlo_tls_extensions: [],
    cert_chain_sha256: [],
    failure_detail: null,
  };
}

/** One (MX host, IP) target as a map key, here and in the job index. */
export const targetKey = (hostname: string, ip: string | null) => `${hostname} ${ip ?? ""}`;

export class VerdictStore {
  private readonly rows = new Map<string, string>();
  private readonly parsed = new Map<string, HostRow>();

  constructor(private readonly cacheEntries = 4096) {}

  get size(): number {
    return this.rows.size;
  }

  has(hostname: string, ip: string | null): boolean {
    return this.rows.has(targetKey(hostname, ip));
  }

  /** Keeps the first row for a target (a redelivered result does not replace it); false when already kept. */
  add(row: HostRow): boolean {
    const key = targetKey(row.hostname, row.ip);
    if (this.rows.has(key)) return false;
    this.rows.set(key, pack(verdictSubset(row)));
    return true;
  }

  get(hostname: string, ip: string | null): HostRow | undefined {
    const key = targetKey(hostname, ip);
    const hit = this.parsed.get(key);
    if (hit) {
      // Most recently used last: Map keeps insertion order.
      this.parsed.delete(key);
      this.parsed.set(key, hit);
      return hit;
    }
    const text = this.rows.get(key);
    if (text === undefined) return undefined;
    const row = unpack(text);
    this.parsed.set(key, row);
    if (this.parsed.size > this.cacheEntries) this.parsed.delete(this.parsed.keys().next().value!);
    return row;
  }
}
