// What the outside may reach, against the code: the Ingresses route exactly
// the web app and the two webhooks third parties call, each to the Service
// and port where its code serves it, under the host its public URL names,
// with TLS; nothing else of any service. A route whose code takes bodies over
// ingress-nginx's default 1 MiB has its Ingress let exactly that much through.
import { CALLBACK_PATH } from "../services/payment/callback-route.js";
import { PUSH_MAX_BODY_BYTES, PUSH_WEBHOOK_PREFIX } from "../services/sellers/webhook.js";
import type { CodeFacts } from "./against-code.js";
import { listenPort, named, plainValue, type Obj } from "./objects.js";
import type { K8sObject } from "./render.js";

export interface PublicRoute {
  service: string;
  path: string;
  pathType: "Prefix" | "Exact";
  /** The variable of that service whose URL the caller is given: the route's host must be its host. */
  hostFrom?: string;
  /** The largest body its code takes, when over ingress-nginx's default 1 MiB: the Ingress's proxy-body-size, in whole MiB. */
  maxBodyBytes?: number;
  why: string;
}

/** The only routes from outside, each taken from the code that serves it. */
export const PUBLIC_ROUTES: readonly PublicRoute[] = [
  { service: "web", path: "/", pathType: "Prefix", hostFrom: "WEB_PUBLIC_URL", why: "the app and its API (the BFF)" },
  {
    service: "payment",
    path: CALLBACK_PATH,
    pathType: "Exact",
    hostFrom: "PAYMENT_PUBLIC_URL",
    why: "the card gateway's callbacks, at the URL payment gives it (PAYMENT_PUBLIC_URL + CALLBACK_PATH)",
  },
  // Wanderly is given its webhook's URL by hand: no variable names the host.
  { service: "sellers", path: PUSH_WEBHOOK_PREFIX, pathType: "Prefix", maxBodyBytes: PUSH_MAX_BODY_BYTES, why: "the sellers' pushes (POST /webhooks/<seller_id>)" },
];

/** The ingress controller's namespace (ingress-nginx), which the NetworkPolicies let into the routed services. */
export const INGRESS_NAMESPACE = "ingress-nginx";

/** The services the ingress controller must reach (and alone may: network policies). */
export const PUBLICLY_ROUTED = new Set(PUBLIC_ROUTES.map((r) => r.service));

/** The Ingress annotation of ingress-nginx's request body limit ("4m"; unset: 1m). */
export const BODY_SIZE_ANNOTATION = "nginx.ingress.kubernetes.io/proxy-body-size";
const MIB = 1024 * 1024;

interface Routed {
  ingress: string;
  bodySize: string | undefined;
  host: string | undefined;
  path: string;
  pathType: string;
  service: string | undefined;
  port: { number?: number; name?: string } | undefined;
  tls: boolean;
}

function routesOf(objects: K8sObject[]): Routed[] {
  return (objects.filter((o) => o.kind === "Ingress") as Obj[]).flatMap((i) => {
    const tlsHosts = new Set<string>((i.spec?.tls ?? []).flatMap((t: any) => t.hosts ?? []));
    return (i.spec?.rules ?? []).flatMap((r: any) =>
      (r.http?.paths ?? []).map((p: any) => ({
        ingress: i.metadata.name,
        bodySize: i.metadata.annotations?.[BODY_SIZE_ANNOTATION],
        host: r.host,
        path: p.path,
        pathType: p.pathType,
        service: p.backend?.service?.name,
        port: p.backend?.service?.port,
        tls: r.host !== undefined && tlsHosts.has(r.host),
      })),
    );
  });
}

export function ingressProblems(objects: K8sObject[], facts: CodeFacts): string[] {
  const problems: string[] = [];
  const specs = new Map(facts.services.map((s) => [s.name, s]));
  const routed = routesOf(objects);
  for (const r of routed) {
    const where = `Ingress/${r.ingress} routes ${r.host ?? "(any host)"}${r.path} (${r.pathType})`;
    const expected = PUBLIC_ROUTES.find((e) => e.service === r.service && e.path === r.path && e.pathType === r.pathType);
    if (!expected) {
      const allowed = PUBLIC_ROUTES.map((e) => `${e.path} (${e.pathType}) to ${e.service}`).join(", ");
      problems.push(`${where} to ${r.service}: only ${allowed} face the outside`);
      continue;
    }
    if (!r.tls) problems.push(`${where} without TLS: list ${r.host ?? "a host"} under its tls hosts`);
    if (expected.maxBodyBytes !== undefined) {
      const size = `${expected.maxBodyBytes / MIB}m`;
      if (r.bodySize !== size) {
        problems.push(`${where}, but its ${BODY_SIZE_ANNOTATION} is ${r.bodySize ?? "unset (1m)"}: ${expected.service} takes bodies up to ${expected.maxBodyBytes} bytes there; set it to ${size}`);
      }
    }
    const deployment = named(objects, "Deployment", expected.service);
    const service = named(objects, "Service", expected.service);
    const spec = specs.get(expected.service);
    if (!deployment || !service || !spec) continue; // workloadProblems says so
    const listens = listenPort(objects, deployment, spec);
    const port = (service.spec?.ports ?? []).find((p: any) => (r.port?.name !== undefined ? p.name === r.port.name : p.port === r.port?.number));
    if (!port || (port.targetPort !== "rpc" && port.targetPort !== listens)) {
      problems.push(`${where} to port ${r.port?.name ?? r.port?.number} of Service/${expected.service}, which does not forward to ${expected.service}'s port (rpc, ${listens})`);
    }
    if (expected.hostFrom) {
      const url = deploymentUrl(objects, deployment, expected.hostFrom);
      if (url?.hostname !== r.host) problems.push(`${where}, but ${expected.service}'s ${expected.hostFrom} (${url ?? "unset"}) is where it is called: route that host`);
    }
  }
  for (const e of PUBLIC_ROUTES) {
    if (!routed.some((r) => r.service === e.service && r.path === e.path && r.pathType === e.pathType)) {
      problems.push(`no Ingress routes ${e.path} (${e.pathType}) to ${e.service}: ${e.why}`);
    }
  }
  return problems;
}

function deploymentUrl(objects: K8sObject[], d: Obj, variable: string): URL | undefined {
  const value = plainValue(objects, d, variable);
  return value !== undefined && URL.canParse(value) ? new URL(value) : undefined;
}
