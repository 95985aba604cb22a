/**
 * The embedded default's sink: `hosts.jsonl`, `domains.jsonl` (one row per line, the schema's columns in
 * order) and `scan.json` in one directory. Idempotent like the ClickHouse tables: a row whose key is already in
 * the file (a resumed scan re-delivering a result) is not written again. `flush` resolves once the bytes are
 * handed to the OS.
 */

import {
  createWriteStream,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  type WriteStream,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
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

class JsonlFile<T> {
  private readonly stream: WriteStream;
  private readonly keys = new Set<string>();

  constructor(
    path: string,
    private readonly key: (row: T) => string,
  ) {
    for (const row of readJsonl<T>(path)) this.keys.add(key(row));
    // A crash may have left a partial last line: start on a fresh line.
    const needsNewline =
      existsSync(path) && !readFileSync(path, "utf8").endsWith("\n") && readFileSync(path).length > 0;
    this.stream = createWriteStream(path, { flags: "a" });
    if (needsNewline) this.stream.write("\n");
  }

  write(rows: readonly T[]): void {
    let chunk = "";
    for (const r of rows) {
      const k = this.key(r);
      if (this.keys.has(k)) continue;
      this.keys.add(k);
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
    this.domains = new JsonlFile(join(dir, "domains.jsonl"), domainRowKey);
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
