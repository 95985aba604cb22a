/**
 * The Kubernetes manifests (deploy/k8s/) checked against the Kubernetes OpenAPI schemas with `kubernetes-models`
 * (one class per kind, generated from the Kubernetes OpenAPI spec, `.validate()` runs its JSON schema), every
 * YAML document of every file. The OpenAPI schemas do not refuse unknown fields (Kubernetes' own schemas set no
 * `additionalProperties: false`): every field is also looked up in the models' generated type declarations, as
 * `kubectl apply --validate=strict` would. The fields that matter are then asserted one by one: probes, grace period,
 * security context, resources, the NetworkPolicy's egress ports, secret references, and every mxsurvey flag the
 * manifests use against the CLI's `--help`.
 *
 * The ClickHouseInstallation is a custom resource of the Altinity operator, outside the Kubernetes schemas: its
 * embedded pod and volume claim specs are validated as PodSpec and PersistentVolumeClaimSpec, the rest by shape.
 * nats-values.yaml is a values file of the NATS Helm chart, checked by the keys mxsurvey relies on.
 */

import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { runCli } from "../helpers/cli.js";
import { projectRoot } from "../tools/project-root.js";

const K8S = join(projectRoot(), "deploy", "k8s");

/** Files that are not Kubernetes objects (validated apart below). */
const HELM_VALUES = "nats-values.yaml";
const KUSTOMIZATION = "kustomization.yaml";
const CHI_FILE = "clickhouse-installation.yaml";
/** Applied by hand, not by `kubectl apply -k` (secrets with placeholders; a one-off pod). */
const NOT_IN_KUSTOMIZATION = ["secrets.example.yaml", "lists-loader.yaml"];

// biome-ignore lint/suspicious/noExplicitAny: parsed YAML, walked by path in the assertions
type Obj = Record<string, any>;

interface Doc {
  file: string;
  obj: Obj;
}

function parseFile(file: string): Obj[] {
  const docs = parseAllDocuments(readFileSync(join(K8S, file), "utf8"));
  const list = Array.isArray(docs) ? docs : [docs];
  const out: Obj[] = [];
  for (const d of list) {
    expect(d.errors.map((e) => `${file}: ${e.message}`)).toEqual([]);
    const js = d.toJS() as Obj | null;
    if (js !== null) out.push(js);
  }
  return out;
}

/** The kubernetes-models class of an object's apiVersion and kind (e.g. apps/v1 Deployment). */
async function modelOf(
  apiVersion: string,
  kind: string,
): Promise<(new (data: Obj) => { validate(): void }) | null> {
  const mod = (await import(/* @vite-ignore */ `kubernetes-models/${apiVersion}`).catch(
    () => null,
  )) as Obj | null;
  return (mod?.[kind] as (new (data: Obj) => { validate(): void }) | undefined) ?? null;
}

/** Validate against the kind's schema: null when valid, else the validator's message. */
async function schemaError(obj: Obj): Promise<string | null> {
  const Model = await modelOf(obj["apiVersion"], obj["kind"]);
  if (!Model) return `no Kubernetes schema for ${obj["apiVersion"]} ${obj["kind"]}`;
  try {
    new Model(obj).validate();
    return null;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}

/**
 * Field names per model interface, read from the `.d.ts` files kubernetes-models generates from the same OpenAPI
 * spec (`"livenessProbe"?: IIoK8sApiCoreV1Probe;`), keyed by the interface's exported alias
 * (IIoK8sApiCoreV1Container): a field's type is another alias, an Array<alias>, an inline map or a scalar.
 */
type Fields = Map<string, string>;
let interfaces: Map<string, Fields> | null = null;

function modelInterfaces(): Map<string, Fields> {
  if (interfaces) return interfaces;
  interfaces = new Map();
  const roots = [
    join(projectRoot(), "node_modules", "kubernetes-models"),
    join(projectRoot(), "node_modules", "@kubernetes-models", "apimachinery"),
  ];
  const walk = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
      e.isDirectory() && e.name !== "_schemas" && e.name !== "node_modules"
        ? walk(join(dir, e.name))
        : e.name.endsWith(".d.ts")
          ? [join(dir, e.name)]
          : [],
    );
  for (const file of roots.flatMap(walk)) {
    const text = readFileSync(file, "utf8");
    const local = new Map<string, Fields>();
    for (const m of text.matchAll(/^export interface (I\w+)[^{]*\{\n([\s\S]*?)^\}/gm)) {
      const fields: Fields = new Map();
      for (const f of m[2]!.matchAll(/^ {4}"([^"]+)"\??: (.*?);?$/gm)) fields.set(f[1]!, f[2]!);
      local.set(m[1]!, fields);
    }
    for (const m of text.matchAll(/export \{ (I\w+) as (I\w+)/g)) {
      const fields = local.get(m[1]!);
      if (fields) interfaces.set(m[2]!, fields);
    }
    // The kinds' own interfaces, looked up by path below.
    for (const [name, fields] of local) interfaces.set(`${file}#${name}`, fields);
  }
  return interfaces;
}

/**
 * The fields of an object its kind does not have (what `kubectl apply --validate=strict` refuses): the OpenAPI
 * schemas alone accept any extra field, so a typo such as `livenessprobe` would pass them and be dropped.
 */
function unknownFields(obj: Obj): string[] {
  const all = modelInterfaces();
  const file = join(
    projectRoot(),
    "node_modules",
    "kubernetes-models",
    obj["apiVersion"],
    `${obj["kind"]}.d.ts`,
  );
  const root = all.get(`${file}#I${obj["kind"]}`);
  if (!root) return [`no model for ${obj["apiVersion"]} ${obj["kind"]}`];
  const out: string[] = [];
  const visit = (value: unknown, fields: Fields, path: string) => {
    if (value === null || typeof value !== "object" || Array.isArray(value)) return;
    for (const [key, v] of Object.entries(value)) {
      const type = fields.get(key);
      if (type === undefined) {
        out.push(`${path}/${key}`);
        continue;
      }
      const inner = /^Array<(I\w+)>$/.exec(type)?.[1] ?? (/^I\w+$/.test(type) ? type : null);
      const next = inner ? all.get(inner) : undefined;
      if (!next) continue; // a scalar, a map, an int-or-string
      for (const [i, item] of (Array.isArray(v) ? v : [v]).entries())
        visit(item, next, Array.isArray(v) ? `${path}/${key}/${i}` : `${path}/${key}`);
    }
  };
  visit(obj, root, "");
  return out;
}

let files: string[] = [];
const cleanups: (() => void)[] = [];
afterAll(() => {
  for (const c of cleanups) c();
});
let objects: Doc[] = [];

function find(kind: string, name: string): Obj {
  const d = objects.find((o) => o.obj["kind"] === kind && o.obj["metadata"]?.["name"] === name);
  expect(d, `${kind} ${name}`).toBeDefined();
  return d!.obj;
}

/** Every pod spec of a workload object (Deployment, CronJob, Pod). */
function podSpecOf(obj: Obj): Obj {
  switch (obj["kind"]) {
    case "Deployment":
      return obj["spec"]["template"]["spec"];
    case "CronJob":
      return obj["spec"]["jobTemplate"]["spec"]["template"]["spec"];
    case "Pod":
      return obj["spec"];
    default:
      throw new Error(`not a workload: ${obj["kind"]}`);
  }
}

function podMetaOf(obj: Obj): Obj {
  return obj["kind"] === "Deployment"
    ? obj["spec"]["template"]["metadata"]
    : obj["spec"]["jobTemplate"]["spec"]["template"]["metadata"];
}

const WORKLOAD_KINDS = new Set(["Deployment", "CronJob", "Pod"]);

beforeAll(() => {
  files = readdirSync(K8S)
    .filter((f) => f.endsWith(".yaml"))
    .sort();
  objects = files
    .filter((f) => f !== HELM_VALUES && f !== KUSTOMIZATION && f !== CHI_FILE)
    .flatMap((file) => parseFile(file).map((obj) => ({ file, obj })));
});

describe("deploy k8s", () => {
  it("k8s - the files are there, and kustomization.yaml lists every manifest but the hand-applied ones", () => {
    expect(files).toEqual(
      [
        CHI_FILE,
        "config.yaml",
        "coordinator.yaml",
        KUSTOMIZATION,
        "lists-loader.yaml",
        "namespace.yaml",
        HELM_VALUES,
        "networkpolicy.yaml",
        "secrets.example.yaml",
        "worker.yaml",
      ].sort(),
    );
    const [k] = parseFile(KUSTOMIZATION);
    expect(k!["kind"]).toBe("Kustomization");
    expect(k!["namespace"]).toBe("mxsurvey");
    const listed = [...(k!["resources"] as string[])].sort();
    const expected = files.filter(
      (f) => f !== KUSTOMIZATION && f !== HELM_VALUES && !NOT_IN_KUSTOMIZATION.includes(f),
    );
    expect(listed).toEqual(expected.sort());
    expect(k!["images"]).toEqual([{ name: "mxsurvey", newTag: expect.any(String) }]);
  });

  it("k8s - every object passes its kind's Kubernetes OpenAPI schema (kubernetes-models)", async () => {
    expect(objects.length).toBeGreaterThanOrEqual(12);
    const errors: string[] = [];
    for (const { file, obj } of objects) {
      const e = await schemaError(obj);
      if (e) errors.push(`${file} ${obj["kind"]} ${obj["metadata"]?.["name"]}: ${e}`);
      for (const f of unknownFields(obj))
        errors.push(`${file} ${obj["kind"]} ${obj["metadata"]?.["name"]}: unknown field ${f}`);
      expect(obj["metadata"]?.["namespace"] ?? (obj["kind"] === "Namespace" ? "mxsurvey" : undefined)).toBe(
        "mxsurvey",
      );
    }
    expect(errors).toEqual([]);
    const kinds = new Set(objects.map((o) => o.obj["kind"]));
    for (const k of [
      "Namespace",
      "ConfigMap",
      "Secret",
      "Deployment",
      "PodDisruptionBudget",
      "CronJob",
      "PersistentVolumeClaim",
      "NetworkPolicy",
      "Pod",
    ])
      expect(kinds.has(k), k).toBe(true);
  });

  it("k8s - the validator catches broken copies (the check can fail)", async () => {
    const worker = structuredClone(find("Deployment", "mxsurvey-worker"));
    expect(await schemaError(worker)).toBeNull();

    const badType = structuredClone(worker);
    badType["spec"]["template"]["spec"]["terminationGracePeriodSeconds"] = "180s";
    expect(await schemaError(badType)).toMatch(/terminationGracePeriodSeconds must be integer/);

    const noName = structuredClone(worker);
    delete noName["spec"]["template"]["spec"]["containers"][0]["name"];
    expect(await schemaError(noName)).toMatch(/containers\/0 must have required property name/);

    const noSelector = structuredClone(worker);
    delete noSelector["spec"]["selector"];
    expect(await schemaError(noSelector)).toMatch(/must have required property selector/);

    const policy = structuredClone(find("NetworkPolicy", "mxsurvey-worker"));
    policy["spec"]["egress"][0]["to"] = "kube-dns";
    expect(await schemaError(policy)).toMatch(/egress\/0\/to must be array/);

    const cron = structuredClone(find("CronJob", "mxsurvey-scan"));
    delete cron["spec"]["schedule"];
    expect(await schemaError(cron)).toMatch(/must have required property schedule/);

    expect(await schemaError({ apiVersion: "apps/v1", kind: "Deploymnet", metadata: { name: "x" } })).toMatch(
      /no Kubernetes schema/,
    );

    // A misspelt field passes the schema (it accepts extra fields) but not the field check.
    const typo = structuredClone(worker);
    const c = typo["spec"]["template"]["spec"]["containers"][0];
    c["livenessprobe"] = c["livenessProbe"];
    delete c["livenessProbe"];
    typo["spec"]["template"]["metadata"]["annotation"] = {};
    expect(await schemaError(typo)).toBeNull();
    expect(unknownFields(typo)).toEqual([
      "/spec/template/metadata/annotation",
      "/spec/template/spec/containers/0/livenessprobe",
    ]);
    expect(unknownFields(worker)).toEqual([]);
  });

  it("k8s - every mxsurvey flag the manifests use exists, and every $(VAR) in arguments is defined", async () => {
    const config = find("ConfigMap", "mxsurvey")["data"] as Record<string, string>;
    const secrets = new Map<string, Set<string>>();
    for (const { obj } of objects)
      if (obj["kind"] === "Secret")
        secrets.set(obj["metadata"]["name"], new Set(Object.keys(obj["stringData"] ?? obj["data"] ?? {})));
    const used = new Map<string, Set<string>>();
    let containers = 0;
    for (const { obj } of objects) {
      if (!WORKLOAD_KINDS.has(obj["kind"])) continue;
      for (const c of podSpecOf(obj)["containers"] as Obj[]) {
        if (!String(c["image"]).startsWith("mxsurvey")) continue;
        containers++;
        const env = new Map<string, Obj>((c["env"] ?? []).map((e: Obj) => [e["name"], e]));
        for (const [name, e] of env) {
          const cm = e["valueFrom"]?.["configMapKeyRef"];
          const sk = e["valueFrom"]?.["secretKeyRef"];
          expect(cm || sk, `${name}: from the ConfigMap or a Secret, never a literal`).toBeTruthy();
          if (cm) {
            expect(cm["name"]).toBe("mxsurvey");
            expect(Object.keys(config), `${name}`).toContain(cm["key"]);
          }
          if (sk) expect(secrets.get(sk["name"])?.has(sk["key"]), `${sk["name"]}/${sk["key"]}`).toBe(true);
        }
        if (c["command"]) continue; // the lists loader: not an mxsurvey command
        const args = c["args"] as string[];
        for (const a of args)
          for (const m of a.matchAll(/\$\(([A-Z0-9_]+)\)/g))
            expect(env.has(m[1]!), `${obj["metadata"]["name"]}: $(${m[1]}) is not in env`).toBe(true);
        const cmd = args[0] === "db" ? `db ${args[1]}` : args[0]!;
        const set = used.get(cmd) ?? new Set<string>();
        for (const a of args) if (a.startsWith("--")) set.add(a);
        used.set(cmd, set);
      }
    }
    expect(containers).toBe(4);
    expect([...used.keys()].sort()).toEqual(["db prune", "scan", "worker"]);
    for (const [cmd, flags] of used) {
      const help = await runCli([...cmd.split(" "), "--help"]);
      for (const f of flags) expect(help.stdout, `${cmd} ${f}`).toMatch(new RegExp(`\\s${f}\\b`));
    }
    expect(used.get("scan")).toContain("--label");
    expect(used.get("worker")).toContain("--metrics-listen");
  }, 60_000);

  it("k8s - each container's arguments, with the ConfigMap's values, are accepted by the CLI", async () => {
    // Run as Kubernetes would, $(VAR) expanded from the ConfigMap, except what would leave this machine: NATS and
    // ClickHouse on a closed loopback port, the metrics listener on loopback, the list in a temporary file. The
    // command must get past its option checks (exit 2) and stop only at the service (exit 4).
    const config = find("ConfigMap", "mxsurvey")["data"] as Record<string, string>;
    const values: Record<string, string> = {
      ...config,
      MXSURVEY_NATS_URL: "nats://127.0.0.1:1",
      MXSURVEY_CLICKHOUSE_URL: "http://127.0.0.1:1",
    };
    const dir = mkdtempSync(join(tmpdir(), "mxsurvey-k8s-"));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    writeFileSync(join(dir, config["MXSURVEY_LIST_FILE"]!), "1,example.com\n2,example.org\n");
    const env = {
      ...process.env,
      MXSURVEY_NATS_PASSWORD: "k8s-test",
      MXSURVEY_CLICKHOUSE_PASSWORD: "k8s-test",
    };
    let ran = 0;
    for (const { obj } of objects) {
      if (!WORKLOAD_KINDS.has(obj["kind"])) continue;
      for (const c of podSpecOf(obj)["containers"] as Obj[]) {
        if (c["command"]) continue;
        const args = (c["args"] as string[]).map((a) =>
          a
            .replace(/\$\(([A-Z0-9_]+)\)/g, (_, v: string) => values[v] ?? `$(${v})`)
            .replace(/^\/lists\//, `${dir}/`)
            .replace(/^0\.0\.0\.0:/, "127.0.0.1:")
            .replace(/^127\.0\.0\.1:9464$/, "127.0.0.1:0"),
        );
        const r = await runCli(args, { env, timeoutMs: 60_000 });
        expect(r.stderr, args.slice(0, 2).join(" ")).toMatch(/NATS|ClickHouse/);
        expect(r.code, `${args.slice(0, 2).join(" ")}: ${r.stderr}`).toBe(4);
        ran++;
      }
    }
    expect(ran).toBe(3);
  }, 120_000);

  it("k8s - worker: probes on the metrics listener, a grace period longer than the probe deadline, a PDB", async () => {
    const worker = find("Deployment", "mxsurvey-worker");
    const pod = podSpecOf(worker);
    const [c] = pod["containers"] as Obj[];
    const args = c!["args"] as string[];
    const listen = args[args.indexOf("--metrics-listen") + 1]!;
    const port = Number(listen.split(":").pop());
    expect(c!["ports"]).toContainEqual({ name: "metrics", containerPort: port, protocol: "TCP" });
    expect(c!["livenessProbe"]["httpGet"]).toEqual({ path: "/livez", port: "metrics" });
    expect(c!["readinessProbe"]["httpGet"]).toEqual({ path: "/readyz", port: "metrics" });
    expect(c!["startupProbe"]["httpGet"]).toEqual({ path: "/livez", port: "metrics" });
    expect(podMetaOf(worker)["annotations"]).toMatchObject({
      "prometheus.io/scrape": "true",
      "prometheus.io/port": String(port),
      "prometheus.io/path": "/metrics",
    });

    // A worker drains on SIGTERM: each job in flight ends within the scan's --host-deadline (the CLI's
    // default unless the scan CronJob sets one), then its result is published.
    const help = await runCli(["scan", "--help"]);
    const defaultDeadline = Number(/--host-deadline[^\n]*\[default: (\d+)\]/.exec(help.stdout)?.[1]);
    expect(defaultDeadline).toBeGreaterThan(0);
    const scanArgs = podSpecOf(find("CronJob", "mxsurvey-scan"))["containers"][0]["args"] as string[];
    const i = scanArgs.indexOf("--host-deadline");
    const deadline = i >= 0 ? Number(scanArgs[i + 1]) : defaultDeadline;
    const grace = pod["terminationGracePeriodSeconds"] as number;
    expect(grace).toBeGreaterThan(deadline);
    // ... and longer than the liveness probe takes to declare the pod dead.
    const live = c!["livenessProbe"];
    expect(grace).toBeGreaterThan(live["periodSeconds"] * live["failureThreshold"] + live["timeoutSeconds"]);

    const pdb = find("PodDisruptionBudget", "mxsurvey-worker");
    expect(pdb["spec"]["selector"]["matchLabels"]).toEqual(worker["spec"]["selector"]["matchLabels"]);
    expect(worker["spec"]["template"]["metadata"]["labels"]).toMatchObject(
      worker["spec"]["selector"]["matchLabels"],
    );
    expect(pdb["spec"]["maxUnavailable"]).toBe(1);
  }, 60_000);

  it("k8s - every pod runs as non-root, without privilege escalation or capabilities, with requests and limits", () => {
    let pods = 0;
    for (const { obj } of objects) {
      if (!WORKLOAD_KINDS.has(obj["kind"])) continue;
      pods++;
      const pod = podSpecOf(obj);
      const name = obj["metadata"]["name"];
      expect(pod["securityContext"], name).toMatchObject({
        runAsNonRoot: true,
        runAsUser: expect.any(Number),
        seccompProfile: { type: "RuntimeDefault" },
      });
      expect(pod["securityContext"]["runAsUser"]).toBeGreaterThan(0);
      expect(pod["automountServiceAccountToken"], name).toBe(false);
      for (const c of pod["containers"] as Obj[]) {
        expect(c["securityContext"], name).toEqual({
          allowPrivilegeEscalation: false,
          readOnlyRootFilesystem: true,
          capabilities: { drop: ["ALL"] },
        });
        expect(Object.keys(c["resources"]["requests"]).sort(), name).toEqual(["cpu", "memory"]);
        expect(c["resources"]["limits"]["memory"], name).toBeDefined();
      }
    }
    expect(pods).toBe(4);
  });

  it("k8s - the scan is a weekly CronJob with --label, one at a time, never retried as a new scan", () => {
    const cron = find("CronJob", "mxsurvey-scan");
    expect(cron["spec"]["schedule"]).toBe("0 3 * * 1");
    expect(cron["spec"]["concurrencyPolicy"]).toBe("Forbid");
    expect(cron["spec"]["jobTemplate"]["spec"]["backoffLimit"]).toBe(0);
    const args = podSpecOf(cron)["containers"][0]["args"] as string[];
    expect(args[0]).toBe("scan");
    expect(args[args.indexOf("--label") + 1]).toBe("$(MXSURVEY_LABEL)");
    expect(find("ConfigMap", "mxsurvey")["data"]["MXSURVEY_LABEL"]).toMatch(/^[a-z0-9-]+$/);
    const prune = podSpecOf(find("CronJob", "mxsurvey-prune"))["containers"][0]["args"] as string[];
    expect(prune.slice(0, 2)).toEqual(["db", "prune"]);
    expect(prune[prune.indexOf("--label") + 1]).toBe("$(MXSURVEY_LABEL)");
  });

  it("k8s - NetworkPolicy: egress ports are exactly the allowed set, each rule to named peers", () => {
    const DNS = ["TCP/53", "UDP/53"];
    const allowed: Record<string, string[]> = {
      "mxsurvey-worker": [...DNS, "TCP/4222", "TCP/25"],
      "mxsurvey-scan": [...DNS, "TCP/4222", "TCP/8123", "TCP/443"],
      "mxsurvey-prune": [...DNS, "TCP/8123"],
    };
    const components: Record<string, string> = {
      "mxsurvey-worker": "worker",
      "mxsurvey-scan": "coordinator",
      "mxsurvey-prune": "prune",
    };
    const policies = objects.filter((o) => o.obj["kind"] === "NetworkPolicy").map((o) => o.obj);
    expect(policies.map((p) => p["metadata"]["name"]).sort()).toEqual(Object.keys(allowed).sort());
    for (const p of policies) {
      const name = p["metadata"]["name"] as string;
      expect(p["spec"]["policyTypes"]).toEqual(["Ingress", "Egress"]);
      expect(p["spec"]["podSelector"]["matchLabels"]).toEqual({
        "app.kubernetes.io/name": "mxsurvey",
        "app.kubernetes.io/component": components[name],
      });
      const ports: string[] = [];
      for (const rule of p["spec"]["egress"] as Obj[]) {
        expect(
          rule["to"]?.length,
          `${name}: an egress rule without peers allows every destination`,
        ).toBeGreaterThan(0);
        expect(
          rule["ports"]?.length,
          `${name}: an egress rule without ports allows every port`,
        ).toBeGreaterThan(0);
        for (const port of rule["ports"] as Obj[]) ports.push(`${port["protocol"]}/${port["port"]}`);
        for (const peer of rule["to"] as Obj[])
          if (peer["ipBlock"])
            // Internet egress never reaches private address space (the cluster, the cloud's metadata service).
            expect(peer["ipBlock"]["except"]?.length, `${name} ${peer["ipBlock"]["cidr"]}`).toBeGreaterThan(
              0,
            );
      }
      expect(ports.sort(), name).toEqual([...allowed[name]!].sort());
      for (const rule of p["spec"]["ingress"] ?? [])
        expect(rule["ports"], `${name}: ingress only to the metrics port`).toEqual([
          { protocol: "TCP", port: 9464 },
        ]);
    }
    // Every pod a policy selects exists, and each mxsurvey workload is selected by one.
    for (const { obj } of objects.filter(
      (o) => WORKLOAD_KINDS.has(o.obj["kind"]) && o.obj["kind"] !== "Pod",
    )) {
      const labels = podMetaOf(obj)["labels"] as Record<string, string>;
      const selecting = policies.filter((p) =>
        Object.entries(p["spec"]["podSelector"]["matchLabels"] as Record<string, string>).every(
          ([k, v]) => labels[k] === v,
        ),
      );
      expect(selecting.length, obj["metadata"]["name"]).toBe(1);
    }
  });

  it("k8s - no secret inline: Secrets only in the example file, with placeholders; passwords through secretKeyRef", () => {
    for (const { file, obj } of objects.filter((o) => o.obj["kind"] === "Secret")) {
      expect(file).toBe("secrets.example.yaml");
      expect(Object.values(obj["stringData"])).toEqual(["REPLACE_ME"]);
      expect(obj["data"]).toBeUndefined();
    }
    for (const file of files) {
      const text = readFileSync(join(K8S, file), "utf8");
      expect(text, file).not.toMatch(/--(nats|clickhouse)-password|--nats-token/);
      expect(text, file).not.toMatch(/^\s*password:\s*(?!REPLACE_ME|<< \$)\S/m);
    }
  });

  it("k8s - NATS from the official chart: JetStream on a persistent volume, the password from the Secret", () => {
    const [v] = parseFile(HELM_VALUES);
    const config = find("ConfigMap", "mxsurvey")["data"] as Record<string, string>;
    expect(v!["config"]["jetstream"]).toMatchObject({
      enabled: true,
      fileStore: { enabled: true, pvc: { enabled: true, size: expect.stringMatching(/^\d+Gi$/) } },
    });
    expect(v!["config"]["nats"]?.["port"] ?? 4222).toBe(Number(new URL(config["MXSURVEY_NATS_URL"]!).port));
    expect(new URL(config["MXSURVEY_NATS_URL"]!).hostname).toBe("nats"); // the release's Service
    expect(v!["config"]["merge"]["authorization"]).toEqual({
      user: config["MXSURVEY_NATS_USER"],
      password: "<< $MXSURVEY_NATS_PASSWORD >>",
    });
    expect(v!["container"]["env"]["MXSURVEY_NATS_PASSWORD"]).toEqual({
      valueFrom: { secretKeyRef: { name: "mxsurvey-nats", key: "password" } },
    });
  });

  it("k8s - ClickHouse from the Altinity operator: its pod and volume specs pass the Kubernetes schemas", async () => {
    const [chi] = parseFile(CHI_FILE);
    const config = find("ConfigMap", "mxsurvey")["data"] as Record<string, string>;
    expect(chi!["apiVersion"]).toBe("clickhouse.altinity.com/v1");
    expect(chi!["kind"]).toBe("ClickHouseInstallation");
    expect(chi!["metadata"]["namespace"]).toBe("mxsurvey");
    // The operator's Service is clickhouse-<name>.
    const url = new URL(config["MXSURVEY_CLICKHOUSE_URL"]!);
    expect(url.hostname).toBe(`clickhouse-${chi!["metadata"]["name"]}`);
    expect(url.port).toBe("8123");
    const user = config["MXSURVEY_CLICKHOUSE_USER"]!;
    expect(chi!["spec"]["configuration"]["users"][`${user}/k8s_secret_password`]).toBe(
      "mxsurvey-clickhouse/password",
    );
    const { PodSpec, PersistentVolumeClaimSpec } = await import("kubernetes-models/v1");
    const templates = chi!["spec"]["templates"];
    for (const t of templates["podTemplates"] as Obj[]) {
      new PodSpec(t["spec"]).validate();
      expect(unknownFields({ apiVersion: "v1", kind: "Pod", spec: t["spec"] })).toEqual([]);
    }
    for (const t of templates["volumeClaimTemplates"] as Obj[]) {
      new PersistentVolumeClaimSpec(t["spec"]).validate();
      expect(unknownFields({ apiVersion: "v1", kind: "PersistentVolumeClaim", spec: t["spec"] })).toEqual([]);
    }
    expect(chi!["spec"]["defaults"]["templates"]["dataVolumeClaimTemplate"]).toBe(
      templates["volumeClaimTemplates"][0]["name"],
    );
    // The check can fail: a pod template with a container port that is not a number.
    const broken = structuredClone(templates["podTemplates"][0]["spec"]);
    broken["containers"][0]["ports"] = [{ containerPort: "http" }];
    expect(() => new PodSpec(broken).validate()).toThrow(/containerPort must be integer/);
  });
});
