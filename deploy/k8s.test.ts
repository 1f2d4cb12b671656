// The Kubernetes manifests (deploy/k8s), rendered as an operator would
// (`kubectl kustomize`, no cluster), against the API's schemas and against
// the code: every object valid and without unknown fields; every service the
// supervisor starts deployed with its Service, PDB and HPA, listening and
// probed where its code does; exactly the variables its code reads, secrets
// from Secrets; NetworkPolicies allowing exactly the calls the code makes;
// Ingresses routing exactly the app and the two webhooks the code serves;
// every pod scraped by Prometheus where its code serves /metrics, and only there
// (annotations, the monitoring policy, deploy/prometheus/prometheus.yml).
// Each check is also shown to fail, on a mutated copy of the rendered
// objects or on a fixture source tree.
import { mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { pino } from "pino";
import { Registry } from "prom-client";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { startServer } from "../transport/server.js";
import { codeFacts, LIVENESS_PATH, networkProblems, variableProblems, workloadProblems, type CodeFacts } from "./against-code.js";
import { configProblems, PROMETHEUS_CONFIG, readPrometheusConfig, scrapeTargets } from "./prometheus.js";
import { PUSH_MAX_BODY_BYTES } from "../services/sellers/webhook.js";
import { BODY_SIZE_ANNOTATION, ingressProblems, PUBLIC_ROUTES } from "./public-routes.js";
import { renderKustomize, type K8sObject } from "./render.js";
import { METRICS_PATH, metricsPort, scrapeProblems } from "./scraping.js";
import { schemaProblems, unknownFieldProblems } from "./schema.js";
import { serviceVariables } from "./variables.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const OVERLAYS = ["dev", "prod"] as const;
const rendered = new Map<(typeof OVERLAYS)[number], K8sObject[]>();
let facts: CodeFacts;
let scratch: string;

test.before(async () => {
  for (const o of OVERLAYS) rendered.set(o, renderKustomize(join(ROOT, "deploy/k8s/overlays", o)));
  facts = await codeFacts(ROOT);
  scratch = await mkdtemp(join(tmpdir(), "k8s-"));
});
test.after(async () => {
  await rm(scratch, { recursive: true, force: true });
});

const prod = () => structuredClone(rendered.get("prod")!);
const find = (objects: K8sObject[], kind: string, name: string): any => {
  const o = objects.find((x) => x.kind === kind && x.metadata.name === name);
  if (!o) throw new Error(`${kind}/${name} is not rendered`);
  return o;
};
const container = (objects: K8sObject[], name: string) => find(objects, "Deployment", name).spec.template.spec.containers[0];
const configMap = (objects: K8sObject[], prefix: string): any => objects.find((o) => o.kind === "ConfigMap" && o.metadata.name.startsWith(`${prefix}-`));

test("each overlay renders; every object validates against the Kubernetes API schemas, with no unknown field", async () => {
  for (const o of OVERLAYS) {
    const objects = rendered.get(o)!;
    const kinds = [...new Set(objects.map((x) => x.kind))].sort();
    console.log(`deploy/k8s/overlays/${o}: ${objects.length} objects (${kinds.join(", ")})`);
    assert.equal(await schemaProblems(objects), [], `${o}: schema`);
    assert.equal(unknownFieldProblems(objects, ROOT), [], `${o}: unknown fields`);
  }
});

test("a misspelt field, a wrong type, a missing required field, an unknown kind each fail, named", async () => {
  const misspelt = prod();
  container(misspelt, "booking").securityContext.readOnlyRootFilesystm = true;
  assert.equal(unknownFieldProblems(misspelt, ROOT), [
    `Deployment/booking: spec.template.spec.containers[0].securityContext.readOnlyRootFilesystm: Object literal may only specify known properties, and '"readOnlyRootFilesystm"' does not exist in type 'ISecurityContext'.`,
  ]);
  assert.equal(await schemaProblems(misspelt), [], "the schemas' validator alone lets an unknown field through: why the second check exists");

  const wrongType = prod();
  container(wrongType, "wallet").ports[0].containerPort = "7004";
  assert.match((await schemaProblems(wrongType)).join("\n"), /^Deployment\/wallet: .*containerPort must be integer/);
  assert.match(unknownFieldProblems(wrongType, ROOT).join("\n"), /^Deployment\/wallet: spec\.template\.spec\.containers\[0\]\.ports\[0\]\.containerPort: Type 'string' is not assignable to type 'number'/);

  const missing = prod();
  delete find(missing, "HorizontalPodAutoscaler", "search").spec.maxReplicas;
  assert.match((await schemaProblems(missing)).join("\n"), /HorizontalPodAutoscaler\/search: data\/spec must have required property maxReplicas/);

  const unknownKind = [...prod(), { apiVersion: "example.com/v1", kind: "Widget", metadata: { name: "w" } }];
  assert.equal((await schemaProblems(unknownKind)).at(-1), "Widget/w: no schema for example.com/v1 Widget in kubernetes-models");
});

test("every service the supervisor starts has its Deployment, Service, PDB and HPA, listening and probed where its code does", async () => {
  assert.equal(
    facts.services.map((s) => s.name),
    ["identity", "wallet", "catalog", "pricing", "booking", "payment", "sellers", "mailer", "search", "web"],
  );
  for (const o of OVERLAYS) assert.equal(workloadProblems(rendered.get(o)!, facts), [], o);

  // The probe paths the manifests use answer on a real server of the transport.
  const server = await startServer({ port: 0, log: pino({ level: "silent" }), routes: () => {} });
  try {
    const paths = [...new Set(facts.services.map((s) => s.readyPath)), LIVENESS_PATH];
    for (const path of paths) assert.is((await fetch(`${server.url}${path}`)).status, 200, path);
  } finally {
    await server.close(1000);
  }
});

test("a missing HPA, a container port or a probe path off the code's, a lost NODE_OPTIONS, a Service that is not headless each fail, named", () => {
  const objects = prod().filter((o) => !(o.kind === "HorizontalPodAutoscaler" && o.metadata.name === "mailer"));
  container(objects, "catalog").ports[0].containerPort = 7020;
  delete find(objects, "Service", "catalog").spec.clusterIP;
  container(objects, "pricing").readinessProbe.httpGet.path = "/ready";
  container(objects, "search").env = container(objects, "search").env.filter((e: any) => e.name !== "NODE_OPTIONS");
  find(objects, "Service", "web").spec.selector = { "app.kubernetes.io/name": "webb" };
  assert.equal(workloadProblems(objects, facts), [
    `Deployment/catalog's container port "rpc" is 7020, but catalog listens on 7002 (CATALOG_PORT)`,
    "Service/catalog must be headless (clusterIP: None): catalog's callers balance over every ready pod's address, which a plain Service hides behind one (an HTTP/2 connection would pin one pod)",
    "Deployment/pricing's readinessProbe must GET /readyz on port rpc (7003); it gets /ready on rpc",
    "mailer has no HorizontalPodAutoscaler named mailer",
    "Deployment/search must run Node with --max-semi-space-size=64 (scripts/system.ts gives it to search): add it to NODE_OPTIONS",
    "Service/web does not select Deployment/web's pods",
  ]);
});

test("each Deployment sets exactly the variables its code reads (or keeps a documented default), secrets from Secrets; prod: ITINERA_ENV=production, no secret values", () => {
  for (const o of OVERLAYS) assert.equal(variableProblems(rendered.get(o)!, facts, { production: o === "prod" }), [], o);
  const secrets = [...facts.variables].map(([n, v]) => `${n}: ${[...v.secret].sort().join(" ")}`);
  console.log(`secret variables, each from a Secret: ${secrets.join("; ")}`);
  assert.ok(facts.variables.get("payment")!.secret.has("GATEWAY_SECRET") && facts.variables.get("booking")!.read.has("WALLET_URL"), "the derivation sees what it must");
});

test("a variable read but not set, one set but never read, a secret in a ConfigMap, a peer on the wrong port, a secret value in prod each fail, named", () => {
  const objects = prod();
  const booking = configMap(objects, "booking-config");
  delete booking.data.WALLET_URL;
  booking.data.PAYMNET_URL = booking.data.PAYMENT_URL;
  booking.data.IDENTITY_URL = "http://identity:7011";
  configMap(objects, "catalog-config").data.CATALOG_PAGE_TOKEN_SECRET = "in plain sight";
  const wallet = container(objects, "wallet");
  wallet.env = wallet.env.filter((e: any) => e.name !== "SERVICE_SECRET");
  booking.data.ITINERA_ENV = "staging"; // over the common ConfigMap's production
  objects.push({ apiVersion: "v1", kind: "Secret", metadata: { name: "web-secrets" } });
  assert.equal(variableProblems(objects, facts, { production: true }), [
    "wallet reads the secret SERVICE_SECRET, which its Deployment does not set: add it from wallet-secrets (production refuses the development default)",
    "Deployment/catalog's CATALOG_PAGE_TOKEN_SECRET is a secret but a ConfigMap holds it: take it from catalog-secrets (secretKeyRef) alone",
    "Deployment/booking's IDENTITY_URL (http://identity:7011) names Service identity on port 7011; it serves 7001",
    "Deployment/booking sets PAYMNET_URL, which booking's code never reads (misspelt, or left over?)",
    "booking reads WALLET_URL, which its Deployment does not set: set it in deploy/k8s/base/config/booking.env, or add it to KEPT_DEFAULTS in deploy/against-code.ts saying why the default is right on a cluster",
    "Deployment/booking must run with ITINERA_ENV=production in the prod overlay",
    "Secret/web-secrets: the prod overlay carries no secret values; create the Secret on the cluster instead",
  ]);
});

test("the variables a service reads are derived from its code: readers, local wrappers, registries, through its imports; comments and type-only imports aside", async () => {
  const root = join(scratch, "repo");
  const files: Record<string, string> = {
    "services/alpha/main.ts": [
      `import { config, url, secret } from "../../platform/config.js";`,
      `import { settings } from "./settings.js";`,
      `import type { Only } from "./types.js";`,
      `// url("IN_A_COMMENT")`,
      `const cfg = config(process.env, { peer: url("PEER_URL", "http://127.0.0.1:1"), key: secret("ALPHA_SECRET", "dev"), ...settings() });`,
    ].join("\n"),
    "services/alpha/settings.ts": [
      `import { int } from "../../platform/config.js";`,
      `const REGISTRY = [{ id: "x", urlVariable: "SELLER_X_URL" }];`,
      `export function settings() { const ms = (variable: string, d: number) => int(variable, d); return { t: ms("ALPHA_TIMEOUT_MS", 5) }; }`,
    ].join("\n"),
    "services/alpha/types.ts": `import { str } from "../../platform/config.js";\nexport type Only = string;\nstr("TYPE_ONLY");\n`,
  };
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), content);
  }
  await mkdir(join(root, "platform"));
  await symlink(join(ROOT, "platform/config.ts"), join(root, "platform/config.ts"));
  const v = serviceVariables(root, "services/alpha/main.ts");
  assert.equal([...v.read].sort(), ["ALPHA_SECRET", "ALPHA_TIMEOUT_MS", "ITINERA_ENV", "PEER_URL", "SELLER_X_URL"]);
  assert.equal([...v.secret], ["ALPHA_SECRET"]);
});

test("the NetworkPolicies allow exactly the calls the code makes (contracts/edges.ts), the ingress controller into what the Ingress routes to, behind a default deny", () => {
  for (const o of OVERLAYS) assert.equal(networkProblems(rendered.get(o)!, facts), [], o);
  console.log(`network policies: ${facts.calls.size} calls between services, each allowed out of its caller and into its callee, nothing else`);
});

test("a call without its policy, a policy without its call, a service open to all each fail, named", () => {
  // The code gains a call (search → booking) the policies do not allow.
  const more: CodeFacts = { ...facts, calls: new Set([...facts.calls, "search→booking"]) };
  assert.equal(networkProblems(prod(), more), [
    "search calls booking (contracts/edges.ts) but no NetworkPolicy allows it in (ingress from the caller)",
    "search calls booking (contracts/edges.ts) but no NetworkPolicy allows it out (egress to the callee)",
  ]);

  const objects = prod();
  const wallet = find(objects, "NetworkPolicy", "wallet");
  wallet.spec.ingress[0].from.push({ podSelector: { matchLabels: { "app.kubernetes.io/name": "mailer" } } });
  wallet.spec.ingress.push({ from: [{ ipBlock: { cidr: "0.0.0.0/0" } }] });
  find(objects, "NetworkPolicy", "mailer").spec.egress = [];
  assert.equal(networkProblems(objects, facts), [
    `NetworkPolicy/wallet lets {"ipBlock":{"cidr":"0.0.0.0/0"}} into wallet: only its callers, the ingress controller (namespace ingress-nginx) into what the Ingress routes to (web, payment, sellers) and Prometheus (namespace monitoring) may reach a service`,
    "a NetworkPolicy allows mailer→wallet in (ingress from the caller), a call the code never makes",
    "mailer calls identity (contracts/edges.ts) but no NetworkPolicy allows it out (egress to the callee)",
  ]);

  const noDeny = prod().filter((o) => o.metadata.name !== "default-deny");
  assert.equal(networkProblems(noDeny, facts), ["no default deny: a NetworkPolicy selecting every pod ({}) with policyTypes Ingress and Egress and no rules"]);
});

test("the public Ingresses route exactly the web app and the two webhooks the code serves, each to its Service's port, under the host callers are given, with TLS", () => {
  for (const o of OVERLAYS) assert.equal(ingressProblems(rendered.get(o)!, facts), [], o);
  const routes = (rendered.get("prod")!.filter((x) => x.kind === "Ingress") as any[]).flatMap((i) =>
    i.spec.rules.flatMap((r: any) => r.http.paths.map((p: any) => `${r.host}${p.path} (${p.pathType}) → ${p.backend.service.name}:${p.backend.service.port.number ?? p.backend.service.port.name}`)),
  );
  console.log(`public routes: ${routes.join("; ")}`);
  assert.equal(
    PUBLIC_ROUTES.map((r) => `${r.service} ${r.path}`),
    ["web /", "payment /callbacks/gateway", "sellers /webhooks/"],
    "the webhook paths are the code's own constants (CALLBACK_PATH, PUSH_WEBHOOK_PREFIX)",
  );
});

test("the webhooks Ingress lets through exactly the push body sellers takes (PUSH_MAX_BODY_BYTES, in MiB); another size or none fails, named", () => {
  const sellers = PUBLIC_ROUTES.find((r) => r.service === "sellers")!;
  assert.is(sellers.maxBodyBytes, PUSH_MAX_BODY_BYTES);
  for (const r of PUBLIC_ROUTES) if (r.maxBodyBytes !== undefined) assert.ok(Number.isInteger(r.maxBodyBytes / (1024 * 1024)), `${r.service}'s body limit is a whole number of MiB`);
  for (const o of OVERLAYS) assert.is(find(rendered.get(o)!, "Ingress", "webhooks").metadata.annotations[BODY_SIZE_ANNOTATION], `${PUSH_MAX_BODY_BYTES / (1024 * 1024)}m`, o);
  const where = "Ingress/webhooks routes hooks.itinera.example.com/webhooks/ (Prefix)";
  const want = `sellers takes bodies up to ${PUSH_MAX_BODY_BYTES} bytes there; set it to ${PUSH_MAX_BODY_BYTES / (1024 * 1024)}m`;
  const smaller = prod();
  find(smaller, "Ingress", "webhooks").metadata.annotations[BODY_SIZE_ANNOTATION] = "1m";
  assert.equal(ingressProblems(smaller, facts), [`${where}, but its ${BODY_SIZE_ANNOTATION} is 1m: ${want}`]);
  const unset = prod();
  delete find(unset, "Ingress", "webhooks").metadata.annotations[BODY_SIZE_ANNOTATION];
  assert.equal(ingressProblems(unset, facts), [`${where}, but its ${BODY_SIZE_ANNOTATION} is unset (1m): ${want}`]);
});

test("an RPC path routed, a webhook routed by prefix, on a host nobody is given, to a port off the code's, without TLS, or not at all each fail, named", () => {
  const objects = prod();
  const hooks = find(objects, "Ingress", "webhooks");
  const [callback, push] = hooks.spec.rules[0].http.paths;
  callback.pathType = "Prefix";
  push.backend.service.port.number = 7018;
  hooks.spec.rules[0].http.paths.push({ path: "/itinera.payment.v1.PaymentService/", pathType: "Prefix", backend: { service: { name: "payment", port: { number: 7006 } } } });
  hooks.spec.rules[0].host = "callbacks.example.com";
  const web = find(objects, "Ingress", "web");
  web.spec.tls = [];
  const allowed = "only / (Prefix) to web, /callbacks/gateway (Exact) to payment, /webhooks/ (Prefix) to sellers face the outside";
  assert.equal(ingressProblems(objects, facts), [
    "Ingress/web routes itinera.example.com/ (Prefix) without TLS: list itinera.example.com under its tls hosts",
    `Ingress/webhooks routes callbacks.example.com/callbacks/gateway (Prefix) to payment: ${allowed}`,
    "Ingress/webhooks routes callbacks.example.com/webhooks/ (Prefix) without TLS: list callbacks.example.com under its tls hosts",
    "Ingress/webhooks routes callbacks.example.com/webhooks/ (Prefix) to port 7018 of Service/sellers, which does not forward to sellers's port (rpc, 7008)",
    `Ingress/webhooks routes callbacks.example.com/itinera.payment.v1.PaymentService/ (Prefix) to payment: ${allowed}`,
    "no Ingress routes /callbacks/gateway (Exact) to payment: the card gateway's callbacks, at the URL payment gives it (PAYMENT_PUBLIC_URL + CALLBACK_PATH)",
  ]);

  const moved = prod();
  find(moved, "Ingress", "webhooks").spec.rules[0].host = "itinera.example.com";
  find(moved, "Ingress", "webhooks").spec.tls[0].hosts = ["itinera.example.com"];
  assert.equal(ingressProblems(moved, facts), [
    "Ingress/webhooks routes itinera.example.com/callbacks/gateway (Exact), but payment's PAYMENT_PUBLIC_URL (https://hooks.itinera.example.com/) is where it is called: route that host",
  ]);

  const none = prod().filter((o) => o.kind !== "Ingress");
  assert.equal(
    ingressProblems(none, facts).map((p) => p.split(":")[0]),
    ["no Ingress routes / (Prefix) to web", "no Ingress routes /callbacks/gateway (Exact) to payment", "no Ingress routes /webhooks/ (Prefix) to sellers"],
  );
});

test("the ingress controller reaches payment and sellers on their port for the webhooks, and nothing it is not routed to: each break fails, named", () => {
  const objects = prod();
  const payment = find(objects, "NetworkPolicy", "payment");
  payment.spec.ingress.find((r: any) => r.from[0].namespaceSelector).ports = [{ port: 9999, protocol: "TCP" }];
  const sellers = find(objects, "NetworkPolicy", "sellers");
  sellers.spec.ingress = sellers.spec.ingress.filter((r: any) => !r.from[0].namespaceSelector);
  find(objects, "NetworkPolicy", "wallet").spec.ingress.push({ from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "ingress-nginx" } } }] });
  assert.equal(networkProblems(objects, facts), [
    "NetworkPolicy/payment lets the ingress controller into payment on 9999: only on payment's port 7006, where the Ingress sends",
    `NetworkPolicy/wallet lets {"namespaceSelector":{"matchLabels":{"kubernetes.io/metadata.name":"ingress-nginx"}}} into wallet: only its callers, the ingress controller (namespace ingress-nginx) into what the Ingress routes to (web, payment, sellers) and Prometheus (namespace monitoring) may reach a service`,
    "sellers admits no ingress controller: a NetworkPolicy rule from the namespace ingress-nginx into sellers, which the Ingress routes to",
  ]);
});

test("every service's pods carry the scrape annotations, on the port its code serves /metrics on; the monitoring namespace reaches that port alone", async () => {
  for (const o of OVERLAYS) assert.equal(scrapeProblems(rendered.get(o)!, facts), [], o);
  const ports = facts.services.map((s) => `${s.name} ${metricsPort(rendered.get("prod")!, find(rendered.get("prod")!, "Deployment", s.name), s, facts).port}`);
  console.log(`metrics ports: ${ports.join(", ")}`);
  assert.ok(ports.includes("web 9090") && ports.includes("booking 7007"), "web on its admin listener, the others on their one port");

  // The annotated path answers on a real server of the transport, on its one port and on an admin listener (web's).
  const registry = new Registry();
  const log = pino({ level: "silent" });
  const servers = [await startServer({ port: 0, log, routes: () => {}, metrics: registry }), await startServer({ port: 0, log, routes: () => {}, metrics: registry, admin: { port: 0 } })];
  try {
    for (const base of [servers[0]!.url, `http://127.0.0.1:${servers[1]!.adminPort}`]) {
      const res = await fetch(`${base}${METRICS_PATH}`);
      assert.is(res.status, 200, base);
      assert.match(res.headers.get("content-type") ?? "", /^text\/plain/);
    }
  } finally {
    await Promise.all(servers.map((x) => x.close(1000)));
  }
});

test("a scrape annotation off the metrics port or missing, web's admin port unset, Prometheus let into another port or not at all each fail, named", () => {
  const objects = prod();
  find(objects, "Deployment", "web").spec.template.metadata.annotations["prometheus.io/port"] = "8080";
  delete find(objects, "Deployment", "catalog").spec.template.metadata.annotations["prometheus.io/scrape"];
  find(objects, "NetworkPolicy", "search-metrics").spec.ingress[0].ports.push({ port: 7999, protocol: "TCP" });
  objects.splice(objects.indexOf(find(objects, "NetworkPolicy", "booking-metrics")), 1);
  find(objects, "NetworkPolicy", "mailer-metrics").spec.ingress[0].ports = [];
  assert.equal(scrapeProblems(objects, facts), [
    `Deployment/catalog's pods must carry prometheus.io/scrape: "true" (catalog serves /metrics on 7002, CATALOG_PORT); they carry none`,
    "no NetworkPolicy lets Prometheus (namespace monitoring) reach booking's metrics port 7007",
    "a NetworkPolicy lets Prometheus (namespace monitoring) reach mailer on every port (or one its container does not name): only its metrics port 7009",
    "a NetworkPolicy lets Prometheus (namespace monitoring) reach search on 7999: only its metrics port 7005",
    `Deployment/web's pods must carry prometheus.io/port: "9090" (web serves /metrics on 9090, WEB_ADMIN_PORT); they carry 8080`,
  ]);

  const unset = prod();
  delete configMap(unset, "web-config").data.WEB_ADMIN_PORT;
  find(unset, "NetworkPolicy", "web-metrics").spec.ingress[0].ports = [{ port: "rpc", protocol: "TCP" }];
  assert.equal(scrapeProblems(unset, facts), [
    "web serves /metrics only on its admin listener (WEB_ADMIN_PORT), which its Deployment does not set: set it in deploy/k8s/base/config/web.env",
  ]);
  const open = prod();
  find(open, "NetworkPolicy", "web-metrics").spec.ingress[0].ports = [{ port: "rpc", protocol: "TCP" }];
  assert.equal(scrapeProblems(open, facts), ["a NetworkPolicy lets Prometheus (namespace monitoring) reach web on 8080: only its metrics port 9090"]);
});

test(`${PROMETHEUS_CONFIG} scrapes, in both overlays' namespaces, exactly every service's pods at the port and path they annotate`, () => {
  const config = readPrometheusConfig(join(ROOT, PROMETHEUS_CONFIG));
  assert.equal(configProblems(config), []);
  for (const o of OVERLAYS) {
    const objects = rendered.get(o)!;
    const ip = (deployment: string) => `10.0.0.${objects.filter((x) => x.kind === "Deployment").findIndex((x) => x.metadata.name === deployment) + 1}`;
    const expected = facts.services.map((s) => {
      const d = find(objects, "Deployment", s.name);
      return `${s.name} ${d.metadata.namespace} http://${ip(s.name)}:${metricsPort(objects, d, s, facts).port}${METRICS_PATH}`;
    });
    const targets = scrapeTargets(config, objects, ip).map((t) => `${t.labels.service} ${t.labels.namespace} ${t.url}`);
    assert.equal(targets.sort(), expected.sort(), o);
  }
});

test("a misplaced field, an unsimulated action, a pod without the scrape annotation, a namespace not listed each change what is found, named", () => {
  const config: any = readPrometheusConfig(join(ROOT, PROMETHEUS_CONFIG));
  const bad = structuredClone(config);
  bad.scrape_configs[0].relabel_config = bad.scrape_configs[0].relabel_configs;
  bad.scrape_configs[0].relabel_configs.push({ action: "hashmod", source_labels: ["__address__"], target_label: "shard", modulus: 2 });
  assert.equal(configProblems(bad), [
    "scrape_configs[0].relabel_configs[6].modulus: not a field Prometheus reads here (source_labels, separator, regex, target_label, replacement, action)",
    "scrape_configs[0].relabel_config: not a field Prometheus reads here (job_name, scrape_interval, scrape_timeout, metrics_path, scheme, kubernetes_sd_configs, relabel_configs, metric_relabel_configs)",
    "itinera: relabel_configs[6]: action hashmod is not one deploy/prometheus.ts applies (replace, keep)",
  ]);

  const objects = prod();
  delete find(objects, "Deployment", "mailer").spec.template.metadata.annotations["prometheus.io/scrape"];
  const found = scrapeTargets(config, objects, () => "10.0.0.1").map((t) => t.labels.service);
  assert.is(found.length, facts.services.length - 1);
  assert.not.ok(found.includes("mailer"), "a pod that does not ask is not scraped");

  const elsewhere = structuredClone(config);
  elsewhere.scrape_configs[0].kubernetes_sd_configs[0].namespaces.names = ["itinera-dev"];
  assert.equal(scrapeTargets(elsewhere, prod(), () => "10.0.0.1"), [], "the prod namespace (itinera) not listed: nothing found");
});

test.run();
