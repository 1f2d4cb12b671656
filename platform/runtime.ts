// What every service process builds before its own parts: configuration of
// the common variables, the logger, the tracer and the metrics registry. Each
// main.ts calls it once and passes the pieces on; nothing here is global.
import { collectDefaultMetrics, Registry } from "prom-client";
import type { Logger } from "pino";
import type { Tracer } from "@opentelemetry/api";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { config, int, ipAddress, oneOf, optionalUrl, str, type Env } from "./config.js";
import { DEFAULT_SUCCESS_SAMPLING } from "./log-sampling.js";
import { openDatabase, type Database } from "./db.js";
import { EMBEDDED_PORT } from "./embedded-postgres.js";
import { createLogger } from "./logger.js";
import { createTracing } from "./tracing.js";
import { stopWhenSupervisorExits } from "./supervised.js";

export interface Runtime {
  /** The service's name, as in logs, spans and metrics. */
  name: string;
  log: Logger;
  tracer: Tracer;
  registry: Registry;
  /**
   * The address the process's listeners bind (LISTEN_HOST): 127.0.0.1 by
   * default, this machine only; 0.0.0.0 in a container, where the probes and
   * the peers come from other hosts (the image sets it).
   */
  listenHost: string;
  /** DATABASE_URL, or undefined for the embedded PostgreSQL. */
  databaseUrl: string | undefined;
  /** Where the embedded PostgreSQL keeps its data (ITINERA_DATA_DIR, default .data). */
  dataDir: string;
  /**
   * The service's database: its own schema, migrated from `migrations` (a
   * URL, usually `new URL("./migrations", import.meta.url)`), on DATABASE_URL
   * or the embedded PostgreSQL (port 54329, data in ITINERA_DATA_DIR/pg).
   */
  openDatabase(schema: string, migrations: URL): Promise<Database>;
  /** Flushes and stops the tracer. */
  close(): Promise<void>;
}

const LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;

export function startRuntime(name: string, env: Env): Runtime {
  const cfg = config(env, {
    logLevel: oneOf("LOG_LEVEL", LEVELS, "info"),
    otlpEndpoint: optionalUrl("OTEL_EXPORTER_OTLP_ENDPOINT"),
    databaseUrl: optionalUrl("DATABASE_URL"),
    listenHost: ipAddress("LISTEN_HOST", "127.0.0.1"),
    dataDir: str("ITINERA_DATA_DIR", ".data"),
    successOneIn: int("LOG_SUCCESS_ONE_IN", DEFAULT_SUCCESS_SAMPLING.successOneIn, { min: 0 }),
    successesPerSecond: int("LOG_SUCCESS_PER_SECOND", DEFAULT_SUCCESS_SAMPLING.successesPerSecond, { min: 0 }),
    slowMs: int("LOG_SLOW_MS", DEFAULT_SUCCESS_SAMPLING.slowMs, { min: 0 }),
  });
  const { successOneIn, successesPerSecond, slowMs } = cfg;
  const log = createLogger({ service: name, level: cfg.logLevel, successes: { successOneIn, successesPerSecond, slowMs } });
  stopWhenSupervisorExits(env);
  const tracing = createTracing({ serviceName: name, otlpEndpoint: cfg.otlpEndpoint });
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return {
    name,
    log,
    tracer: tracing.tracer,
    registry,
    listenHost: cfg.listenHost,
    databaseUrl: cfg.databaseUrl,
    dataDir: cfg.dataDir,
    openDatabase: (schema, migrations) =>
      openDatabase({
        url: cfg.databaseUrl,
        dataDir: join(cfg.dataDir, "pg"),
        embeddedPort: EMBEDDED_PORT,
        schema,
        migrationsDir: fileURLToPath(migrations),
        log,
      }),
    close: () => tracing.shutdown(),
  };
}
