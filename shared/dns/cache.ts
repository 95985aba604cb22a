/**
 * A caching layer over the DNS client for surveys: concurrent askers of the same question share one query —
 * this is how "each unique MX host is resolved once" holds even when a thousand domains name the same
 * provider's MX host at the same moment — and answers that are asked again later are kept.
 *
 * Bounded, so memory does not grow with the number of domains: only answers of the types asked again are
 * kept (by default A, AAAA, TLSA and CNAME: MX hosts' addresses and TLSA records, which many domains share),
 * at most `maxEntries` of them, the least recently used going first. A domain's own MX and TXT answers are
 * asked once per survey: they are shared while in flight and then forgotten. Timeouts are not kept (the next
 * asker tries again, through the client's own retries).
 */

import type { DnsAnswer, DnsRecordType } from "./types.js";

export interface DnsQuerier {
  query(name: string, type: DnsRecordType): Promise<DnsAnswer>;
}

export interface CachingDnsOptions {
  /** Most answers kept (least recently used evicted first); default 100,000. */
  maxEntries?: number;
  /** Types whose answers are kept after they arrive; others are only shared while in flight. */
  keep?: readonly DnsRecordType[];
}

export const DEFAULT_CACHE_ENTRIES = 100_000;
export const DEFAULT_CACHE_KEEP: readonly DnsRecordType[] = ["A", "AAAA", "TLSA", "CNAME"];

/** The cache key: type, then the name lower-cased (ASCII) without its trailing dot. */
function cacheKey(name: string, type: DnsRecordType): string {
  const n = name.endsWith(".") ? name.slice(0, -1) : name;
  return `${type} ${/[A-Z]/.test(n) ? n.toLowerCase() : n}`;
}

export class CachingDns implements DnsQuerier {
  private readonly inFlight = new Map<string, Promise<DnsAnswer>>();
  /** Settled answers; a Map iterates in insertion order, so re-inserting on a hit makes it an LRU. */
  private readonly kept = new Map<string, Promise<DnsAnswer>>();
  private readonly maxEntries: number;
  private readonly keep: ReadonlySet<DnsRecordType>;
  /** Questions passed to the inner querier. */
  queries = 0;
  /** Questions answered from the cache or joined to one in flight. */
  hits = 0;

  constructor(
    private readonly inner: DnsQuerier,
    opts: CachingDnsOptions = {},
  ) {
    this.maxEntries = opts.maxEntries ?? DEFAULT_CACHE_ENTRIES;
    if (!Number.isInteger(this.maxEntries) || this.maxEntries < 0)
      throw new Error(`CachingDns: maxEntries must be an integer >= 0, got ${this.maxEntries}`);
    this.keep = new Set(opts.keep ?? DEFAULT_CACHE_KEEP);
  }

  /** Answers kept now (not counting queries in flight). */
  get size(): number {
    return this.kept.size;
  }

  query(name: string, type: DnsRecordType): Promise<DnsAnswer> {
    const key = cacheKey(name, type);
    const kept = this.kept.get(key);
    if (kept) {
      this.hits++;
      this.kept.delete(key);
      this.kept.set(key, kept);
      return kept;
    }
    const pending = this.inFlight.get(key);
    if (pending) {
      this.hits++;
      return pending;
    }
    this.queries++;
    const p = this.inner.query(name, type).then(
      (a) => {
        this.inFlight.delete(key);
        if (a.rcode !== "TIMEOUT" && this.keep.has(type) && this.maxEntries > 0) {
          this.kept.set(key, p);
          if (this.kept.size > this.maxEntries) this.kept.delete(this.kept.keys().next().value!);
        }
        return a;
      },
      (err: unknown) => {
        this.inFlight.delete(key);
        throw err;
      },
    );
    this.inFlight.set(key, p);
    return p;
  }
}
