/**
 * The embedded default's sink: `hosts.jsonl`, `domains.jsonl` (one row per line, the schema's columns in
 * order) and `scan.json` in one directory. Idempotent like the ClickHouse tables: a row whose key is already in
 * the file (a resumed scan re-delivering a result) is not written again. `flush` resolves once the bytes are
 * handed to the OS.
 */

import {
  closeSync,
  createReadStream,
  createWriteStream,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  readSync,
  renameSync,
  statSync,
  type WriteStream,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import type { ScanRow } from "../schema/scan-row.js";
import type { ScanDomainRow, ScanHostRow } from "../schema/tables.js";
import type { RowSink } from "./types.js";

export const hostRowKey = (r: Pick<ScanHostRow, "scan_id" | "hostname" | "ip" | "port">) =>
  `${r.scan_id}\n${r.hostname}\n${r.ip ?? ""}\n${r.port}`;
export const domainRowKey = (r: Pick<ScanDomainRow, "scan_id" | "domain">) => `${r.scan_id}\n${r.domain}`;

/** Read a JSONL file's rows, skipping a last line cut short by a crash. */
export function readJsonl<T>(path: string): T[] {
  if (!existsSync(path)) return [];
  const out: T[] = [];
  for (const line of readFileSync(path, "utf8").split("\n")) {
    if (line.trim() === "") continue;
    try {
      out.push(JSON.parse(line) as T);
    } catch {
      // a partial last line from a crash; the row will be written again on resume
    }
  }
  return out;
}

/** A JSONL file's rows one at a time (a large file is never read whole), skipping a line cut short. */
export async function* streamJsonl<T>(path: string): AsyncGenerator<T> {
  if (!existsSync(path)) return;
  for await (const line of createInterface({ input: createReadStream(path), crlfDelay: Infinity })) {
    if (line.trim() === "") continue;
    try {
      yield JSON.parse(line) as T;
    } catch {
      // a partial last line from a crash
    }
  }
}

/** Each complete line of a file, read synchronously in 1 MiB pieces; and whether the file ends mid-line. */
function forEachLine(path: string, fn: (line: string) => void): { partialEnd: boolean } {
  if (!existsSync(path) || statSync(path).size === 0) return { partialEnd: false };
  const fd = openSync(path, "r");
  const buf = Buffer.alloc(1 << 20);
  let rest = "";
  try {
    for (;;) {
      const n = readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      const text = rest + buf.toString("utf8", 0, n);
      const lines = text.split("\n");
      rest = lines.pop() ?? "";
      for (const line of lines) fn(line);
    }
  } finally {
    closeSync(fd);
  }
  if (rest !== "") fn(rest);
  return { partialEnd: rest !== "" };
}

class JsonlFile<T> {
  private readonly stream: WriteStream;
  private readonly keys = new Set<string>();

  /**
   * `rememberWritten`: also skip rows written earlier by this process (results can be delivered twice); false
   * where a run writes each key once by construction (domain rows), so the set holds only the rows an earlier
   * run left in the file.
   */
  constructor(
    path: string,
    private readonly key: (row: T) => string,
    private readonly rememberWritten = true,
  ) {
    const { partialEnd } = forEachLine(path, (line) => {
      if (line.trim() === "") return;
      try {
        this.keys.add(key(JSON.parse(line) as T));
      } catch {
        // a partial last line from a crash; the row will be written again on resume
      }
    });
    this.stream = createWriteStream(path, { flags: "a" });
    // A crash may have left a partial last line: start on a fresh line.
    if (partialEnd) this.stream.write("\n");
  }

  write(rows: readonly T[]): void {
    let chunk = "";
    for (const r of rows) {
      const k = this.key(r);
      if (this.keys.has(k)) continue;
      if (this.rememberWritten) this.keys.add(k);
      chunk += `${JSON.stringify(r)}\n`;
    }
    if (chunk) this.stream.write(chunk);
  }

  flush(): Promise<void> {
    return new Promise((resolve, reject) => this.stream.write("", (err) => (err ? reject(err) : resolve())));
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.stream.end(() => resolve()));
  }
}

export class JsonlSink implements RowSink {
  private readonly hosts: JsonlFile<ScanHostRow>;
  private readonly domains: JsonlFile<ScanDomainRow>;

  constructor(readonly dir: string) {
    mkdirSync(dir, { recursive: true });
    this.hosts = new JsonlFile(join(dir, "hosts.jsonl"), hostRowKey);
    this.domains = new JsonlFile(join(dir, "domains.jsonl"), domainRowKey, false);
  }

  async writeHosts(rows: readonly ScanHostRow[]): Promise<void> {
    this.hosts.write(rows);
  }

  async writeDomains(rows: readonly ScanDomainRow[]): Promise<void> {
    this.domains.write(rows);
  }

  async writeScan(row: ScanRow): Promise<void> {
    const path = join(this.dir, "scan.json");
    writeFileSync(`${path}.tmp`, `${JSON.stringify(row, null, 2)}\n`);
    renameSync(`${path}.tmp`, path);
  }

  async flush(): Promise<void> {
    await Promise.all([this.hosts.flush(), this.domains.flush()]);
  }

  async close(): Promise<void> {
    await Promise.all([this.hosts.close(), this.domains.close()]);
  }
}
