/** README.md stays true: generated schema blocks are current, and every CLI option of check, probe and report is documented. */

import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { readBlock } from "../../shared/schema/markdown.js";
import { runCli } from "../helpers/cli.js";
import { generatedBlocks, README } from "../tools/docs.js";

const readme = readFileSync(README, "utf8");

describe("readme", () => {
  it.each(Object.entries(generatedBlocks()))(
    "readme - generated block %s is current (run npm run docs)",
    (name, body) => {
      expect(readBlock(readme, name)).toBe(body.trim());
    },
  );

  it.each(["check", "probe", "report"])("readme - every option of %s is documented", async (cmd) => {
    const help = await runCli([cmd, "--help"]);
    const flags = [...help.stdout.matchAll(/^\s+(--[a-z0-9-]+)/gm)]
      .map((m) => m[1]!)
      .filter((f) => f !== "--help" && f !== "--version");
    expect(flags.length).toBeGreaterThan(cmd === "report" ? 6 : 10);
    for (const f of flags) expect(readme, f).toContain(`\`${f}`);
  });

  it("readme - shows the two commands", () => {
    expect(readme).toContain("npm ci && npm run demo");
    expect(readme).toContain("npm test");
  });
});
