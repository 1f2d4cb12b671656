// Rendered manifests against the code, each check returning one sentence per
// problem (empty: none):
// - workloadProblems: every service the supervisor starts (scripts/system.ts's
//   processSpecs, the services among them) has a Deployment, a Service, a
//   PodDisruptionBudget and a HorizontalPodAutoscaler that find its pods; its
//   container listens where its code does (the port variable's value, else
//   the code's default) and is probed on the paths the code serves; the
//   Service of every service run as replicas is headless (its callers balance
//   over every ready pod's address).
// - variableProblems: the Deployment sets exactly the variables the code reads
//   (deploy/variables.ts), but those left to the code's default on purpose
//   (KEPT_DEFAULTS, each with why); secrets come from Secrets only; peers'
//   URLs name a Service and its port.
// - networkProblems: the NetworkPolicies' graph (ingress from callers, egress
//   to callees) equals the call graph contracts/edges.ts derives from the code;
//   the ingress controller reaches exactly what the Ingress routes to, on its
//   port (what the Ingress routes: public-routes.ts; Prometheus: scraping.ts).
import { wiredEdges } from "../contracts/edges.js";
import { isReplicated, processSpecs, type ProcessSpec } from "../scripts/system.js";
import { CONTAINER, containerEnvironment, containerOf, containerPortNumber, LABEL, listenPort, named, peerNamespace, plainValue, podLabels, selects, type Obj } from "./objects.js";
import { INGRESS_NAMESPACE, PUBLICLY_ROUTED } from "./public-routes.js";
import { MONITORING_NAMESPACE } from "./scraping.js";
import { describeObject, type K8sObject } from "./render.js";
import { serviceVariables, type ServiceVariables } from "./variables.js";

/** What the code says, gathered once. */
export interface CodeFacts {
  /** The services among the supervisor's processes (the sandboxes stand in for third parties: not deployed). */
  services: ProcessSpec[];
  variables: Map<string, ServiceVariables>;
  /** "consumer→provider" for every call between two services (RPC, server stream, identity's JWKS); events go through the bus. */
  calls: Set<string>;
}

/** The liveness probe's path: transport/probes.ts answers it while the process is up (deploy/k8s.test.ts asks a real server). */
export const LIVENESS_PATH = "/healthz";

/** Variables the image reads rather than the code: the process to run (Containerfile) and Node's own options. */
const IMAGE_VARIABLES = new Set(["SERVICE", "NODE_OPTIONS"]);

/**
 * Variables the manifests leave to the code's default on purpose, and why.
 * A variable the code reads that is neither set nor here fails the check:
 * a new setting is deployed, or kept at its default, by decision.
 */
export const KEPT_DEFAULTS: Readonly<Record<string, string>> = {
  ITINERA_DATA_DIR: "the embedded PostgreSQL's data only; DATABASE_URL is always set on a cluster",
  OTEL_EXPORTER_OTLP_ENDPOINT: "no tracing backend is assumed; set it to export spans",
  LOG_SLOW_MS: "log sampling (platform/log-sampling.ts's defaults)",
  LOG_SUCCESS_ONE_IN: "log sampling (platform/log-sampling.ts's defaults)",
  LOG_SUCCESS_PER_SECOND: "log sampling (platform/log-sampling.ts's defaults)",
  BOOKING_ROOM_THRESHOLD: "business tuning (services/booking/settings.ts)",
  BOOKING_CANCELLATION_FEE_MINOR: "business tuning (services/booking/settings.ts)",
  MAILER_MAX_ATTEMPTS: "retry policy (services/mailer/main.ts)",
  PAYMENT_EXPIRE_MS: "payment timing (services/payment/main.ts)",
  PAYMENT_SWEEP_MS: "payment timing (services/payment/main.ts)",
  SEARCH_CACHE_TTL_MS: "cache tuning (services/search/main.ts)",
  SEARCH_CACHE_ENTRIES: "cache tuning (services/search/main.ts)",
  SEARCH_CATALOG_MS: "search budgets (services/search/settings.ts)",
  SEARCH_PRICING_MS: "search budgets (services/search/settings.ts)",
  SEARCH_WALLET_MS: "search budgets (services/search/settings.ts)",
  SEARCH_TOTAL_MS: "search budgets (services/search/settings.ts)",
  SEARCH_RESERVE_MS: "search budgets (services/search/settings.ts)",
  SEARCH_LIVE_RESERVE_MS: "search budgets (services/search/settings.ts)",
  SELLER_RELIABILITY: "price ties (services/search/settings.ts)",
  SELLER_BOOKING_DEADLINE_MS: "seller timing (services/sellers/main.ts)",
  SELLERS_BOOKING_MAX_ATTEMPTS: "retry policy (services/sellers/main.ts)",
  SELLERS_QUOTE_TIMEOUT_MS: "seller timing (services/sellers/main.ts)",
  SELLERS_THROTTLE_RPS: "per-seller throttle (services/sellers/main.ts)",
  SELLERS_THROTTLE_BURST: "per-seller throttle (services/sellers/main.ts)",
  SYNC_INTERVAL_MS: "seller sync period (services/sellers/main.ts)",
  FX_RATES: "exchange rates (services/sellers/main.ts)",
  WEB_RATE_PER_SEC: "per-address and per-customer rate limit (services/web/main.ts)",
  WEB_RATE_BURST: "per-address and per-customer rate limit (services/web/main.ts)",
  WEB_ALLOWED_ORIGINS: "none: the app is served from the web service's own origin",
  WEB_DIST: "the image's built app at the code's default path",
};

/** Variables a shared module reads that the service itself never uses (the static reading sees the module). */
const UNUSED_BY: Readonly<Record<string, readonly string[]>> = {
  // platform/runtime.ts reads DATABASE_URL for every process; platform/quotes.ts holds QUOTE_SECRET beside the reader web uses.
  web: ["DATABASE_URL", "QUOTE_SECRET"],
};

export async function codeFacts(root: string): Promise<CodeFacts> {
  const services = processSpecs({}).filter((s) => s.args[0]?.startsWith("services/"));
  const names = new Set(services.map((s) => s.name));
  const calls = new Set(
    (await wiredEdges(root))
      .filter((e) => e.kind !== "event" && names.has(e.consumer) && names.has(e.provider))
      .map((e) => `${e.consumer}→${e.provider}`),
  );
  return {
    services,
    variables: new Map(services.map((s) => [s.name, withoutUnused(s.name, serviceVariables(root, s.args[0]!))])),
    calls,
  };
}

function withoutUnused(service: string, v: ServiceVariables): ServiceVariables {
  const unused = new Set(UNUSED_BY[service] ?? []);
  const keep = (names: Set<string>) => new Set([...names].filter((n) => !unused.has(n)));
  return { read: keep(v.read), secret: keep(v.secret) };
}

// ---- the checks ----

export function workloadProblems(objects: K8sObject[], facts: CodeFacts): string[] {
  const problems: string[] = [];
  for (const spec of facts.services) {
    const n = spec.name;
    const d = named(objects, "Deployment", n);
    if (!d) {
      problems.push(`${n} is started by scripts/system.ts but has no Deployment named ${n}`);
      continue;
    }
    const labels = podLabels(d);
    if (labels[LABEL] !== n) problems.push(`Deployment/${n}'s pods are not labelled ${LABEL}=${n}`);
    if (!selects(d.spec?.selector?.matchLabels, labels)) problems.push(`Deployment/${n}'s selector does not select its own pods`);
    const c = containerOf(d);
    if (!c) {
      problems.push(`Deployment/${n} has no container named "${CONTAINER}"`);
      continue;
    }
    const { env } = containerEnvironment(objects, d);
    const listens = listenPort(objects, d, spec);
    const rpc = (c.ports ?? []).find((p: any) => p.name === "rpc");
    if (rpc?.containerPort !== listens) {
      problems.push(`Deployment/${n}'s container port "rpc" is ${rpc?.containerPort ?? "missing"}, but ${n} listens on ${listens} (${spec.portVar}${plainValue(objects, d, spec.portVar) !== undefined ? "" : " unset: the code's default"})`);
    }
    const probe = (kind: string, path: string) => {
      const p = c[kind]?.httpGet;
      const onPort = p?.port === "rpc" || p?.port === listens;
      if (p?.path !== path || !onPort) problems.push(`Deployment/${n}'s ${kind} must GET ${path} on port rpc (${listens}); it ${p ? `gets ${p.path} on ${p.port}` : "is not an HTTP GET"}`);
    };
    probe("readinessProbe", spec.readyPath);
    probe("livenessProbe", LIVENESS_PATH);
    const wantedNodeArgs = spec.nodeArgs ?? [];
    const nodeOptions = env.get("NODE_OPTIONS");
    const given = nodeOptions && nodeOptions.from !== "secret" ? nodeOptions.value.split(/\s+/) : [];
    for (const arg of wantedNodeArgs) if (!given.includes(arg)) problems.push(`Deployment/${n} must run Node with ${arg} (scripts/system.ts gives it to ${n}): add it to NODE_OPTIONS`);

    const service = named(objects, "Service", n);
    if (!service) problems.push(`${n} has no Service named ${n}`);
    else {
      if (!selects(service.spec?.selector, labels)) problems.push(`Service/${n} does not select Deployment/${n}'s pods`);
      const target = (service.spec?.ports ?? []).map((p: any) => p.targetPort);
      if (!target.some((t: unknown) => t === "rpc" || t === listens)) problems.push(`Service/${n} does not forward to the port ${n} listens on (rpc, ${listens})`);
      if (isReplicated(spec) && service.spec?.clusterIP !== "None") {
        problems.push(`Service/${n} must be headless (clusterIP: None): ${n}'s callers balance over every ready pod's address, which a plain Service hides behind one (an HTTP/2 connection would pin one pod)`);
      }
    }
    const pdb = named(objects, "PodDisruptionBudget", n);
    if (!pdb) problems.push(`${n} has no PodDisruptionBudget named ${n}`);
    else if (!selects(pdb.spec?.selector?.matchLabels, labels)) problems.push(`PodDisruptionBudget/${n} does not select Deployment/${n}'s pods`);
    const hpa = named(objects, "HorizontalPodAutoscaler", n);
    if (!hpa) problems.push(`${n} has no HorizontalPodAutoscaler named ${n}`);
    else if (hpa.spec?.scaleTargetRef?.kind !== "Deployment" || hpa.spec?.scaleTargetRef?.name !== n) problems.push(`HorizontalPodAutoscaler/${n} does not scale Deployment/${n}`);
  }
  return problems;
}

export function variableProblems(objects: K8sObject[], facts: CodeFacts, opts: { production: boolean }): string[] {
  const problems: string[] = [];
  const servicePorts = new Map(
    objects.filter((o) => o.kind === "Service").map((s) => [s.metadata.name, ((s as Obj).spec?.ports ?? []).map((p: any) => Number(p.port))] as const),
  );
  for (const spec of facts.services) {
    const n = spec.name;
    const d = named(objects, "Deployment", n);
    const vars = facts.variables.get(n);
    if (!d || !vars) continue; // workloadProblems says so
    const { env, inConfigMaps, problems: envProblems } = containerEnvironment(objects, d);
    problems.push(...envProblems);
    for (const [name, source] of env) {
      if (IMAGE_VARIABLES.has(name)) continue;
      if (!vars.read.has(name)) problems.push(`Deployment/${n} sets ${name}, which ${n}'s code never reads (misspelt, or left over?)`);
      if (vars.secret.has(name) && (source.from !== "secret" || inConfigMaps.has(name))) {
        problems.push(`Deployment/${n}'s ${name} is a secret but ${inConfigMaps.has(name) ? "a ConfigMap holds it" : "it is a literal value"}: take it from ${n}-secrets (secretKeyRef) alone`);
      }
      if (source.from !== "secret" && /^[a-z][a-z0-9+.-]*:\/\//i.test(source.value)) {
        for (const item of source.value.split(",")) {
          const u = URL.canParse(item) ? new URL(item) : undefined;
          const ports = u && servicePorts.get(u.hostname);
          if (ports && !ports.includes(Number(u.port))) problems.push(`Deployment/${n}'s ${name} (${item}) names Service ${u.hostname} on port ${u.port || "(none)"}; it serves ${ports.join(", ")}`);
        }
      }
    }
    for (const name of vars.read) {
      if (env.has(name)) continue;
      if (vars.secret.has(name)) problems.push(`${n} reads the secret ${name}, which its Deployment does not set: add it from ${n}-secrets (production refuses the development default)`);
      else if (!(name in KEPT_DEFAULTS)) problems.push(`${n} reads ${name}, which its Deployment does not set: set it in deploy/k8s/base/config/${n}.env, or add it to KEPT_DEFAULTS in deploy/against-code.ts saying why the default is right on a cluster`);
    }
    if (opts.production && vars.read.has("ITINERA_ENV")) {
      const e = env.get("ITINERA_ENV");
      if (!e || e.from === "secret" || e.value !== "production") problems.push(`Deployment/${n} must run with ITINERA_ENV=production in the prod overlay`);
    }
  }
  if (opts.production) {
    for (const s of objects.filter((o) => o.kind === "Secret")) problems.push(`${describeObject(s)}: the prod overlay carries no secret values; create the Secret on the cluster instead`);
  }
  return problems;
}

export function networkProblems(objects: K8sObject[], facts: CodeFacts): string[] {
  const problems: string[] = [];
  const names = new Set(facts.services.map((s) => s.name));
  const policies = objects.filter((o) => o.kind === "NetworkPolicy") as Obj[];
  const denyAll = policies.some((p) => {
    const s = p.spec ?? {};
    return Object.keys(s.podSelector ?? {}).length === 0 && ["Ingress", "Egress"].every((t) => (s.policyTypes ?? []).includes(t)) && !s.ingress?.length && !s.egress?.length;
  });
  if (!denyAll) problems.push("no default deny: a NetworkPolicy selecting every pod ({}) with policyTypes Ingress and Egress and no rules");

  const portOf = new Map(facts.services.map((s) => [s.name, s.port]));
  const specs = new Map(facts.services.map((s) => [s.name, s]));
  const ingress = new Set<string>();
  const egress = new Set<string>();
  const admitsController = new Set<string>();
  for (const p of policies) {
    const target = p.spec?.podSelector?.matchLabels?.[LABEL] as string | undefined;
    if (!target || !names.has(target)) continue;
    for (const rule of p.spec?.ingress ?? []) {
      for (const peer of rule.from ?? []) {
        const caller = peer.podSelector?.matchLabels?.[LABEL];
        const namespace = peerNamespace(peer);
        if (caller && !peer.namespaceSelector) ingress.add(`${caller}→${target}`);
        else if (namespace === MONITORING_NAMESPACE) continue; // scrapeProblems: on the metrics port alone
        else if (namespace === INGRESS_NAMESPACE && PUBLICLY_ROUTED.has(target)) {
          admitsController.add(target);
          const d = named(objects, "Deployment", target);
          const listens = d && listenPort(objects, d, specs.get(target)!);
          const ports = (rule.ports ?? []).map((x: any) => (d ? containerPortNumber(d, x.port) : undefined));
          if (ports.length === 0 || ports.some((x: number | undefined) => x !== listens)) {
            problems.push(`NetworkPolicy/${p.metadata.name} lets the ingress controller into ${target} on ${ports.join(", ") || "every port"}: only on ${target}'s port ${listens}, where the Ingress sends`);
          }
        } else {
          problems.push(
            `NetworkPolicy/${p.metadata.name} lets ${JSON.stringify(peer)} into ${target}: only its callers, the ingress controller (namespace ${INGRESS_NAMESPACE}) ` +
              `into what the Ingress routes to (${[...PUBLICLY_ROUTED].join(", ")}) and Prometheus (namespace ${MONITORING_NAMESPACE}) may reach a service`,
          );
        }
      }
    }
    for (const rule of p.spec?.egress ?? []) {
      for (const peer of rule.to ?? []) {
        const callee = peer.podSelector?.matchLabels?.[LABEL];
        if (!callee || !names.has(callee)) continue; // DNS, datastores, third parties: apart
        egress.add(`${target}→${callee}`);
        const ports = (rule.ports ?? []).map((x: any) => x.port);
        if (!ports.includes(portOf.get(callee))) problems.push(`NetworkPolicy/${p.metadata.name} lets ${target} reach ${callee} on ${ports.join(", ") || "every port"}, not on ${callee}'s port ${portOf.get(callee)}`);
      }
    }
  }
  for (const target of PUBLICLY_ROUTED) {
    if (!admitsController.has(target)) problems.push(`${target} admits no ingress controller: a NetworkPolicy rule from the namespace ${INGRESS_NAMESPACE} into ${target}, which the Ingress routes to`);
  }
  const compare = (graph: Set<string>, how: string) => {
    for (const c of facts.calls) if (!graph.has(c)) problems.push(`${c.replace("→", " calls ")} (contracts/edges.ts) but no NetworkPolicy allows it ${how}`);
    for (const c of graph) if (!facts.calls.has(c)) problems.push(`a NetworkPolicy allows ${c} ${how}, a call the code never makes`);
  };
  compare(ingress, "in (ingress from the caller)");
  compare(egress, "out (egress to the callee)");
  return problems;
}
