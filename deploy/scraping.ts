// Prometheus against the code: every service's pods say where to scrape
// them (the prometheus.io/* annotations a stock Prometheus keeps targets by),
// on the port where the code serves /metrics, and the namespace "monitoring"
// may reach that port of theirs and no other.
import type { ProcessSpec } from "../scripts/system.js";
import type { CodeFacts } from "./against-code.js";
import { containerOf, containerPortNumber, LABEL, listenPort, named, peerNamespace, plainValue, type Obj } from "./objects.js";
import type { K8sObject } from "./render.js";

/** Where transport/probes.ts serves the registry (deploy/k8s.test.ts asks a real server). */
export const METRICS_PATH = "/metrics";
/** The namespace Prometheus runs in (deploy/k8s/base/monitoring.yaml, deploy/prometheus/prometheus.yml). */
export const MONITORING_NAMESPACE = "monitoring";

/**
 * Where the service serves /metrics: on its admin listener when its code reads
 * one (<NAME>_ADMIN_PORT beside <NAME>_PORT: web, whose public port serves no
 * /metrics), else on its one port beside the RPCs. `port` is undefined when
 * the admin listener's variable is not set (then nothing serves /metrics).
 */
export function metricsPort(objects: K8sObject[], d: Obj, spec: ProcessSpec, facts: CodeFacts): { port: number | undefined; variable: string } {
  const admin = spec.portVar.replace(/_PORT$/, "_ADMIN_PORT");
  if (!facts.variables.get(spec.name)?.read.has(admin)) return { port: listenPort(objects, d, spec), variable: spec.portVar };
  const value = plainValue(objects, d, admin);
  return { port: value === undefined ? undefined : Number(value), variable: admin };
}

export function scrapeProblems(objects: K8sObject[], facts: CodeFacts): string[] {
  const problems: string[] = [];
  const policies = objects.filter((o) => o.kind === "NetworkPolicy") as Obj[];
  for (const spec of facts.services) {
    const n = spec.name;
    const d = named(objects, "Deployment", n);
    if (!d) continue; // workloadProblems says so
    const { port, variable } = metricsPort(objects, d, spec, facts);
    if (port === undefined) {
      problems.push(`${n} serves /metrics only on its admin listener (${variable}), which its Deployment does not set: set it in deploy/k8s/base/config/${n}.env`);
      continue;
    }
    const annotations: Record<string, string> = d.spec?.template?.metadata?.annotations ?? {};
    const want = { "prometheus.io/scrape": "true", "prometheus.io/path": METRICS_PATH, "prometheus.io/port": String(port) };
    for (const [key, value] of Object.entries(want)) {
      if (annotations[key] !== value) {
        problems.push(`Deployment/${n}'s pods must carry ${key}: "${value}" (${n} serves ${METRICS_PATH} on ${port}, ${variable}); they carry ${annotations[key] ?? "none"}`);
      }
    }
    if (!(containerOf(d)?.ports ?? []).some((p: any) => p.containerPort === port)) {
      problems.push(`Deployment/${n}'s container does not declare port ${port}, where ${n} serves ${METRICS_PATH} (${variable})`);
    }

    // The ports the monitoring namespace is let into on this service's pods.
    const opened: (number | undefined)[] = [];
    for (const p of policies.filter((x) => x.spec?.podSelector?.matchLabels?.[LABEL] === n)) {
      for (const rule of p.spec?.ingress ?? []) {
        if (!(rule.from ?? []).some((peer: any) => peerNamespace(peer) === MONITORING_NAMESPACE)) continue;
        const ports = (rule.ports ?? []).map((x: any) => containerPortNumber(d, x.port));
        opened.push(...(ports.length ? ports : [undefined]));
      }
    }
    if (opened.length === 0) problems.push(`no NetworkPolicy lets Prometheus (namespace ${MONITORING_NAMESPACE}) reach ${n}'s metrics port ${port}`);
    for (const o of new Set(opened)) {
      if (o !== port) {
        problems.push(`a NetworkPolicy lets Prometheus (namespace ${MONITORING_NAMESPACE}) reach ${n} on ${o ?? "every port (or one its container does not name)"}: only its metrics port ${port}`);
      }
    }
  }
  return problems;
}
