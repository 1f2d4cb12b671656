// Rendered Kubernetes objects against the API's schemas (kubernetes-models:
// the OpenAPI schemas of Kubernetes 1.32, offline), twice:
// - each object through its kind's validator (`new Deployment(obj).validate()`):
//   types, required fields, enums, formats;
// - unknown fields, which those schemas let through (a misspelt
//   `securityContxt` would be dropped by the API server, silently): every
//   object is written as an object literal passed to its kind's class and
//   type-checked with TypeScript against kubernetes-models' declarations, made
//   from the same schemas; an excess property is an error naming the field,
//   at every depth (TypeScript names the first it meets in each object: fix
//   it and the next shows).
import ts from "typescript";
import { join } from "node:path";
import { describeObject, type K8sObject } from "./render.js";

/** "apps/v1" + "Deployment" → "kubernetes-models/apps/v1/Deployment"; the core group ("v1") has no group part. */
export const modelModule = (o: Pick<K8sObject, "apiVersion" | "kind">) => `kubernetes-models/${o.apiVersion}/${o.kind}`;

interface Model {
  validate(): void;
}
type ModelClass = new (data: unknown) => Model;

/** Each object through its kind's validator: one line per invalid object. */
export async function schemaProblems(objects: K8sObject[]): Promise<string[]> {
  const problems: string[] = [];
  for (const o of objects) {
    let Kind: ModelClass | undefined;
    try {
      Kind = ((await import(modelModule(o))) as Record<string, ModelClass>)[o.kind];
    } catch {
      Kind = undefined;
    }
    if (!Kind) {
      problems.push(`${describeObject(o)}: no schema for ${o.apiVersion} ${o.kind} in kubernetes-models`);
      continue;
    }
    try {
      new Kind(o).validate();
    } catch (e) {
      problems.push(`${describeObject(o)}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  return problems;
}

/**
 * Fields no schema knows, and values of the wrong type, found by TypeScript:
 * "Deployment/booking: spec.template.spec.containers[0].securityContxt: Object
 * literal may only specify known properties…". `root` is where
 * node_modules/kubernetes-models is found.
 */
export function unknownFieldProblems(objects: K8sObject[], root: string): string[] {
  const file = join(root, "deploy", "__rendered-objects__.ts");
  const kinds = [...new Map(objects.map((o) => [modelModule(o), o.kind])).entries()];
  const alias = new Map(kinds.map(([module], i) => [module, `K${i}`]));
  const header = kinds.map(([module, kind]) => `import { ${kind} as ${alias.get(module)} } from "${module}";`);
  // One object per line: a diagnostic's line says which object it is about. The
  // classes take apiVersion and kind from themselves (they chose the class).
  const literal = ({ apiVersion: _a, kind: _k, ...rest }: K8sObject) => JSON.stringify(rest);
  const source = [...header, ...objects.map((o) => `new ${alias.get(modelModule(o))}(${literal(o)});`)].join("\n");

  const options: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    types: [],
  };
  const host = ts.createCompilerHost(options);
  const sourceFile = ts.createSourceFile(file, source, ts.ScriptTarget.ES2022, true);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (name, ...rest) => {
    if (name === file) return sourceFile;
    // The declarations do not change between calls: parsed once per process.
    const parsed = declarations.get(name) ?? getSourceFile(name, ...rest);
    if (parsed) declarations.set(name, parsed);
    return parsed;
  };
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (name) => name === file || fileExists(name);
  const program = ts.createProgram([file], options, host);
  const diagnostics = [...program.getSyntacticDiagnostics(sourceFile), ...program.getSemanticDiagnostics(sourceFile)];

  return diagnostics.map((d) => {
    const message = ts.flattenDiagnosticMessageText(d.messageText, " ");
    if (d.start === undefined) return message;
    const line = sourceFile.getLineAndCharacterOfPosition(d.start).line - header.length;
    const o = objects[line];
    if (!o) return `${message} (in the imports of the kinds: ${header.join(" ")})`;
    return `${describeObject(o)}: ${pathAt(sourceFile, d.start) || "(the object)"}: ${message}`;
  });
}

const declarations = new Map<string, ts.SourceFile>();

/** The field path (spec.containers[0].name) of the object-literal member at `pos`. */
function pathAt(sf: ts.SourceFile, pos: number): string {
  let path = "";
  const visit = (node: ts.Node): void => {
    if (ts.isObjectLiteralExpression(node)) {
      const member = node.properties.find((p) => p.getStart(sf) <= pos && pos < p.getEnd());
      if (member && ts.isPropertyAssignment(member)) {
        const name = ts.isStringLiteral(member.name) ? member.name.text : member.name.getText(sf);
        path += path ? `.${name}` : name;
        visit(member.initializer);
      }
    } else if (ts.isArrayLiteralExpression(node)) {
      const i = node.elements.findIndex((e) => e.getStart(sf) <= pos && pos < e.getEnd());
      if (i >= 0) {
        path += `[${i}]`;
        visit(node.elements[i]!);
      }
    } else {
      const child = node.getChildren(sf).find((c) => c.getStart(sf) <= pos && pos < c.getEnd());
      if (child) visit(child);
    }
  };
  visit(sf);
  return path;
}
