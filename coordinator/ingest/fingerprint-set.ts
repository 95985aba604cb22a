/**
 * A set of strings kept as 64-bit fingerprints in an open-addressing table (two typed arrays): 16 bytes a
 * string at most, no per-entry object for the garbage collector — what lets a million-domain list be
 * deduplicated while it streams, without holding the names. Two independent 32-bit hashes (FNV-1a, and
 * MurmurHash3's 32-bit mixing over the same code units) make the fingerprint; two different names share one
 * with a probability of about n²/2^65 (3·10⁻⁸ for a million names), and such a pair would be counted as one
 * duplicate.
 */

function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

function murmurish(s: string): number {
  let h = 0x9747b28c ^ s.length;
  for (let i = 0; i < s.length; i++) {
    let k = Math.imul(s.charCodeAt(i), 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, 0x1b873593);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

export class FingerprintSet {
  private hi: Uint32Array;
  private lo: Uint32Array;
  private used: Uint8Array;
  private count = 0;

  constructor(initialCapacity = 1024) {
    let cap = 16;
    while (cap < initialCapacity * 2) cap *= 2;
    this.hi = new Uint32Array(cap);
    this.lo = new Uint32Array(cap);
    this.used = new Uint8Array(cap);
  }

  get size(): number {
    return this.count;
  }

  /** Adds `s`; false when it (or a string with the same fingerprint) was there already. */
  add(s: string): boolean {
    if ((this.count + 1) * 2 > this.hi.length) this.grow();
    return this.insert(fnv1a(s), murmurish(s));
  }

  has(s: string): boolean {
    const a = fnv1a(s);
    const b = murmurish(s);
    const mask = this.hi.length - 1;
    for (let i = (a ^ Math.imul(b, 0x9e3779b1)) & mask; this.used[i]; i = (i + 1) & mask)
      if (this.hi[i] === a && this.lo[i] === b) return true;
    return false;
  }

  private insert(a: number, b: number): boolean {
    const mask = this.hi.length - 1;
    let i = (a ^ Math.imul(b, 0x9e3779b1)) & mask;
    for (; this.used[i]; i = (i + 1) & mask) if (this.hi[i] === a && this.lo[i] === b) return false;
    this.used[i] = 1;
    this.hi[i] = a;
    this.lo[i] = b;
    this.count++;
    return true;
  }

  private grow(): void {
    const { hi, lo, used } = this;
    const cap = hi.length * 2;
    this.hi = new Uint32Array(cap);
    this.lo = new Uint32Array(cap);
    this.used = new Uint8Array(cap);
    this.count = 0;
    for (let i = 0; i < hi.length; i++) if (used[i]) this.insert(hi[i]!, lo[i]!);
  }
}
