/**
 * Server text never reaches the terminal raw (issue 11, scope 5): `check` against the lab's hostile-text case,
 * whose greeting carries an OSC window-title sequence, a clear-screen CSI, an 8-bit CSI and a backspace. The
 * text output must show every one of them escaped; `--json` keeps the greeting exactly as sent.
 */

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { HostRow } from "../../shared/schema/host-row.js";
import { runCli } from "../helpers/cli.js";
import { LAB_CASES } from "../lab/profiles.js";
import { type LabWorld, startLabWorld } from "../lab/world.js";

let lab: LabWorld;

beforeAll(async () => {
  lab = await startLabWorld({ cases: LAB_CASES.filter((c) => c.name === "hostile-text") });
}, 60_000);
afterAll(async () => {
  await lab?.close();
});

/** Any byte a terminal acts on, other than newline (ESC, BEL, BS, CR, DEL, C1 controls). */
const CONTROL = /[\x00-\x09\x0b-\x1f\x7f-\x9f]/;

describe("text output is terminal-safe", () => {
  it("cli - check's text output shows a hostile greeting's escapes escaped, never raw", async () => {
    const r = await runCli([
      "check",
      "hostile-text.lab.test",
      ...lab.cliArgs(),
      "--ehlo-name",
      "t.mxsurvey.test",
      "--verbose", // every check, the greeting included (a valid host's greeting is not shown otherwise)
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).not.toMatch(CONTROL);
    expect(r.stdout).toContain("220 mx \\x1b]0;pwned\\x07 \\x1b[2J ESMTP \\x9b2J\\x08");
  });

  it("cli - check --json keeps the greeting exactly as the server sent it", async () => {
    const r = await runCli([
      "check",
      "hostile-text.lab.test",
      ...lab.cliArgs(),
      "--json",
      "--ehlo-name",
      "t.mxsurvey.test",
    ]);
    expect(r.code).toBe(0);
    const line = JSON.parse(r.stdout.trim()) as { hosts: HostRow[] };
    expect(line.hosts[0]!.smtp_banner).toBe("220 mx \x1b]0;pwned\x07 \x1b[2J ESMTP \x9b2J\x08");
  });
});
