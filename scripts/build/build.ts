// `make build`: the production build. tsc compiles the processes (every
// services/<name>/main.ts, the sandboxes' sandbox/main.ts, the operator's
// scripts/dead-letters.ts) and the migrations they read by directory into
// dist/ (tsconfig.build.json), the web app's bundle (web/dist, `make web`) is
// copied where services/web/main.js looks for it (dist/web/dist), and the
// build fails when a built file imports a package that is not in
// package.json's dependencies (the image installs those alone). Then every
// process is `node dist/…` with no TypeScript tooling:
//   node dist/services/booking/main.js, node dist/sandbox/main.js skylark
// Usage: node --import tsx scripts/build/build.ts [out-dir]   (default dist)
import { spawnSync } from "node:child_process";
import { cp, readFile, rm } from "node:fs/promises";
import { existsSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { unlistedImports } from "./dependencies.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const TSC = join(ROOT, "node_modules", "typescript", "bin", "tsc");

export interface BuildOptions {
  /** The build directory; emptied first, so a file deleted from the sources (a migration) cannot linger. */
  out: string;
  /** The web app's bundle to ship (default web/dist, what `make web` builds). */
  webDist?: string;
}

export async function build(opts: BuildOptions): Promise<void> {
  const out = resolve(opts.out);
  const webDist = resolve(opts.webDist ?? join(ROOT, "web", "dist"));
  if (!relative(out, ROOT).startsWith("..")) {
    // out is the repository or one of its ancestors: emptying it would delete the sources.
    throw new Error(`refusing to build into ${out}: it holds the sources; give a directory of its own (default dist)`);
  }
  if (!existsSync(join(webDist, "index.html"))) {
    throw new Error(`no web app bundle at ${webDist}: run \`make web\` first (make build does)`);
  }
  await rm(out, { recursive: true, force: true });
  const tsc = spawnSync(process.execPath, [TSC, "-p", join(ROOT, "tsconfig.build.json"), "--outDir", out], { cwd: ROOT, encoding: "utf8" });
  if (tsc.status !== 0) throw new Error(`tsc failed (exit ${tsc.status ?? tsc.signal}):\n${tsc.stdout}${tsc.stderr}`);
  await cp(webDist, join(out, "web", "dist"), { recursive: true });
  const { dependencies } = JSON.parse(await readFile(join(ROOT, "package.json"), "utf8")) as { dependencies: Record<string, string> };
  const unlisted = await unlistedImports(out, Object.keys(dependencies));
  if (unlisted.length > 0) {
    const lines = unlisted.map((u) => `  ${u.file} imports ${u.pkg}`);
    throw new Error(
      `the built code imports packages that are not in package.json's dependencies, so the image (npm ci --omit=dev) would not have them:\n${lines.join("\n")}\n` +
        "move each to dependencies (npm install <name>) or stop importing it from code that runs in production",
    );
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const out = process.argv[2] ?? join(ROOT, "dist");
  const started = Date.now();
  build({ out }).then(
    () => console.log(`built into ${relative(process.cwd(), out) || "."} in ${((Date.now() - started) / 1000).toFixed(1)} s: run a process with node ${relative(process.cwd(), out) || "."}/services/<name>/main.js`),
    (e: unknown) => {
      console.error(`build failed: ${e instanceof Error ? e.message : String(e)}`);
      process.exit(1);
    },
  );
}
