/** The version every row carries (`probe_version`): the package version, read once from package.json. */
import { readFileSync } from "node:fs";

function readVersion(): string {
  for (const rel of ["../package.json", "../../package.json"]) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(rel, import.meta.url), "utf8")) as {
        name?: string;
        version?: string;
      };
      if (pkg.name === "mxsurvey" && pkg.version) return pkg.version;
    } catch {
      // try the next location: shared/ in source, dist/shared/ when compiled
    }
  }
  return "0.0.0-unknown";
}

export const PROBE_VERSION: string = `mxsurvey/${readVersion()}`;
