// A service's database: knex over pg, in the service's own schema, migrated
// on open. Without a URL it runs on the embedded PostgreSQL (platform/
// embedded-postgres.ts), started here unless another process on this machine
// already serves it on the same port, in which case it is shared.
import { readdir } from "node:fs/promises";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import knexFactory, { type Knex } from "knex";
import pg from "pg";
import type { Logger } from "pino";
import { ensureEmbeddedPostgres } from "./embedded-postgres.js";

export interface DatabaseOptions {
  /** postgres://… ; undefined: the embedded server. */
  url?: string | undefined;
  /** The embedded server's data directory (under .data/). */
  dataDir: string;
  /** The embedded server's port (54329 by convention). */
  embeddedPort: number;
  /** The schema this service owns: created if missing, first in the search path. */
  schema: string;
  /** Directory of knex migrations (`.ts`/`.js` ES modules exporting up and down). */
  migrationsDir: string;
  log: Logger;
  /** Connection pool bounds; default min 0, max 10. */
  pool?: { min: number; max: number };
}

export interface Database {
  /** Queries see `schema` first in the search path. int8 columns come back as bigint. */
  readonly knex: Knex;
  /** Resolves when the database answers. */
  ping(): Promise<void>;
  /** For /readyz and health: true when the database answers, else why not. */
  ready(): Promise<true | string>;
  /** Closes the pool, and stops the embedded server if this process started it. */
  close(): Promise<void>;
}

const INT8_OID = 20;

/**
 * int8 (bigint, count(*), sums cast to bigint) as JS bigint, never a lossy number.
 * Passed per connection, so pg's process-wide type parsers stay untouched.
 */
export const pgTypes: Knex.PgCustomTypesConfig = {
  getTypeParser: (oid: number, format: string) =>
    oid === INT8_OID && format !== "binary"
      ? (text: string) => BigInt(text)
      : pg.types.getTypeParser(oid, format as "text"),
};

export async function openDatabase(opts: DatabaseOptions): Promise<Database> {
  const server =
    opts.url === undefined
      ? await ensureEmbeddedPostgres({ dataDir: opts.dataDir, port: opts.embeddedPort, log: opts.log })
      : undefined;
  const url = opts.url ?? server!.url;
  const knex = knexFactory({
    client: "pg",
    connection: { connectionString: url, types: pgTypes, application_name: opts.schema },
    searchPath: [opts.schema],
    pool: opts.pool ?? { min: 0, max: 10 },
    log: {
      warn: (message: unknown) => opts.log.warn({ knex: String(message) }, "knex warning"),
      error: (message: unknown) => opts.log.error({ knex: String(message) }, "knex error"),
      deprecate: (method: string, alternative: string) => opts.log.warn({ method, alternative }, "knex deprecation"),
      debug: (message: unknown) => opts.log.debug({ knex: String(message) }, "knex debug"),
    },
  });
  try {
    await createSchema(knex, opts.schema);
    await migrate(knex, url, opts);
  } catch (e) {
    await knex.destroy();
    await server?.stop();
    throw e;
  }
  return {
    knex,
    ping: async () => {
      await knex.raw("select 1");
    },
    ready: () => knex.raw("select 1").then(
      () => true as const,
      () => "the database does not answer",
    ),
    close: async () => {
      await knex.destroy();
      if (server?.startedHere) {
        opts.log.info({ port: opts.embeddedPort }, "stopping embedded PostgreSQL");
        await server.stop();
      }
    },
  };
}

async function createSchema(knex: Knex, schema: string) {
  try {
    await knex.raw("create schema if not exists ??", [schema]);
  } catch (e) {
    // Two processes creating the same schema at once: one wins, the other sees a duplicate.
    if (!isPgError(e, "23505", "42P06")) throw e;
  }
}

/** How a service's migrations are run: from its directory, recorded in its own schema. */
export function migratorConfig(schema: string, migrationsDir: string): Knex.MigratorConfig {
  return {
    migrationSource: directoryMigrations(resolve(migrationsDir)),
    schemaName: schema,
    tableName: "knex_migrations",
  };
}

async function migrate(knex: Knex, url: string, opts: DatabaseOptions) {
  const config = migratorConfig(opts.schema, opts.migrationsDir);
  // Replicas of a service may start together: one migrates at a time, under a PostgreSQL advisory
  // lock held by a connection of its own, so a replica that dies mid-migration frees it with its
  // connection. Knex's own lock (a row) stays taken after such a death and would keep every later
  // start out: whoever holds the advisory lock knows nobody else migrates, so it frees that row.
  const guard = new pg.Client({ connectionString: url, application_name: `${opts.schema} migrations` });
  await guard.connect();
  try {
    await guard.query("select pg_advisory_lock(hashtextextended($1, 0))", [`itinera.migrate:${opts.schema}`]);
    const latest = async () => ((await knex.migrate.latest(config)) as [number, string[]])[1];
    let applied: string[];
    try {
      applied = await latest();
    } catch (e) {
      if (!(e instanceof Error && e.name === "MigrationLocked")) throw e;
      opts.log.warn({ schema: opts.schema }, "freeing the migration lock a process that died left taken");
      await knex.migrate.forceFreeMigrationsLock(config);
      applied = await latest();
    }
    if (applied.length > 0) opts.log.info({ schema: opts.schema, migrations: applied }, "migrated");
  } finally {
    await guard.end();
  }
}

const MIGRATION_FILE = /^[^.].*\.(ts|js|mjs)$/;
const NOT_A_MIGRATION = /\.(d|test)\.[mc]?[tj]s$/;

/**
 * Knex migrations imported with `import()`: ES modules in TypeScript under
 * tsx or compiled to JavaScript. Names are kept without their extension so
 * that the same migration is recognised whether it ran as .ts or .js.
 */
export function directoryMigrations(dir: string): Knex.MigrationSource<string> {
  return {
    async getMigrations() {
      const files = await readdir(dir);
      return files.filter((f) => MIGRATION_FILE.test(f) && !NOT_A_MIGRATION.test(f)).sort();
    },
    getMigrationName: (file) => file.replace(/\.[mc]?[tj]s$/, ""),
    getMigration: async (file) => (await import(pathToFileURL(join(dir, file)).href)) as Knex.Migration,
  };
}

function isPgError(e: unknown, ...codes: string[]): boolean {
  return typeof e === "object" && e !== null && codes.includes((e as { code?: string }).code ?? "");
}
