// What runs a process's entry file (ITINERA_RUN): "tsx" the TypeScript
// sources through tsx, "dist" the production build (`make build`,
// tsconfig.build.json) with plain node. The supervisor (scripts/system.ts)
// starts every process this way, and so do the tests that start one
// (platform/processes.testing.ts): `make test` runs them all from dist/.
import { join } from "node:path";

export const RUN_MODES = ["tsx", "dist"] as const;
export type RunMode = (typeof RUN_MODES)[number];

/**
 * Node's arguments for a process whose entry is `file` (a .ts path from the
 * repository root) with `args`: through tsx from the sources, or the built
 * file under dist/ with plain node.
 */
export function entryArgs(mode: RunMode, file: string, args: string[] = []): string[] {
  return mode === "dist" ? [builtEntry(file), ...args] : ["--import", "tsx", file, ...args];
}

/** Where `make build` puts the compiled `file` (services/wallet/main.ts → dist/services/wallet/main.js). */
export const builtEntry = (file: string) => join("dist", file.replace(/\.ts$/, ".js"));
