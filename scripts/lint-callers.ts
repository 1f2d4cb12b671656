// `make lint`'s check that every RPC says who may call it: loads every
// generated module in gen/itinera/ (our contracts; gRPC health and reflection are not ours), finds each service descriptor, and lists every
// method without (itinera.options.v1.callers). Exit 1 when any is listed — the
// server would refuse every call of such a method (access middleware).
//
//   node --import tsx scripts/lint-callers.ts [gen directory]
import { readdir } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { DescService } from "@bufbuild/protobuf";
import { callersOf } from "../endpoints/endpoint.js";

/** Every service descriptor exported by the *_pb.ts modules under `dir`. */
export async function servicesIn(dir: string): Promise<DescService[]> {
  const files = (await readdir(dir, { recursive: true })).filter((f) => f.endsWith("_pb.ts")).sort();
  const services: DescService[] = [];
  for (const file of files) {
    const mod = (await import(pathToFileURL(path.join(dir, file)).href)) as Record<string, unknown>;
    for (const value of Object.values(mod)) {
      if (isService(value)) services.push(value);
    }
  }
  return services;
}

function isService(value: unknown): value is DescService {
  return typeof value === "object" && value !== null && (value as { kind?: unknown }).kind === "service";
}

/** "itinera.x.v1.XService/Method" for each method whose contract declares no callers. */
export function undeclaredMethods(services: readonly DescService[]): string[] {
  return services.flatMap((s) => s.methods.filter((m) => !callersOf(m)).map((m) => `${s.typeName}/${m.name}`));
}

async function main() {
  const dir = path.resolve(process.argv[2] ?? fileURLToPath(new URL("../gen/itinera", import.meta.url)));
  const services = await servicesIn(dir);
  const missing = undeclaredMethods(services);
  if (missing.length > 0) {
    console.error(`${missing.length} method(s) declare no callers; add option (itinera.options.v1.callers) to each in proto/:`);
    for (const m of missing) console.error(`  ${m}`);
    process.exit(1);
  }
  const methods = services.reduce((n, s) => n + s.methods.length, 0);
  console.log(`callers declared on all ${methods} methods of ${services.length} services`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
