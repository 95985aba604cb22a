/**
 * NIST SP 800-52 recommended cipher suites, as lists of IANA names, and the two checks LuxSci's SMTP TLS checker
 * grades by: at least one recommended suite accepted (r1: "good cipher support", r2: "better cipher support").
 *
 * - SP 800-52 Rev. 1 (April 2014), §3.3.1 "Cipher Suites", Tables 3-1 to 3-5: the suites recommended for TLS
 *   servers with RSA (3-1), ECDSA (3-2), DSA (3-3), DH (3-4) and ECDH (3-5) certificates — TLS 1.0–1.2, AES in
 *   CBC, GCM and CCM, and 3DES. https://doi.org/10.6028/NIST.SP.800-52r1
 * - SP 800-52 Rev. 2 (August 2019), §3.3.1.1 "Cipher Suites for TLS 1.2 and Earlier Versions" (servers with
 *   ECDSA or RSA certificates, ephemeral key exchange: ECDHE and DHE, AES-GCM/CCM first, then AES-CBC; 3DES and
 *   static RSA key transport are no longer recommended) and §3.3.1.2 "Cipher Suites for TLS 1.3" (the AES
 *   GCM/CCM suites of RFC 8446; ChaCha20-Poly1305 is not NIST-approved). https://doi.org/10.6028/NIST.SP.800-52r2
 *
 * Written from the documents' tables; the r1 PSK suites (§3.3.1.6, for PSK deployments) are left out on purpose:
 * a mail server never negotiates them with an unknown client.
 */

const r1RsaCert = [
  "TLS_RSA_WITH_3DES_EDE_CBC_SHA",
  "TLS_RSA_WITH_AES_128_CBC_SHA",
  "TLS_RSA_WITH_AES_256_CBC_SHA",
  "TLS_RSA_WITH_AES_128_CBC_SHA256",
  "TLS_RSA_WITH_AES_256_CBC_SHA256",
  "TLS_RSA_WITH_AES_128_GCM_SHA256",
  "TLS_RSA_WITH_AES_256_GCM_SHA384",
  "TLS_RSA_WITH_AES_128_CCM",
  "TLS_RSA_WITH_AES_256_CCM",
  "TLS_RSA_WITH_AES_128_CCM_8",
  "TLS_RSA_WITH_AES_256_CCM_8",
  "TLS_DHE_RSA_WITH_3DES_EDE_CBC_SHA",
  "TLS_DHE_RSA_WITH_AES_128_CBC_SHA",
  "TLS_DHE_RSA_WITH_AES_256_CBC_SHA",
  "TLS_DHE_RSA_WITH_AES_128_CBC_SHA256",
  "TLS_DHE_RSA_WITH_AES_256_CBC_SHA256",
  "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256",
  "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384",
  "TLS_DHE_RSA_WITH_AES_128_CCM",
  "TLS_DHE_RSA_WITH_AES_256_CCM",
  "TLS_DHE_RSA_WITH_AES_128_CCM_8",
  "TLS_DHE_RSA_WITH_AES_256_CCM_8",
  "TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA",
  "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA",
  "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA",
  "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256",
  "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384",
  "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
  "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
];
const r1EcdsaCert = [
  "TLS_ECDHE_ECDSA_WITH_3DES_EDE_CBC_SHA",
  "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA",
  "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA",
  "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256",
  "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384",
  "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
  "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
  "TLS_ECDHE_ECDSA_WITH_AES_128_CCM",
  "TLS_ECDHE_ECDSA_WITH_AES_256_CCM",
  "TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8",
  "TLS_ECDHE_ECDSA_WITH_AES_256_CCM_8",
];
const r1DsaCert = [
  "TLS_DHE_DSS_WITH_3DES_EDE_CBC_SHA",
  "TLS_DHE_DSS_WITH_AES_128_CBC_SHA",
  "TLS_DHE_DSS_WITH_AES_256_CBC_SHA",
  "TLS_DHE_DSS_WITH_AES_128_CBC_SHA256",
  "TLS_DHE_DSS_WITH_AES_256_CBC_SHA256",
  "TLS_DHE_DSS_WITH_AES_128_GCM_SHA256",
  "TLS_DHE_DSS_WITH_AES_256_GCM_SHA384",
];
const r1DhCert = ["DSS", "RSA"].flatMap((a) => [
  `TLS_DH_${a}_WITH_3DES_EDE_CBC_SHA`,
  `TLS_DH_${a}_WITH_AES_128_CBC_SHA`,
  `TLS_DH_${a}_WITH_AES_256_CBC_SHA`,
  `TLS_DH_${a}_WITH_AES_128_CBC_SHA256`,
  `TLS_DH_${a}_WITH_AES_256_CBC_SHA256`,
  `TLS_DH_${a}_WITH_AES_128_GCM_SHA256`,
  `TLS_DH_${a}_WITH_AES_256_GCM_SHA384`,
]);
const r1EcdhCert = ["ECDSA", "RSA"].flatMap((a) => [
  `TLS_ECDH_${a}_WITH_3DES_EDE_CBC_SHA`,
  `TLS_ECDH_${a}_WITH_AES_128_CBC_SHA`,
  `TLS_ECDH_${a}_WITH_AES_256_CBC_SHA`,
  `TLS_ECDH_${a}_WITH_AES_128_CBC_SHA256`,
  `TLS_ECDH_${a}_WITH_AES_256_CBC_SHA384`,
  `TLS_ECDH_${a}_WITH_AES_128_GCM_SHA256`,
  `TLS_ECDH_${a}_WITH_AES_256_GCM_SHA384`,
]);

/** SP 800-52r1 §3.3.1, Tables 3-1 to 3-5. */
export const NIST_800_52R1_SUITES: ReadonlySet<string> = new Set([
  ...r1RsaCert,
  ...r1EcdsaCert,
  ...r1DsaCert,
  ...r1DhCert,
  ...r1EcdhCert,
]);

/** SP 800-52r2 §3.3.1.1 (TLS 1.2 and earlier, in the document's order of preference). */
export const NIST_800_52R2_TLS12_SUITES: readonly string[] = [
  "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
  "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
  "TLS_ECDHE_ECDSA_WITH_AES_256_CCM",
  "TLS_ECDHE_ECDSA_WITH_AES_128_CCM",
  "TLS_ECDHE_ECDSA_WITH_AES_256_CCM_8",
  "TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8",
  "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
  "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
  "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384",
  "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256",
  "TLS_DHE_RSA_WITH_AES_256_CCM",
  "TLS_DHE_RSA_WITH_AES_128_CCM",
  "TLS_DHE_RSA_WITH_AES_256_CCM_8",
  "TLS_DHE_RSA_WITH_AES_128_CCM_8",
  "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384",
  "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256",
  "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA",
  "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA",
  "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384",
  "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256",
  "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA",
  "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA",
  "TLS_DHE_RSA_WITH_AES_256_CBC_SHA256",
  "TLS_DHE_RSA_WITH_AES_128_CBC_SHA256",
  "TLS_DHE_RSA_WITH_AES_256_CBC_SHA",
  "TLS_DHE_RSA_WITH_AES_128_CBC_SHA",
];

/** SP 800-52r2 §3.3.1.2 (TLS 1.3). */
export const NIST_800_52R2_TLS13_SUITES: readonly string[] = [
  "TLS_AES_128_GCM_SHA256",
  "TLS_AES_256_GCM_SHA384",
  "TLS_AES_128_CCM_SHA256",
  "TLS_AES_128_CCM_8_SHA256",
];

export const NIST_800_52R2_SUITES: ReadonlySet<string> = new Set([
  ...NIST_800_52R2_TLS12_SUITES,
  ...NIST_800_52R2_TLS13_SUITES,
]);

/** The IANA name of an inventory entry: "TLSv1.2:TLS_…" → "TLS_…"; a bare IANA name is returned as is. */
function ianaOf(entry: string): string {
  const colon = entry.indexOf(":");
  return colon >= 0 ? entry.slice(colon + 1) : entry;
}

/** At least one accepted suite is recommended by SP 800-52r1. Accepts IANA names or "TLSv1.2:NAME" entries. */
export function nistR1Ok(suites: readonly string[]): boolean {
  return suites.some((s) => NIST_800_52R1_SUITES.has(ianaOf(s)));
}

/** At least one accepted suite is recommended by SP 800-52r2. Accepts IANA names or "TLSv1.2:NAME" entries. */
export function nistR2Ok(suites: readonly string[]): boolean {
  return suites.some((s) => NIST_800_52R2_SUITES.has(ianaOf(s)));
}
