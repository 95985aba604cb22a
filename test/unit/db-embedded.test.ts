/** The embedded engine's lazy chDB import: a missing package is a UsageError saying how to get it. */

import { describe, expect, it } from "vitest";
import { CHDB_MISSING, EmbeddedStore, loadChdb } from "../../coordinator/commands/db-embedded.js";
import { UsageError } from "../../coordinator/options.js";

const failing = (err: unknown) => () => Promise.reject(err);

describe("loadChdb", () => {
  it("chdb - not installed (ESM import): a UsageError that says how to install it", async () => {
    const err = Object.assign(new Error("Cannot find package 'chdb'"), { code: "ERR_MODULE_NOT_FOUND" });
    const r = loadChdb(failing(err));
    await expect(r).rejects.toBeInstanceOf(UsageError);
    await expect(loadChdb(failing(err))).rejects.toThrow(CHDB_MISSING);
    expect(CHDB_MISSING).toContain("npm install chdb");
  });

  it("chdb - not installed (require): the same message", async () => {
    const err = Object.assign(new Error("Cannot find module"), { code: "MODULE_NOT_FOUND" });
    await expect(loadChdb(failing(err))).rejects.toThrow(CHDB_MISSING);
  });

  it("chdb - installed but broken (a missing platform library): not a usage error, the cause kept", async () => {
    const err = new Error("libchdb.so: cannot open shared object file");
    const r = loadChdb(failing(err));
    await expect(r).rejects.not.toBeInstanceOf(UsageError);
    await expect(loadChdb(failing(err))).rejects.toThrow(/could not be loaded: libchdb\.so/);
  });

  it("chdb - installed here: the real package loads", async () => {
    const chdb = await loadChdb();
    expect(typeof chdb.Session).toBe("function");
  });

  it("chdb - no directory, or a missing one, is a UsageError", async () => {
    await expect(EmbeddedStore.open([])).rejects.toThrow(/at least one --scan-dir/);
    await expect(EmbeddedStore.open(["/nonexistent/scan"])).rejects.toThrow(/no such directory/);
  });
});
