/**
 * The STARTTLS Everywhere policy list (EFF, https://dl.eff.org/starttls-everywhere/policy.json): a preloaded
 * list of mail domains, each with a mode and the MX host names senders may deliver to:
 *
 *   { "timestamp": "...", "expires": "...", "version": "0.1",
 *     "policy-aliases": { "<alias>": { "mode": "testing" | "enforce", "mxs": [".example.net", ...] } },
 *     "policies": { "<domain>": { "mode": ..., "mxs": [...] } | { "policy-alias": "<alias>" } } }
 *
 * An `mxs` entry is an exact host name, or a leading dot and a host name. Project decision (the issue that
 * asked for this module): a leading dot matches exactly one more label (`.example.net` matches
 * `mx.example.net`, not `example.net` nor `a.mx.example.net`), like an MTA-STS `*.` pattern. The list's own
 * tooling (Postfix `match=` semantics) lets it match any depth of subdomain; a host that only the looser
 * reading accepts is reported in `policy_list_mismatch`.
 *
 * Reading is lenient per entry and strict at the top: a malformed top level is an error, a malformed entry is
 * skipped and listed in `problems`. Lookup is by exact domain (lower case, no trailing dot).
 */

import { isHostName } from "./mta-sts-policy.js";
import { failingHosts, hostNames, type PolicyHostFacts } from "./mx-tls.js";

export interface PolicyListEntry {
  mode: string;
  /** Lower case; leading dots kept. */
  mxs: string[];
}

export interface PolicyList {
  timestamp: string | null;
  expires: string | null;
  version: string | null;
  aliases: ReadonlyMap<string, PolicyListEntry>;
  /** Aliases already resolved. */
  policies: ReadonlyMap<string, PolicyListEntry>;
}

export interface PolicyListProblem {
  /** The domain (or `alias:<name>`) whose entry was skipped. */
  key: string;
  detail: string;
}

export type PolicyListRead =
  | { ok: true; list: PolicyList; problems: PolicyListProblem[] }
  | { ok: false; error: "list_not_json" | "list_bad_shape"; detail: string };

/** The policy-list columns of the domain row. */
export interface PolicyListCheck {
  policy_list_listed: boolean;
  /** The listed mode (testing, enforce, ...), null when not listed. */
  policy_list_mode: string | null;
  /** Every MX host matches the listed mxs and, under enforce, passes TLS; null when not listed or no MX rows. */
  policy_list_mx_ok: boolean | null;
  /** MX hosts that no listed mxs entry matches. */
  policy_list_mismatch: string[];
  /** Matching MX hosts a sender requiring authenticated TLS would refuse (enforce and testing modes). */
  policy_list_failing: string[];
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function normDomain(d: string): string {
  return d.trim().toLowerCase().replace(/\.$/, "");
}

function readEntry(v: unknown): PolicyListEntry | string {
  if (!isObject(v)) return "not an object";
  if (typeof v.mode !== "string" || v.mode === "") return "mode missing or not a string";
  if (!Array.isArray(v.mxs) || v.mxs.length === 0) return "mxs missing or empty";
  const mxs: string[] = [];
  for (const m of v.mxs) {
    if (typeof m !== "string") return "an mxs entry is not a string";
    const name = m.toLowerCase();
    if (!isHostName(name.startsWith(".") ? name.slice(1) : name))
      return `mxs entry "${m}" is not a host name`;
    mxs.push(name);
  }
  return { mode: v.mode, mxs };
}

/** Read a policy.json (text or already-parsed JSON). */
export function readPolicyList(input: string | unknown): PolicyListRead {
  let json: unknown = input;
  if (typeof input === "string") {
    try {
      json = JSON.parse(input);
    } catch (err) {
      return { ok: false, error: "list_not_json", detail: err instanceof Error ? err.message : String(err) };
    }
  }
  if (!isObject(json))
    return { ok: false, error: "list_bad_shape", detail: "the top level is not an object" };
  if (!isObject(json.policies))
    return { ok: false, error: "list_bad_shape", detail: '"policies" is not an object' };
  const rawAliases = json["policy-aliases"] ?? {};
  if (!isObject(rawAliases)) {
    return { ok: false, error: "list_bad_shape", detail: '"policy-aliases" is not an object' };
  }
  const str = (v: unknown): string | null => (typeof v === "string" ? v : null);
  const problems: PolicyListProblem[] = [];
  const aliases = new Map<string, PolicyListEntry>();
  for (const [name, v] of Object.entries(rawAliases)) {
    const e = readEntry(v);
    if (typeof e === "string") problems.push({ key: `alias:${name}`, detail: e });
    else aliases.set(name, e);
  }
  const policies = new Map<string, PolicyListEntry>();
  for (const [domain, v] of Object.entries(json.policies)) {
    const key = normDomain(domain);
    if (isObject(v) && "policy-alias" in v) {
      const alias = typeof v["policy-alias"] === "string" ? aliases.get(v["policy-alias"]) : undefined;
      if (alias) policies.set(key, alias);
      else problems.push({ key, detail: `unknown policy-alias ${JSON.stringify(v["policy-alias"])}` });
      continue;
    }
    const e = readEntry(v);
    if (typeof e === "string") problems.push({ key, detail: e });
    else policies.set(key, e);
  }
  return {
    ok: true,
    list: {
      timestamp: str(json.timestamp),
      expires: str(json.expires),
      version: str(json.version),
      aliases,
      policies,
    },
    problems,
  };
}

/** The list has an `expires` time and it is in the past (an unparsable time counts as expired). */
export function policyListExpired(list: PolicyList, now: Date): boolean {
  if (list.expires === null) return false;
  const t = Date.parse(list.expires);
  return Number.isNaN(t) || t <= now.getTime();
}

/** The entry for `domain` (exact match, aliases resolved), or null. */
export function lookupPolicy(list: PolicyList, domain: string): PolicyListEntry | null {
  return list.policies.get(normDomain(domain)) ?? null;
}

/** Does an MX host match one `mxs` entry? A leading dot stands for exactly one more label (see above). */
export function policyListMxMatches(host: string, entry: string): boolean {
  const h = normDomain(host);
  const e = normDomain(entry);
  if (h === "" || e === "") return false;
  if (!e.startsWith(".")) return h === e;
  const dot = h.indexOf(".");
  return dot > 0 && h.slice(dot) === e;
}

/** The domain against the list: listed or not, and how its MX host rows fare against the listed policy. */
export function policyListCheck(
  list: PolicyList,
  domain: string,
  hosts: readonly PolicyHostFacts[],
): PolicyListCheck {
  const entry = lookupPolicy(list, domain);
  if (!entry) {
    return {
      policy_list_listed: false,
      policy_list_mode: null,
      policy_list_mx_ok: null,
      policy_list_mismatch: [],
      policy_list_failing: [],
    };
  }
  const names = hostNames(hosts);
  const matches = (h: string) => entry.mxs.some((e) => policyListMxMatches(h, e));
  const mismatch = names.filter((h) => !matches(h));
  const failing = entry.mode === "none" ? [] : failingHosts(hosts, new Set(names.filter(matches)));
  return {
    policy_list_listed: true,
    policy_list_mode: entry.mode,
    // No MX host row at all: nothing to judge.
    policy_list_mx_ok:
      names.length === 0 ? null : mismatch.length === 0 && (entry.mode !== "enforce" || failing.length === 0),
    policy_list_mismatch: mismatch,
    policy_list_failing: failing,
  };
}
