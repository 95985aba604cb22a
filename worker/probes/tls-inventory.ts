/**
 * TLS inventory probe of one (MX host, IP): which protocol versions (SSLv2 … TLS 1.3), cipher suites and key
 * exchange groups the server accepts, and whether it enforces its own cipher order — measured from the server's
 * own answers to ClientHellos we write ourselves (worker/net/tls-hello.ts), because Node's OpenSSL 3 can no
 * longer offer SSLv2, SSLv3, EXPORT, RC4, 3DES, NULL or anonymous suites.
 *
 * Follows RFC 3207 (STARTTLS), RFC 5246 / RFC 8446 (ClientHello, ServerHello, HelloRetryRequest, alerts),
 * RFC 6101 and the SSL 2.0 specification (SSLv3, SSLv2 hellos), RFC 8422 / RFC 8446 §4.2.7 (groups).
 *
 * Steps, each over a fresh STARTTLS connection (greeting → EHLO → STARTTLS → 220 → ClientHello → answer →
 * close), one at a time with `perHostDelayMs` between connections:
 * 1. versions, newest first: TLS 1.3 (an empty key_share: a HelloRetryRequest means accepted, and the server does
 *    no key exchange or signature for us; real x25519 and secp256r1 shares only for a server that mishandles
 *    that), TLS 1.2, 1.1, 1.0, SSLv3 — every suite of that version offered in chunks of ≤ 64 until one is
 *    chosen; a ServerHello with that version means accepted, a protocol_version alert, a lower version, a close
 *    after every chunk, or a non-TLS reply means refused — then SSLv2 (one CLIENT-HELLO; the SERVER-HELLO lists
 *    every spec it accepts);
 * 2. depth "full": per accepted version, the chosen suite is dropped and the rest offered again until the server
 *    refuses, chunk by chunk; the server's order (from the choices seen; the accepted suites reversed when every
 *    choice followed ours); groups: TLS 1.3 with an empty key_share (each HelloRetryRequest names one group,
 *    which is then dropped), TLS 1.2 ECDHE from the ServerKeyExchange's named curve (the first came with the
 *    enumeration), the DHE prime size.
 * A version that could not be tested (SMTP failure, timeout, deadline) stays null, never false.
 * Phases that can fail: connect, banner, ehlo, starttls, tls_handshake (deadline); the inventory then stops
 * and keeps what it found. Returns a TlsInventory in every case; throws only on our own bugs.
 */

import { ssl2SpecName, suiteByCode, suiteName } from "../../shared/tls/cipher-suites.js";
import { groupName } from "../../shared/tls/groups.js";
import { deriveCipherFacts, type TlsInventory } from "../../shared/tls/inventory.js";
import { checkTargetAddress } from "../net/address-policy.js";
import type { HelloSpec } from "../net/inventory-plan.js";
import { candidateSuites, chunks, SSL2, SSL3, TLS10, TLS11, TLS12, TLS13 } from "../net/inventory-plan.js";
import {
  field,
  Inventory,
  outcomeText,
  type TlsInventoryContext,
  type TlsInventoryJob,
  type TlsInventorySettings,
} from "../net/inventory-run.js";
import type { HelloOutcome } from "../net/raw-hello.js";
import { TLS12_GROUPS, TLS13_GROUPS, versionName } from "../net/tls-hello.js";

export type { TlsInventoryContext, TlsInventoryJob, TlsInventorySettings };

/**
 * The hello for `suites` in `version`. TLS 1.3 hellos carry no key share, so the server answers with a
 * HelloRetryRequest that names its suite and group (RFC 8446 §4.1.4: the ServerHello must keep that suite) —
 * the server does no key exchange and signs nothing for us — unless this server mishandled that.
 */
function hello(run: Inventory, version: number, suites: readonly number[], serverName: string): HelloSpec {
  return version === TLS13 && !run.tls13KeyShares
    ? { version, suites, serverName, noKeyShare: true }
    : { version, suites, serverName };
}

/** TLS 1.0 … 1.2 answers are read on to the ServerKeyExchange: its group or prime comes in the same flight. */
function want(version: number): "hello" | "key_exchange" {
  return version === TLS13 || version === SSL3 ? "hello" : "key_exchange";
}

/** Versions SSLv3 … TLS 1.2: offer chunk after chunk until one suite is chosen or every chunk is refused. */
async function testLegacyVersion(run: Inventory, version: number, serverName: string): Promise<void> {
  for (const chunk of chunks(candidateSuites(version))) {
    const o = await run.attempt({ version, suites: chunk, serverName }, want(version));
    if (!o) return;
    const what = outcomeText(o);
    if (o.kind === "server_hello") {
      const h = o.hello;
      if (h.version === version && chunk.includes(h.cipherSuite)) {
        run.setVersion(version, true, what);
        run.chose(version, chunk, o);
        return;
      }
      if (h.version < version && field(h.version) && h.version !== SSL2) {
        // The server answers with its own, lower version: that one is accepted, ours is not.
        run.setVersion(version, false, what);
        run.setVersion(h.version, true, what);
        if (chunk.includes(h.cipherSuite)) run.addSuite(h.version, h.cipherSuite);
        return;
      }
      run.note(`${versionName(version)}: not decided (${what})`);
      return;
    }
    if (o.kind === "alert" && o.name === "protocol_version") return run.setVersion(version, false, what);
    if (o.kind === "not_tls" || o.kind === "ssl2_error" || o.kind === "ssl2_server_hello") {
      return run.setVersion(version, false, what);
    }
    if (o.kind === "timeout" || o.kind === "malformed") {
      run.note(`${versionName(version)}: not decided (${what})`);
      return;
    }
    // Any other alert, a close or a reset: maybe no shared suite in this chunk — try the next one.
    run.note(`${versionName(version)}: chunk of ${chunk.length} refused (${what})`);
  }
  if (run.running) run.setVersion(version, false, "every suite refused");
}

/** What one TLS 1.3 answer says of the version; "retry" when only real key shares can tell. */
function tls13Verdict(run: Inventory, suites: readonly number[], o: HelloOutcome): "done" | "retry" {
  const what = outcomeText(o);
  if (o.kind === "server_hello") {
    const h = o.hello;
    if (h.version === TLS13) {
      run.setVersion(TLS13, true, what);
      if (suites.includes(h.cipherSuite)) run.chose(TLS13, suites, o);
      return "done";
    }
    run.setVersion(TLS13, false, what);
    return "done";
  }
  if (o.kind === "timeout" || o.kind === "malformed") {
    run.note(`TLSv1.3: not decided (${what})`);
    return "done";
  }
  // protocol_version: no TLS 1.3; handshake_failure: no shared suite or group — key shares would not change
  // either (a TLS 1.2 stack that ignores supported_versions sees only suites it lacks).
  if (o.kind === "alert" && (o.name === "protocol_version" || o.name === "handshake_failure")) {
    run.setVersion(TLS13, false, what);
    return "done";
  }
  return "retry";
}

async function testTls13(run: Inventory, serverName: string): Promise<void> {
  const suites = candidateSuites(TLS13);
  const o = await run.attempt(hello(run, TLS13, suites, serverName));
  if (!o || tls13Verdict(run, suites, o) === "done") return;
  // Another alert, a close or a reset: maybe a server that cannot cope with an empty key_share (RFC 8446 §4.2.8
  // allows one) — its own answer to real x25519 and secp256r1 key shares decides.
  run.note(`TLSv1.3: no HelloRetryRequest for an empty key_share (${outcomeText(o)}); again with key shares`);
  run.tls13KeyShares = true;
  const again = await run.attempt(hello(run, TLS13, suites, serverName));
  if (!again) return;
  if (tls13Verdict(run, suites, again) === "retry") run.setVersion(TLS13, false, outcomeText(again));
}

async function testSsl2(run: Inventory, serverName: string): Promise<void> {
  const o = await run.attempt({ version: SSL2, suites: [], serverName });
  if (!o) return;
  const what = outcomeText(o);
  if (o.kind === "ssl2_server_hello") {
    const ok = o.cipherSpecs.length > 0;
    run.setVersion(SSL2, ok, what);
    for (const c of o.cipherSpecs) run.addSuite(SSL2, c);
    return;
  }
  if (o.kind === "timeout" || o.kind === "malformed") {
    run.note(`SSLv2: not decided (${what})`);
    return;
  }
  run.setVersion(SSL2, false, what);
}

/** Drop the chosen suite and offer the rest again, chunk by chunk, until the server refuses. */
async function enumerateSuites(run: Inventory, version: number, serverName: string): Promise<boolean> {
  for (const chunk of chunks(candidateSuites(version))) {
    for (;;) {
      const done = run.accepted.get(version) ?? [];
      const offer = chunk.filter((c) => !done.includes(c));
      if (offer.length === 0) break;
      const o = await run.attempt(hello(run, version, offer, serverName), want(version));
      if (!o) return false;
      if (o.kind === "server_hello" && o.hello.version === version && offer.includes(o.hello.cipherSuite)) {
        run.chose(version, offer, o);
        continue;
      }
      if (o.kind === "server_hello" && !offer.includes(o.hello.cipherSuite)) {
        run.note(
          `${versionName(version)}: the server chose ${suiteName(o.hello.cipherSuite)}, which we did not offer`,
        );
      }
      if (o.kind === "timeout" || o.kind === "malformed") {
        run.note(`${versionName(version)}: enumeration stopped (${outcomeText(o)})`);
        return false;
      }
      break;
    }
  }
  return run.running;
}

/**
 * Whether the server enforces its own cipher order, mostly from the choices the enumeration saw: a choice other
 * than the first accepted suite of our offer means the server's order. When every choice followed ours, one more
 * hello offers the accepted suites reversed: the reversed list's first again means the client's order; our
 * first means the server's order (which happens to be ours).
 */
async function testServerOrder(run: Inventory, serverName: string): Promise<boolean | null> {
  const order = [TLS12, TLS13, TLS11, TLS10, SSL3];
  const version = order.find((v) => (run.accepted.get(v)?.length ?? 0) >= 2);
  if (version === undefined) return null;
  const name = versionName(version);
  const accepted = new Set(run.accepted.get(version));
  for (const { offered, chosen } of run.picks.get(version) ?? []) {
    const ours = offered.find((c) => accepted.has(c));
    if (ours !== undefined && ours !== chosen) {
      run.note(`${name} order: we offered ${suiteName(ours)} first, the server chose ${suiteName(chosen)}`);
      return true;
    }
  }
  const forward = candidateSuites(version)
    .filter((c) => accepted.has(c))
    .slice(0, 64);
  const reversed = [...forward].reverse();
  const o = await run.attempt(hello(run, version, reversed, serverName));
  if (o?.kind !== "server_hello") return null;
  const chosen = o.hello.cipherSuite;
  run.note(`${name} order: every choice followed ours; reversed → ${suiteName(chosen)}`);
  if (chosen === reversed[0]) return false;
  if (chosen === forward[0]) return true;
  return null;
}

/** TLS 1.3 groups: no key share, so each acceptable group comes back as a HelloRetryRequest. */
async function enumerateTls13Groups(run: Inventory, serverName: string): Promise<void> {
  const suites = run.accepted.get(TLS13) ?? candidateSuites(TLS13);
  // The groups the suite enumeration's HelloRetryRequests named are known already.
  const remaining = TLS13_GROUPS.filter((g) => !run.groups13.includes(groupName(g)));
  while (remaining.length > 0) {
    const o = await run.attempt({ version: TLS13, suites, serverName, groups: remaining, noKeyShare: true });
    if (o?.kind !== "server_hello" || o.hello.group === null) return;
    const i = remaining.indexOf(o.hello.group);
    if (i < 0)
      return run.note(`TLSv1.3: the server asked for ${groupName(o.hello.group)}, which we did not offer`);
    run.addGroup13(o.hello.group);
    remaining.splice(i, 1);
  }
}

/** The version whose ServerKeyExchange groups the inventory reports: the best of TLS 1.2, 1.1, 1.0. */
function groupVersion(run: Inventory): number | undefined {
  return [TLS12, TLS11, TLS10].find((v) => run.accepted.get(v)?.length);
}

/**
 * TLS 1.2 (or the best older version) ECDHE curves from the ServerKeyExchange, each dropped in turn; the first,
 * and the DHE prime size, usually came with the suite enumeration already.
 */
async function enumerateTls12Groups(run: Inventory, serverName: string): Promise<void> {
  const version = groupVersion(run);
  if (version === undefined) return;
  const accepted = run.accepted.get(version)!;
  const ecdhe = accepted.filter((c) => suiteByCode(c)?.kx === "ECDHE");
  const found = run.ecdheGroups.get(version) ?? [];
  const remaining = TLS12_GROUPS.filter((g) => !found.includes(g));
  while (ecdhe.length > 0 && remaining.length > 0) {
    const o = await run.attempt({ version, suites: ecdhe, serverName, groups: remaining }, "key_exchange");
    if (o?.kind !== "server_hello" || o.keyExchange?.kind !== "ecdhe") break;
    const i = remaining.indexOf(o.keyExchange.group);
    if (i < 0) {
      run.note(
        `${versionName(version)}: ServerKeyExchange on ${groupName(o.keyExchange.group)}, not offered`,
      );
      break;
    }
    run.keyExchange(version, o);
    remaining.splice(i, 1);
  }
  const dhe = accepted.filter((c) => suiteByCode(c)?.kx === "DHE");
  if (dhe.length > 0 && !run.dhePrimeBits.has(version)) {
    const o = await run.attempt({ version, suites: dhe, serverName }, "key_exchange");
    if (o?.kind === "server_hello" && o.keyExchange?.kind === "dhe") run.keyExchange(version, o);
  }
}

function entries(run: Inventory): string[] {
  const out: string[] = [];
  for (const v of [TLS13, TLS12, TLS11, TLS10, SSL3, SSL2]) {
    for (const c of run.accepted.get(v) ?? []) {
      out.push(`${versionName(v)}:${v === SSL2 ? ssl2SpecName(c) : suiteName(c)}`);
    }
  }
  return out;
}

export async function runTlsInventory(job: TlsInventoryJob, ctx: TlsInventoryContext): Promise<TlsInventory> {
  const t0 = Date.now();
  const run = new Inventory(job, ctx);
  const inv = run.inv;
  try {
    const policy = checkTargetAddress(job.ip, ctx.settings.allowPrivateTargets);
    if (!policy.allowed) {
      inv.failure = "blocked_address";
      inv.failure_phase = "connect";
      inv.failure_detail = `${job.ip} is in ${policy.cidr || "no valid range"} (${policy.range}); not contacted`;
      return inv;
    }
    const name = job.hostname;
    await testTls13(run, name);
    for (const v of [TLS12, TLS11, TLS10, SSL3]) await testLegacyVersion(run, v, name);
    await testSsl2(run, name);
    let complete = run.running && ctx.settings.depth === "full";
    if (ctx.settings.depth === "full") {
      for (const v of [TLS13, TLS12, TLS11, TLS10, SSL3]) {
        const f = field(v);
        if (f && inv[f] === true) complete = (await enumerateSuites(run, v, name)) && complete;
      }
      // An undecided version may hide suites.
      if ([inv.tls13, inv.tls12, inv.tls11, inv.tls10, inv.ssl3, inv.ssl2].includes(null)) complete = false;
      complete = complete && run.running;
      inv.server_cipher_order = await testServerOrder(run, name);
      if (inv.tls13) await enumerateTls13Groups(run, name);
      await enumerateTls12Groups(run, name);
    }
    inv.ciphers = entries(run);
    inv.ciphers_complete = complete;
    Object.assign(inv, deriveCipherFacts(inv.ciphers, complete));
    inv.kx_groups = run.groups(groupVersion(run));
    return inv;
  } finally {
    inv.duration_ms = Date.now() - t0;
  }
}
