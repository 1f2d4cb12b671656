// Starts one sandbox third party (or all of them) as its own process:
//   node --import tsx sandbox/main.ts skylark|casa|wanderly|gateway|smtp|all
// Environment (all optional):
//   SANDBOX_SEED (42), SANDBOX_TODAY (today's UTC date), SANDBOX_CITIES (20), SANDBOX_HOTELS_PER_CITY (100),
//   SANDBOX_DAYS (90), SANDBOX_PAIRS (300), SANDBOX_HOST (127.0.0.1), THROTTLE_RPS (50), THROTTLE_BURST (2 × rps),
//   SKYLARK_PORT (7101), CASA_PORT (7102), WANDERLY_PORT (7103), LOG_LEVEL (info);
//   wanderly: WEBHOOK_URL (http://127.0.0.1:7008/webhooks/wanderly), WEBHOOK_SECRET (its key at sellers, the one
//   SELLERS_WEBHOOK_KEYS gives wanderly; "itinera-development-webhook-key-wanderly"), PUSH_INTERVAL_MS (60000), DUPLICATE_EVERY (10), WANDERLY_SHARE (0.1);
//   gateway: GATEWAY_PORT (7110), GATEWAY_SECRET ("itinera-development-gateway-secret"), GATEWAY_PUBLIC_URL
//   (where browsers reach its card pages; default http://<host>:<port>);
//   smtp: SMTP_PORT (2525), SMTP_VIEW_PORT (7126).
import { pino, type Logger } from "pino";
import { generateInventory } from "./inventory.js";
import { envNumber as num, inventoryParams } from "./environment.js";
import { startSkylark, SKYLARK_PORT } from "./skylark.js";
import { startCasa, CASA_PORT } from "./casa.js";
import { startWanderly, PUSH_DEFAULTS, WANDERLY_PORT } from "./wanderly.js";
import { startGateway, DEFAULT_GATEWAY_SECRET, GATEWAY_PORT } from "./gateway.js";
import { startSmtpSink, SMTP_PORT, SMTP_VIEW_PORT } from "./smtp-sink.js";
import type { RunningServer } from "./http.js";
import { stopWhenSupervisorExits } from "../platform/supervised.js";

const SELLERS = ["skylark", "casa", "wanderly"] as const;
const OTHERS = ["gateway", "smtp"] as const;
const NAMES = [...SELLERS, ...OTHERS] as const;
type Name = (typeof NAMES)[number];
type SellerName = (typeof SELLERS)[number];
const isSeller = (n: Name): n is SellerName => (SELLERS as readonly string[]).includes(n);

async function main(): Promise<void> {
  const env = process.env;
  stopWhenSupervisorExits(env);
  const which = process.argv[2];
  const names: Name[] = which === "all" ? [...NAMES] : NAMES.filter((s) => s === which);
  if (names.length === 0) {
    process.stderr.write(`usage: node --import tsx sandbox/main.ts ${NAMES.join("|")}|all\n`);
    process.exit(2);
  }
  const log = pino({ name: `sandbox-${which}`, level: env.LOG_LEVEL ?? "info" });
  const host = env.SANDBOX_HOST ?? "127.0.0.1";
  const servers: RunningServer[] = [];
  for (const name of names.filter((n) => !isSeller(n))) {
    servers.push(await startOther(name as (typeof OTHERS)[number], env, host, log.child({ sandbox: name })));
  }
  const sellers = names.filter(isSeller);
  if (sellers.length > 0) servers.push(...(await startSellers(sellers, env, host, log)));
  stopOnSignals(servers, log);
}

async function startOther(name: (typeof OTHERS)[number], env: NodeJS.ProcessEnv, host: string, log: Logger): Promise<RunningServer> {
  if (name === "gateway") {
    const gateway = await startGateway({
      host,
      log,
      port: num(env, "GATEWAY_PORT", GATEWAY_PORT),
      secret: env.GATEWAY_SECRET || DEFAULT_GATEWAY_SECRET,
      ...(env.GATEWAY_PUBLIC_URL ? { publicUrl: env.GATEWAY_PUBLIC_URL } : {}),
    });
    log.info({ url: gateway.url }, "sandbox gateway listening");
    return gateway;
  }
  const sink = await startSmtpSink({ host, log, smtpPort: num(env, "SMTP_PORT", SMTP_PORT), viewPort: num(env, "SMTP_VIEW_PORT", SMTP_VIEW_PORT) });
  log.info({ url: sink.url, smtp: `smtp://${host}:${sink.smtpPort}` }, "sandbox smtp sink listening");
  return sink;
}

async function startSellers(names: SellerName[], env: NodeJS.ProcessEnv, host: string, log: Logger): Promise<RunningServer[]> {
  const started = performance.now();
  const inventory = generateInventory(inventoryParams(env));
  log.info(
    { seed: inventory.seed, today: inventory.today, hotels: inventory.hotels.length, flights: inventory.flights.length,
      ms: Math.round(performance.now() - started) },
    "inventory generated",
  );
  const rps = num(env, "THROTTLE_RPS", 50);
  const common = {
    inventory,
    host,
    throttle: { ratePerSec: rps, burst: num(env, "THROTTLE_BURST", Math.max(1, 2 * rps)) },
  };
  const servers: RunningServer[] = [];
  for (const name of names) {
    const child = log.child({ seller: name });
    const server =
      name === "skylark"
        ? await startSkylark({ ...common, log: child, port: num(env, "SKYLARK_PORT", SKYLARK_PORT) })
        : name === "casa"
          ? await startCasa({ ...common, log: child, port: num(env, "CASA_PORT", CASA_PORT) })
          : await startWanderly({
              ...common,
              log: child,
              port: num(env, "WANDERLY_PORT", WANDERLY_PORT),
              webhookUrl: env.WEBHOOK_URL ?? PUSH_DEFAULTS.webhookUrl,
              secret: env.WEBHOOK_SECRET ?? PUSH_DEFAULTS.secret,
              intervalMs: num(env, "PUSH_INTERVAL_MS", PUSH_DEFAULTS.intervalMs),
              duplicateEvery: num(env, "DUPLICATE_EVERY", 10),
              share: num(env, "WANDERLY_SHARE", 0.1),
            });
    servers.push(server);
    log.info({ seller: name, url: server.url }, "sandbox seller listening");
  }
  return servers;
}

function stopOnSignals(servers: RunningServer[], log: Logger): void {
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) process.exit(1);
    stopping = true;
    log.info({ signal }, "stopping");
    Promise.all(servers.map((s) => s.close())).then(
      () => process.exit(0),
      (e: unknown) => {
        log.error({ err: e }, "stop failed");
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));
}

main().catch((e: unknown) => {
  process.stderr.write(`sandbox failed to start: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
