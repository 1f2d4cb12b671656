// Test helpers for real PostgreSQL: every test file gets its own freshly
// created database on the server scripts/run-tests.ts started, so files that
// run in parallel never see each other's rows.
import { randomBytes } from "node:crypto";
import pg from "pg";
import type { Logger } from "pino";
import { openDatabase, type Database } from "./db.js";
import { EMBEDDED_PORT } from "./embedded-postgres.js";

export interface TestDatabase {
  /** Connection URL of the new, empty database. */
  readonly url: string;
  /** Its name: "test_<random hex>". */
  readonly name: string;
  /** Drops the database, ending any connection still open to it. */
  drop(): Promise<void>;
}

/** Creates a uniquely named empty database on the server at TEST_DATABASE_URL. */
export async function testDatabase(env: NodeJS.ProcessEnv = process.env): Promise<TestDatabase> {
  const serverUrl = env.TEST_DATABASE_URL;
  if (!serverUrl) {
    throw new Error(
      "TEST_DATABASE_URL is not set: run tests through scripts/run-tests.ts (npx tsx scripts/run-tests.ts <file>) or make test",
    );
  }
  const name = `test_${randomBytes(8).toString("hex")}`;
  await admin(serverUrl, `create database ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  let dropped = false;
  return {
    url: url.toString(),
    name,
    drop: async () => {
      if (dropped) return;
      dropped = true;
      await admin(serverUrl, `drop database if exists ${name} with (force)`);
    },
  };
}

async function admin(serverUrl: string, sql: string) {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

export interface TestServiceDatabaseOptions {
  /** The service's schema, migrated from migrationsDir. */
  schema: string;
  migrationsDir: string;
  log: Logger;
  /** Pool size; default 10. */
  poolMax?: number;
}

/**
 * A fresh test database with one service's schema migrated, as main.ts opens
 * it; closing it also drops the database (and so does a failed migration).
 */
export async function testServiceDatabase(opts: TestServiceDatabaseOptions): Promise<Database> {
  const testDb = await testDatabase();
  let database: Database;
  try {
    database = await openDatabase({
      url: testDb.url,
      dataDir: ".data/unused",
      embeddedPort: EMBEDDED_PORT,
      schema: opts.schema,
      migrationsDir: opts.migrationsDir,
      log: opts.log,
      pool: { min: 0, max: opts.poolMax ?? 10 },
    });
  } catch (e) {
    await testDb.drop();
    throw e;
  }
  return {
    ...database,
    close: async () => {
      await database.close();
      await testDb.drop();
    },
  };
}
