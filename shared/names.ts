/**
 * Certificate name matching for a DNS name (RFC 6125 §6.4, as tightened by RFC 9525 §6.3):
 * - DNS subject alternative names are the reference; the subject CN is used only when the certificate has no
 *   DNS SAN at all (legacy behaviour that mail clients still apply);
 * - comparison is case-insensitive, a trailing dot is ignored;
 * - a wildcard is allowed only as the whole leftmost label (`*.example.com`), matches exactly one label, and
 *   needs at least two labels after it (`*.com` matches nothing); partial wildcards (`f*.example.com`) match nothing.
 * Works on plain data (the names stored in a row), so verdicts can be recomputed from stored facts.
 */

function norm(name: string): string {
  return name.trim().toLowerCase().replace(/\.$/, "");
}

/** Does one presented identifier match the reference host name? */
export function dnsNameMatches(pattern: string, host: string): boolean {
  const p = norm(pattern);
  const h = norm(host);
  if (p === "" || h === "") return false;
  if (!p.includes("*")) return p === h;
  const pLabels = p.split(".");
  if (pLabels[0] !== "*" || pLabels.slice(1).some((l) => l.includes("*"))) return false;
  if (pLabels.length < 3) return false;
  const hLabels = h.split(".");
  if (hLabels.length !== pLabels.length) return false;
  if (hLabels[0] === "") return false;
  return hLabels.slice(1).join(".") === pLabels.slice(1).join(".");
}

/** Does a certificate with these SANs (and CN) name `host`? */
export function certNamesHost(host: string, sans: readonly string[], cn: string | null): boolean {
  if (sans.length > 0) return sans.some((s) => dnsNameMatches(s, host));
  return cn !== null && dnsNameMatches(cn, host);
}
