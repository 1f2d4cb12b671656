// deploy/prometheus/prometheus.yml against the manifests, with no Prometheus
// at hand (Debian's promtool is built without Kubernetes discovery: `promtool
// check config` refuses kubernetes_sd_configs):
// - configProblems: every field is one this file may use, in its place (a
//   misspelt `relabel_config` would otherwise pass unseen, the rules unused);
// - scrapeTargets: what Prometheus would scrape, found by applying the
//   relabelling as Prometheus does (regexes anchored, `;`-joined sources,
//   `$1` replacements) to the targets its pod discovery makes of the rendered
//   Deployments' pods: one per container port, with the pod's
//   __meta_kubernetes_* labels.
import { readFileSync } from "node:fs";
import { parse } from "yaml";
import { containerOf, type Obj } from "./objects.js";
import type { K8sObject } from "./render.js";

/** Where the pods' prometheus.io/* annotations are read (without an operator). */
export const PROMETHEUS_CONFIG = "deploy/prometheus/prometheus.yml";

export const readPrometheusConfig = (path: string): unknown => parse(readFileSync(path, "utf8"));

/** The fields each level may hold (Prometheus's configuration reference): those that apply here and that scrapeTargets either applies or need not (pod selectors would change what is discovered: not here). */
const FIELDS: Record<string, readonly string[]> = {
  "": ["global", "scrape_configs", "rule_files", "alerting"],
  global: ["scrape_interval", "scrape_timeout", "evaluation_interval", "external_labels"],
  "scrape_configs[]": ["job_name", "scrape_interval", "scrape_timeout", "metrics_path", "scheme", "kubernetes_sd_configs", "relabel_configs", "metric_relabel_configs"],
  "kubernetes_sd_configs[]": ["role", "namespaces", "api_server", "kubeconfig_file"],
  namespaces: ["names"],
  "relabel_configs[]": ["source_labels", "separator", "regex", "target_label", "replacement", "action"],
};
/** The relabel actions scrapeTargets applies (the others are not used here: a new one must be simulated before it is trusted). */
const ACTIONS = new Set(["replace", "keep"]);

type Rule = { source_labels?: string[]; separator?: string; regex?: string; target_label?: string; replacement?: string; action?: string };
interface ScrapeConfig {
  job_name: string;
  scheme?: string;
  metrics_path?: string;
  kubernetes_sd_configs?: { role: string; namespaces?: { names?: string[] } }[];
  relabel_configs?: Rule[];
}

export function configProblems(config: unknown): string[] {
  const problems: string[] = [];
  const check = (value: unknown, level: string, at: string) => {
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      problems.push(`${at || "the file"} must be a mapping`);
      return;
    }
    for (const key of Object.keys(value)) {
      const child = (value as Record<string, unknown>)[key];
      if (!FIELDS[level]!.includes(key)) problems.push(`${at ? `${at}.` : ""}${key}: not a field Prometheus reads here (${FIELDS[level]!.join(", ")})`);
      else if (FIELDS[`${key}[]`]) {
        if (!Array.isArray(child)) problems.push(`${at ? `${at}.` : ""}${key} must be a list`);
        else child.forEach((item, i) => check(item, `${key}[]`, `${at ? `${at}.` : ""}${key}[${i}]`));
      } else if (FIELDS[key]) check(child, key, `${at ? `${at}.` : ""}${key}`);
    }
  };
  check(config, "", "");
  for (const job of ((config as { scrape_configs?: ScrapeConfig[] })?.scrape_configs ?? []) as ScrapeConfig[]) {
    for (const [i, rule] of (job.relabel_configs ?? []).entries()) {
      const action = rule.action ?? "replace";
      if (!ACTIONS.has(action)) problems.push(`${job.job_name}: relabel_configs[${i}]: action ${action} is not one deploy/prometheus.ts applies (${[...ACTIONS].join(", ")})`);
      if (action === "replace" && !rule.target_label) problems.push(`${job.job_name}: relabel_configs[${i}]: a replace needs target_label`);
    }
  }
  return problems;
}

/** One target Prometheus would scrape: its URL and the labels it keeps. */
export interface ScrapeTarget {
  url: string;
  labels: Record<string, string>;
}

/** The targets the configuration's pod discovery and relabelling make of the rendered Deployments' pods (one pod each, at `podIp`), duplicates merged. */
export function scrapeTargets(config: unknown, objects: K8sObject[], podIp: (deployment: string) => string): ScrapeTarget[] {
  const found = new Map<string, ScrapeTarget>();
  for (const job of ((config as { scrape_configs?: ScrapeConfig[] })?.scrape_configs ?? []) as ScrapeConfig[]) {
    for (const sd of job.kubernetes_sd_configs ?? []) {
      if (sd.role !== "pod") continue;
      for (const d of objects.filter((o) => o.kind === "Deployment") as Obj[]) {
        const namespace = d.metadata.namespace ?? "default";
        if (sd.namespaces?.names && !sd.namespaces.names.includes(namespace)) continue;
        for (const discovered of podTargets(d, namespace, podIp(d.metadata.name))) {
          const labels = relabel(
            { ...discovered, job: job.job_name, __scheme__: job.scheme ?? "http", __metrics_path__: job.metrics_path ?? "/metrics" },
            job.relabel_configs ?? [],
          );
          if (!labels) continue;
          const url = `${labels.__scheme__}://${labels.__address__}${labels.__metrics_path__}`;
          const kept = Object.fromEntries(Object.entries(labels).filter(([k]) => !k.startsWith("__")));
          found.set(`${url} ${JSON.stringify(kept)}`, { url, labels: kept });
        }
      }
    }
  }
  return [...found.values()];
}

const labelName = (s: string) => s.replace(/[^a-zA-Z0-9_]/g, "_");

/** Pod discovery's targets for one pod: one per port of each container (the app container here). */
function podTargets(d: Obj, namespace: string, ip: string): Record<string, string>[] {
  const meta = d.spec?.template?.metadata ?? {};
  const pod: Record<string, string> = {
    __meta_kubernetes_namespace: namespace,
    __meta_kubernetes_pod_name: `${d.metadata.name}-0`,
    __meta_kubernetes_pod_ip: ip,
  };
  for (const [k, v] of Object.entries<string>(meta.labels ?? {})) {
    pod[`__meta_kubernetes_pod_label_${labelName(k)}`] = v;
    pod[`__meta_kubernetes_pod_labelpresent_${labelName(k)}`] = "true";
  }
  for (const [k, v] of Object.entries<string>(meta.annotations ?? {})) {
    pod[`__meta_kubernetes_pod_annotation_${labelName(k)}`] = v;
    pod[`__meta_kubernetes_pod_annotationpresent_${labelName(k)}`] = "true";
  }
  const c = containerOf(d);
  return (c?.ports ?? []).map((p: any) => ({
    ...pod,
    __address__: `${ip}:${p.containerPort}`,
    __meta_kubernetes_pod_container_name: c.name,
    __meta_kubernetes_pod_container_port_name: p.name ?? "",
    __meta_kubernetes_pod_container_port_number: String(p.containerPort),
  }));
}

/** Prometheus's relabelling (model/relabel): undefined when the target is dropped. */
function relabel(input: Record<string, string>, rules: Rule[]): Record<string, string> | undefined {
  const labels = { ...input };
  for (const rule of rules) {
    const regex = new RegExp(`^(?:${rule.regex ?? "(.*)"})$`);
    const value = (rule.source_labels ?? []).map((l) => labels[l] ?? "").join(rule.separator ?? ";");
    const expand = (template: string, m: RegExpExecArray) => template.replace(/\$(?:\{(\w+)\}|(\w+))/g, (_, a, b) => m[Number(a ?? b)] ?? m.groups?.[a ?? b] ?? "");
    switch (rule.action ?? "replace") {
      case "keep":
        if (!regex.test(value)) return undefined;
        break;
      case "replace": {
        const m = regex.exec(value);
        if (!m) break;
        const target = expand(rule.target_label!, m);
        const result = expand(rule.replacement ?? "$1", m);
        if (result === "") delete labels[target];
        else labels[target] = result;
        break;
      }
    }
  }
  return labels;
}
