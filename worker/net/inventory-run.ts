/**
 * The state of one TLS inventory run and its attempts (worker/probes/tls-inventory.ts drives the steps): one
 * connection at a time through raw-hello.ts, the pause between connections (`perHostDelayMs`), the overall
 * deadline, the connection count, what each version and attempt showed (evidence lines for people), and the
 * stop on the first SMTP-level failure (the closed vocabulary of shared/failures.ts; phases connect, banner,
 * ehlo, starttls, tls_handshake, job). A version nobody could test stays null.
 */

import type { ProbeFailure } from "../../shared/failures.js";
import { suiteName } from "../../shared/tls/cipher-suites.js";
import { groupName } from "../../shared/tls/groups.js";
import { emptyInventory, type InventoryDepth, type TlsInventory } from "../../shared/tls/inventory.js";
import { Deadline } from "./deadline.js";
import { buildHello, type HelloSpec, SSL2, SSL3, TLS10, TLS11, TLS12, TLS13 } from "./inventory-plan.js";
import { type ConnectFn, exchangeHello, type HelloOutcome, type RawHelloSettings } from "./raw-hello.js";
import { freshHelloInputs, type HelloInputs, versionName } from "./tls-hello.js";

export interface TlsInventoryJob {
  hostname: string;
  ip: string;
  port: number;
}

export interface TlsInventorySettings extends RawHelloSettings {
  /** Overall deadline of the whole inventory of this (host, ip). */
  deadlineMs: number;
  /** Pause between two connections to this host (mail servers rate-limit; sslyze's one-per-suite gets banned). */
  perHostDelayMs: number;
  depth: InventoryDepth;
  allowPrivateTargets: boolean;
}

export interface TlsInventoryContext {
  settings: TlsInventorySettings;
  connect?: ConnectFn;
  /** Randomness and key shares for each ClientHello (tests inject fixed ones). */
  helloInputs?: () => HelloInputs;
  sleep?: (ms: number) => Promise<void>;
  /**
   * The (host, IP)'s deadline when the inventory runs inside a probe that already spent part of it; else the
   * inventory's own, `settings.deadlineMs` from its start.
   */
  deadline?: Deadline;
}

export const VERSION_FIELD = {
  [SSL2]: "ssl2",
  [SSL3]: "ssl3",
  [TLS10]: "tls10",
  [TLS11]: "tls11",
  [TLS12]: "tls12",
  [TLS13]: "tls13",
} as const satisfies Record<number, keyof TlsInventory>;

type VersionField = (typeof VERSION_FIELD)[keyof typeof VERSION_FIELD];

export function field(version: number): VersionField | undefined {
  return (VERSION_FIELD as Record<number, VersionField>)[version];
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function outcomeText(o: HelloOutcome): string {
  switch (o.kind) {
    case "server_hello": {
      const h = o.hello;
      const what = h.helloRetry ? "HelloRetryRequest" : "ServerHello";
      const group = h.group !== null ? ` ${groupName(h.group)}` : "";
      return `${what} ${versionName(h.version)} ${suiteName(h.cipherSuite)}${group}`;
    }
    case "ssl2_server_hello":
      return `SSLv2 SERVER-HELLO with ${o.cipherSpecs.length} cipher specs`;
    case "ssl2_error":
      return `SSLv2 ERROR ${o.code}`;
    case "alert":
      return `alert ${o.name}`;
    case "closed":
      return o.received > 0 ? `closed after ${o.received} bytes` : "closed";
    case "reset":
      return "connection reset";
    case "timeout":
      return o.received > 0 ? `no complete answer (${o.received} bytes)` : "no answer";
    case "not_tls":
    case "malformed":
      return `${o.kind}: ${o.detail}`;
  }
}

/** One inventory run: the state and the attempts. */
export class Inventory {
  readonly inv: TlsInventory;
  private readonly deadline: Deadline;
  /** Accepted suites per version, in the order the server chose them. */
  readonly accepted = new Map<number, number[]>();
  /** Per version, each choice the server made: what we offered (in our order) and what it chose. */
  readonly picks = new Map<number, { offered: readonly number[]; chosen: number }[]>();
  /** TLS 1.3 groups (key shares and HelloRetryRequests), in the order found. */
  readonly groups13: string[] = [];
  /** TLS 1.2 and older: ECDHE groups and the DHE prime size, from ServerKeyExchange messages, per version. */
  readonly ecdheGroups = new Map<number, number[]>();
  readonly dhePrimeBits = new Map<number, number>();
  /** This server mishandled a TLS 1.3 hello without key shares: its TLS 1.3 hellos carry real ones. */
  tls13KeyShares = false;
  private stopped = false;

  constructor(
    private readonly job: TlsInventoryJob,
    private readonly ctx: TlsInventoryContext,
  ) {
    this.inv = emptyInventory(ctx.settings.depth);
    this.deadline = ctx.deadline ?? Deadline.after(ctx.settings.deadlineMs);
  }

  get running(): boolean {
    return !this.stopped;
  }

  private stop(f: ProbeFailure | null): void {
    this.stopped = true;
    if (f && this.inv.failure === null) {
      this.inv.failure = f.failure;
      this.inv.failure_phase = f.phase;
      this.inv.failure_detail = f.detail;
    }
  }

  note(line: string): void {
    if (this.inv.evidence.length < 400 && !this.inv.evidence.includes(line)) this.inv.evidence.push(line);
  }

  setVersion(version: number, value: boolean, why: string): void {
    const f = field(version);
    if (!f) return;
    // Evidence of acceptance wins; a refusal never overwrites an acceptance seen on another attempt.
    if (value || this.inv[f] === null) this.inv[f] = value;
    this.note(`${versionName(version)}: ${value ? "accepted" : "refused"} (${why})`);
  }

  addSuite(version: number, code: number): boolean {
    const list = this.accepted.get(version) ?? [];
    if (list.includes(code)) return false;
    list.push(code);
    this.accepted.set(version, list);
    return true;
  }

  addGroup13(group: number): void {
    const name = groupName(group);
    if (!this.groups13.includes(name)) this.groups13.push(name);
  }

  /** A ServerHello for `version` that chose a suite from `offered`: the suite, the choice, the key exchange. */
  chose(version: number, offered: readonly number[], o: HelloOutcome & { kind: "server_hello" }): void {
    const chosen = o.hello.cipherSuite;
    this.addSuite(version, chosen);
    const picks = this.picks.get(version) ?? [];
    picks.push({ offered, chosen });
    this.picks.set(version, picks);
    if (version === TLS13 && o.hello.group !== null) this.addGroup13(o.hello.group);
    this.keyExchange(version, o);
  }

  /** The group or prime of a TLS 1.2-or-older ServerKeyExchange that came with `o`. */
  keyExchange(version: number, o: HelloOutcome & { kind: "server_hello" }): void {
    const kx = o.keyExchange;
    if (kx?.kind === "ecdhe") {
      const list = this.ecdheGroups.get(version) ?? [];
      if (!list.includes(kx.group)) list.push(kx.group);
      this.ecdheGroups.set(version, list);
    }
    if (kx?.kind === "dhe") this.dhePrimeBits.set(version, kx.primeBits);
  }

  /** Every group found: TLS 1.3 ones first, then TLS 1.2 ECDHE curves of `legacy`, then `dh-<bits>`. */
  groups(legacy: number | undefined): string[] {
    const out = [...this.groups13];
    for (const g of legacy === undefined ? [] : (this.ecdheGroups.get(legacy) ?? [])) {
      const name = groupName(g);
      if (!out.includes(name)) out.push(name);
    }
    const bits = legacy === undefined ? undefined : this.dhePrimeBits.get(legacy);
    if (bits !== undefined) out.push(`dh-${bits}`);
    return out;
  }

  /** One connection; null when the inventory has stopped (failure, deadline, no STARTTLS). */
  async attempt(spec: HelloSpec, want: "hello" | "key_exchange" = "hello"): Promise<HelloOutcome | null> {
    if (this.stopped) return null;
    const s = this.ctx.settings;
    if (this.inv.connections_used > 0 && s.perHostDelayMs > 0) {
      if (this.deadline.remaining() <= s.perHostDelayMs) {
        this.stop({ failure: "deadline_exceeded", phase: "job", detail: "the host deadline ran out" });
        return null;
      }
      await (this.ctx.sleep ?? defaultSleep)(s.perHostDelayMs);
    }
    if (this.deadline.expired()) {
      this.stop({ failure: "deadline_exceeded", phase: "job", detail: "the host deadline ran out" });
      return null;
    }
    const inputs = (this.ctx.helloInputs ?? freshHelloInputs)();
    const hello = buildHello(spec, inputs);
    this.inv.connections_used++;
    const r = await exchangeHello(this.job, s, this.deadline, hello, {
      want,
      ...(this.ctx.connect ? { connect: this.ctx.connect } : {}),
    });
    if (!r.ok) {
      if (r.starttlsOffered === false) {
        this.inv.starttls_offered = false;
        this.stop(null);
      } else this.stop(r.failure);
      return null;
    }
    this.inv.starttls_offered = true;
    return r.outcome;
  }
}
