// openBus, the one place a process chooses its bus engine, called as a
// main.ts calls it, on each engine (a real nats-server for NATS): an event
// published through the store's `outboxOf` inside the service's own
// transaction reaches a subscriber, and one in a rolled-back transaction
// does not; a consumer-only process has no outbox on NATS; a bad BUS or
// NATS_URL is refused, naming the variable.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { create } from "@bufbuild/protobuf";
import { trace } from "@opentelemetry/api";
import { Registry } from "prom-client";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { EchoRequestSchema } from "../../gen/itinera/echo/v1/echo_pb.js";
import { ConfigError } from "../../platform/config.js";
import { openDatabase, type Database } from "../../platform/db.js";
import type { Runtime } from "../../platform/runtime.js";
import { testDatabase, type TestDatabase } from "../../platform/testing.js";
import { echoTopic, silentLog, waitFor } from "./database.fixture.js";
import { startNatsServer, type NatsServer } from "./nats-server.testing.js";
import { createOutboxTable } from "./nats/outbox.js";
import { BUS_ENGINES, openBus, type BusEngine } from "./open.js";

let testDb: TestDatabase;
let db: Database;
let nats: NatsServer;
let noMigrations: string;
let rt: Runtime;

test.before(async () => {
  testDb = await testDatabase();
  noMigrations = await mkdtemp(join(tmpdir(), "itinera-open-bus-"));
  const open = (schema: string, migrationsDir: string) =>
    openDatabase({ url: testDb.url, dataDir: ".data/unused", embeddedPort: 0, schema, migrationsDir, log: silentLog });
  // The publishing service's own schema, with its outbox table as its migration makes it.
  db = await open("publisher", noMigrations);
  await createOutboxTable(db.knex, "outbox");
  nats = await startNatsServer();
  rt = {
    name: "publisher",
    log: silentLog,
    tracer: trace.getTracer("open-bus-test"),
    registry: new Registry(),
    listenHost: "127.0.0.1",
    databaseUrl: testDb.url,
    dataDir: ".data/unused",
    openDatabase: (schema, migrations) => open(schema, fileURLToPath(migrations)),
    close: async () => {},
  };
});

test.after(async () => {
  await nats?.stop();
  await db?.close();
  await testDb?.drop();
  if (noMigrations) await rm(noMigrations, { recursive: true, force: true });
});

const envOf = (engine: BusEngine) => ({ BUS: engine, NATS_URL: nats.url });

for (const engine of BUS_ENGINES) {
  test(`${engine}: published through outboxOf in the service's transaction, it reaches a subscriber; rolled back, it does not`, async () => {
    const topic = echoTopic(`open.${engine}`);
    const opened = await openBus(rt, { service: "publisher", db, publishes: true, env: envOf(engine) });
    try {
      const got: string[] = [];
      await opened.bus.subscribe({ topic, group: "open-test", handler: async (_ctx, m) => void got.push(m.message) });
      await db.knex
        .transaction(async (trx) => {
          await opened.bus.publish(opened.outboxOf(trx), topic, "k", create(EchoRequestSchema, { message: "rolled back" }));
          throw new Error("roll back");
        })
        .catch(() => {});
      await db.knex.transaction((trx) => opened.bus.publish(opened.outboxOf(trx), topic, "k", create(EchoRequestSchema, { message: "committed" })));
      await waitFor("the committed event", () => got.includes("committed"), 20_000);
      // Per key in order: had the rolled-back one been published, it would have come first.
      assert.equal(got, ["committed"]);
      assert.ok(await opened.ready());
    } finally {
      await opened.close();
    }
  });
}

test("nats: a consumer-only process has no outbox, and says so", async () => {
  const opened = await openBus(rt, { service: "consumer", db, publishes: false, env: envOf("nats") });
  try {
    await db.knex.transaction(async (trx) => {
      assert.throws(() => opened.outboxOf(trx), /consumer publishes nothing/);
    });
    assert.ok(opened.deadLetters, "the operators' dead letters");
  } finally {
    await opened.close();
  }
});

test("a bad BUS or NATS_URL is refused, naming each variable", async () => {
  try {
    await openBus(rt, { service: "publisher", db, publishes: true, env: { BUS: "kafka", NATS_URL: "http://127.0.0.1:4222" } });
    assert.unreachable("openBus must refuse an unknown engine");
  } catch (e) {
    assert.instance(e, ConfigError);
    assert.match((e as Error).message, 'BUS must be one of postgres, nats, got "kafka"');
    assert.match((e as Error).message, "NATS_URL must be a comma-separated list of servers");
  }
});

test.run();
