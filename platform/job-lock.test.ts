import pg from "pg";
import { test } from "uvu";
import * as assert from "uvu/assert";
import knexFactory, { type Knex } from "knex";
import { advisoryExclusive } from "./job-lock.js";
import { testDatabase, type TestDatabase } from "./testing.js";

let db: TestDatabase;
// Two pools on one database stand for two replicas of a service.
let a: { knex: Knex };
let b: { knex: Knex };

test.before(async () => {
  db = await testDatabase();
  a = { knex: knexFactory({ client: "pg", connection: db.url, pool: { min: 0, max: 2 } }) };
  b = { knex: knexFactory({ client: "pg", connection: db.url, pool: { min: 0, max: 2 } }) };
});
test.after(async () => {
  await Promise.all([a.knex.destroy(), b.knex.destroy()]);
  await db.drop();
});

function gate() {
  let open!: () => void;
  const opened = new Promise<void>((r) => (open = r));
  return { open, opened };
}

test("a replica skips a job another replica is running, and runs it once the holder ends", async () => {
  const onA = advisoryExclusive(a.knex);
  const onB = advisoryExclusive(b.knex);
  const started = gate();
  const release = gate();
  const first = onA("sweep", async () => {
    started.open();
    await release.opened;
    return "a";
  });
  await started.opened;
  assert.equal(await onB("sweep", async () => "b"), { ran: false });
  assert.equal(await onB("other job", async () => "b"), { ran: true, value: "b" }, "another name is another lock");
  release.open();
  assert.equal(await first, { ran: true, value: "a" });
  assert.equal(await onB("sweep", async () => "b"), { ran: true, value: "b" });
});

test("a failed job releases the lock and its error reaches the caller", async () => {
  const onA = advisoryExclusive(a.knex);
  try {
    await onA("sweep", async () => {
      throw new Error("seller down");
    });
    assert.unreachable("the job's error must reach the caller");
  } catch (e) {
    assert.is((e as Error).message, "seller down");
  }
  assert.equal(await advisoryExclusive(b.knex)("sweep", async () => 1), { ran: true, value: 1 });
});

test("a holder whose connection dies gives the lock up", async () => {
  const onA = advisoryExclusive(a.knex);
  const started = gate();
  const killed = gate();
  const held = onA("sweep", async () => {
    started.open();
    await killed.opened; // a replica that hangs until its connection is cut
  }).catch((e: unknown) => e);
  await started.opened;
  assert.equal(await advisoryExclusive(b.knex)("sweep", async () => 1), { ran: false });
  const admin = new pg.Client({ connectionString: db.url });
  await admin.connect();
  const { rowCount } = await admin.query("select pg_terminate_backend(pid) from pg_locks where locktype = 'advisory' and database = (select oid from pg_database where datname = current_database())");
  await admin.end();
  assert.is(rowCount, 1, "exactly the holder's backend holds an advisory lock in this database");
  assert.equal(await advisoryExclusive(b.knex)("sweep", async () => 2), { ran: true, value: 2 });
  killed.open();
  assert.instance(await held, Error, "the dead holder's transaction fails instead of claiming the run");
});

test.run();
