/**
 * What the TLS inventory offers, per protocol version: the candidate cipher suites (every registry suite that
 * can be negotiated in that version, shared/tls/cipher-suites.ts), ordered so that the suites servers actually
 * deploy — modern and weak alike — land in the first chunk, cut into chunks of at most 64 (Internet.nl's bound:
 * larger ClientHellos upset some servers, and fewer connections beat sslyze's one suite per connection).
 * Also the ClientHello builders the probe uses, fed with fresh randomness and key shares per connection.
 */

import {
  CIPHER_SUITES,
  type CipherSuite,
  type MinVersion,
  SSL2_CIPHER_SPECS,
} from "../../shared/tls/cipher-suites.js";
import {
  encodeClientHello,
  encodeSsl2ClientHello,
  type HelloInputs,
  SSL2,
  SSL3,
  TLS10,
  TLS11,
  TLS12,
  TLS13,
} from "./tls-hello.js";

/** Most suites one ClientHello offers. */
export const MAX_SUITES_PER_HELLO = 64;

const MIN_VERSION_CODE: Record<MinVersion, number> = {
  SSLv3: SSL3,
  TLSv1: TLS10,
  "TLSv1.2": TLS12,
  "TLSv1.3": TLS13,
};

const KX_RANK: Record<string, number> = {
  ECDHE: 0,
  DHE: 1,
  RSA: 2,
  ECDH: 5,
  DH: 5,
  SRP: 7,
  PSK: 8,
  DHE_PSK: 8,
  ECDHE_PSK: 8,
  RSA_PSK: 8,
  KRB5: 8,
  GOST: 8,
  ECCPWD: 8,
  NULL: 9,
  TLS13: 0,
};
const ENC_RANK: Record<string, number> = {
  AES_GCM: 0,
  CHACHA20_POLY1305: 0,
  AES_CBC: 1,
  "3DES": 2,
  RC4: 2,
  AES_CCM: 3,
  CAMELLIA_CBC: 3,
  DES: 3,
  NULL: 4,
  SEED: 4,
  IDEA: 4,
  RC2: 4,
  ARIA_GCM: 4,
  AES_CCM_8: 4,
};

/** Lower is offered earlier: common key exchanges and ciphers first, exotic ones (PSK, KRB5, GOST…) last. */
function likelihood(s: CipherSuite): number {
  return (KX_RANK[s.kx] ?? 9) + (ENC_RANK[s.enc] ?? 6) + (s.auth === "anon" ? 1 : 0) + (s.registered ? 0 : 2);
}

const candidates = new Map<number, readonly number[]>();

/** Every suite negotiable in `version` (SSLv3 … TLS 1.3), most likely first (computed once per version). */
export function candidateSuites(version: number): readonly number[] {
  let list = candidates.get(version);
  if (!list) {
    const fits = (s: CipherSuite) =>
      version === TLS13 ? s.tls13 : !s.tls13 && MIN_VERSION_CODE[s.min_version] <= version;
    list = Object.freeze(
      CIPHER_SUITES.filter(fits)
        .map((s) => ({ s, rank: likelihood(s) }))
        .sort((a, b) => a.rank - b.rank || a.s.code - b.s.code)
        .map((x) => x.s.code),
    );
    candidates.set(version, list);
  }
  return list;
}

/** Cut a list into chunks of at most `size`. */
export function chunks<T>(list: readonly T[], size = MAX_SUITES_PER_HELLO): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
}

/** The versions the inventory tests, newest first (SSLv2 last: its hello is the oddest thing we send). */
export const INVENTORY_VERSIONS: readonly number[] = [TLS13, TLS12, TLS11, TLS10, SSL3, SSL2];

export interface HelloSpec {
  version: number;
  suites: readonly number[];
  serverName: string;
  /** supported_groups override (TLS 1.2 group enumeration, TLS 1.3 HelloRetryRequest enumeration). */
  groups?: readonly number[];
  /** TLS 1.3: send no key share, so a server that accepts a group must ask for it (HelloRetryRequest). */
  noKeyShare?: boolean;
}

/** The bytes of one attempt. */
export function buildHello(spec: HelloSpec, inputs: HelloInputs): Buffer {
  if (spec.version === SSL2) {
    return encodeSsl2ClientHello({
      cipherSpecs: spec.suites.length > 0 ? spec.suites : SSL2_CIPHER_SPECS.map((c) => c.code),
      challenge: inputs.challenge,
    });
  }
  const tls13 = spec.version === TLS13;
  return encodeClientHello({
    version: spec.version,
    suites: spec.suites,
    random: inputs.random,
    ...(tls13 ? { sessionId: inputs.sessionId, keyShares: spec.noKeyShare ? [] : inputs.keyShares } : {}),
    serverName: spec.serverName,
    ...(spec.groups ? { groups: spec.groups } : {}),
  });
}

export { SSL2, SSL3, TLS10, TLS11, TLS12, TLS13 };
