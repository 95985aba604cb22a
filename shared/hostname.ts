/**
 * Host-name syntax checks (RFC 1123 §2.1, RFC 5321 §4.1.2 Domain / address-literal). Used to refuse a bad
 * `--ehlo-name` at start-up — before any connection — and to vet names typed on the command line.
 */

import { isIPv4, isIPv6 } from "node:net";

const LABEL_RE = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/i;

export type NameCheck = { ok: true; name: string } | { ok: false; reason: string };

export function checkHostName(input: string): NameCheck {
  if (/[\r\n]/.test(input))
    return { ok: false, reason: "contains a CR or LF (it would inject SMTP commands)" };
  const name = input.replace(/\.$/, "");
  if (name.length === 0) return { ok: false, reason: "is empty" };
  if (name.length > 253) return { ok: false, reason: "is longer than 253 characters" };
  for (const label of name.split(".")) {
    if (!LABEL_RE.test(label)) return { ok: false, reason: `has an invalid label ${JSON.stringify(label)}` };
  }
  return { ok: true, name: name.toLowerCase() };
}

/** An EHLO argument: a host name, or an address literal such as `[192.0.2.1]` / `[IPv6:2001:db8::1]`. */
export function checkEhloName(input: string): NameCheck {
  if (/[\r\n]/.test(input))
    return { ok: false, reason: "contains a CR or LF (it would inject SMTP commands)" };
  const literal = /^\[(?:(IPv6:)(.*)|(.*))\]$/i.exec(input);
  if (literal) {
    const ok = literal[1] ? isIPv6(literal[2] ?? "") : isIPv4(literal[3] ?? "");
    return ok
      ? { ok: true, name: input }
      : { ok: false, reason: "is not a valid address literal (RFC 5321 §4.1.3)" };
  }
  return checkHostName(input);
}
