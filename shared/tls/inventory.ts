/**
 * The TLS inventory of one (MX host, IP) as plain data — what worker/probes/tls-inventory.ts returns and what
 * crosses threads and processes unchanged — and the facts derived from its cipher list (weak suites, NIST,
 * forward secrecy), kept here so they can be recomputed from stored rows.
 *
 * Cipher entries are "<version>:<name>": the version as OpenSSL spells it (SSLv2, SSLv3, TLSv1, TLSv1.1,
 * TLSv1.2, TLSv1.3) and the IANA name (SSLv2: the specification's SSL_CK_* name; a code point we do not know:
 * IANA's hex spelling, e.g. "TLSv1.2:0xC0,0xFF"). Within a version, entries are in the order the server chose
 * them, which is its preference order when it enforces one.
 */

import type { Failure, Phase } from "../failures.js";
import type { ProbeDepth } from "../settings.js";
import { suiteByName } from "./cipher-suites.js";
import { nistR1Ok, nistR2Ok } from "./nist.js";

export type InventoryDepth = "versions" | "full";

export interface TlsInventory {
  /** EHLO offered STARTTLS (null: EHLO was not reached). Without it nothing below is tested. */
  starttls_offered: boolean | null;
  /** Each protocol version: accepted (true), refused by the server's own answer (false), not tested (null). */
  ssl2: boolean | null;
  ssl3: boolean | null;
  tls10: boolean | null;
  tls11: boolean | null;
  tls12: boolean | null;
  tls13: boolean | null;
  /** Accepted suites, "TLSv1.2:TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", highest version first. */
  ciphers: string[];
  /** Every suite of every accepted version was tried (depth "full" and no deadline or failure on the way). */
  ciphers_complete: boolean;
  /** The entries of `ciphers` that are weak (shared/tls/cipher-suites.ts documents the rule). */
  weak_ciphers: string[];
  /** At least one SP 800-52r1 / r2 recommended suite accepted (null: not known — ciphers incomplete). */
  nist_r1_ok: boolean | null;
  nist_r2_ok: boolean | null;
  /** Every accepted suite uses ephemeral key exchange (null: ciphers incomplete or none accepted). */
  forward_secrecy_only: boolean | null;
  /** Key exchange groups the server accepts (TLS 1.3 via HelloRetryRequest, TLS 1.2 ECDHE), then "dh-N". */
  kx_groups: string[];
  /** The server picks by its own order (true), by ours (false); null: not tested or fewer than two suites. */
  server_cipher_order: boolean | null;
  depth: InventoryDepth;
  /** TCP connections opened for this inventory. */
  connections_used: number;
  duration_ms: number;
  /** One line per attempt that decided something, for people: "TLSv1.1: alert protocol_version". */
  evidence: string[];
  /** Null when every planned test ran; else why the inventory stopped (names from shared/failures.ts). */
  failure: Failure | null;
  failure_phase: Phase | null;
  failure_detail: string | null;
}

/**
 * The host-row columns an inventory fills, in column order (shared/schema/host-row.ts): the one mapping from
 * inventory to row, used for the blank row and for a finished inventory alike.
 */
export function inventoryRowFields(inv: TlsInventory, depth: ProbeDepth) {
  return {
    ssl2: inv.ssl2,
    ssl3: inv.ssl3,
    tls10: inv.tls10,
    tls11: inv.tls11,
    tls12: inv.tls12,
    tls13: inv.tls13,
    ciphers: inv.ciphers,
    ciphers_complete: inv.ciphers_complete,
    weak_ciphers: inv.weak_ciphers,
    nist_r1_ok: inv.nist_r1_ok,
    nist_r2_ok: inv.nist_r2_ok,
    forward_secrecy_only: inv.forward_secrecy_only,
    kx_groups: inv.kx_groups,
    server_cipher_order: inv.server_cipher_order,
    inventory_depth: depth,
    inventory_failure: inv.failure,
  };
}

export function emptyInventory(depth: InventoryDepth): TlsInventory {
  return {
    starttls_offered: null,
    ssl2: null,
    ssl3: null,
    tls10: null,
    tls11: null,
    tls12: null,
    tls13: null,
    ciphers: [],
    ciphers_complete: false,
    weak_ciphers: [],
    nist_r1_ok: null,
    nist_r2_ok: null,
    forward_secrecy_only: null,
    kx_groups: [],
    server_cipher_order: null,
    depth,
    connections_used: 0,
    duration_ms: 0,
    evidence: [],
    failure: null,
    failure_phase: null,
    failure_detail: null,
  };
}

function split(entry: string): { version: string; name: string } {
  const colon = entry.indexOf(":");
  return colon < 0
    ? { version: "", name: entry }
    : { version: entry.slice(0, colon), name: entry.slice(colon + 1) };
}

/** Is one "<version>:<name>" entry weak? SSLv2 specs always are; an unknown code point is not called weak. */
export function entryIsWeak(entry: string): boolean {
  const { version, name } = split(entry);
  if (version === "SSLv2") return true;
  return suiteByName(name)?.weak ?? false;
}

/** Does one entry use ephemeral key exchange? SSLv2 never does; an unknown code point counts as no. */
export function entryHasForwardSecrecy(entry: string): boolean {
  const { version, name } = split(entry);
  if (version === "SSLv2") return false;
  return suiteByName(name)?.forward_secrecy ?? false;
}

/** The facts derived from the cipher list (recomputable from a stored row). */
export function deriveCipherFacts(
  ciphers: readonly string[],
  complete: boolean,
): Pick<TlsInventory, "weak_ciphers" | "nist_r1_ok" | "nist_r2_ok" | "forward_secrecy_only"> {
  const r1 = nistR1Ok(ciphers);
  const r2 = nistR2Ok(ciphers);
  return {
    weak_ciphers: ciphers.filter(entryIsWeak),
    // Found is found; not found only counts once every suite was tried.
    nist_r1_ok: r1 ? true : complete ? false : null,
    nist_r2_ok: r2 ? true : complete ? false : null,
    forward_secrecy_only: complete && ciphers.length > 0 ? ciphers.every(entryHasForwardSecrecy) : null,
  };
}
