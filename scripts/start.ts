// `make start`: the supervisor. Starts PostgreSQL (embedded unless
// DATABASE_URL is set), then every service as its own process, waits until
// each answers /readyz, prints where they listen, restarts a service that
// crashes, and stops everything cleanly on Ctrl-C.
import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { pino } from "pino";
import { ensureEmbeddedPostgres, type SharedPostgres } from "../platform/embedded-postgres.js";

const ROOT = new URL("..", import.meta.url).pathname;

interface ServiceSpec {
  name: string;
  entry: string;
  portVar: string;
  port: number;
}

const SERVICES: ServiceSpec[] = [
  { name: "wallet", entry: "services/wallet/main.ts", portVar: "WALLET_PORT", port: Number(process.env.WALLET_PORT ?? 7004) },
];

const RESTART_BACKOFF_MS = [500, 1000, 2000, 5000, 10000];
const READY_TIMEOUT_MS = 60_000;

let stopping = false;
let pg: SharedPostgres | undefined;
const children = new Map<string, ChildProcess>();

function say(line: string) {
  process.stdout.write(`[itinera] ${line}\n`);
}

function launch(spec: ServiceSpec, env: NodeJS.ProcessEnv, restarts = 0) {
  const child = spawn(process.execPath, ["--import", "tsx", join(ROOT, spec.entry)], {
    cwd: ROOT,
    env: { ...env, [spec.portVar]: String(spec.port) },
    stdio: ["ignore", "inherit", "inherit"],
  });
  children.set(spec.name, child);
  const startedAt = Date.now();
  child.on("exit", (code, signal) => {
    children.delete(spec.name);
    if (stopping) return;
    // A service that stayed up a minute starts its backoff afresh.
    const n = Date.now() - startedAt > 60_000 ? 0 : restarts;
    const delay = RESTART_BACKOFF_MS[Math.min(n, RESTART_BACKOFF_MS.length - 1)]!;
    say(`${spec.name} exited (${signal ?? `code ${code}`}); restarting in ${delay} ms`);
    setTimeout(() => !stopping && launch(spec, env, n + 1), delay);
  });
}

async function waitReady(spec: ServiceSpec): Promise<void> {
  const url = `http://127.0.0.1:${spec.port}/readyz`;
  const until = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < until) {
    const ok = await fetch(url)
      .then((r) => r.ok)
      .catch(() => false);
    if (ok) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${spec.name} was not ready at ${url} within ${READY_TIMEOUT_MS / 1000} s`);
}

async function main() {
  const started = Date.now();
  const env: NodeJS.ProcessEnv = { ...process.env };
  if (!env.DATABASE_URL) {
    const port = Number(env.PG_PORT ?? 54329);
    say(`starting embedded PostgreSQL on 127.0.0.1:${port} (data in .data/pg)`);
    pg = await ensureEmbeddedPostgres({ dataDir: join(ROOT, ".data", "pg"), port, log: pino({ level: "warn" }) });
    env.DATABASE_URL = pg.url;
  }

  const shutdown = async () => {
    if (stopping) return;
    stopping = true;
    say("stopping");
    await Promise.all(
      [...children.values()].map(
        (c) =>
          new Promise<void>((resolve) => {
            c.once("exit", () => resolve());
            c.kill("SIGTERM");
            setTimeout(() => c.kill("SIGKILL"), 20_000).unref();
          }),
      ),
    );
    await pg?.stop();
    say("stopped");
    process.exit(0);
  };
  process.on("SIGINT", () => void shutdown());
  process.on("SIGTERM", () => void shutdown());

  for (const spec of SERVICES) launch(spec, env);
  await Promise.all(SERVICES.map(waitReady));

  say(`ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  for (const s of SERVICES) say(`${s.name.padEnd(8)} http://127.0.0.1:${s.port}  (Connect, gRPC, gRPC-Web; /healthz /readyz /metrics)`);
  say(`try: npx buf curl --http2-prior-knowledge --protocol grpc --reflect http://127.0.0.1:${SERVICES[0]!.port}/itinera.wallet.v1.WalletService/GetBalance -d '{"customer_id":"demo","currency":"EUR"}'`);
  say("Ctrl-C stops everything");
}

main().catch(async (e) => {
  say(`failed to start: ${e instanceof Error ? e.message : String(e)}`);
  stopping = true;
  for (const c of children.values()) c.kill("SIGTERM");
  await pg?.stop().catch(() => undefined);
  process.exit(1);
});
