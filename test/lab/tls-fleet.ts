/**
 * A fleet of lab STARTTLS servers served by Node's own TLS (real OpenSSL 3), each on its own 127.x address and on
 * port 25 — the port nmap's ssl-enum-ciphers knows to speak SMTP STARTTLS on without service detection (binding
 * it needs root). Used by the cross-check test and the inventory benchmark.
 *
 * The profiles are a mix seen on real MX hosts: Node's defaults (TLS 1.2 + 1.3), strict AES-GCM, legacy
 * TLS 1.0–1.2 with CBC, TLS 1.3 only, ECDHE with CHACHA20, DHE, an ECDSA certificate.
 * Note: the Node 20 build here has no 3DES at all (`tls.getCiphers()` lists no DES suite, and a cipher string of
 * only DES-CBC3-SHA is "no cipher match" even at @SECLEVEL=0), so DES-CBC3-SHA in the legacy profile's string is
 * silently dropped by OpenSSL; 3DES, RC4, SSLv3 and SSLv2 servers exist only in the fake responder
 * (test/lab/fake-tls.ts), which neither nmap nor testssl.sh can be pointed at meaningfully (it answers one
 * ClientHello and closes, which is enough for mxsurvey, not for testssl.sh's openssl s_client runs).
 */

import type * as tls from "node:tls";
import { createLabCa, issueLeaf, type LabCa, type LabLeaf } from "./pki.js";
import { type LabSmtpServer, startSmtpServer } from "./smtp-server.js";

export const FLEET_HOSTNAME = "mx.crosscheck.test";

export interface TlsProfile {
  name: string;
  minVersion?: tls.SecureVersion;
  maxVersion?: tls.SecureVersion;
  /** OpenSSL cipher string (TLS ≤ 1.2); the lab appends @SECLEVEL=0 unless given. */
  ciphers?: string;
  ecdhCurve?: string;
  dhparam?: "auto";
  honorCipherOrder?: boolean;
  /** ECDSA P-256 certificate instead of RSA 2048. */
  ecdsa?: boolean;
}

export const PROFILES: readonly TlsProfile[] = [
  { name: "node-default" },
  {
    name: "tls12-aes-gcm",
    minVersion: "TLSv1.2",
    maxVersion: "TLSv1.2",
    ciphers: "ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384:AES128-GCM-SHA256",
  },
  {
    name: "legacy-tls10-12-cbc",
    minVersion: "TLSv1",
    maxVersion: "TLSv1.2",
    ciphers:
      "ECDHE-RSA-AES128-SHA:ECDHE-RSA-AES256-SHA:AES128-SHA:AES256-SHA:CAMELLIA128-SHA:AES128-SHA256:DES-CBC3-SHA:@SECLEVEL=0",
  },
  { name: "tls13-only", minVersion: "TLSv1.3", maxVersion: "TLSv1.3" },
  {
    name: "ecdhe-chacha",
    minVersion: "TLSv1.2",
    maxVersion: "TLSv1.3",
    ciphers: "ECDHE-RSA-CHACHA20-POLY1305:ECDHE-RSA-AES256-GCM-SHA384",
    ecdhCurve: "X25519:P-256",
  },
  {
    name: "dhe-tls12",
    minVersion: "TLSv1.2",
    maxVersion: "TLSv1.2",
    ciphers: "DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-SHA256:ECDHE-RSA-AES128-SHA256",
    dhparam: "auto",
    honorCipherOrder: true,
  },
  {
    name: "ecdsa-tls12-13",
    minVersion: "TLSv1.2",
    ciphers: "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-ECDSA-AES256-SHA",
    ecdsa: true,
  },
  {
    name: "wide-tls10-13",
    minVersion: "TLSv1",
    maxVersion: "TLSv1.3",
    ciphers:
      "ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-SHA384:ECDHE-RSA-CHACHA20-POLY1305:ECDHE-RSA-AES256-SHA:" +
      "DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-SHA:AES128-SHA256:AES256-SHA:CAMELLIA128-SHA:ARIA128-GCM-SHA256:" +
      "AES128-CCM:@SECLEVEL=0",
    dhparam: "auto",
  },
];

export interface FleetHost {
  server: LabSmtpServer;
  profile: TlsProfile;
  ip: string;
  port: number;
}

export interface Fleet {
  ca: LabCa;
  hosts: FleetHost[];
  /** Connections accepted by each host so far, in `hosts` order. */
  connections(): number[];
  close(): Promise<void>;
}

/** Start `count` hosts on `${prefix}.1` … (port 25 by default), cycling through `profiles`. */
export async function startFleet(opts: {
  prefix: string;
  count: number;
  profiles?: readonly TlsProfile[];
  port?: number;
}): Promise<Fleet> {
  const profiles = opts.profiles ?? PROFILES;
  const ca = await createLabCa();
  const rsa: LabLeaf = await issueLeaf(ca, { names: [FLEET_HOSTNAME] });
  const ec: LabLeaf = await issueLeaf(ca, { names: [FLEET_HOSTNAME], key: { type: "ec", curve: "P-256" } });
  const hosts: FleetHost[] = [];
  try {
    for (let i = 0; i < opts.count; i++) {
      const profile = profiles[i % profiles.length]!;
      const leaf = profile.ecdsa ? ec : rsa;
      const secureContextOptions: tls.SecureContextOptions = {};
      if (profile.ecdhCurve) secureContextOptions.ecdhCurve = profile.ecdhCurve;
      if (profile.dhparam) secureContextOptions.dhparam = profile.dhparam;
      if (profile.honorCipherOrder) secureContextOptions.honorCipherOrder = true;
      const server = await startSmtpServer({
        host: `${opts.prefix}.${i + 1}`,
        port: opts.port ?? 25,
        behaviour: {
          hostname: FLEET_HOSTNAME,
          tls: {
            key: leaf.keyPem,
            cert: leaf.chainPem,
            ...(profile.minVersion ? { minVersion: profile.minVersion } : {}),
            ...(profile.maxVersion ? { maxVersion: profile.maxVersion } : {}),
            ...(profile.ciphers ? { ciphers: profile.ciphers } : {}),
            secureContextOptions,
          },
        },
      });
      hosts.push({ server, profile, ip: server.host, port: server.port });
    }
  } catch (err) {
    await Promise.all(hosts.map((h) => h.server.close()));
    throw err;
  }
  return {
    ca,
    hosts,
    connections: () => hosts.map((h) => h.server.connections),
    close: async () => {
      await Promise.all(hosts.map((h) => h.server.close()));
    },
  };
}
