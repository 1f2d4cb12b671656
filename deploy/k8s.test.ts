// The Kubernetes manifests (deploy/k8s), rendered as an operator would
// (`kubectl kustomize`, no cluster), against the API's schemas and against
// the code: every object valid and without unknown fields; every service the
// supervisor starts deployed with its Service, PDB and HPA, listening and
// probed where its code does; exactly the variables its code reads, secrets
// from Secrets; NetworkPolicies allowing exactly the calls the code makes.
// Each check is also shown to fail, on a mutated copy of the rendered
// objects or on a fixture source tree.
import { mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { pino } from "pino";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { startServer } from "../transport/server.js";
import { codeFacts, LIVENESS_PATH, networkProblems, variableProblems, workloadProblems, type CodeFacts } from "./against-code.js";
import { renderKustomize, type K8sObject } from "./render.js";
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

test("the NetworkPolicies allow exactly the calls the code makes (contracts/edges.ts), web alone from the ingress controller, behind a default deny", () => {
  for (const o of OVERLAYS) assert.equal(networkProblems(rendered.get(o)!, facts), [], o);
  console.log(`network policies: ${facts.calls.size} calls between services, each allowed out of its caller and into its callee, nothing else`);
});

test("a call without its policy, a policy without its call, a service open to all, a second Ingress backend each fail, named", () => {
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
  find(objects, "Ingress", "web").spec.rules[0].http.paths.push({ path: "/wallet", pathType: "Prefix", backend: { service: { name: "wallet", port: { number: 7004 } } } });
  assert.equal(networkProblems(objects, facts), [
    `NetworkPolicy/wallet lets {"ipBlock":{"cidr":"0.0.0.0/0"}} into wallet: only its callers (and, for web alone, the ingress controller's namespace) may call a service`,
    "a NetworkPolicy allows mailer→wallet in (ingress from the caller), a call the code never makes",
    "mailer calls identity (contracts/edges.ts) but no NetworkPolicy allows it out (egress to the callee)",
    "an Ingress routes to wallet: only the web service faces the outside",
  ]);

  const noDeny = prod().filter((o) => o.metadata.name !== "default-deny");
  assert.equal(networkProblems(noDeny, facts), ["no default deny: a NetworkPolicy selecting every pod ({}) with policyTypes Ingress and Egress and no rules"]);
});

test.run();
