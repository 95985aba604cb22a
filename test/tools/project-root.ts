/** The project root: the nearest folder above this file holding mxsurvey's package.json (works from dist/ too). */

import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export function projectRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, "package.json");
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, "utf8")) as { name?: string }).name === "mxsurvey")
      return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error("project root not found");
    dir = up;
  }
}
