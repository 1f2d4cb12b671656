import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { pino } from "pino";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { openDatabase, type DatabaseOptions } from "./db.js";
import { freePort } from "./processes.testing.js";
import { testDatabase, type TestDatabase } from "./testing.js";

const log = pino({ level: "silent" });
let db: TestDatabase;
let migrationsDir: string;
let scratch: string;

const MIGRATION_1 = `
export async function up(knex) {
  await knex.schema.createTable("accounts", (t) => {
    t.text("id").primary();
    t.bigInteger("balance_minor").notNullable();
  });
}
export async function down(knex) {
  await knex.schema.dropTable("accounts");
}
`;
const MIGRATION_2 = `
import type { Knex } from "knex";
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable("accounts", (t) => t.text("note"));
}
export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable("accounts", (t) => t.dropColumn("note"));
}
`;

test.before(async () => {
  db = await testDatabase();
  scratch = await mkdtemp(join(tmpdir(), "itinera-db-test-"));
  migrationsDir = join(scratch, "migrations");
  await mkdir(migrationsDir);
  await writeFile(join(migrationsDir, "0001_accounts.ts"), MIGRATION_1);
  await writeFile(join(migrationsDir, "0002_note.ts"), MIGRATION_2);
  await writeFile(join(migrationsDir, "helpers.test.ts"), "throw new Error('not a migration')");
});

test.after(async () => {
  await db.drop();
  await rm(scratch, { recursive: true, force: true });
});

const options = (over: Partial<DatabaseOptions> = {}): DatabaseOptions => ({
  url: db.url,
  dataDir: join(scratch, "unused"),
  embeddedPort: 1,
  schema: "ledger",
  migrationsDir,
  log,
  ...over,
});

test("creates the schema, runs the migrations in it, and int8 comes back as an exact bigint", async () => {
  const database = await openDatabase(options());
  try {
    await database.ping();
    const big = 9_007_199_254_740_993n; // 2^53 + 1: a JS number cannot hold it
    await database.knex("accounts").insert({ id: "a", balance_minor: big, note: "x" });
    const row = await database.knex("accounts").where({ id: "a" }).first();
    assert.is(row.balance_minor, big);
    const [{ n }] = (await database.knex("accounts").count({ n: "*" })) as [{ n: bigint }];
    assert.is(n, 1n);
    const tables = await database.knex("information_schema.tables").where({ table_schema: "ledger" }).pluck("table_name");
    assert.ok(tables.includes("accounts") && tables.includes("knex_migrations"), tables.join(","));
    const applied = await database.knex("ledger.knex_migrations").orderBy("id").pluck("name");
    assert.equal(applied, ["0001_accounts", "0002_note"]);
  } finally {
    await database.close();
  }
});

test("opening again runs nothing twice; two opens at once both succeed", async () => {
  const [a, b] = await Promise.all([openDatabase(options()), openDatabase(options())]);
  try {
    assert.is((await a.knex("ledger.knex_migrations").pluck("name")).length, 2);
    assert.is((await b.knex("accounts").where({ id: "a" }).first()).note, "x");
  } finally {
    await Promise.all([a.close(), b.close()]);
  }
});

test("replicas starting together on a fresh schema: every open succeeds, each migration runs once", async () => {
  const opened = await Promise.all(Array.from({ length: 4 }, () => openDatabase(options({ schema: "fresh" }))));
  try {
    assert.equal(await opened[0]!.knex("fresh.knex_migrations").orderBy("id").pluck("name"), ["0001_accounts", "0002_note"]);
  } finally {
    await Promise.all(opened.map((d) => d.close()));
  }
});

test("a replica that died mid-migration leaves knex's lock taken: the next start frees it and migrates", async () => {
  const first = await openDatabase(options({ schema: "orphaned" }));
  await first.knex("orphaned.knex_migrations").where({ name: "0002_note" }).delete();
  await first.knex.schema.withSchema("orphaned").alterTable("accounts", (t) => t.dropColumn("note"));
  await first.knex("orphaned.knex_migrations_lock").update({ is_locked: 1 }); // as a killed migrator leaves it
  await first.close();
  const next = await openDatabase(options({ schema: "orphaned" }));
  try {
    assert.equal(await next.knex("orphaned.knex_migrations").orderBy("id").pluck("name"), ["0001_accounts", "0002_note"]);
    assert.equal(await next.knex("orphaned.knex_migrations_lock").pluck("is_locked"), [0]);
  } finally {
    await next.close();
  }
});

test("two schemas in one database are separate", async () => {
  const other = await openDatabase(options({ schema: "other" }));
  try {
    assert.is((await other.knex("accounts").select()).length, 0);
  } finally {
    await other.close();
  }
});

test("a failing migration fails the open with the database's error", async () => {
  const bad = join(scratch, "bad");
  await mkdir(bad);
  await writeFile(join(bad, "0001_bad.ts"), "export async function up(knex) { await knex.raw('select * from nowhere'); }\nexport async function down() {}");
  try {
    await openDatabase(options({ schema: "broken", migrationsDir: bad }));
    assert.unreachable("openDatabase should have failed");
  } catch (e) {
    assert.match((e as Error).message, /nowhere/);
  }
});


async function answers(port: number): Promise<boolean> {
  const client = new pg.Client({ connectionString: `postgres://postgres:itinera@127.0.0.1:${port}/postgres` });
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

test("without a URL: starts the embedded server, a second process-like open shares it, only the starter stops it", async () => {
  const port = await freePort();
  const embedded = (schema: string) =>
    openDatabase(options({ url: undefined, dataDir: join(scratch, "pg"), embeddedPort: port, schema }));
  const first = await embedded("first");
  try {
    const second = await embedded("second");
    await second.ping();
    await second.close();
    assert.ok(await answers(port), "closing the sharer must not stop the server");
    await first.ping();
  } finally {
    await first.close();
  }
  assert.not.ok(await answers(port), "closing the starter stops the server");
});

test.run();
