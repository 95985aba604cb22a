/**
 * One directory, one scan (coordinator/scan/scan-dir.ts): which `--out` directories a new scan and a resumed
 * scan accept, as a table of named cases; and that checking a directory never writes to it.
 */

import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { UsageError } from "../../coordinator/options.js";
import { checkScanDir, resumeCommand } from "../../coordinator/scan/scan-dir.js";

const A = "20260101T000000Z-aaaaaa";
const B = "20260101T000000Z-bbbbbb";
const root = mkdtempSync(join(tmpdir(), "mxsurvey-scan-dir-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

type Files = Record<string, string>;
const scanJson = (id: string, state = "complete", extra: object = {}) =>
  JSON.stringify({ scan_id: id, state, ...extra });

const cases: {
  name: string;
  files: Files | null;
  resume: string | null;
  /** null: accepted; else the refusal's message must match. */
  refused: RegExp | null;
}[] = [
  { name: "missing directory, new scan", files: null, resume: null, refused: null },
  { name: "empty directory, new scan", files: {}, resume: null, refused: null },
  { name: "only other files, new scan", files: { "notes.txt": "x" }, resume: null, refused: null },
  {
    name: "finished scan, new scan",
    files: { "scan.json": scanJson(A), "hosts.jsonl": "" },
    resume: null,
    refused: new RegExp(`already holds scan ${A} \\(scan\\.json, hosts\\.jsonl\\).*--resume ${A} --out`),
  },
  {
    name: "hosts.jsonl of a scan without scan.json, new scan",
    files: { "hosts.jsonl": `${JSON.stringify({ scan_id: A })}\n` },
    resume: null,
    refused: /already holds scan 2026.*\(hosts\.jsonl\).*Give another --out/,
  },
  {
    name: "unreadable scan.json, new scan",
    files: { "scan.json": "{not json" },
    resume: null,
    refused: /already holds scan files \(scan\.json\)/,
  },
  {
    name: "plan.jsonl alone, new scan",
    files: { "plan.jsonl": `${JSON.stringify({ scan_id: A, seq: 0, chunk: [] })}\n` },
    resume: null,
    refused: /already holds scan/,
  },
  { name: "its own scan, resume", files: { "scan.json": scanJson(A, "running") }, resume: A, refused: null },
  { name: "missing directory, resume", files: null, resume: A, refused: null },
  {
    name: "another scan, resume",
    files: { "scan.json": scanJson(B) },
    resume: A,
    refused: new RegExp(`holds scan ${B}, not ${A}`),
  },
  {
    name: "rows of another scan beside its scan.json, resume",
    files: { "scan.json": scanJson(A), "domains.jsonl": `${JSON.stringify({ scan_id: B })}\n` },
    resume: A,
    refused: new RegExp(`holds scan ${B}, not ${A}`),
  },
  {
    name: "its own failed scan, resume",
    files: { "scan.json": scanJson(A, "failed", { failure_reason: "no DNS resolver answered" }) },
    resume: A,
    refused: /failed \(no DNS resolver answered\).*start a new scan/,
  },
];

describe("scan dir", () => {
  it.each(cases)("scan dir - $name", (c) => {
    const dir = join(root, c.name.replace(/\W+/g, "-"));
    if (c.files) {
      mkdirSync(dir);
      for (const [f, text] of Object.entries(c.files)) writeFileSync(join(dir, f), text);
    }
    const before = c.files ? readdirSync(dir).sort() : null;
    if (c.refused === null) expect(() => checkScanDir(dir, c.resume)).not.toThrow();
    else {
      expect(() => checkScanDir(dir, c.resume)).toThrow(UsageError);
      expect(() => checkScanDir(dir, c.resume)).toThrow(c.refused);
    }
    if (before) expect(readdirSync(dir).sort()).toEqual(before);
  });

  it("scan dir - a file where the directory should be is refused", () => {
    const f = join(root, "a-file");
    writeFileSync(f, "");
    expect(() => checkScanDir(f, null)).toThrow(/not a directory/);
  });

  it("scan dir - the resume command quotes a directory with spaces", () => {
    expect(resumeCommand(A, "scans/my scan")).toBe(`mxsurvey scan --resume ${A} --out 'scans/my scan'`);
    expect(resumeCommand(A, "scans/today")).toBe(`mxsurvey scan --resume ${A} --out scans/today`);
  });
});
