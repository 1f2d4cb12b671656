import pg from "pg";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { testDatabase } from "./testing.js";

async function query(url: string, sql: string) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql)).rows;
  } finally {
    await client.end();
  }
}

test("without TEST_DATABASE_URL it says how to run tests", async () => {
  try {
    await testDatabase({});
    assert.unreachable("should have thrown");
  } catch (e) {
    assert.match((e as Error).message, "run tests through scripts/run-tests.ts");
  }
});

test("each call makes a separate empty database; drop removes it even with connections open", async () => {
  const [a, b] = await Promise.all([testDatabase(), testDatabase()]);
  assert.is.not(a.name, b.name);
  await query(a.url, "create table t (x int); insert into t values (1)");
  assert.equal(await query(b.url, "select count(*)::int as n from information_schema.tables where table_name = 't'"), [{ n: 0 }]);
  const open = new pg.Client({ connectionString: a.url });
  await open.connect();
  open.on("error", () => {}); // the forced drop ends this connection
  await Promise.all([a.drop(), b.drop()]);
  await open.end().catch(() => {});
  const left = await query(process.env.TEST_DATABASE_URL!, `select datname from pg_database where datname in ('${a.name}', '${b.name}')`);
  assert.equal(left, []);
});

test.run();
