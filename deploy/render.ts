// Renders a kustomize directory the way an operator would (`kubectl kustomize
// <dir>`, no cluster needed) and parses the objects it prints.
import { execFileSync } from "node:child_process";
import { parseAllDocuments } from "yaml";

/** One rendered Kubernetes object, as kustomize printed it. */
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [field: string]: unknown;
}

/** kustomize v5 (kubectl 1.27+): the `labels` field and patches with a target. */
const NEEDED = "kubectl 1.27 or newer (kustomize v5 built in)";

export function renderKustomize(dir: string): K8sObject[] {
  let out: string;
  try {
    out = execFileSync("kubectl", ["kustomize", dir], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  } catch (e) {
    const err = e as NodeJS.ErrnoException & { stderr?: string };
    if (err.code === "ENOENT") {
      throw new Error(
        `kubectl is not on PATH: the manifests are rendered with \`kubectl kustomize\`; install ${NEEDED} ` +
          "(https://kubernetes.io/docs/tasks/tools/ — Debian's kubernetes-client package is 1.20, too old)",
      );
    }
    throw new Error(`kubectl kustomize ${dir} failed (${NEEDED} is needed): ${err.stderr?.trim() || err.message}`);
  }
  return parseAllDocuments(out).flatMap((doc) => {
    if (doc.errors.length > 0) throw new Error(`kubectl kustomize ${dir} printed YAML that does not parse: ${doc.errors[0]!.message}`);
    const obj = doc.toJS() as K8sObject | null;
    return obj ? [obj] : [];
  });
}

/** "Deployment/booking". */
export const describeObject = (o: K8sObject) => `${o.kind}/${o.metadata.name}`;
