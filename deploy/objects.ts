// Reading the rendered objects, loosely typed (the schema checks run apart):
// an object by kind and name, a Deployment's pods' labels and its container,
// and where each of the container's variables comes from.
import { describeObject, type K8sObject } from "./render.js";

/** The label every Itinera object and pod carries with its service's name. */
export const LABEL = "app.kubernetes.io/name";
/** The container every Itinera Deployment runs the service in (pod-defaults.yaml patches it by this name). */
export const CONTAINER = "app";

export type Obj = K8sObject & { spec?: any; data?: Record<string, string> };
export const named = (objects: K8sObject[], kind: string, name: string) => objects.find((o) => o.kind === kind && o.metadata.name === name) as Obj | undefined;
export const podLabels = (d: Obj): Record<string, string> => d.spec?.template?.metadata?.labels ?? {};
export const selects = (selector: Record<string, string> | undefined, labels: Record<string, string>) =>
  !!selector && Object.keys(selector).length > 0 && Object.entries(selector).every(([k, v]) => labels[k] === v);
export const containerOf = (d: Obj): any => (d.spec?.template?.spec?.containers ?? []).find((c: any) => c.name === CONTAINER);

/** Where each variable of a container comes from: a ConfigMap (with its value), a Secret, or a literal value. */
export type Source = { from: "configmap"; value: string } | { from: "secret"; secret: string } | { from: "literal"; value: string };

/**
 * The container's variables, env[] over envFrom as Kubernetes applies them;
 * `inConfigMaps`: every name a ConfigMap gives it, overridden or not (a secret
 * there is in plain text even when a secretKeyRef wins).
 */
export function containerEnvironment(objects: K8sObject[], d: Obj): { env: Map<string, Source>; inConfigMaps: Set<string>; problems: string[] } {
  const env = new Map<string, Source>();
  const inConfigMaps = new Set<string>();
  const problems: string[] = [];
  const c = containerOf(d);
  for (const ref of c?.envFrom ?? []) {
    if (ref.configMapRef) {
      const cm = named(objects, "ConfigMap", ref.configMapRef.name);
      if (!cm) problems.push(`${describeObject(d)} takes its environment from ConfigMap ${ref.configMapRef.name}, which the overlay does not render`);
      for (const [k, v] of Object.entries(cm?.data ?? {})) {
        env.set(k, { from: "configmap", value: v });
        inConfigMaps.add(k);
      }
    } else {
      problems.push(`${describeObject(d)}: envFrom ${JSON.stringify(ref)} hides which variables it sets: name each with env[].valueFrom`);
    }
  }
  for (const e of c?.env ?? []) {
    if (e.valueFrom?.secretKeyRef) env.set(e.name, { from: "secret", secret: e.valueFrom.secretKeyRef.name });
    else if (e.valueFrom?.configMapKeyRef) {
      const cm = named(objects, "ConfigMap", e.valueFrom.configMapKeyRef.name);
      inConfigMaps.add(e.name);
      env.set(e.name, { from: "configmap", value: cm?.data?.[e.valueFrom.configMapKeyRef.key] ?? "" });
    } else env.set(e.name, { from: "literal", value: String(e.value ?? "") });
  }
  return { env, inConfigMaps, problems };
}

/** A variable's value in the Deployment's container, when a ConfigMap or a literal gives it (a Secret's is not ours to read). */
export function plainValue(objects: K8sObject[], d: Obj, variable: string): string | undefined {
  const source = containerEnvironment(objects, d).env.get(variable);
  return source && source.from !== "secret" ? source.value : undefined;
}

/** Where the service's code listens in this Deployment: its port variable's value, else the code's default. */
export function listenPort(objects: K8sObject[], d: Obj, spec: { portVar: string; port: number }): number {
  const configured = plainValue(objects, d, spec.portVar);
  return configured !== undefined ? Number(configured) : spec.port;
}

/** A container port by number or name ("rpc") → its number; undefined when the container declares no such name. */
export function containerPortNumber(d: Obj, port: number | string | undefined): number | undefined {
  if (typeof port === "number") return port;
  return (containerOf(d)?.ports ?? []).find((p: any) => p.name === port)?.containerPort;
}

/** The namespace a NetworkPolicy peer names by kubernetes.io/metadata.name, if that is all it selects. */
export function peerNamespace(peer: any): string | undefined {
  if (!peer?.namespaceSelector || peer.podSelector || peer.ipBlock) return undefined;
  return peer.namespaceSelector.matchLabels?.["kubernetes.io/metadata.name"];
}
