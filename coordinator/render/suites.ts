/**
 * Accepted cipher suites for people: per protocol version, grouped by key exchange and authentication, each
 * cipher abbreviated (TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 → ECDHE-RSA: AES128-GCM), weak ones marked. The
 * full IANA names stay in the rows (`ciphers`) and in the text with --verbose.
 */

/** `AES_128_GCM_SHA256` → `AES128-GCM`; the MAC or PRF hash is left out (the full name is in the row). */
export function abbreviateCipher(bulk: string): string {
  return bulk
    .replace(/_(SHA|SHA256|SHA384|MD5|NULL)$/, "")
    .replace(/CHACHA20_POLY1305/, "CHACHA20")
    .replace(/^3DES_EDE_CBC$/, "3DES")
    .replace(/^(RC4|RC2|DES|IDEA|SEED)(_\d+)?(_CBC)?(_\d+)?$/, "$1")
    .replace(/(AES|CAMELLIA|ARIA)_(\d+)/, "$1$2")
    .replace(/_/g, "-");
}

/** One version's suites, grouped: `ECDHE-RSA: AES128-GCM AES256-GCM; RSA: AES128-CBC`. */
export interface SuiteGroup {
  version: string;
  count: number;
  weak: number;
  text: string;
}

export function groupSuites(ciphers: readonly string[], weakCiphers: readonly string[]): SuiteGroup[] {
  const weak = new Set(weakCiphers);
  const byVersion = new Map<string, { count: number; weak: number; groups: Map<string, string[]> }>();
  for (const entry of ciphers) {
    const colon = entry.indexOf(":");
    const version = entry.slice(0, colon);
    const name = entry.slice(colon + 1);
    const v = byVersion.get(version) ?? { count: 0, weak: 0, groups: new Map<string, string[]>() };
    byVersion.set(version, v);
    v.count++;
    if (weak.has(entry)) v.weak++;
    const m = /^(?:TLS|SSL)_(?:(.+?)_WITH_)?(.+)$/.exec(name);
    const kx = m?.[1]?.replace(/_/g, "-") ?? "";
    const cipher = `${m ? abbreviateCipher(m[2] ?? name) : name}${weak.has(entry) ? " (weak)" : ""}`;
    const list = v.groups.get(kx) ?? [];
    if (!list.includes(cipher)) list.push(cipher);
    v.groups.set(kx, list);
  }
  return [...byVersion].map(([version, v]) => ({
    version,
    count: v.count,
    weak: v.weak,
    text: [...v.groups].map(([kx, list]) => `${kx ? `${kx}: ` : ""}${list.join(" ")}`).join("; "),
  }));
}
