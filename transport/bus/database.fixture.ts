// Shared by the bus's tests: a migrated "bus" schema in a fresh test database.
import { dirname, join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { pino } from "pino";
import type { Topic } from "../../endpoints/bus.js";
import { EchoRequestSchema } from "../../gen/itinera/echo/v1/echo_pb.js";
import { openDatabase, type Database } from "../../platform/db.js";
import { testDatabase, type TestDatabase } from "../../platform/testing.js";

export const silentLog = pino({ level: process.env.BUS_TEST_LOG ?? "silent" });

/**
 * A topic of EchoRequests under any name, for the engine's own tests: the bus
 * carries whatever topic it is given; services name theirs with topicOf.
 */
export function echoTopic(name: string): Topic<typeof EchoRequestSchema> {
  return { name, schema: EchoRequestSchema };
}

export interface BusTestDatabase {
  test: TestDatabase;
  db: Database;
  close(): Promise<void>;
}

export async function openBusTestDatabase(): Promise<BusTestDatabase> {
  const test = await testDatabase();
  const db = await openDatabase({
    url: test.url,
    dataDir: ".data/unused",
    embeddedPort: 0,
    schema: "bus",
    migrationsDir: join(dirname(fileURLToPath(import.meta.url)), "migrations"),
    log: silentLog,
  });
  return {
    test,
    db,
    close: async () => {
      await db.close();
      await test.drop();
    },
  };
}

/** Resolves once `check` is true; throws after `timeoutMs`. */
export async function waitFor(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}
