/**
 * A caching layer over the DNS client for surveys: each (name, type) is asked once per scan, and concurrent
 * askers of the same question share one query — this is how "each unique MX host is resolved once" holds even
 * when a thousand domains name the same provider's MX host at the same moment. Timeouts are not cached
 * (the next asker tries again, through the client's own retries).
 */

import type { DnsAnswer, DnsRecordType } from "./types.js";

export interface DnsQuerier {
  query(name: string, type: DnsRecordType): Promise<DnsAnswer>;
}

export class CachingDns implements DnsQuerier {
  private readonly cache = new Map<string, Promise<DnsAnswer>>();
  queries = 0;
  hits = 0;

  constructor(
    private readonly inner: DnsQuerier,
    private readonly maxEntries = 2_000_000,
  ) {}

  query(name: string, type: DnsRecordType): Promise<DnsAnswer> {
    const key = `${type} ${name.toLowerCase().replace(/\.$/, "")}`;
    const hit = this.cache.get(key);
    if (hit) {
      this.hits++;
      return hit;
    }
    this.queries++;
    const p = this.inner.query(name, type).then((a) => {
      if (a.rcode === "TIMEOUT") this.cache.delete(key);
      return a;
    });
    if (this.cache.size >= this.maxEntries) this.cache.clear();
    this.cache.set(key, p);
    return p;
  }
}
