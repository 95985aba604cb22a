/**
 * The domains a scan plans, as a stream: list order, each domain once, with its list rank (null when the list
 * has none). Reading a million-line list this way holds one batch of names and the duplicate fingerprints, not
 * the list; what reading found (counts, rejected lines) is known once the stream has ended.
 */

import { createReadStream } from "node:fs";
import type { Readable } from "node:stream";
import { UsageError } from "../options.js";
import { type IngestResult, type ReadListOptions, type RejectedLine, streamDomainList } from "./read-list.js";

export interface ListEntry {
  domain: string;
  rank: number | null;
}

export interface IngestFacts {
  domains: number;
  lines_read: number;
  duplicates: number;
  rejected: RejectedLine[];
}

export interface DomainSource {
  /** Every domain once, in list order. Read once. */
  entries(): AsyncIterable<ListEntry>;
  /** What reading the list found so far; complete once `entries()` has ended. */
  facts(): IngestFacts;
  /** How many domains to expect, for progress (an upper bound: lines in the file), or null when unknown. */
  readonly expected: number | null;
}

const FILE_ERRORS = new Set(["ENOENT", "EACCES", "EPERM", "EISDIR", "ENOTDIR", "ELOOP", "ENAMETOOLONG"]);

function asUsageError(path: string, err: unknown): unknown {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === "string" && FILE_ERRORS.has(code)
    ? new UsageError(`--domains ${path}: ${(err as Error).message}`)
    : err;
}

/** Lines in a file (newlines, plus a last line without one), read in 1 MiB pieces. */
async function countLines(path: string): Promise<number> {
  let lines = 0;
  let last = 0x0a;
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    for (let i = chunk.indexOf(0x0a); i !== -1; i = chunk.indexOf(0x0a, i + 1)) lines++;
    if (chunk.length > 0) last = chunk[chunk.length - 1]!;
  }
  return last === 0x0a ? lines : lines + 1;
}

/**
 * A list file (or standard input for `-`) as a stream of domains. `first()` reads up to the first domain, so
 * a caller can refuse an empty list before it opens anything; `entries()` then yields every domain.
 */
export class ListFileSource implements DomainSource {
  private batches: AsyncGenerator<{ domains: string[]; ranks: number[] | null }, IngestResult>;
  private head: { domains: string[]; ranks: number[] | null } | null = null;
  private result: IngestResult | null = null;
  private started = false;
  expected: number | null = null;

  private constructor(
    private readonly path: string,
    private readonly input: Readable,
    opts: ReadListOptions,
  ) {
    this.batches = streamDomainList(input, opts);
  }

  static async open(
    path: string,
    opts: ReadListOptions = {},
    io: { stdin?: Readable } = {},
  ): Promise<ListFileSource> {
    const input =
      path === "-" ? (io.stdin ?? process.stdin) : createReadStream(path, { highWaterMark: 1 << 20 });
    const source = new ListFileSource(path, input, opts);
    if (path !== "-") {
      try {
        const lines = await countLines(path);
        source.expected = opts.top !== undefined ? Math.min(opts.top, lines) : lines;
      } catch (err) {
        input.destroy();
        throw asUsageError(path, err);
      }
    }
    return source;
  }

  private async pull(): Promise<{ domains: string[]; ranks: number[] | null } | null> {
    if (this.result) return null;
    try {
      const next = await this.batches.next();
      if (next.done) {
        this.result = next.value;
        if (this.path !== "-") this.input.destroy();
        return null;
      }
      return next.value;
    } catch (err) {
      if (this.path !== "-") this.input.destroy();
      throw asUsageError(this.path, err);
    }
  }

  /** Reads until the first domain; false when the list has none (then `facts()` is complete). */
  async first(): Promise<boolean> {
    this.head ??= await this.pull();
    return this.head !== null;
  }

  async *entries(): AsyncIterable<ListEntry> {
    if (this.started) throw new Error("a domain list is read once");
    this.started = true;
    for (let b = this.head ?? (await this.pull()); b !== null; b = await this.pull()) {
      this.head = null;
      for (let i = 0; i < b.domains.length; i++) yield { domain: b.domains[i]!, rank: b.ranks?.[i] ?? null };
    }
  }

  facts(): IngestFacts {
    const r = this.result;
    return r
      ? {
          domains: r.counts.domains,
          lines_read: r.counts.lines_read,
          duplicates: r.counts.duplicates,
          rejected: r.rejected,
        }
      : { domains: 0, lines_read: 0, duplicates: 0, rejected: [] };
  }

  /** The whole reading's result (domains not included), once `entries()` has ended or `first()` found none. */
  ingestResult(): IngestResult | null {
    return this.result;
  }

  close(): void {
    if (this.path !== "-") this.input.destroy();
  }
}

/** Domains already in memory (tests, and callers that have the list). */
export function arraySource(
  domains: readonly string[],
  ranks: readonly number[] | null = null,
  facts: Partial<Omit<IngestFacts, "domains">> = {},
): DomainSource {
  return {
    expected: domains.length,
    async *entries() {
      for (let i = 0; i < domains.length; i++) yield { domain: domains[i]!, rank: ranks?.[i] ?? null };
    },
    facts: () => ({
      domains: domains.length,
      lines_read: facts.lines_read ?? domains.length,
      duplicates: facts.duplicates ?? 0,
      rejected: facts.rejected ?? [],
    }),
  };
}
