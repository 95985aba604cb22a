/**
 * A caching layer over the DNS client for surveys: concurrent askers of the same question share one query —
 * this is how "each unique MX host is resolved once" holds even when a thousand domains name the same
 * provider's MX host at the same moment — and answers that are asked again later are kept.
 *
 * Bounded, so memory does not grow with the number of domains: only answers of the types asked again are
 * kept (by default A, AAAA, TLSA and CNAME: MX hosts' addresses and TLSA records, which many domains share),
 * at most `maxEntries` of them, the least recently used going first (approximately: second chance). A
 * domain's own MX and TXT answers are asked once per survey: they are shared while in flight and then
 * forgotten. Timeouts are not kept (the next asker tries again, through the client's own retries).
 *
 * `derive` keeps results computed from answers the same way (an MX host's addresses, its DANE lookup), within
 * the same bound, so the domains naming a host share one result as they share its answers.
 */

import type { DnsAnswer, DnsRecordType } from "./types.js";

export interface DnsQuerier {
  query(name: string, type: DnsRecordType): Promise<DnsAnswer>;
  /**
   * A result computed from answers (an MX host's addresses, its DANE lookup), computed once while in flight
   * and kept like an answer when `keep(result)` — so the domains sharing a host share its result too.
   * Optional: without it, callers compute every time.
   */
  derive?<T>(key: string, compute: () => Promise<T>, keep: (result: T) => boolean): Promise<T>;
}

export interface CachingDnsOptions {
  /** Most answers kept (least recently used evicted first); default 100,000. */
  maxEntries?: number;
  /** Types whose answers are kept after they arrive; others are only shared while in flight. */
  keep?: readonly DnsRecordType[];
}

export const DEFAULT_CACHE_ENTRIES = 100_000;
export const DEFAULT_CACHE_KEEP: readonly DnsRecordType[] = ["A", "AAAA", "TLSA", "CNAME"];

/** The name as a cache key: lower case (ASCII), without its trailing dot. */
function nameKey(name: string): string {
  const n = name.endsWith(".") ? name.slice(0, -1) : name;
  return /[A-Z]/.test(n) ? n.toLowerCase() : n;
}

/** A kept answer (or derived result); `used`: asked again since it was stored or last spared. */
interface Kept {
  answer: Promise<unknown>;
  used: boolean;
}

/** The kept-map slot of derived results (not a record type). */
const DERIVED = "derived";

export class CachingDns implements DnsQuerier {
  /** Per type, by name: no key string is built per question. */
  private readonly inFlight = new Map<string, Map<string, Promise<unknown>>>();
  /**
   * Settled answers, per type, in insertion order. Eviction is "second chance" (CLOCK), an LRU
   * approximation that costs a hit one flag write instead of moving the entry: the oldest entry goes unless
   * it was used since, in which case it is moved to the back with its flag cleared.
   */
  private readonly kept = new Map<string, Map<string, Kept>>();
  private keptCount = 0;
  private readonly maxEntries: number;
  private readonly keep: ReadonlySet<DnsRecordType>;
  /** Questions passed to the inner querier. */
  queries = 0;
  /** Questions (and derived results) answered from the cache or joined to one in flight. */
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

  /** Answers and derived results kept now (not counting those in flight). */
  get size(): number {
    return this.keptCount;
  }

  query(name: string, type: DnsRecordType): Promise<DnsAnswer> {
    return this.shared(
      type,
      nameKey(name),
      () => {
        this.queries++;
        return this.inner.query(name, type);
      },
      (a) => a.rcode !== "TIMEOUT" && this.keep.has(type),
    );
  }

  derive<T>(key: string, compute: () => Promise<T>, keep: (result: T) => boolean): Promise<T> {
    return this.shared(DERIVED, key, compute, keep);
  }

  private shared<T>(
    slot: string,
    key: string,
    compute: () => Promise<T>,
    keep: (v: T) => boolean,
  ): Promise<T> {
    const kept = this.kept.get(slot)?.get(key);
    if (kept) {
      this.hits++;
      kept.used = true;
      return kept.answer as Promise<T>;
    }
    let flying = this.inFlight.get(slot);
    if (!flying) {
      flying = new Map();
      this.inFlight.set(slot, flying);
    }
    const pending = flying.get(key);
    if (pending) {
      this.hits++;
      return pending as Promise<T>;
    }
    const inFlight = flying;
    const p: Promise<T> = compute().then(
      (a) => {
        inFlight.delete(key);
        if (this.maxEntries > 0 && keep(a)) this.store(slot, key, p);
        return a;
      },
      (err: unknown) => {
        inFlight.delete(key);
        throw err;
      },
    );
    inFlight.set(key, p);
    return p;
  }

  private store(slot: string, key: string, answer: Promise<unknown>): void {
    let byName = this.kept.get(slot);
    if (!byName) {
      byName = new Map();
      this.kept.set(slot, byName);
    }
    if (!byName.has(key)) this.keptCount++;
    byName.set(key, { answer, used: false });
    while (this.keptCount > this.maxEntries) this.evictOne();
  }

  /** Drop the oldest unused entry of the largest type (second chance for used ones). */
  private evictOne(): void {
    let largest: Map<string, Kept> | null = null;
    for (const m of this.kept.values()) if (!largest || m.size > largest.size) largest = m;
    if (!largest) return;
    for (;;) {
      const first = largest.entries().next();
      if (first.done) return;
      const [k, e] = first.value;
      largest.delete(k);
      if (!e.used) break;
      e.used = false;
      largest.set(k, e);
    }
    this.keptCount--;
  }
}
