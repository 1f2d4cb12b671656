// The whole marketplace as processes on one machine: PostgreSQL (embedded
// unless DATABASE_URL is set), the sandbox third parties and every service,
// each its own Node process, started in dependency order, each waited for
// until it answers. A process that crashes is restarted with backoff, and so
// is the embedded PostgreSQL (platform/embedded-postgres-supervisor.ts). With
// BUS=nats and no NATS_URL, a local JetStream server is started before the
// services and kept up the same way (platform/nats-supervisor.ts); every
// service gets BUS and NATS_URL. ITINERA_RUN says what runs: "tsx" (default)
// the TypeScript sources through tsx, no build step and a restart picks up an
// edit; "dist" the production build (`make build`), plain `node dist/…` as the
// image runs it. ITINERA_REPLICAS=N starts N processes of every internal
// service (not web, not the sandboxes), the cluster on loopback: replica 1 is
// "<service>" on <SERVICE>_PORT, replica k is "<service>-k" on
// <SERVICE>_PORT_k (default: the port + 200 × (k − 1)), each supervised on
// its own, and every dependency URL variable (CATALOG_URL, …) lists every
// replica, comma-separated, for the clients to balance over.
// scripts/start.ts (make start) and the benchmarks use it.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { pino } from "pino";
import { config, int, oneOf } from "../platform/config.js";
import { superviseEmbeddedPostgres, type SupervisedPostgres } from "../platform/embedded-postgres-supervisor.js";
import { superviseNats, type SupervisedNats } from "../platform/nats-supervisor.js";
import { builtEntry, entryArgs, RUN_MODES } from "../platform/run-mode.js";
import { nextRestart } from "../platform/supervised.js";
import { busSettings } from "../transport/bus/open.js";
import type { ProcessConsole } from "./console/console.js";

const ROOT = new URL("..", import.meta.url).pathname;

export interface ProcessSpec {
  name: string;
  /** The entry file and its arguments, relative to the repository root. */
  args: string[];
  /** The variable carrying its port, and the port. */
  portVar: string;
  port: number;
  /** Path answering 200 once it is ready. */
  readyPath: string;
  /** Started after every process of a lower stage is ready. */
  stage: number;
  /** The file whose presence says the process exists in this checkout. */
  requires: string;
  /** Variables for this process alone, over the shared environment. */
  env?: NodeJS.ProcessEnv;
  /** Node's own options for this process alone (before the entry file). */
  nodeArgs?: string[];
  /** The service this process is a replica of (replicas: its name is "<service>-k"); unset for the only or first one. */
  replicaOf?: string;
}

/**
 * Search keeps its caches' loads long enough for them to survive V8's young
 * generation, and at 150 searches/s its scavenges (copying them) set the tail:
 * a 64 MB semi-space halved its p99 (143.6 → 73.5 ms, p999 283 → 103 ms, same
 * CPU per search; `NODE_OPTIONS=--max-semi-space-size=64 BENCH_MIXES=zipf
 * BENCH_RATES=150 make bench-search` against the default). A deployment sets
 * the same in search's container (NODE_OPTIONS).
 */
const SEARCH_NODE_ARGS = ["--max-semi-space-size=64"];

/**
 * The variable that gives service `name` its own credential at identity
 * (BOOKING_SERVICE_SECRET, …): the supervisor hands it to that process alone
 * as SERVICE_SECRET. Unset: the service's development default.
 */
export const serviceSecretVariable = (name: string) => `${name.toUpperCase().replaceAll("-", "_")}_SERVICE_SECRET`;

const port = (env: NodeJS.ProcessEnv, name: string, fallback: number) => Number(env[name] ?? fallback);

const runSetting = { run: oneOf("ITINERA_RUN", RUN_MODES, "tsx"), replicas: int("ITINERA_REPLICAS", 1, { min: 1, max: 9 }) };

/** An internal service: run as replicas its callers balance over (web is the edge, behind the ingress; sandboxes are third parties). */
export const isReplicated = (s: ProcessSpec) => s.readyPath === "/readyz" && s.name !== "web";

/** The processes of the system with `replicas` processes of each internal service. */
export function replicated(specs: readonly ProcessSpec[], replicas: number, env: NodeJS.ProcessEnv): ProcessSpec[] {
  return specs.flatMap((s) => {
    if (replicas === 1 || !isReplicated(s)) return [s];
    return Array.from({ length: replicas }, (_, i): ProcessSpec => {
      if (i === 0) return s;
      const p = port(env, `${s.portVar}_${i + 1}`, s.port + 200 * i);
      return { ...s, name: `${s.name}-${i + 1}`, port: p, replicaOf: s.name, env: { ...s.env, [s.portVar]: String(p) } };
    });
  });
}


/** Every process of the system; an entry whose file does not exist yet is left out. */
export function processSpecs(env: NodeJS.ProcessEnv): ProcessSpec[] {
  const sandbox = (name: string, portVar: string, fallback: number, stage = 0, file = name): ProcessSpec => ({
    name,
    args: ["sandbox/main.ts", name],
    portVar,
    port: port(env, portVar, fallback),
    readyPath: "/admin/stats",
    stage,
    requires: `sandbox/${file}.ts`,
  });
  const service = (name: string, portVar: string, fallback: number, stage: number): ProcessSpec => ({
    name,
    args: [`services/${name}/main.ts`],
    portVar,
    port: port(env, portVar, fallback),
    readyPath: "/readyz",
    stage,
    requires: `services/${name}/main.ts`,
    env: { SERVICE_SECRET: env[serviceSecretVariable(name)] },
  });
  const specs: ProcessSpec[] = [
    sandbox("skylark", "SKYLARK_PORT", 7101),
    sandbox("casa", "CASA_PORT", 7102),
    sandbox("gateway", "GATEWAY_PORT", 7110),
    // The SMTP sink listens on SMTP_PORT too; its viewer port is the one waited on.
    sandbox("smtp", "SMTP_VIEW_PORT", 7126, 0, "smtp-sink"),
    service("identity", "IDENTITY_PORT", 7001, 0),
    service("wallet", "WALLET_PORT", 7004, 0),
    service("catalog", "CATALOG_PORT", 7002, 0),
    service("pricing", "PRICING_PORT", 7003, 1),
    service("booking", "BOOKING_PORT", 7007, 2),
    service("payment", "PAYMENT_PORT", 7006, 2),
    service("sellers", "SELLERS_PORT", 7008, 2),
    service("mailer", "MAILER_PORT", 7009, 2),
    sandbox("wanderly", "WANDERLY_PORT", 7103, 3),
    { ...service("search", "SEARCH_PORT", 7005, 3), nodeArgs: SEARCH_NODE_ARGS },
    service("web", "WEB_PORT", 8080, 4),
  ];
  return specs.filter((s) => existsSync(join(ROOT, s.requires)));
}

export interface SystemOptions {
  env: NodeJS.ProcessEnv;
  /** Where the embedded PostgreSQL keeps its data. */
  dataDir: string;
  /** The embedded PostgreSQL's port. */
  pgPort: number;
  /** The local JetStream server's store and port: what BUS=nats without NATS_URL starts (make start: .data/nats, 4222). */
  nats?: { storeDir: string; port: number };
  /** Lines about the system itself (not the processes' own logs). */
  say: (line: string) => void;
  /**
   * Where the processes' stdout/stderr go: "inherit" (this terminal), "ignore"
   * (benchmarks, the end-to-end tests), or a console (make start: short lines
   * on the terminal, everything in log files; scripts/console/console.ts).
   */
  stdio: "inherit" | "ignore" | ProcessConsole;
  readyTimeoutMs?: number;
  /** The processes to start, by name (default: every one): a test that needs a few services alone starts just those. */
  only?: readonly string[];
}

export interface RunningSystem {
  specs: ProcessSpec[];
  url(name: string): string;
  /** Sends a signal to one process (crash tests: SIGKILL); the supervisor restarts it. Resolves once it has exited. */
  kill(name: string, signal: NodeJS.Signals): Promise<void>;
  /** The processes of `service`: its name and its replicas' ("catalog", "catalog-2", …). */
  replicasOf(service: string): string[];
  /** The running process's pid (undefined while it is restarting). */
  pid(name: string): number | undefined;
  /** How many times each process exited on its own or was killed, since the start. */
  exits(): Record<string, number>;
  /** The embedded PostgreSQL the supervisor keeps up (chaos tests kill it); undefined on an external DATABASE_URL. */
  postgres?: SupervisedPostgres;
  /** The local JetStream server the supervisor keeps up (BUS=nats without NATS_URL). */
  nats?: SupervisedNats;
  stop(): Promise<void>;
}

/**
 * ITINERA_CPU_PROF="search,catalog": those processes write a V8 CPU profile
 * (.data/profiles/<name>/CPU.<date>.<time>.<pid>….cpuprofile) when they exit — a stop, not a
 * kill. Read one with `node scripts/profile-top.ts <file>` (bench/README.md).
 */
function profiling(env: NodeJS.ProcessEnv, name: string): string[] {
  const names = (env.ITINERA_CPU_PROF ?? "").split(",").map((n) => n.trim());
  if (!names.includes(name)) return [];
  return ["--cpu-prof", `--cpu-prof-dir=${join(ROOT, ".data", "profiles", name)}`];
}

export async function startSystem(opts: SystemOptions): Promise<RunningSystem> {
  const env: NodeJS.ProcessEnv = { ...opts.env, ITINERA_SUPERVISOR_PID: String(process.pid) };
  // One secret shared by every service is what per-service credentials replace: each gets its own (serviceSecretVariable).
  delete env.SERVICE_SECRET;
  const output = typeof opts.stdio === "object" ? opts.stdio : undefined;
  // The services would refuse a bad BUS or NATS_URL one by one: refuse it once, before starting anything.
  const { run, replicas, ...bus } = config(env, { ...busSettings(), ...runSetting });
  const specs = replicated(startedSpecs(env, opts.only), replicas, env);
  const unbuilt = run === "dist" ? specs.map((s) => builtEntry(s.args[0]!)).filter((f) => !existsSync(join(ROOT, f))) : [];
  if (unbuilt.length > 0) throw new Error(`ITINERA_RUN=dist but ${unbuilt.join(", ")} ${unbuilt.length === 1 ? "is" : "are"} missing: run \`make build\` first`);
  // An external server (DATABASE_URL) is someone else's to keep up; the embedded one is restarted when it dies.
  let pg: SupervisedPostgres | undefined;
  if (!env.DATABASE_URL) {
    opts.say(`starting embedded PostgreSQL on 127.0.0.1:${opts.pgPort}`);
    // Its warnings are JSON: under the console they go to its log file, as every process's do.
    const pgLog = output ? pino({ level: "warn" }, pino.destination({ dest: output.logFile("postgres"), mkdir: true })) : pino({ level: "warn" });
    pg = await superviseEmbeddedPostgres({ dataDir: opts.dataDir, port: opts.pgPort, say: opts.say, log: pgLog });
    env.DATABASE_URL = pg.url;
  }
  // As with PostgreSQL: an external NATS_URL is someone else's to keep up; the local server is restarted when it dies.
  let nats: SupervisedNats | undefined;
  if (bus.engine === "nats" && !env.NATS_URL?.trim()) {
    try {
      if (!opts.nats) throw new Error("BUS=nats without NATS_URL: the supervisor needs a store directory and port for the local nats-server");
      opts.say(`starting NATS JetStream on 127.0.0.1:${opts.nats.port}`);
      nats = await superviseNats({ ...opts.nats, say: opts.say, ...(output ? { logFile: output.logFile("nats") } : {}) });
    } catch (e) {
      await pg?.stop();
      throw e;
    }
    env.NATS_URL = nats.url;
  }
  env.BUS = bus.engine;
  for (const s of specs) if (!s.replicaOf) env[s.portVar] = String(s.port);
  const url = (name: string) => {
    const s = specs.find((x) => x.name === name);
    if (!s) throw new Error(`no process named ${name}`);
    return `http://127.0.0.1:${s.port}`;
  };
  const replicasOf = (service: string) => specs.filter((s) => s.name === service || s.replicaOf === service).map((s) => s.name);
  /** Every replica's URL of `service`, comma-separated: what its callers' URL variable holds. */
  const replicaUrls = (service: string) => {
    const names = replicasOf(service);
    // A service left out by `only` keeps its one address: its callers get a refused connection, not a start that fails.
    return names.length > 0 ? names.map(url).join(",") : `http://127.0.0.1:${processSpecs(env).find((s) => s.name === service)!.port}`;
  };
  // Peers find each other through these (each service's config reads them): every replica of each.
  Object.assign(env, {
    CATALOG_URL: env.CATALOG_URL ?? replicaUrls("catalog"),
    PRICING_URL: env.PRICING_URL ?? replicaUrls("pricing"),
    WALLET_URL: env.WALLET_URL ?? replicaUrls("wallet"),
    SELLERS_URL: env.SELLERS_URL ?? replicaUrls("sellers"),
    IDENTITY_URL: env.IDENTITY_URL ?? replicaUrls("identity"),
    PAYMENT_URL: env.PAYMENT_URL ?? replicaUrls("payment"),
    PAYMENT_PUBLIC_URL: env.PAYMENT_PUBLIC_URL ?? `http://127.0.0.1:${port(env, "PAYMENT_PORT", 7006)}`,
    BOOKING_URL: env.BOOKING_URL ?? replicaUrls("booking"),
    MAILER_URL: env.MAILER_URL ?? replicaUrls("mailer"),
    GATEWAY_URL: env.GATEWAY_URL ?? `http://127.0.0.1:${port(env, "GATEWAY_PORT", 7110)}`,
    SMTP_URL: env.SMTP_URL ?? `smtp://127.0.0.1:${port(env, "SMTP_PORT", 2525)}`,
    SANDBOX_AIRLINE_URL: env.SANDBOX_AIRLINE_URL ?? `http://127.0.0.1:${port(env, "SKYLARK_PORT", 7101)}`,
    SANDBOX_HOTELS_URL: env.SANDBOX_HOTELS_URL ?? `http://127.0.0.1:${port(env, "CASA_PORT", 7102)}`,
    SANDBOX_PUSH_URL: env.SANDBOX_PUSH_URL ?? `http://127.0.0.1:${port(env, "WANDERLY_PORT", 7103)}`,
    WEBHOOK_URL: env.WEBHOOK_URL ?? `http://127.0.0.1:${port(env, "SELLERS_PORT", 7008)}/webhooks/wanderly`,
    SEARCH_URL: env.SEARCH_URL ?? replicaUrls("search"),
    WEB_PUBLIC_URL: env.WEB_PUBLIC_URL ?? `http://127.0.0.1:${port(env, "WEB_PORT", 8080)}`,
  });
  // The hotel sellers whose photos web serves from its origin.
  env.WEB_IMAGE_ORIGINS ??= `${env.SANDBOX_HOTELS_URL},${env.SANDBOX_PUSH_URL}`;

  // A payment replica tells the gateway to call it back (the gateway retries one that is down).
  const ownUrls = (spec: ProcessSpec): NodeJS.ProcessEnv =>
    spec.replicaOf === "payment" && !opts.env.PAYMENT_PUBLIC_URL ? { PAYMENT_PUBLIC_URL: `http://127.0.0.1:${spec.port}` } : {};

  let stopping = false;
  const children = new Map<string, ChildProcess>();
  const exitCounts: Record<string, number> = Object.fromEntries(specs.map((s) => [s.name, 0]));
  const stdio = output ? "pipe" : (opts.stdio as "inherit" | "ignore");
  const launch = (spec: ProcessSpec, restarts = 0) => {
    const [entry, ...args] = spec.args;
    const child = spawn(process.execPath, [...(spec.nodeArgs ?? []), ...profiling(env, spec.name), ...entryArgs(run, entry!, args)], {
      cwd: ROOT,
      env: { ...env, ...spec.env, ...ownUrls(spec) },
      stdio: ["ignore", stdio, stdio],
    });
    children.set(spec.name, child);
    output?.started(spec.name, child, restarts);
    // A restart is told once it answers again (unless it was replaced or the system stops meanwhile).
    const current = () => !stopping && children.get(spec.name) === child;
    if (output && restarts > 0)
      waitReady(spec, opts.readyTimeoutMs ?? 120_000).then(
        () => current() && output.ready(spec.name, url(spec.name)),
        (e: unknown) => current() && output.say(e instanceof Error ? e.message : String(e)),
      );
    const startedAt = Date.now();
    child.on("exit", (code, signal) => {
      children.delete(spec.name);
      if (stopping) return;
      exitCounts[spec.name] = (exitCounts[spec.name] ?? 0) + 1;
      const next = nextRestart(restarts, Date.now() - startedAt);
      const how = signal ?? `code ${code}`;
      if (output) void output.exited(spec.name, how, next.delayMs);
      else opts.say(`${spec.name} exited (${how}); restarting in ${next.delayMs} ms`);
      setTimeout(() => !stopping && launch(spec, next.restarts), next.delayMs);
    });
  };

  const stop = async () => {
    stopping = true;
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
    await nats?.stop();
    await pg?.stop();
  };

  try {
    for (const stage of [...new Set(specs.map((s) => s.stage))].sort((a, b) => a - b)) {
      const group = specs.filter((s) => s.stage === stage);
      for (const s of group) launch(s);
      await Promise.all(group.map((s) => waitReady(s, opts.readyTimeoutMs ?? 120_000).then(() => output?.ready(s.name, url(s.name)))));
    }
  } catch (e) {
    await stop();
    throw e;
  }
  const kill = (name: string, signal: NodeJS.Signals) =>
    new Promise<void>((resolve) => {
      const child = children.get(name);
      if (!child) return resolve();
      child.once("exit", () => resolve());
      child.kill(signal);
    });
  const pid = (name: string) => children.get(name)?.pid;
  return { specs, url, kill, pid, replicasOf, exits: () => ({ ...exitCounts }), ...(pg ? { postgres: pg } : {}), ...(nats ? { nats } : {}), stop };
}

/** The processes a start runs: every one, or those `only` names (each must be one of them). */
function startedSpecs(env: NodeJS.ProcessEnv, only: readonly string[] | undefined): ProcessSpec[] {
  const specs = processSpecs(env);
  if (!only) return specs;
  const unknown = only.filter((name) => !specs.some((s) => s.name === name));
  if (unknown.length > 0) throw new Error(`no process named ${unknown.join(", ")}: the system has ${specs.map((s) => s.name).join(", ")}`);
  return specs.filter((s) => only.includes(s.name));
}

async function waitReady(spec: ProcessSpec, timeoutMs: number): Promise<void> {
  const target = `http://127.0.0.1:${spec.port}${spec.readyPath}`;
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const ok = await fetch(target, { signal: AbortSignal.timeout(2000) })
      .then((r) => r.ok)
      .catch(() => false);
    if (ok) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${spec.name} was not ready at ${target} within ${timeoutMs / 1000} s`);
}
