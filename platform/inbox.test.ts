// recordAfter on real PostgreSQL: a handled message is skipped, a throwing
// work records nothing, a success records once with no transaction open while
// the work runs, and two deliveries at once both run the work (which is why it
// must be idempotent) but record the message once.
import knexFactory, { type Knex } from "knex";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { createInboxTable, markProcessed, recordAfter, type InboxEntry } from "./inbox.js";
import { testDatabase, type TestDatabase } from "./testing.js";

const TABLE = "inbox";
let db: TestDatabase;
let knex: Knex;
let nextId = 0n;

test.before(async () => {
  db = await testDatabase();
  knex = knexFactory({ client: "pg", connection: db.url, pool: { min: 0, max: 4 } });
  await createInboxTable(knex, TABLE);
});

test.after(async () => {
  await knex.destroy();
  await db.drop();
});

const message = (): InboxEntry => ({ group: "consumer", messageId: ++nextId });

async function records(meta: InboxEntry): Promise<number> {
  const r = await knex.raw<{ rows: { n: number }[] }>(`select count(*)::int as n from ?? where group_name = ? and message_id = ?`, [
    TABLE,
    meta.group,
    meta.messageId.toString(),
  ]);
  return r.rows[0]!.n;
}

/** Backends of this database, other than the asking one, inside a transaction. */
async function openTransactions(): Promise<number> {
  const r = await knex.raw<{ rows: { n: number }[] }>(
    `select count(*)::int as n from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid() and xact_start is not null`,
  );
  return r.rows[0]!.n;
}

test("a message recorded as handled is skipped: the work does not run", async () => {
  const meta = message();
  await markProcessed(knex, TABLE, meta.group, meta.messageId);
  let ran = false;
  assert.is(await recordAfter(knex, TABLE, meta, async () => void (ran = true)), false);
  assert.is(ran, false);
  assert.is(await records(meta), 1);
});

test("a work that throws records nothing, and its redelivery runs it again", async () => {
  const meta = message();
  let err: unknown;
  await recordAfter(knex, TABLE, meta, async () => {
    throw new Error("the wallet is down");
  }).catch((e: unknown) => (err = e));
  assert.instance(err, Error);
  assert.is((err as Error).message, "the wallet is down", "the work's error reaches the consumer (retried, then dead-lettered)");
  assert.is(await records(meta), 0);
  let ran = 0;
  assert.is(await recordAfter(knex, TABLE, meta, async () => void ran++), true);
  assert.is(ran, 1);
  assert.is(await records(meta), 1);
});

test("a work that succeeds runs with no transaction open, and the message is recorded once, after it", async () => {
  const meta = message();
  const seen: { open: number; recorded: number }[] = [];
  assert.is(await recordAfter(knex, TABLE, meta, async () => void seen.push({ open: await openTransactions(), recorded: await records(meta) })), true);
  assert.equal(seen, [{ open: 0, recorded: 0 }]);
  assert.is(await records(meta), 1);
  assert.is(await recordAfter(knex, TABLE, meta, async () => void seen.push({ open: -1, recorded: -1 })), false, "redelivered: skipped");
  assert.is(seen.length, 1);
});

test("two deliveries at once both run the work (it must be idempotent) and record the message once", async () => {
  const meta = message();
  let entered = 0;
  let bothIn!: () => void;
  const together = new Promise<void>((r) => (bothIn = r));
  const work = async () => {
    if (++entered === 2) bothIn();
    await together;
  };
  assert.equal(await Promise.all([recordAfter(knex, TABLE, meta, work), recordAfter(knex, TABLE, meta, work)]), [true, true]);
  assert.is(entered, 2);
  assert.is(await records(meta), 1);
});

test.run();
