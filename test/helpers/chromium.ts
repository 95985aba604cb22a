/**
 * Headless Chromium for a test, driven by playwright-core: Debian's `chromium` package (installed with apt-get
 * when missing, as the ClickHouse and NATS helpers install their servers; takes a while the first time), never a
 * browser build downloaded by Playwright. Each launch has a fresh profile directory and no background network:
 * the flags below turn off everything Chromium would fetch on its own (component updates, sync, QUIC, ...).
 *
 * MXSURVEY_SKIP_BROWSER=1 skips the tests that need it (the only way to skip them: a missing browser that cannot
 * be installed fails the test).
 */

import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type BrowserContext, chromium } from "playwright-core";

export const CHROMIUM = "/usr/bin/chromium";
export const SKIP_BROWSER = process.env["MXSURVEY_SKIP_BROWSER"] === "1";

export const CHROMIUM_FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--disable-default-apps",
  "--disable-extensions",
];

function run(cmd: string, args: string[], timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(
      cmd,
      args,
      {
        timeout: timeoutMs,
        maxBuffer: 64 * 1024 * 1024,
        env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
      },
      (err, _stdout, stderr) =>
        err ? reject(new Error(`${cmd} ${args.join(" ")}: ${err.message}\n${stderr}`)) : resolve(),
    );
  });
}

let installing: Promise<void> | null = null;

/** apt-get install chromium when /usr/bin/chromium is missing (once per process). */
export function ensureChromiumInstalled(): Promise<void> {
  installing ??= (async () => {
    if (existsSync(CHROMIUM)) return;
    console.warn(
      "test/helpers/chromium: chromium is not installed; installing it with apt-get (may take minutes)",
    );
    try {
      await run("apt-get", ["update", "-qq"], 10 * 60_000);
      await run("apt-get", ["install", "-y", "-qq", "chromium"], 15 * 60_000);
    } catch (err) {
      throw new Error(
        `could not install chromium (apt-get install chromium): install it by hand, or set MXSURVEY_SKIP_BROWSER=1 to skip the browser tests.\n${(err as Error).message}`,
      );
    }
    if (!existsSync(CHROMIUM)) throw new Error(`apt-get installed chromium but ${CHROMIUM} is missing`);
  })();
  return installing;
}

export interface HeadlessChromium {
  /** A persistent context on the fresh profile directory (Playwright's way to pass --user-data-dir). */
  context: BrowserContext;
  close(): Promise<void>;
}

/** Launch Debian's Chromium headless with a fresh profile directory (removed by close()). */
export async function launchChromium(): Promise<HeadlessChromium> {
  await ensureChromiumInstalled();
  const profile = mkdtempSync(join(tmpdir(), "mxsurvey-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_FLAGS,
    viewport: { width: 1100, height: 900 },
    timeout: 120_000,
  });
  return {
    context,
    async close() {
      await context.close().catch(() => {});
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
